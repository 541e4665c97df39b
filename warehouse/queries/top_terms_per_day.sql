-- Question: which words were used most each day (words of 4+ characters, u.s. included, that are
-- not stopwords in any of the day's articles' languages, top 10 per day)?
-- (v_daily_term_counts reads the daily sums the loader keeps, not every article's terms)
SELECT published_date, term, occurrences, articles
FROM v_daily_term_counts
WHERE term_kind = 'word' AND length(term) >= 4 AND NOT is_stopword
QUALIFY row_number() OVER (PARTITION BY published_date ORDER BY occurrences DESC, term) <= 10
ORDER BY published_date, occurrences DESC, term;
