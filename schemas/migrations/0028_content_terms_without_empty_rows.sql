-- v_daily_content_terms holds no row of 0 articles (session 31). A word that a day's articles use
-- only in boilerplate lines (Reuters' sign-off "reuter") kept a row with articles 0 and
-- occurrences 0: the view filtered out stopword-only rows but not boilerplate-only ones, so a
-- count(*) of a day's content terms was one too high for each such word (an analyst probe found
-- (1987-03-01, reuter, 0, 0)). The rankings filtered them out again; now the view does.
-- Views and comments only: no stored row changes, so this migration makes no day stale.
-- Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE VIEW v_daily_content_terms AS
SELECT published_date, term_id, articles, occurrences FROM (
    SELECT a.published_date, a.term_id,
           (a.articles - a.stopword_articles - coalesce(b.articles, 0))::BIGINT AS articles,
           (a.occurrences - a.stopword_occurrences - coalesce(b.occurrences, 0))::BIGINT
               AS occurrences
    FROM agg_daily_term a
    LEFT JOIN (
        SELECT published_date, term_id, count(*) FILTER (WHERE only_boilerplate) AS articles,
               sum(count) AS occurrences
        FROM boilerplate_term WHERE NOT is_stopword GROUP BY published_date, term_id
    ) b USING (published_date, term_id)
    WHERE a.articles > a.stopword_articles
)
WHERE articles > 0;
COMMENT ON VIEW v_daily_content_terms IS 'What the rankings count: term usage per day without stopwords (of each article''s language) and without boilerplate lines; a term no article of the day uses as content has no row. Grain: one row per published_date and term. Key: (published_date, term_id).';
COMMENT ON COLUMN v_daily_content_terms.published_date IS 'the day';
COMMENT ON COLUMN v_daily_content_terms.term_id IS 'joins dim_term';
COMMENT ON COLUMN v_daily_content_terms.articles IS 'articles of the day in which the term is neither a stopword nor only in boilerplate (at least 1)';
COMMENT ON COLUMN v_daily_content_terms.occurrences IS 'its occurrences in them, boilerplate lines excluded';
