-- Question: how many articles did each source publish per day?
SELECT a.published_date, s.source_name, count(*) AS articles
FROM fact_article a
JOIN dim_source s USING (source_id)
GROUP BY ALL
ORDER BY a.published_date, articles DESC, s.source_name;
