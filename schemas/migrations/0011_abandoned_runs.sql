-- Abandoned runs (issue 14, item 10): a run whose process died before it finished is recorded by
-- the next run with status 'abandoned' (nothing of it was loaded; its staging folder is removed).
-- No table or column changes: the comment names the new status.
-- Like every migration, it is never edited or renumbered once applied.

COMMENT ON COLUMN etl_run.status IS 'success | failed | abandoned (its process died before it finished, e.g. killed; recorded and cleaned up by the next run; nothing of it was loaded)';
