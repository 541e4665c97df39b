-- DuckLake warehouses (issue 16): the snapshot each run committed, and the commit token.
-- Like every migration, it is never edited or renumbered once applied; it applies to both
-- backends. On a DuckDB-file warehouse both tables stay as created (no snapshots there).

-- One row per run that committed to a DuckLake warehouse: query the warehouse as of that run
-- with `FROM fact_article AT (VERSION => snapshot_id)`. Insert-only (written right after the
-- run's commit, whose DuckLake commit message is the run id), so it never conflicts.
CREATE TABLE etl_run_snapshot (
    run_id       VARCHAR     NOT NULL,  -- joins etl_run
    snapshot_id  BIGINT      NOT NULL,  -- the DuckLake snapshot the run's load created
    recorded_at  TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE etl_run_snapshot IS 'DuckLake only (empty on a DuckDB file): the snapshot each run''s load committed; time travel with AT (VERSION => snapshot_id). Grain: one row per committed run. Key: run_id.';

-- One row, rewritten by every DuckLake load transaction: DuckLake checks commit conflicts per
-- table, so two loads that overlap in time conflict here and the later one retries against
-- what the earlier one wrote (exactly one copy of each article). Unused on a DuckDB file.
CREATE TABLE etl_commit_token (
    run_id      VARCHAR,      -- the last run that committed a load
    claimed_at  TIMESTAMPTZ
);
INSERT INTO etl_commit_token VALUES (NULL, NULL);
COMMENT ON TABLE etl_commit_token IS 'Bookkeeping of DuckLake loads (one row): rewritten by every load transaction so that overlapping loads conflict and retry. Grain: one row in all. Key: none (a single row).';
COMMENT ON COLUMN etl_run_snapshot.run_id IS 'the run (joins etl_run)';
COMMENT ON COLUMN etl_run_snapshot.snapshot_id IS 'the DuckLake snapshot its load committed: FROM t AT (VERSION => snapshot_id)';
COMMENT ON COLUMN etl_run_snapshot.recorded_at IS 'when the row was written, right after the commit';
COMMENT ON COLUMN etl_commit_token.run_id IS 'the last run whose load committed (NULL until the first DuckLake load)';
COMMENT ON COLUMN etl_commit_token.claimed_at IS 'when that load claimed the token, inside its transaction';
