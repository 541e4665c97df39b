-- A linked folder's quarantine row falls on the folder's day (session 32). A dated folder linked
-- in from outside the zone (`2024-05-07` → a mount) is one `outside_landing` row whose path is
-- the folder itself, with no trailing slash: folder_day(path) dates a path by the folders it is
-- in, so the row of a run without --date fell on the UTC day it was quarantined, while the
-- loader, `backfill` and `run --date 2024-05-07` count that folder on 2024-05-07 (the loader
-- dates it as the path with a slash: etl.ingest.landing). `quarantine list --date 2024-05-07`
-- did not list it. v_quarantine now dates such a row by the folder it names (its detail is the
-- loader's etl.ingest.reader.FOLDER_OUTSIDE).
-- Views and comments only: no stored row changes, so this migration makes no day stale.
-- Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE VIEW v_quarantine AS
SELECT q.*,
       coalesce(q.partition_date,
                folder_day(CASE WHEN q.reason = 'outside_landing'
                                 AND q.detail = 'a symlink to a folder outside the landing zone: none of its files is read'
                                THEN q.path || '/' ELSE q.path END),
                timezone('UTC', q.quarantined_at)::DATE)
           AS day
FROM quarantine q;
COMMENT ON VIEW v_quarantine IS 'The quarantine with each row''s day (what news-etl quarantine list --date and quality --date count on). Grain: one row per run, file or record, and reason. Key: (run_id, landing, path, record, reason).';
COMMENT ON COLUMN v_quarantine.day IS 'the run''s partition (--date), else the file''s dated folder (a linked folder''s own date), else the UTC day it was quarantined';
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
