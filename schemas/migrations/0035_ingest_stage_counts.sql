-- The ingest row of etl_run_stage counted files in every column, while the comments said
-- records (session 36's probe): its n_out (files passed on) never matched the text row's n_in
-- (records), and a record quarantined inside a file that loaded (a broken JSONL line) was in
-- no row's n_quarantined, so the report's Stages table did not add up to its Quarantine table.
-- Ingest now passes on records and counts every quarantine row it writes; it alone takes files.
-- Rows of runs before this change keep their file counts. No table or column changes.

COMMENT ON COLUMN etl_run_stage.n_in IS 'what entered the stage: the files read for ingest, records for the other stages (for the stages measured around the load: the articles loaded)';
COMMENT ON COLUMN etl_run_stage.n_out IS 'records passed on (ingest: the records its files gave, the next stage''s n_in)';
COMMENT ON COLUMN etl_run_stage.n_duplicate IS 'records recognised as duplicates (ingest: files whose bytes were loaded before)';
COMMENT ON COLUMN etl_run_stage.n_quarantined IS 'records quarantined by the stage, a file refused whole counting as one: the stage''s rows in quarantine';
