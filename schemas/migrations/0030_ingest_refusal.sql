-- Files refused unread are remembered (session 32). A file ingest refuses from its listing alone
-- (a symlink out of the zone, a name that is not UTF-8, a FIFO or device, a file over the size
-- limit) has no hash, so it had no ledger row: every run quarantined it again as a new file, and
-- a zone holding a few of them refused every later run with fewer new good files than refused
-- old ones (the run-level quarantine share), so nothing new ever loaded. Now a successful run
-- records each such refusal here, and a later run that finds the same file refused for the same
-- reason and detail counts it as unchanged (no new quarantine row), as it does a quarantined
-- file whose bytes have not changed. `news-etl replay` forgets a refusal; a rebuild of a day
-- judges its dated folder's refusals again.
-- The refusals successful runs made before this migration are taken from `quarantine` (the
-- latest of each file, unless a later run read the file), so no run after this migration
-- quarantines them again (the run that applies it plans before it migrates, and reads the same
-- refusals from `quarantine`: etl.ingest.ledger._EARLIER_REFUSALS).
-- Like every migration, never edited or renumbered once applied.

CREATE TABLE ingest_refusal (
    landing      VARCHAR     NOT NULL,  -- the landing zone (absolute path or URL)
    path         VARCHAR     NOT NULL,  -- path relative to the landing zone
    reason       VARCHAR     NOT NULL,  -- outside_landing | bad_name | not_regular | too_large
    detail       VARCHAR     NOT NULL,  -- as in quarantine.detail
    first_seen   TIMESTAMPTZ NOT NULL,
    last_seen    TIMESTAMPTZ NOT NULL,
    first_run_id VARCHAR     NOT NULL,
    last_run_id  VARCHAR     NOT NULL
);
COMMENT ON TABLE ingest_refusal IS 'The verdict on each landing file refused before it was read (no hash to key it in ingest_ledger): a later run that finds the file refused for the same reason and detail counts it as unchanged and quarantines it no more. A row goes when the file is read (it was fixed) or refused for another reason or detail (a new row), and when news-etl replay forgets it. Grain: one row per landing zone and path. Key: (landing, path).';
COMMENT ON COLUMN ingest_refusal.landing IS 'the landing zone (absolute path or URL)';
COMMENT ON COLUMN ingest_refusal.path IS 'path relative to the landing zone';
COMMENT ON COLUMN ingest_refusal.reason IS 'why the file was never opened: outside_landing, bad_name, not_regular or too_large (see quarantine.reason)';
COMMENT ON COLUMN ingest_refusal.detail IS 'the refusal''s detail when it was made, as in quarantine.detail: a file refused with another detail is judged again (a file that grew; a too-large file of the same size over another NEWS_ETL_MAX_FILE_BYTES is the same refusal)';
COMMENT ON COLUMN ingest_refusal.first_seen IS 'when a run first refused the file for this reason and detail';
COMMENT ON COLUMN ingest_refusal.last_seen IS 'when a run last found it so';
COMMENT ON COLUMN ingest_refusal.first_run_id IS 'the run that refused it (joins etl_run and quarantine)';
COMMENT ON COLUMN ingest_refusal.last_run_id IS 'the run that last found it so (joins etl_run)';

INSERT INTO ingest_refusal
SELECT landing, path, reason, detail, quarantined_at, quarantined_at, run_id, run_id
FROM (
    SELECT q.* FROM quarantine q JOIN etl_run r ON r.run_id = q.run_id
    WHERE r.status = 'success' AND q.sha256 IS NULL AND q.stage = 'ingest'
    QUALIFY row_number() OVER (PARTITION BY q.landing, q.path
                               ORDER BY q.quarantined_at DESC, q.run_id DESC) = 1
) latest
WHERE reason IN ('outside_landing', 'bad_name', 'not_regular', 'too_large')
  AND NOT EXISTS (SELECT 1 FROM ingest_ledger l
                  WHERE l.landing = latest.landing AND l.path = latest.path
                    AND l.last_seen > latest.quarantined_at);
