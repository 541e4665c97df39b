-- Question: which words were used most each day (words of 4+ letters, top 10 per day)?
WITH daily AS (
    SELECT f.published_date, t.term, sum(f.count) AS occurrences, count(*) AS articles
    FROM fact_article_term f
    JOIN dim_term t USING (term_id)
    WHERE t.term_kind = 'word' AND t.n_chars >= 4
    GROUP BY ALL
)
SELECT published_date, term, occurrences, articles
FROM daily
QUALIFY row_number() OVER (PARTITION BY published_date ORDER BY occurrences DESC, term) <= 10
ORDER BY published_date, occurrences DESC, term;
