-- The data dictionary, corrected where it said something the code does not do (session 21
-- audit): etl_run.duplicates and etl_run.quarantined count records, not files; a refused run's
-- file counts are its verdicts, not what it wrote; mart_daily_source is rebuilt by the marts
-- refresh, not by every load; the advice to rebuild old article ids names the command that
-- does it. Comments only: no stored row changes, no day becomes stale.
-- Never edited or renumbered once applied.

COMMENT ON COLUMN etl_run.duplicates IS 'records (articles) the run read that were already in the warehouse or earlier in the run; a whole duplicate file that gave no record counts once';
COMMENT ON COLUMN etl_run.quarantined IS 'records quarantined: files refused whole plus bad records inside files that loaded (one row each in the quarantine table)';
COMMENT ON COLUMN etl_run.articles_loaded IS 'new articles written (0 for a failed run: its transaction wrote none)';
COMMENT ON COLUMN etl_run.files_loaded IS 'files read by the run that gave at least one new article (a refused run, status failed: the files that would have; none was written)';
COMMENT ON TABLE mart_daily_source IS 'Articles, tokens and vocabulary per day and source, rebuilt as a whole by `news-etl marts` and the news_marts DAG (not by each load: it lags the facts until the next refresh). Grain: one row per published_date and source. Key: (published_date, source_id).';
COMMENT ON COLUMN fact_article.article_id IS 'SHA-256 (hex) of the cleaned text (article_text.clean_text): the same article from a .txt, a JSONL dump and an HTML page is one row when its cleaned text is identical. Rows loaded before migration 0003 keep their raw-bytes id until their days are rebuilt (news-etl backfill --mode all: --replace re-reads only new and changed files).';
