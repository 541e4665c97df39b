-- Question: which stories were published most often (near-duplicate articles grouped)? (ties at
-- the cut of 20 go by first date, then story_id, so the same warehouse always lists the same 20)
SELECT a.story_id, count(*) AS articles, min(a.published_date) AS first_date,
       any_value(s.founding_article_id) AS founding_article, string_agg(DISTINCT a.language_code, ',') AS languages
FROM fact_article a
JOIN dim_story s USING (story_id)
GROUP BY a.story_id
HAVING count(*) > 1
ORDER BY articles DESC, first_date, a.story_id
LIMIT 20;
