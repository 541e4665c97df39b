-- Question: which days of the loaded period have no article at all, and how busy was each week?
-- (v_calendar has every day from the first to the last published_date; dim_date only days with
-- articles, so a gap in the data is visible only here)
SELECT week_start, count(*) AS days, count(*) FILTER (WHERE NOT has_articles) AS empty_days,
       sum(articles)::BIGINT AS articles,
       coalesce(list(date_key ORDER BY date_key) FILTER (WHERE NOT has_articles), []) AS days_without_articles
FROM v_calendar
GROUP BY week_start
ORDER BY week_start;
