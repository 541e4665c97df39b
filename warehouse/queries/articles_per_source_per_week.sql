-- Question: how many articles did each source publish per ISO week?
SELECT d.iso_year, d.iso_week, s.source_name, count(*) AS articles,
       min(a.published_date) AS first_day, max(a.published_date) AS last_day
FROM fact_article a
JOIN dim_date d ON d.date_key = a.published_date
JOIN dim_source s USING (source_id)
GROUP BY ALL
ORDER BY d.iso_year, d.iso_week, articles DESC, s.source_name;
