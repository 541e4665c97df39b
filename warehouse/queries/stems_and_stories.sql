-- Question: how often do the forms of one stem occur (here: English 'troop'), leaving out
-- stopwords, and in how many distinct stories (syndicated copies counted once)?
SELECT s.stem, t.term, sum(f.count) AS occurrences, count(DISTINCT a.story_id) AS stories
FROM dim_stem s
JOIN fact_article_term f USING (stem_id)
JOIN dim_term t USING (term_id)
JOIN fact_article a USING (article_id)
WHERE s.language_code = 'en' AND s.stem = 'troop' AND NOT f.is_stopword
GROUP BY ALL
ORDER BY occurrences DESC;
