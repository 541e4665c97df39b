-- text_repair also says what ingest removed from an article's metadata: the control characters
-- (NUL, BEL, escape, C1 controls) that cleaning removes from the text are removed from the
-- title, URL, source and author names too, and the note names them and counts them per field.
-- Like every migration, it is never edited or renumbered once applied; it applies to both
-- backends (a comment only: no data changes).
COMMENT ON COLUMN fact_article.text_repair IS 'repairs applied after decoding, NULL when none was needed: mojibake repaired by ftfy (which steps); control characters removed from the metadata (which, and how many from the title, url, source or authors), as cleaning removes them from the text';
