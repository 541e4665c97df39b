-- Warehouse schema v1: the star schema analysts query, plus the pipeline's own bookkeeping.
-- Append-only: never edit this file once released; add 0002_*.sql instead.
-- Keys are documented (and checked after every load) rather than declared as constraints:
-- DuckDB's unique indexes slow down bulk partition rewrites and add nothing the loader's
-- anti-joins do not already guarantee.

-- ---------------------------------------------------------------- dimensions
CREATE TABLE dim_date (
    date_key      DATE     NOT NULL,  -- the calendar date
    year          SMALLINT NOT NULL,
    quarter       TINYINT  NOT NULL,
    month         TINYINT  NOT NULL,
    day           TINYINT  NOT NULL,
    day_of_week   TINYINT  NOT NULL,  -- ISO: Monday = 1 .. Sunday = 7
    day_name      VARCHAR  NOT NULL,
    iso_year      SMALLINT NOT NULL,
    iso_week      TINYINT  NOT NULL,
    is_weekend    BOOLEAN  NOT NULL
);
COMMENT ON TABLE dim_date IS 'Calendar dates that have articles. Grain: one row per date. Key: date_key.';

CREATE TABLE dim_source (
    source_id   BIGINT  NOT NULL,  -- stable hash of source_name (same id in every warehouse)
    source_name VARCHAR NOT NULL   -- landing-zone subfolder the file came from, else the landing zone's name
);
COMMENT ON TABLE dim_source IS 'Publishers / feeds. Grain: one row per source. Key: source_id (hash of source_name).';

CREATE TABLE dim_term (
    term_id   BIGINT  NOT NULL,  -- stable hash of term (same id in every warehouse)
    term      VARCHAR NOT NULL,  -- normal form: lowercased NFKC surface form of the token
    term_kind VARCHAR NOT NULL,  -- word | number | url | email
    n_chars   INTEGER NOT NULL
);
COMMENT ON TABLE dim_term IS 'Vocabulary. Grain: one row per distinct normal form. Key: term_id (hash of term); term is unique too.';

-- ---------------------------------------------------------------- facts
CREATE TABLE fact_article (
    article_id        VARCHAR NOT NULL,  -- SHA-256 (hex) of the raw file bytes
    published_date    DATE    NOT NULL,  -- partition key; joins dim_date.date_key
    date_source       VARCHAR NOT NULL,  -- header | path | run: where published_date came from
    source_id         BIGINT  NOT NULL,  -- joins dim_source
    source_file       VARCHAR NOT NULL,  -- path relative to the landing zone of the first file with this content
    title             VARCHAR,           -- headline, when the input format carries one
    encoding          VARCHAR NOT NULL,  -- encoding the raw bytes were decoded with
    encoding_note     VARCHAR,           -- how it was chosen when not plain UTF-8 (e.g. fallback detector)
    raw_bytes         BIGINT  NOT NULL,
    n_chars           INTEGER NOT NULL,  -- characters of the cleaned text
    n_paragraphs      INTEGER NOT NULL,
    n_sentences       INTEGER NOT NULL,
    n_tokens          INTEGER NOT NULL,  -- all tokens, punctuation and symbols included
    n_terms           INTEGER NOT NULL,  -- distinct terms (words, numbers, urls, emails)
    text_version      VARCHAR NOT NULL   -- text-processing version that produced the counts and terms
);
COMMENT ON TABLE fact_article IS 'Articles. Grain: one row per distinct article content. Key: article_id (SHA-256 of the raw bytes). Partitioned by published_date.';

CREATE TABLE fact_article_term (
    article_id     VARCHAR NOT NULL,  -- joins fact_article
    term_id        BIGINT  NOT NULL,  -- joins dim_term
    published_date DATE    NOT NULL,  -- copy of the article's date, the partition key
    count          INTEGER NOT NULL,  -- occurrences of the term in the cleaned text
    first_offset   INTEGER NOT NULL   -- character offset of the first occurrence in article_text.clean_text
);
COMMENT ON TABLE fact_article_term IS 'Term occurrences. Grain: one row per article and term. Key: (article_id, term_id). Partitioned by published_date.';

CREATE TABLE article_text (
    article_id     VARCHAR NOT NULL,  -- joins fact_article
    published_date DATE    NOT NULL,  -- the partition key
    raw_text       VARCHAR NOT NULL,  -- the decoded file as it arrived (header included)
    clean_text     VARCHAR NOT NULL   -- NFKC, control characters removed, whitespace normalised, paragraphs separated by a blank line
);
COMMENT ON TABLE article_text IS 'Article text. Grain: one row per article. Key: article_id. Token offsets index clean_text.';

-- ---------------------------------------------------------------- pipeline bookkeeping
CREATE TABLE ingest_ledger (
    path          VARCHAR   NOT NULL,  -- path relative to the landing zone
    landing       VARCHAR   NOT NULL,  -- the landing zone (absolute path or URL)
    sha256        VARCHAR   NOT NULL,  -- of the raw bytes
    size_bytes    BIGINT    NOT NULL,
    mtime_ns      BIGINT,              -- modification time when last read (lets unchanged files skip a re-read)
    outcome       VARCHAR   NOT NULL,  -- loaded | duplicate | quarantined
    article_id    VARCHAR,             -- the article this file is (loaded / duplicate)
    first_seen    TIMESTAMPTZ NOT NULL,
    last_seen     TIMESTAMPTZ NOT NULL,
    first_run_id  VARCHAR   NOT NULL,
    last_run_id   VARCHAR   NOT NULL
);
COMMENT ON TABLE ingest_ledger IS 'Every raw file ever seen. Grain: one row per landing zone, path and content. Key: (landing, path, sha256).';

CREATE TABLE quarantine (
    run_id         VARCHAR NOT NULL,  -- joins etl_run
    landing        VARCHAR NOT NULL,
    path           VARCHAR NOT NULL,  -- file relative to the landing zone
    sha256         VARCHAR,           -- of the raw bytes, when they could be read
    record         VARCHAR,           -- the record inside the file (article id, line number), when only part of a file failed
    stage          VARCHAR NOT NULL,  -- ingest | text | validate | load
    reason         VARCHAR NOT NULL,  -- a code an operator can act on: empty, too_large, undecodable, ... or the failed expectation
    detail         VARCHAR NOT NULL,  -- human-readable explanation, with the offending value
    partition_date DATE,              -- the run's partition, when it had one
    quarantined_at TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE quarantine IS 'Rejected inputs with reasons. Grain: one row per run, file or record, and reason. Key: (run_id, landing, path, record, reason).';

CREATE TABLE etl_run (
    run_id            VARCHAR     NOT NULL,
    trigger           VARCHAR     NOT NULL,  -- cli | airflow | test | ...
    external_run_id   VARCHAR,               -- e.g. the Airflow dag run id
    partition_date    DATE,                  -- the logical date the run was for (NULL = everything new)
    mode              VARCHAR     NOT NULL,  -- merge | replace
    landing           VARCHAR     NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    ended_at          TIMESTAMPTZ,
    status            VARCHAR     NOT NULL,  -- success | failed
    code_version      VARCHAR     NOT NULL,
    text_version      VARCHAR     NOT NULL,
    schema_version    INTEGER     NOT NULL,
    files_seen        INTEGER     NOT NULL,  -- files listed in the landing zone for this run
    files_unchanged   INTEGER     NOT NULL,  -- skipped: already in the ledger with the same size and mtime
    files_deferred    INTEGER     NOT NULL,  -- belong to another partition date
    files_new         INTEGER     NOT NULL,  -- read by this run
    articles_loaded   INTEGER     NOT NULL,
    duplicates        INTEGER     NOT NULL,
    quarantined       INTEGER     NOT NULL,
    partitions        DATE[]      NOT NULL,  -- published dates this run wrote
    error             VARCHAR
);
COMMENT ON TABLE etl_run IS 'Pipeline runs. Grain: one row per run. Key: run_id.';

CREATE TABLE etl_run_stage (
    run_id        VARCHAR NOT NULL,  -- joins etl_run
    stage         VARCHAR NOT NULL,  -- ingest | text | validate | load
    n_in          INTEGER NOT NULL,  -- records that entered the stage
    n_out         INTEGER NOT NULL,  -- records passed on
    n_duplicate   INTEGER NOT NULL,
    n_quarantined INTEGER NOT NULL,
    seconds       DOUBLE  NOT NULL   -- wall time summed over the stage's batches
);
COMMENT ON TABLE etl_run_stage IS 'Per-stage counts of each run. Grain: one row per run and stage. Key: (run_id, stage).';

CREATE TABLE fact_check_result (
    run_id           VARCHAR NOT NULL,  -- joins etl_run
    partition_date   DATE,              -- the run's partition date, joins dim_date
    batch            INTEGER NOT NULL,  -- batch number within the run
    suite            VARCHAR NOT NULL,  -- Great Expectations suite name
    expectation      VARCHAR NOT NULL,  -- expectation type
    column_name      VARCHAR,           -- column(s) checked
    success          BOOLEAN NOT NULL,
    element_count    BIGINT,
    unexpected_count BIGINT,
    observed_value   VARCHAR,
    detail           VARCHAR            -- a few unexpected values
);
COMMENT ON TABLE fact_check_result IS 'Data-quality results. Grain: one row per run, batch, suite and expectation. Key: (run_id, batch, suite, expectation, column_name).';

-- ---------------------------------------------------------------- column documentation
COMMENT ON COLUMN dim_date.date_key IS 'the calendar date';
COMMENT ON COLUMN dim_date.day_of_week IS 'ISO: Monday = 1 .. Sunday = 7';
COMMENT ON COLUMN dim_source.source_id IS 'stable hash of source_name (same id in every warehouse)';
COMMENT ON COLUMN dim_source.source_name IS 'landing-zone subfolder the file came from, else the landing zone''s name';
COMMENT ON COLUMN dim_term.term_id IS 'stable hash of term (same id in every warehouse)';
COMMENT ON COLUMN dim_term.term IS 'normal form: lowercased NFKC surface form of the token';
COMMENT ON COLUMN dim_term.term_kind IS 'word | number | url | email';
COMMENT ON COLUMN fact_article.article_id IS 'SHA-256 (hex) of the raw file bytes';
COMMENT ON COLUMN fact_article.published_date IS 'partition key; joins dim_date.date_key';
COMMENT ON COLUMN fact_article.date_source IS 'header | path | run: where published_date came from';
COMMENT ON COLUMN fact_article.source_id IS 'joins dim_source';
COMMENT ON COLUMN fact_article.source_file IS 'path relative to the landing zone of the first file with this content';
COMMENT ON COLUMN fact_article.title IS 'headline, when the input format carries one';
COMMENT ON COLUMN fact_article.encoding IS 'encoding the raw bytes were decoded with';
COMMENT ON COLUMN fact_article.encoding_note IS 'how it was chosen when not plain UTF-8 (e.g. fallback detector)';
COMMENT ON COLUMN fact_article.n_chars IS 'characters of the cleaned text';
COMMENT ON COLUMN fact_article.n_tokens IS 'all tokens, punctuation and symbols included';
COMMENT ON COLUMN fact_article.n_terms IS 'distinct terms (words, numbers, urls, emails)';
COMMENT ON COLUMN fact_article.text_version IS 'text-processing version that produced the counts and terms';
COMMENT ON COLUMN fact_article_term.article_id IS 'joins fact_article';
COMMENT ON COLUMN fact_article_term.term_id IS 'joins dim_term';
COMMENT ON COLUMN fact_article_term.published_date IS 'copy of the article''s date, the partition key';
COMMENT ON COLUMN fact_article_term.count IS 'occurrences of the term in the cleaned text';
COMMENT ON COLUMN fact_article_term.first_offset IS 'character offset of the first occurrence in article_text.clean_text';
COMMENT ON COLUMN article_text.article_id IS 'joins fact_article';
COMMENT ON COLUMN article_text.published_date IS 'the partition key';
COMMENT ON COLUMN article_text.raw_text IS 'the decoded file as it arrived (header included)';
COMMENT ON COLUMN article_text.clean_text IS 'NFKC, control characters removed, whitespace normalised, paragraphs separated by a blank line';
COMMENT ON COLUMN ingest_ledger.path IS 'path relative to the landing zone';
COMMENT ON COLUMN ingest_ledger.landing IS 'the landing zone (absolute path or URL)';
COMMENT ON COLUMN ingest_ledger.sha256 IS 'of the raw bytes';
COMMENT ON COLUMN ingest_ledger.mtime_ns IS 'modification time when last read (lets unchanged files skip a re-read)';
COMMENT ON COLUMN ingest_ledger.outcome IS 'loaded | duplicate | quarantined';
COMMENT ON COLUMN ingest_ledger.article_id IS 'the article this file is (loaded / duplicate)';
COMMENT ON COLUMN quarantine.run_id IS 'joins etl_run';
COMMENT ON COLUMN quarantine.path IS 'file relative to the landing zone';
COMMENT ON COLUMN quarantine.sha256 IS 'of the raw bytes, when they could be read';
COMMENT ON COLUMN quarantine.record IS 'the record inside the file (article id, line number), when only part of a file failed';
COMMENT ON COLUMN quarantine.stage IS 'ingest | text | validate | load';
COMMENT ON COLUMN quarantine.reason IS 'a code an operator can act on: empty, too_large, undecodable, ... or the failed expectation';
COMMENT ON COLUMN quarantine.detail IS 'human-readable explanation, with the offending value';
COMMENT ON COLUMN quarantine.partition_date IS 'the run''s partition, when it had one';
COMMENT ON COLUMN etl_run.trigger IS 'cli | airflow | test | ...';
COMMENT ON COLUMN etl_run.external_run_id IS 'e.g. the Airflow dag run id';
COMMENT ON COLUMN etl_run.partition_date IS 'the logical date the run was for (NULL = everything new)';
COMMENT ON COLUMN etl_run.mode IS 'merge | replace';
COMMENT ON COLUMN etl_run.status IS 'success | failed';
COMMENT ON COLUMN etl_run.files_seen IS 'files listed in the landing zone for this run';
COMMENT ON COLUMN etl_run.files_unchanged IS 'skipped: already in the ledger with the same size and mtime';
COMMENT ON COLUMN etl_run.files_deferred IS 'belong to another partition date';
COMMENT ON COLUMN etl_run.files_new IS 'read by this run';
COMMENT ON COLUMN etl_run.partitions IS 'published dates this run wrote';
COMMENT ON COLUMN etl_run_stage.run_id IS 'joins etl_run';
COMMENT ON COLUMN etl_run_stage.stage IS 'ingest | text | validate | load';
COMMENT ON COLUMN etl_run_stage.n_in IS 'records that entered the stage';
COMMENT ON COLUMN etl_run_stage.n_out IS 'records passed on';
COMMENT ON COLUMN etl_run_stage.seconds IS 'wall time summed over the stage''s batches';
COMMENT ON COLUMN fact_check_result.run_id IS 'joins etl_run';
COMMENT ON COLUMN fact_check_result.partition_date IS 'the run''s partition date, joins dim_date';
COMMENT ON COLUMN fact_check_result.batch IS 'batch number within the run';
COMMENT ON COLUMN fact_check_result.suite IS 'Great Expectations suite name';
COMMENT ON COLUMN fact_check_result.expectation IS 'expectation type';
COMMENT ON COLUMN fact_check_result.column_name IS 'column(s) checked';
COMMENT ON COLUMN fact_check_result.detail IS 'a few unexpected values';
COMMENT ON COLUMN dim_date.year IS 'calendar year';
COMMENT ON COLUMN dim_date.quarter IS 'quarter of the year, 1..4';
COMMENT ON COLUMN dim_date.month IS 'month, 1..12';
COMMENT ON COLUMN dim_date.day IS 'day of the month';
COMMENT ON COLUMN dim_date.day_name IS 'English weekday name';
COMMENT ON COLUMN dim_date.iso_year IS 'ISO-8601 week-numbering year';
COMMENT ON COLUMN dim_date.iso_week IS 'ISO-8601 week number';
COMMENT ON COLUMN dim_date.is_weekend IS 'Saturday or Sunday';
COMMENT ON COLUMN dim_term.n_chars IS 'length of the term in characters';
COMMENT ON COLUMN fact_article.raw_bytes IS 'size of the raw file in bytes';
COMMENT ON COLUMN fact_article.n_paragraphs IS 'paragraphs of the cleaned text';
COMMENT ON COLUMN fact_article.n_sentences IS 'sentences of the cleaned text';
COMMENT ON COLUMN ingest_ledger.size_bytes IS 'file size when last read';
COMMENT ON COLUMN ingest_ledger.first_seen IS 'when a run first saw this path with this content';
COMMENT ON COLUMN ingest_ledger.last_seen IS 'when a run last saw it';
COMMENT ON COLUMN ingest_ledger.first_run_id IS 'the run that first saw it (joins etl_run)';
COMMENT ON COLUMN ingest_ledger.last_run_id IS 'the run that last saw it (joins etl_run)';
COMMENT ON COLUMN quarantine.landing IS 'the landing zone (absolute path or URL)';
COMMENT ON COLUMN quarantine.quarantined_at IS 'when the run rejected it';
COMMENT ON COLUMN etl_run.run_id IS 'sortable id: start time (UTC) and a random suffix';
COMMENT ON COLUMN etl_run.landing IS 'the landing zone the run read';
COMMENT ON COLUMN etl_run.started_at IS 'when the run was planned';
COMMENT ON COLUMN etl_run.ended_at IS 'when its load committed (or it failed)';
COMMENT ON COLUMN etl_run.code_version IS 'news-etl version';
COMMENT ON COLUMN etl_run.text_version IS 'text-processing version (etl.TEXT_VERSION)';
COMMENT ON COLUMN etl_run.schema_version IS 'highest migration applied when the run loaded';
COMMENT ON COLUMN etl_run.articles_loaded IS 'new articles written';
COMMENT ON COLUMN etl_run.duplicates IS 'files whose content was already an article';
COMMENT ON COLUMN etl_run.quarantined IS 'files quarantined (see the quarantine table)';
COMMENT ON COLUMN etl_run.error IS 'why the run failed';
COMMENT ON COLUMN etl_run_stage.n_duplicate IS 'records recognised as duplicates';
COMMENT ON COLUMN etl_run_stage.n_quarantined IS 'records quarantined by the stage';
COMMENT ON COLUMN fact_check_result.success IS 'whether the expectation held';
COMMENT ON COLUMN fact_check_result.element_count IS 'rows checked';
COMMENT ON COLUMN fact_check_result.unexpected_count IS 'rows that failed';
COMMENT ON COLUMN fact_check_result.observed_value IS 'the observed value of aggregate expectations (JSON)';
