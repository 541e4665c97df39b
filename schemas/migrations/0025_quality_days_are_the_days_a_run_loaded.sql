-- A run's quality counts on the days it loaded (session 28). `news-etl quality --date D` lists
-- the runs that loaded day D (their partitions) or were run for it (`--date D`), as the README
-- says, while v_quality_by_day counted a run on its `--date`, else on the UTC day it ran: a run
-- without --date that loaded 2024-03-04 counted on the day it ran in the view, and on
-- 2024-03-04 in the command (a probe found `quality --date 2024-03-04` listing two runs where
-- the view said one, and "no runs found" for today where the view had a row). v_run_day now
-- says once which days a run counts on; the view and the command both read it. A run that
-- loaded no day and was run for none (every file refused, nothing new) counts on the UTC day it
-- started, as before.
-- Views and comments only: no stored row changes, so this migration makes no day stale.
-- Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE VIEW v_run_day AS
SELECT run_id,
       unnest(CASE WHEN len(days) > 0 THEN days
                   ELSE [timezone('UTC', started_at)::DATE] END) AS day
FROM (
    SELECT run_id, started_at,
           list_sort(list_distinct(list_concat(coalesce(partitions, []::DATE[]),
                                               [partition_date]))) AS days
    FROM etl_run
);
COMMENT ON VIEW v_run_day IS 'The days a run counts on in quality figures (news-etl quality --date, v_quality_by_day): the partitions it loaded and the day it was run for (--date, a backfill''s day); a run with neither, the UTC day it started. Grain: one row per run and day. Key: (run_id, day).';

CREATE OR REPLACE VIEW v_quality_by_day AS
SELECT d.day,
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
JOIN v_run_day d USING (run_id)
GROUP BY ALL;
COMMENT ON VIEW v_quality_by_day IS 'Data quality per day and suite: runs, checks, failed checks, unexpected rows, which expectations failed. A run counts on every day of v_run_day (the days it loaded or was run for; else the UTC day it started), so a run that loaded two days counts on both. Grain: one row per day and suite. Key: (day, suite).';
COMMENT ON COLUMN v_quality_by_day.day IS 'a day the run loaded or was run for, else the UTC day it started (v_run_day)';
COMMENT ON COLUMN v_quality_by_day.suite IS 'Great Expectations suite';
COMMENT ON COLUMN v_quality_by_day.runs IS 'runs that count on this day (v_run_day) and checked this suite';
COMMENT ON COLUMN v_quality_by_day.failed_runs IS 'of those, runs that did not succeed';
COMMENT ON COLUMN v_quality_by_day.checks IS 'expectation results recorded';
COMMENT ON COLUMN v_quality_by_day.failed_checks IS 'expectation results that failed';
COMMENT ON COLUMN v_quality_by_day.unexpected_rows IS 'rows that failed, summed over the checks';
COMMENT ON COLUMN v_quality_by_day.failed_expectations IS 'which expectations failed (with their column)';
COMMENT ON COLUMN v_quality_by_day.last_run_started_at IS 'start of the latest run that counts on the day';
COMMENT ON COLUMN v_run_day.run_id IS 'the run (etl_run)';
COMMENT ON COLUMN v_run_day.day IS 'a partition the run loaded, or the day it was run for; for a run with neither, the UTC day it started';
