-- Every second of a run in etl_run_stage (issue 12). No table or column changes: the stage names
-- (declared in etl/timing.py) now cover the whole run, and the comments say so. A migration is
-- never renumbered once applied; the number of this one is its place in the chain, nothing more.

COMMENT ON TABLE etl_run_stage IS 'Where each run''s time went, with per-stage counts. Grain: one row per run and stage. Key: (run_id, stage). The undotted stages add up to the run''s wall time; a dotted stage is a part of the stage before its dot.';
COMMENT ON COLUMN etl_run_stage.stage IS 'startup (process start and imports, CLI runs only) | plan | ingest | text | validate | load, with its parts load.stories, load.post_load_checks, load.daily_sums | data_docs (GX Data Docs and quality page) | report';
COMMENT ON COLUMN etl_run_stage.seconds IS 'wall time of the stage. Batch stages: summed over batches; with several workers, ingest and text are scaled to the wall time the pool took, each keeping its share; validate runs once per run and charges each batch its share of articles';
COMMENT ON COLUMN etl_run_stage.n_in IS 'records that entered the stage (for the stages measured around the load: the articles loaded)';
