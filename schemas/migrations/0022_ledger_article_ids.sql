-- Every article a raw file gives, in the ledger (session 25). ingest_ledger.article_id names one
-- article per file: a multi-record file's smallest. A rebuild took the articles its files gave
-- from that one name, so (1) the old version of an edited record of a JSONL/CSV/JSON file stayed
-- in the warehouse beside the new one, (2) an article that only a later record of a
-- multi-record copy in another day's folder still held was removed, and (3) a record removed for
-- good stayed missing when its file turned back (its first content still counted as loaded).
-- article_ids lists them all; the loader reads it for a rebuild's scope, the copies it keeps
-- articles from, the verdicts it forgets, and what a replace keeps of an unchanged file (it kept
-- every article with the file's path, so a record version a merge kept stayed too). Rows recorded
-- before this migration keep NULL, "not recorded": the loader reads article_id for them, and
-- keeps a multi-record file's articles by its path, as before, until a rebuild of its day
-- reads the file again.
-- Adds a column: no article row changes, so no day is stale.
-- Like every migration, never edited or renumbered once applied.

ALTER TABLE ingest_ledger ADD COLUMN article_ids VARCHAR[];
COMMENT ON COLUMN ingest_ledger.article_ids IS 'every article this file content gives (loaded / duplicate), sorted: each record that passed its checks, whether it was new or already known; NULL when the file gave none (quarantined), and on rows recorded before migration 0022 (not recorded: article_id names one of them) until a rebuild of its day reads the file again. article_id is one of them (a multi-record file''s smallest)';
COMMENT ON COLUMN ingest_ledger.article_id IS 'the article this file is (loaded / duplicate); for a multi-record file, its smallest article id (article_ids lists them all)';
COMMENT ON TABLE ingest_ledger IS 'The verdict on each version (path and content) of each landing zone''s files, which lets a run skip what it has read before. A row goes when news-etl replay forgets a quarantined file, when --replace reads a changed file''s new content, or when a replace or rebuild removes for good an article it lists (article_ids; the file is then read again). Grain: one row per landing zone, path and content. Key: (landing, path, sha256).';
