-- Question: which articles mention a term most often (here: 'cocoa'), with a snippet?
SELECT a.published_date, a.source_file, f.count,
       substr(x.clean_text, greatest(f.first_offset - 60, 1), 160) AS snippet
FROM dim_term t
JOIN fact_article_term f USING (term_id)
JOIN fact_article a USING (article_id)
JOIN article_text x USING (article_id)
WHERE t.term = 'cocoa'
ORDER BY f.count DESC, a.published_date
LIMIT 20;
