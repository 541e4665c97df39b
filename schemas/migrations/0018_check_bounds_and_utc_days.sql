-- What a check expected, a day in UTC everywhere, term_trend_by's silent rows and tfidf's
-- unknown ids (session 23).
-- * `news-etl quality` printed a check's bound as the suite names it (`min_value=$min_article_terms`):
--   the value the run used (NEWS_ETL_MIN_ARTICLE_TERMS, the run date's max_date) was nowhere.
--   fact_check_result.expected now stores it per row, written by the validate stage and the
--   run-level rules; rows loaded before keep NULL (quality falls back to the suite's names).
-- * v_quality_by_day took "the day a run ran" from started_at in the session's time zone: the same
--   warehouse answered differently on a laptop in another zone. The pipeline's days are UTC
--   (run dates, future-date cut-off), so the view's are too.
-- * term_trend_by: a period without any article had note NULL (its days said "no articles this
--   day"), and a NULL unit gave one row with period NULL; now the note says so and a NULL unit
--   is an error that names the units.
-- Like every migration, never edited or renumbered once applied.

ALTER TABLE fact_check_result ADD COLUMN expected VARCHAR;
COMMENT ON COLUMN fact_check_result.expected IS 'What the check expected, with the values the run used: the expectation''s arguments (min_value=5 ($min_article_terms), max_value=2026-12-05 ($max_date)) or a run-level rule''s limit; NULL on rows loaded before migration 0018 (news-etl quality then shows the suite''s parameter names).';

CREATE OR REPLACE VIEW v_quality_by_day AS
SELECT coalesce(c.partition_date, timezone('UTC', r.started_at)::DATE) AS day,  -- the run's partition date, else the UTC day it ran
       c.suite,
       count(DISTINCT c.run_id)                                 AS runs,
       count(DISTINCT c.run_id) FILTER (WHERE r.status <> 'success') AS failed_runs,
       count(*)                                                 AS checks,
       count(*) FILTER (WHERE NOT c.success)                    AS failed_checks,
       coalesce(sum(c.unexpected_count), 0)::BIGINT             AS unexpected_rows,
       string_agg(DISTINCT CASE WHEN NOT c.success
                                THEN c.expectation || coalesce('(' || c.column_name || ')', '')
                           END, ', ')                           AS failed_expectations,
       max(r.started_at)                                        AS last_run_started_at
FROM fact_check_result c
JOIN etl_run r USING (run_id)
GROUP BY ALL;
COMMENT ON VIEW v_quality_by_day IS 'Data quality per day and suite: runs, checks, failed checks, unexpected rows, which expectations failed. Grain: one row per day (partition date, else the UTC day the run started) and suite. Key: (day, suite).';
COMMENT ON COLUMN v_quality_by_day.day IS 'the run''s partition date, else the day it ran (UTC, whatever the session''s time zone)';
COMMENT ON COLUMN v_quality_by_day.suite IS 'Great Expectations suite';
COMMENT ON COLUMN v_quality_by_day.runs IS 'runs that checked this day with this suite';
COMMENT ON COLUMN v_quality_by_day.failed_runs IS 'of those, runs that did not succeed';
COMMENT ON COLUMN v_quality_by_day.checks IS 'expectation results recorded';
COMMENT ON COLUMN v_quality_by_day.failed_checks IS 'expectation results that failed';
COMMENT ON COLUMN v_quality_by_day.unexpected_rows IS 'rows that failed, summed over the checks';
COMMENT ON COLUMN v_quality_by_day.failed_expectations IS 'which expectations failed (with their column)';
COMMENT ON COLUMN v_quality_by_day.last_run_started_at IS 'start of the latest run that checked the day';

CREATE OR REPLACE MACRO checked_unit(unit) AS
CASE WHEN unit IS NULL
     THEN error('term_trend_by needs a unit: ''week'' or ''month'' (or another date_trunc unit: ''quarter'', ''year''), got NULL')
     ELSE unit END;
COMMENT ON MACRO checked_unit IS 'The period unit of term_trend_by, checked: a NULL unit raises an error that names the units (it used to return one row with period NULL). Pass it a typed value (unit::VARCHAR): a bare NULL is folded away before the check.';

CREATE OR REPLACE MACRO term_trend_by(term_text, start_date, end_date, unit) AS TABLE
SELECT date_trunc(checked_unit(unit::VARCHAR), day)::DATE AS period, sum(articles)::BIGINT AS articles,
       sum(occurrences)::BIGINT AS occurrences, sum(day_articles)::BIGINT AS period_articles,
       sum(articles) / nullif(sum(day_articles), 0) AS share,
       count(*) FILTER (WHERE day_articles > 0) AS days_with_articles, count(*) AS days,
       coalesce(any_value(note) FILTER (WHERE note <> 'no articles this day'),
                CASE WHEN count(*) FILTER (WHERE day_articles > 0) = 0 THEN 'no articles this period' END) AS note
FROM term_trend(term_text, start_date, end_date)
GROUP BY period ORDER BY period;
COMMENT ON MACRO TABLE term_trend_by IS 'term_trend summed per week or month (unit: ''week'' = ISO weeks from Monday, ''month''; another date_trunc unit works too; NULL is an error): period (its first day), articles, occurrences, period_articles, share, days_with_articles, days (calendar days of the period inside the range), note (term_trend''s note on the typed word: not in the vocabulary, not one term; else no articles this period when none of its days has an article, where articles, occurrences and share are NULL, not 0).';

-- tfidf of an id that is not an article (a typo, a quarantined record's id) returned no rows, as
-- an article without content words does: now it is an error that names the id.
CREATE OR REPLACE MACRO checked_article(aid) AS
CASE WHEN aid IS NULL OR NOT EXISTS (SELECT 1 FROM fact_article WHERE article_id = aid::VARCHAR)
     THEN error('no article with id ' || coalesce('''' || aid::VARCHAR || '''', 'NULL')
                || ' in fact_article.article_id')
     ELSE aid::VARCHAR END;
COMMENT ON MACRO checked_article IS 'aid, after checking that fact_article has it: an unknown or NULL id raises an error that names it (tfidf of a mistyped id used to return no rows, like an article without content words). tfidf checks its id with it.';

CREATE OR REPLACE MACRO tfidf(aid, n) AS TABLE
WITH docs AS (SELECT count(*)::DOUBLE AS n_docs FROM fact_article),
mine AS MATERIALIZED (
    SELECT f.term_id, f.count, t.term FROM fact_article_term f JOIN dim_term t USING (term_id)
    WHERE f.article_id = checked_article(aid) AND t.term_kind = 'word' AND NOT coalesce(f.is_stopword, false)
),
df AS (
    SELECT term_id, sum(articles)::DOUBLE AS df FROM agg_daily_term
    WHERE term_id IN (SELECT term_id FROM mine) GROUP BY term_id
)
SELECT m.term, m.count AS tf, df.df::BIGINT AS df, m.count * ln(docs.n_docs / df.df) AS tfidf
FROM mine m JOIN df USING (term_id) CROSS JOIN docs
ORDER BY tfidf DESC, m.term
LIMIT n;
COMMENT ON MACRO TABLE tfidf IS 'The n most characteristic words of one article: count × ln(articles / articles with the word), stopwords excluded; an id that is not an article is an error (checked_article), an article without content words gives no rows.';
