-- A folder of the landing zone whose listing failed (its permissions, an I/O error) was skipped
-- without a word: none of its files was seen, and no run said so. It is now listed once, as a
-- folder, and refused from the listing as `unreadable_folder` (the detail gives the system's
-- error), remembered in ingest_refusal like the other refusals made unread; once the folder
-- can be read, its files are listed as new. A landing zone that cannot be listed at all stops
-- the run (it looked empty). Comments only: no stored row changes.
-- Like every migration, never edited or renumbered once applied.

COMMENT ON COLUMN ingest_refusal.reason IS 'why the file was never opened: outside_landing, bad_name, not_regular, too_large, broken_link or unreadable_folder (see quarantine.reason)';
