-- A folder refused as `unreadable_folder` kept its ingest_refusal row once it could be listed
-- again and its files loaded: locked again later, with new files in it, it counted as
-- unchanged and no run said so again. Its refusal now goes when a run lists a file in it (reads
-- it or finds it unchanged), as a fixed file's does when it is read. Comments only: no stored
-- row changes (a stale folder refusal goes with the next run that lists a file in that folder).
-- Like every migration, never edited or renumbered once applied.

COMMENT ON TABLE ingest_refusal IS 'The verdict on each landing file refused before it was read (no hash to key it in ingest_ledger): a later run that finds the file refused for the same reason and detail counts it as unchanged and quarantines it no more. A row goes when the file is read (it was fixed), or, for a folder refused as unreadable_folder, when a run lists a file in it; when the file is refused for another reason or detail (a new row); and when news-etl replay forgets it. Grain: one row per landing zone and path. Key: (landing, path).';
