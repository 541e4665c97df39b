-- A quarantined record's day, said once (session 31). `quarantine list --date D` listed a row by
-- the run's --date, else the UTC day it was quarantined, while `quality --date D` counted every
-- row of the runs that count on D (v_run_day: the partitions they loaded): a run without --date
-- that refused a file of the folder 2024-03-04/ listed it under the day it ran, and quality
-- counted it on 2024-03-04 (with the run's other rows, of other days). Now a row's day is the
-- run's --date, else its file's dated folder, else the UTC day it was quarantined
-- (v_quarantine.day); a run counts on the days of its rows too (v_run_day), and both commands
-- read v_quarantine, so they list and count the same records on every day.
-- Views, macros and comments only: no stored row changes, so this migration makes no day stale.
-- Like every migration, never edited or renumbered once applied.

CREATE MACRO folder_day(path) AS (
    CASE WHEN left(regexp_extract(path, '^(?:.*/)?(?:dt=)?(\d{4}-\d{2}-\d{2})/', 1), 4)
              NOT IN ('', '0000')
         THEN try_strptime(regexp_extract(path, '^(?:.*/)?(?:dt=)?(\d{4}-\d{2}-\d{2})/', 1),
                           '%Y-%m-%d')::DATE
    END
);
COMMENT ON MACRO folder_day IS 'The date of the innermost dated folder (D/ or dt=D/) of a path relative to the landing zone, else NULL: a file''s partition when the warehouse has no article of it (the loader''s etl.ingest.landing.folder_date).';

CREATE VIEW v_quarantine AS
SELECT q.*,
       coalesce(q.partition_date, folder_day(q.path), timezone('UTC', q.quarantined_at)::DATE)
           AS day
FROM quarantine q;
COMMENT ON VIEW v_quarantine IS 'The quarantine with each row''s day (what news-etl quarantine list --date and quality --date count on). Grain: one row per run, file or record, and reason. Key: (run_id, landing, path, record, reason).';
COMMENT ON COLUMN v_quarantine.day IS 'the run''s partition (--date), else the file''s dated folder, else the UTC day it was quarantined';

CREATE OR REPLACE VIEW v_run_day AS
SELECT run_id,
       unnest(CASE WHEN len(days) > 0 THEN days
                   ELSE [timezone('UTC', started_at)::DATE] END) AS day
FROM (
    SELECT r.run_id, r.started_at,
           list_sort(list_distinct(list_concat(coalesce(r.partitions, []::DATE[]),
                                               [r.partition_date],
                                               coalesce(q.days, []::DATE[])))) AS days
    FROM etl_run r
    LEFT JOIN (SELECT run_id, list(DISTINCT day) AS days FROM v_quarantine GROUP BY run_id) q
      USING (run_id)
);
COMMENT ON VIEW v_run_day IS 'The days a run counts on in quality figures (news-etl quality --date, v_quality_by_day): the partitions it loaded, the day it was run for (--date, a backfill''s day) and the days of its quarantined records (v_quarantine.day); a run with none of these, the UTC day it started. Grain: one row per run and day. Key: (run_id, day).';
COMMENT ON COLUMN v_run_day.run_id IS 'the run (etl_run)';
COMMENT ON COLUMN v_run_day.day IS 'a partition the run loaded, the day it was run for, or the day of one of its quarantined records; for a run with none, the UTC day it started';
COMMENT ON COLUMN v_quarantine.run_id IS 'joins etl_run';
COMMENT ON COLUMN v_quarantine.landing IS 'the landing zone (absolute path or URL)';
COMMENT ON COLUMN v_quarantine.path IS 'file relative to the landing zone';
COMMENT ON COLUMN v_quarantine.sha256 IS 'of the raw bytes, when they could be read';
COMMENT ON COLUMN v_quarantine.record IS 'the record of the file the row is about (line N, row N, an item''s key), NULL for a row about the whole file; a file all of whose records failed is refused whole and keeps one row per record';
COMMENT ON COLUMN v_quarantine.stage IS 'ingest | text | validate | load';
COMMENT ON COLUMN v_quarantine.reason IS 'a code an operator can act on: empty, too_large, undecodable, ... or the failed expectation';
COMMENT ON COLUMN v_quarantine.detail IS 'human-readable explanation, with the offending value';
COMMENT ON COLUMN v_quarantine.partition_date IS 'the run''s partition, when it had one';
COMMENT ON COLUMN v_quarantine.quarantined_at IS 'when the run rejected it';
