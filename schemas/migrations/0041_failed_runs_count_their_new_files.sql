-- An abandoned run's row said 0 new files although its plan had four (session 44's probe): the
-- record of a run that ended before its load knew only the plan's unchanged and deferred files.
-- It now counts the new files its plan gave it (files_seen = files_unchanged + files_deferred +
-- files_new holds for every row); none of them is counted loaded, duplicate or quarantined.
-- Like every migration, never edited or renumbered once applied.

COMMENT ON COLUMN etl_run.files_new IS 'read by this run (a run that failed before its load, or was abandoned: the new files its plan gave it to read; files_loaded, files_duplicate and files_quarantined are then 0)';
