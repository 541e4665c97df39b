-- Text processing v2: languages, stems and stopwords, near-duplicate stories.
-- Append-only like every migration. Columns added to existing tables are NULL for articles
-- loaded by text-1 (fact_article.text_version says which); a --replace rebuild fills them.

-- ---------------------------------------------------------------- languages
CREATE TABLE dim_language (
    language_code VARCHAR NOT NULL,  -- ISO 639-1 code from py3langid ('und': no letters to judge)
    language_name VARCHAR NOT NULL   -- English name (CLDR, via babel)
);
COMMENT ON TABLE dim_language IS 'Languages articles are written in. Grain: one row per language code. Key: language_code.';

ALTER TABLE fact_article ADD COLUMN language_code VARCHAR;          -- joins dim_language
ALTER TABLE fact_article ADD COLUMN language_confidence DOUBLE;     -- the language model's probability, 0..1
ALTER TABLE fact_article ADD COLUMN story_id BIGINT;                -- joins dim_story: near-duplicate group

-- ---------------------------------------------------------------- stems
CREATE TABLE dim_stem (
    stem_id       BIGINT  NOT NULL,  -- stable hash of language_code || ':' || stem
    language_code VARCHAR NOT NULL,  -- the language whose Snowball stemmer made it
    stem          VARCHAR NOT NULL   -- Snowball stem of a word term (numbers, urls, e-mails, and words of languages without a stemmer: the term itself)
);
COMMENT ON TABLE dim_stem IS 'Stems per language, to count inflected forms together. Grain: one row per language and stem. Key: stem_id (hash of language_code:stem).';

ALTER TABLE fact_article_term ADD COLUMN stem_id BIGINT;       -- joins dim_stem (the term stemmed in the article's language)
ALTER TABLE fact_article_term ADD COLUMN is_stopword BOOLEAN;  -- the term is a stopword of the article's language

-- ---------------------------------------------------------------- stories (near-duplicates)
CREATE TABLE dim_story (
    story_id             BIGINT  NOT NULL,  -- stable hash of 'story:' || founding_article_id; never changes once assigned
    founding_article_id  VARCHAR NOT NULL,  -- the first article of the story the warehouse saw
    first_published_date DATE    NOT NULL   -- the founding article's date
);
COMMENT ON TABLE dim_story IS 'Stories: syndicated copies and light rewrites of one article grouped by MinHash/LSH. Grain: one row per story. Key: story_id (hash of the founding article_id).';

CREATE TABLE story_member (
    article_id         VARCHAR    NOT NULL,  -- joins fact_article (kept when a partition is rebuilt, so the article keeps its story)
    story_id           BIGINT     NOT NULL,  -- joins dim_story
    published_date     DATE       NOT NULL,  -- the article's date when it was assigned
    matched_article_id VARCHAR,              -- the member it was matched to (NULL for a story's founder)
    similarity         DOUBLE,               -- estimated Jaccard similarity of word 4-shingles to matched_article_id
    minhash            UINTEGER[]            -- the article's MinHash signature (128 values); NULL without words
);
COMMENT ON TABLE story_member IS 'Story assignments, persistent across rebuilds. Grain: one row per article ever assigned. Key: article_id.';

CREATE TABLE story_lsh (
    band       SMALLINT NOT NULL,  -- band number of the MinHash signature
    bucket     BIGINT   NOT NULL,  -- hash of the band's values
    article_id VARCHAR  NOT NULL   -- joins story_member
);
COMMENT ON TABLE story_lsh IS 'LSH index of story members: articles sharing a (band, bucket) are near-duplicate candidates. Grain: one row per article and band. Key: (article_id, band).';
