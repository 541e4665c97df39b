-- Question: which words were used most each day (words of 4+ characters, u.s. included, top 10
-- per day), counted as top_terms counts them: an article's occurrences of a word that is a
-- stopword in its language, and occurrences inside boilerplate lines (bylines, sign-offs:
-- boilerplate_line, found by `news-etl marts`), are left out.
-- (v_daily_content_terms reads the daily sums the loader keeps, not every article's terms)
SELECT c.published_date, t.term, c.occurrences, c.articles
FROM v_daily_content_terms c JOIN dim_term t USING (term_id)
WHERE t.term_kind = 'word' AND length(t.term) >= 4 AND c.occurrences > 0
QUALIFY row_number() OVER (PARTITION BY c.published_date ORDER BY c.occurrences DESC, t.term) <= 10
ORDER BY c.published_date, c.occurrences DESC, t.term;
