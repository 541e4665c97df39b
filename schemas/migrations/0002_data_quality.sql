-- Data quality: how to read fact_check_result, and the quality of each day at a glance.
-- Append-only like every migration.

COMMENT ON COLUMN fact_check_result.batch IS 'Batch number within the run; -1 for run-level results (batch-level rules of suite "run", post-load warehouse suites).';
COMMENT ON COLUMN fact_check_result.partition_date IS 'The run''s partition date (joins dim_date.date_key); NULL for runs over everything new.';

CREATE VIEW v_quality_by_day AS
SELECT coalesce(c.partition_date, r.started_at::DATE)          AS day,        -- the run's partition date, else the day it ran
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
COMMENT ON VIEW v_quality_by_day IS 'Data quality per day and suite: runs, checks, failed checks, unexpected rows, which expectations failed. Grain: one row per day (partition date, else run date) and suite. Key: (day, suite).';
COMMENT ON COLUMN v_quality_by_day.day IS 'the run''s partition date, else the day it ran';
COMMENT ON COLUMN v_quality_by_day.suite IS 'Great Expectations suite';
COMMENT ON COLUMN v_quality_by_day.runs IS 'runs that checked this day with this suite';
COMMENT ON COLUMN v_quality_by_day.failed_runs IS 'of those, runs that did not succeed';
COMMENT ON COLUMN v_quality_by_day.checks IS 'expectation results recorded';
COMMENT ON COLUMN v_quality_by_day.failed_checks IS 'expectation results that failed';
COMMENT ON COLUMN v_quality_by_day.unexpected_rows IS 'rows that failed, summed over the checks';
COMMENT ON COLUMN v_quality_by_day.failed_expectations IS 'which expectations failed (with their column)';
COMMENT ON COLUMN v_quality_by_day.last_run_started_at IS 'start of the latest run that checked the day';
