-- A run's removed articles are recorded (session 30). `run --replace` and `backfill` delete the
-- articles of their partitions that no present file gives any more (and the old versions of
-- changed files); the command said "3 removed" on its last line, but etl_run kept no trace of
-- it, so `news-etl status` could not show why a day lost articles. Runs recorded before this
-- migration have NULL here (not known), not 0.
-- Like every migration, never edited or renumbered once applied.

ALTER TABLE etl_run ADD COLUMN articles_removed INTEGER;
COMMENT ON COLUMN etl_run.articles_removed IS 'articles the run deleted and did not write again (replace and rebuild runs: those of its partitions that no present file gives any more, the old versions of changed files); 0 for a merge run and for a failed run (its transaction removed none); NULL for runs recorded before migration 0027';
