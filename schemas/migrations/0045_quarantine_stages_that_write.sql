-- quarantine.stage and v_quarantine.stage said a row could come from the load ('ingest | text |
-- validate | load'), but only three stages write quarantine rows: ingest (etl.ingest.reader),
-- text (etl.text.batch) and validate (its rejected records, written by the load in
-- etl.load.record.write_quarantine as stage 'validate'); nothing writes 'load'. The
-- comments of the columns that list a vocabulary are now checked against its declaration
-- (tests/integration/test_column_vocabularies.py).
-- Comments only: no stored row changes.
-- Like every migration, never edited or renumbered once applied.

COMMENT ON COLUMN quarantine.stage IS 'ingest | text | validate (the stage that refused the file or record; the load writes none of its own)';
COMMENT ON COLUMN v_quarantine.stage IS 'ingest | text | validate (the stage that refused the file or record; the load writes none of its own)';
