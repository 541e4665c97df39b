-- A symlink to nothing or into a loop was quarantined as `unreadable` on every run and counted
-- as a new file each time (session 38's probe: with 20 such links every later run was refused
-- for its quarantine share, good files and all). It is now refused from the listing as
-- `broken_link` and remembered in ingest_refusal like the other refusals made unread. The
-- `unreadable` rows of earlier runs stay as they were. No table or column changes.

COMMENT ON COLUMN ingest_refusal.reason IS 'why the file was never opened: outside_landing, bad_name, not_regular, too_large or broken_link (see quarantine.reason)';
