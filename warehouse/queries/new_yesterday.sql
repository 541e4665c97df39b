-- Question: what was new on the latest day in the warehouse (yesterday, after a daily load)? Its
-- articles, biggest first, with the story they belong to and whether that story is new that day.
WITH latest AS (SELECT max(published_date) AS day FROM fact_article)
SELECT a.published_date, s.source_name, a.title, a.n_tokens, a.story_id,
       st.first_published_date = a.published_date AS new_story,
       substr(x.clean_text, 1, 120) AS opening
FROM fact_article a
JOIN latest ON a.published_date = latest.day
JOIN dim_source s USING (source_id)
LEFT JOIN dim_story st USING (story_id)
JOIN article_text x USING (article_id)
WHERE x.published_date = (SELECT day FROM latest)  -- so only that day's texts are read
ORDER BY a.n_tokens DESC, a.article_id;
