-- Question: which sources covered each story first? (the 20 largest stories, earliest source first)
WITH stories AS (
    SELECT story_id, count(*) AS articles FROM fact_article GROUP BY 1
    ORDER BY articles DESC, story_id LIMIT 20
)
SELECT st.story_id, st.articles, s.source_name, min(a.published_date) AS first_published,
       rank() OVER (PARTITION BY st.story_id ORDER BY min(a.published_date)) AS source_rank,
       any_value(a.title) AS example_title
FROM stories st
JOIN fact_article a USING (story_id)
JOIN dim_source s USING (source_id)
GROUP BY st.story_id, st.articles, s.source_name
ORDER BY st.articles DESC, st.story_id, first_published, s.source_name;
