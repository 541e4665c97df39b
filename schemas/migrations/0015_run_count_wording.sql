-- The data dictionary, corrected where it said something the code does not do (session 21
-- audit): etl_run.duplicates and etl_run.quarantined count records, not files; a refused run's
-- file counts are its verdicts, not what it wrote; mart_daily_source is rebuilt by the marts
-- refresh, not by every load; raw_bytes, ingest_ledger and quarantine.record say what they hold;
-- the advice to rebuild old article ids names the command that
-- does it. Comments only: no stored row changes, no day becomes stale.
-- Never edited or renumbered once applied.

COMMENT ON COLUMN etl_run.duplicates IS 'records (articles) the run read that were already in the warehouse or earlier in the run; a whole duplicate file that gave no record counts once';
COMMENT ON COLUMN etl_run.quarantined IS 'records quarantined: the quarantine rows the run wrote (a file refused whole as a file, e.g. empty or binary, is one; a multi-record file is one per bad record, whether the file loaded or not)';
COMMENT ON COLUMN etl_run.articles_loaded IS 'new articles written (0 for a failed run: its transaction wrote none)';
COMMENT ON COLUMN etl_run.files_loaded IS 'files read by the run that gave at least one new article (a refused run, status failed: the files that would have; none was written)';
COMMENT ON TABLE mart_daily_source IS 'Articles, tokens and vocabulary per day and source, rebuilt as a whole by `news-etl marts` and the news_marts DAG (not by each load: it lags the facts until the next refresh). Grain: one row per published_date and source. Key: (published_date, source_id).';
COMMENT ON COLUMN fact_article.article_id IS 'SHA-256 (hex) of the cleaned text (article_text.clean_text): the same article from a .txt, a JSONL dump and an HTML page is one row when its cleaned text is identical. Rows loaded before migration 0003 keep their raw-bytes id until their days are rebuilt (news-etl backfill --mode all: --replace re-reads only new and changed files).';
COMMENT ON COLUMN fact_article.raw_bytes IS 'bytes of the raw input the article came from: the whole file for a one-article file (.txt, .html), the record''s text (UTF-8) for a record of a JSON, JSON lines or CSV file';
COMMENT ON TABLE ingest_ledger IS 'The verdict on each version (path and content) of each landing zone''s files, which lets a run skip what it has read before. A row goes when news-etl replay forgets a quarantined file, when --replace reads a changed file''s new content, or when a replace or rebuild removes the article it names (the file is then read again). Grain: one row per landing zone, path and content. Key: (landing, path, sha256).';
COMMENT ON COLUMN quarantine.record IS 'the record of the file the row is about (line N, row N, an item''s key), NULL for a row about the whole file; a file all of whose records failed is refused whole and keeps one row per record';
