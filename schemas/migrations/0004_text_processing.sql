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

-- ---------------------------------------------------------------- column documentation
COMMENT ON COLUMN dim_language.language_code IS 'ISO 639-1 code from py3langid (''und'': no letters to judge)';
COMMENT ON COLUMN dim_language.language_name IS 'English name (CLDR, via babel)';
COMMENT ON COLUMN fact_article.language_code IS 'joins dim_language';
COMMENT ON COLUMN fact_article.language_confidence IS 'the language model''s probability, 0..1';
COMMENT ON COLUMN fact_article.story_id IS 'joins dim_story: near-duplicate group';
COMMENT ON COLUMN dim_stem.stem_id IS 'stable hash of language_code || '':'' || stem';
COMMENT ON COLUMN dim_stem.language_code IS 'the language whose Snowball stemmer made it';
COMMENT ON COLUMN dim_stem.stem IS 'Snowball stem of a word term (numbers, urls, e-mails, and words of languages without a stemmer: the term itself)';
COMMENT ON COLUMN fact_article_term.stem_id IS 'joins dim_stem (the term stemmed in the article''s language)';
COMMENT ON COLUMN fact_article_term.is_stopword IS 'the term is a stopword of the article''s language';
COMMENT ON COLUMN dim_story.story_id IS 'stable hash of ''story:'' || founding_article_id; never changes once assigned';
COMMENT ON COLUMN dim_story.founding_article_id IS 'the first article of the story the warehouse saw';
COMMENT ON COLUMN dim_story.first_published_date IS 'the founding article''s date';
COMMENT ON COLUMN story_member.article_id IS 'joins fact_article (kept when a partition is rebuilt, so the article keeps its story)';
COMMENT ON COLUMN story_member.story_id IS 'joins dim_story';
COMMENT ON COLUMN story_member.published_date IS 'the article''s date when it was assigned';
COMMENT ON COLUMN story_member.matched_article_id IS 'the member it was matched to (NULL for a story''s founder)';
COMMENT ON COLUMN story_member.similarity IS 'estimated Jaccard similarity of word 4-shingles to matched_article_id';
COMMENT ON COLUMN story_member.minhash IS 'the article''s MinHash signature (128 values); NULL without words';
COMMENT ON COLUMN story_lsh.band IS 'band number of the MinHash signature';
COMMENT ON COLUMN story_lsh.bucket IS 'hash of the band''s values';
COMMENT ON COLUMN story_lsh.article_id IS 'joins story_member';
