-- Question: what was new on the latest day in the warehouse (yesterday, after a daily load)? Its
-- articles, biggest first, with the story they belong to and whether that story is new that day
-- (no article of it published on an earlier day: dim_story.first_published_date is the date of
-- the article the warehouse saw first, which a copy dated earlier and loaded later can precede).
WITH latest AS (SELECT max(published_date) AS day FROM fact_article),
earlier AS (  -- the stories that already had an article before the latest day
    SELECT DISTINCT story_id FROM fact_article
    WHERE published_date < (SELECT day FROM latest) AND story_id IS NOT NULL
)
SELECT a.published_date, s.source_name, a.title, a.n_tokens, a.story_id,
       a.story_id NOT IN (SELECT story_id FROM earlier) AS new_story,
       substr(x.clean_text, 1, 120) AS opening
FROM fact_article a
JOIN latest ON a.published_date = latest.day
JOIN dim_source s USING (source_id)
JOIN article_text x USING (article_id)
WHERE x.published_date = (SELECT day FROM latest)  -- so only that day's texts are read
ORDER BY a.n_tokens DESC, a.article_id;
