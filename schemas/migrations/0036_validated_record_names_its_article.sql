-- quarantine.record said NULL for a row about the whole file, but a record that failed its
-- expectations (stage validate) of a one-article file (.txt, .html, one JSON object) has always
-- been stored with the article's id there, since the file has no line or row to name (session
-- 38: the dictionary disagreed with the rows). The comments now say what the rows hold. No
-- table or column changes.

COMMENT ON COLUMN quarantine.record IS 'the record of the file the row is about (line N, row N, an item''s key), NULL for a row about the whole file; a row of stage validate always names a record: the article''s id (article_id) when the file has only one; a file all of whose records failed is refused whole and keeps one row per record';
COMMENT ON COLUMN v_quarantine.record IS 'the record of the file the row is about (line N, row N, an item''s key), NULL for a row about the whole file; a row of stage validate always names a record: the article''s id (article_id) when the file has only one; a file all of whose records failed is refused whole and keeps one row per record';

-- schema_migrations, which news-etl creates before the first migration, was the one table the
-- data dictionary left out (session 38's probe).
COMMENT ON TABLE schema_migrations IS 'The schema migrations applied to this warehouse (schemas/migrations/NNNN_name.sql), each once, in order: the dictionary''s schema version is the highest. Grain: one row per migration. Key: version.';
COMMENT ON COLUMN schema_migrations.version IS 'the migration''s number (NNNN of its file name)';
COMMENT ON COLUMN schema_migrations.name IS 'the rest of its file name, without .sql';
COMMENT ON COLUMN schema_migrations.checksum IS 'SHA-256 of the file as applied: a warehouse refuses a migration edited since';
COMMENT ON COLUMN schema_migrations.applied_at IS 'when it was applied';
