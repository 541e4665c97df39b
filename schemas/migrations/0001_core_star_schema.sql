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
