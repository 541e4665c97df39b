-- Validation per run (issue 5): the validate stage checks a run's batches together, in chunks of
-- up to NEWS_ETL_VALIDATE_CHUNK_ARTICLES articles (one chunk for a normal day), instead of one
-- batch at a time. No table or column changes: the comments say what batch and seconds now mean.
-- Renumbered at merge if another migration lands first; never hard-code its number.

COMMENT ON COLUMN fact_check_result.batch IS 'For the batch suites (raw_file, article, article_term): the first batch of the chunk of batches they validated together (0 when the whole run was one chunk); -1 for run-level results (batch-level rules of suite "run", post-load warehouse suites).';
COMMENT ON COLUMN etl_run_stage.seconds IS 'wall time of the stage, summed over its batches (the validate stage runs once per run: each batch is charged its share of articles)';
