-- Ingestion of real landing zones (issue #3): every format (txt, jsonl/json, csv, html, gzip),
-- content-based article identity, and file-level accounting of each run.
-- Append-only like every migration.

-- fact_article: what the ingest stage now knows about each article.
ALTER TABLE fact_article ADD COLUMN url VARCHAR;
ALTER TABLE fact_article ADD COLUMN authors VARCHAR[];
ALTER TABLE fact_article ADD COLUMN source_format VARCHAR;
ALTER TABLE fact_article ADD COLUMN source_record VARCHAR;
ALTER TABLE fact_article ADD COLUMN text_repair VARCHAR;
COMMENT ON COLUMN fact_article.article_id IS 'SHA-256 (hex) of the cleaned text (article_text.clean_text): the same article from a .txt, a JSONL dump and an HTML page is one row when its cleaned text is identical. Rows loaded before this migration keep their raw-bytes id until rebuilt with --replace.';
COMMENT ON COLUMN fact_article.url IS 'the article''s URL, when its format carries one (JSON/CSV field, HTML canonical link)';
COMMENT ON COLUMN fact_article.authors IS 'authors, when the format names them';
COMMENT ON COLUMN fact_article.source_format IS 'txt | jsonl | json | csv | html, with .gz when the file was gzip-compressed';
COMMENT ON COLUMN fact_article.source_record IS 'the record inside a multi-record file (e.g. line 3, row 4, item 0); NULL when the file is one article';
COMMENT ON COLUMN fact_article.text_repair IS 'mojibake repair applied by ftfy after decoding (which steps), NULL when none was needed';
COMMENT ON COLUMN fact_article.source_id IS 'joins dim_source: the source named in the record''s metadata, else its URL''s host, else the landing subfolder, else the zone''s name';
COMMENT ON TABLE fact_article IS 'Articles. Grain: one row per distinct cleaned text. Key: article_id (SHA-256 of the cleaned text). Partitioned by published_date.';
COMMENT ON COLUMN ingest_ledger.article_id IS 'the article this file is (loaded / duplicate); for a multi-record file, its smallest article id';

-- etl_run: files read = files_loaded + files_duplicate + files_quarantined (a file whose every
-- record was quarantined counts as quarantined; one with at least one new article as loaded).
ALTER TABLE etl_run ADD COLUMN files_loaded INTEGER;
ALTER TABLE etl_run ADD COLUMN files_duplicate INTEGER;
ALTER TABLE etl_run ADD COLUMN files_quarantined INTEGER;
COMMENT ON COLUMN etl_run.files_loaded IS 'files read by the run that gave at least one new article';
COMMENT ON COLUMN etl_run.files_duplicate IS 'files read whose every article was already known';
COMMENT ON COLUMN etl_run.files_quarantined IS 'files read that gave no article (each has quarantine rows)';
