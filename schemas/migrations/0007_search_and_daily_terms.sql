-- Analyst queries at 100,000 articles (issue 6). Figures in docs/search-bm25.md and
-- docs/query-performance.md; results are unchanged (tests compare each macro with Python).
--   * facts stored in (published_date, article_id) order (the loader keeps it from now on);
--   * search stays BM25 in plain SQL (measured against the fts extension: docs/search-bm25.md),
--     now splitting its query the way the loader splits text (search_terms) and reading the
--     text of the n best articles only;
--   * agg_daily_term: term counts per day, written by the loader in the load transaction, so the
--     day-based views and macros no longer aggregate the whole of fact_article_term;
--   * tfidf, kwic and cooccurring_terms: the same results with less work.
-- Renumbered at merge if another migration lands first; never hard-code its number.

-- ---------------------------------------------------------------- clustering
-- The loader now appends facts in (published_date, article_id) order: a day's rows and an
-- article's terms lie together, so scans skip other days and article_id compresses to a
-- dictionary instead of FSST (tfidf 1.8 s -> 0.06 s at 100,000 articles). Rows loaded before
-- are rewritten in that order once; the file keeps the freed blocks for later loads.
CREATE TEMP TABLE clustered_terms AS
SELECT * FROM fact_article_term ORDER BY published_date, article_id, term_id;
DELETE FROM fact_article_term;
INSERT INTO fact_article_term SELECT * FROM clustered_terms;
DROP TABLE clustered_terms;

CREATE TEMP TABLE clustered_text AS SELECT * FROM article_text ORDER BY published_date, article_id;
DELETE FROM article_text;
INSERT INTO article_text SELECT * FROM clustered_text;
DROP TABLE clustered_text;

CREATE TEMP TABLE clustered_articles AS
SELECT * FROM fact_article ORDER BY published_date, article_id;
DELETE FROM fact_article;
INSERT INTO fact_article SELECT * FROM clustered_articles;
DROP TABLE clustered_articles;

-- ---------------------------------------------------------------- daily term counts
CREATE TABLE agg_daily_term (
    published_date       DATE    NOT NULL,  -- joins dim_date.date_key
    term_id              BIGINT  NOT NULL,  -- joins dim_term
    articles             INTEGER NOT NULL,  -- articles of the day that contain the term
    occurrences          BIGINT  NOT NULL,  -- occurrences on the day
    stopword_articles    INTEGER NOT NULL,  -- of those articles, the ones whose language makes it a stopword
    stopword_occurrences BIGINT  NOT NULL   -- occurrences in those articles
);
COMMENT ON TABLE agg_daily_term IS 'Term counts per day, the sums of fact_article_term, rewritten by the loader for every day a load touches, in the same transaction (never stale). Grain: one row per published_date and term. Key: (published_date, term_id).';
COMMENT ON COLUMN agg_daily_term.published_date IS 'the day (joins dim_date.date_key)';
COMMENT ON COLUMN agg_daily_term.term_id IS 'joins dim_term';
COMMENT ON COLUMN agg_daily_term.articles IS 'articles of the day that contain the term';
COMMENT ON COLUMN agg_daily_term.occurrences IS 'occurrences on the day';
COMMENT ON COLUMN agg_daily_term.stopword_articles IS 'of those articles, the ones in whose language the term is a stopword';
COMMENT ON COLUMN agg_daily_term.stopword_occurrences IS 'occurrences in those articles';

INSERT INTO agg_daily_term
SELECT published_date, term_id, count(*)::INTEGER, sum(count)::BIGINT,
       count(*) FILTER (WHERE is_stopword)::INTEGER,
       coalesce(sum(count) FILTER (WHERE is_stopword), 0)::BIGINT
FROM fact_article_term
GROUP BY published_date, term_id
ORDER BY published_date, term_id;

CREATE OR REPLACE VIEW v_daily_term_counts AS
SELECT d.published_date, t.term, t.term_id, t.term_kind,
       d.articles::BIGINT AS articles, d.occurrences::BIGINT AS occurrences,
       d.stopword_articles > 0 AS is_stopword
FROM agg_daily_term d
JOIN dim_term t USING (term_id);
COMMENT ON VIEW v_daily_term_counts IS 'Term usage per day (from agg_daily_term). Grain: one row per published_date and term. Key: (published_date, term_id).';
COMMENT ON COLUMN v_daily_term_counts.published_date IS 'the day';
COMMENT ON COLUMN v_daily_term_counts.term IS 'the term (lowercased NFKC)';
COMMENT ON COLUMN v_daily_term_counts.term_id IS 'joins dim_term';
COMMENT ON COLUMN v_daily_term_counts.term_kind IS 'word, number, url or email';
COMMENT ON COLUMN v_daily_term_counts.articles IS 'articles of the day that contain the term';
COMMENT ON COLUMN v_daily_term_counts.occurrences IS 'occurrences on the day';
COMMENT ON COLUMN v_daily_term_counts.is_stopword IS 'a stopword in at least one article''s language';

CREATE OR REPLACE MACRO term_trend(term_text, start_date, end_date) AS TABLE
SELECT d.day::DATE AS day, coalesce(x.articles, 0)::BIGINT AS articles,
       coalesce(x.occurrences, 0)::BIGINT AS occurrences
FROM range(start_date::DATE, end_date::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) AS d(day)
LEFT JOIN (
    SELECT a.published_date, a.articles, a.occurrences
    FROM agg_daily_term a JOIN dim_term t USING (term_id)
    WHERE t.term = lower(term_text) AND a.published_date BETWEEN start_date::DATE AND end_date::DATE
) AS x ON x.published_date = d.day::DATE
ORDER BY day;
COMMENT ON MACRO TABLE term_trend IS 'Daily articles and occurrences of one term between two dates (days without it count 0).';

CREATE OR REPLACE MACRO top_terms(start_date, end_date, n) AS TABLE
SELECT t.term, sum(a.occurrences - a.stopword_occurrences)::BIGINT AS occurrences,
       sum(a.articles - a.stopword_articles)::BIGINT AS articles
FROM agg_daily_term a JOIN dim_term t USING (term_id)
WHERE a.published_date BETWEEN start_date::DATE AND end_date::DATE
  AND t.term_kind = 'word' AND a.articles > a.stopword_articles
GROUP BY t.term
ORDER BY occurrences DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE top_terms IS 'The n most frequent words between two dates, stopwords (of each article''s language) excluded.';

CREATE OR REPLACE MACRO trending_terms(day, baseline_days, n) AS TABLE
WITH today AS (
    SELECT term_id, occurrences - stopword_occurrences AS occurrences FROM agg_daily_term
    WHERE published_date = day::DATE AND articles > stopword_articles
),
base AS (
    SELECT term_id, sum(occurrences)::DOUBLE AS total FROM agg_daily_term
    WHERE published_date >= day::DATE - baseline_days::INTEGER AND published_date < day::DATE
    GROUP BY 1
)
SELECT t.term, today.occurrences::BIGINT AS occurrences,
       coalesce(base.total, 0) / baseline_days AS baseline_avg,
       (today.occurrences + 1) / (coalesce(base.total, 0) / baseline_days + 1) AS lift
FROM today LEFT JOIN base USING (term_id) JOIN dim_term t USING (term_id)
WHERE t.term_kind = 'word'
ORDER BY lift DESC, occurrences DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE trending_terms IS 'Words rising on a day against their own daily average over the previous baseline_days: lift = (today + 1) / (baseline average + 1).';

-- ---------------------------------------------------------------- one article, one term
CREATE OR REPLACE MACRO tfidf(aid, n) AS TABLE
WITH docs AS (SELECT count(*)::DOUBLE AS n_docs FROM fact_article),
mine AS MATERIALIZED (
    SELECT f.term_id, f.count, t.term FROM fact_article_term f JOIN dim_term t USING (term_id)
    WHERE f.article_id = aid AND t.term_kind = 'word' AND NOT coalesce(f.is_stopword, false)
),
df AS (
    SELECT term_id, sum(articles)::DOUBLE AS df FROM agg_daily_term
    WHERE term_id IN (SELECT term_id FROM mine) GROUP BY term_id
)
SELECT m.term, m.count AS tf, df.df::BIGINT AS df, m.count * ln(docs.n_docs / df.df) AS tfidf
FROM mine m JOIN df USING (term_id) CROSS JOIN docs
ORDER BY tfidf DESC, m.term
LIMIT n;
COMMENT ON MACRO TABLE tfidf IS 'The n most characteristic words of one article: count × ln(articles / articles with the word), stopwords excluded.';

CREATE OR REPLACE MACRO kwic(term_text, width) AS TABLE
WITH hits AS (
    SELECT f.published_date, f.article_id, f.first_offset,
           least(width, f.first_offset) AS n_left, length(t.term) AS n_term
    FROM dim_term t JOIN fact_article_term f USING (term_id)
    WHERE t.term = lower(term_text)
),
windows AS (  -- cut the neighbourhood out of the long text once, then split it
    SELECT h.published_date, h.article_id, h.n_left, h.n_term,
           substr(x.clean_text, h.first_offset + 1 - h.n_left, h.n_left + h.n_term + width) AS w
    FROM hits h JOIN article_text x USING (article_id)
)
SELECT published_date, article_id, substr(w, 1, n_left) AS left_context,
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, width) AS right_context
FROM windows
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic IS 'Keyword in context: the first occurrence of a term in each article with width characters either side.';

CREATE OR REPLACE MACRO cooccurring_terms(term_text, n) AS TABLE
WITH docs AS (
    SELECT f.article_id FROM fact_article_term f
    WHERE f.term_id IN (SELECT term_id FROM dim_term WHERE term = lower(term_text))
),
shared AS (  -- by term id first; the words and their kind are looked up for the totals only
    SELECT f.term_id, count(*) AS articles, sum(f.count) AS occurrences
    FROM fact_article_term f
    WHERE f.article_id IN (SELECT article_id FROM docs) AND NOT coalesce(f.is_stopword, false)
    GROUP BY f.term_id
)
SELECT t.term, s.articles, s.occurrences::BIGINT AS occurrences
FROM shared s JOIN dim_term t USING (term_id)
WHERE t.term <> lower(term_text) AND t.term_kind = 'word'
ORDER BY s.articles DESC, occurrences DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE cooccurring_terms IS 'Words that appear in the same articles as a term, by number of shared articles; stopwords excluded.';

-- ---------------------------------------------------------------- search
CREATE MACRO search_terms(q) AS
list_distinct(regexp_extract_all(
    -- CJK: every Han ideograph and hiragana is a term, a katakana run is one (spaced out first,
    -- so a word or number next to them stops there); 'İ' lowercases to i + combining dot.
    regexp_replace(lower(replace(q::VARCHAR, 'İ', 'i̇')),
        '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+)',
        ' \1 ', 'g'),
    -- the token pattern of etl.text.tokenize: CJK, dotted acronym, number (with its unit),
    -- word (inner apostrophes and hyphens); punctuation and symbols are not terms
    '[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+|\pL(?:\.\pL)+\.|\p{Nd}+(?:[.,:/]\p{Nd}+)*[\pL\pN\pM_]*|[\pL\pN\pM_]+(?:[''\x{2019}-][\pL\pN\pM_]+)*'
));
COMMENT ON MACRO search_terms IS 'The terms of a text as the loader makes them (dim_term.term): lowercased words with inner apostrophes and hyphens, dotted acronyms (u.s.), numbers with their unit (1.5bn), single CJK characters; no URLs or e-mails. search() splits its query with it.';

CREATE OR REPLACE MACRO search(q, n) AS TABLE
WITH hits AS MATERIALIZED (
    SELECT f.article_id, f.term_id, f.count FROM fact_article_term f
    WHERE f.term_id IN (SELECT t.term_id FROM dim_term t WHERE t.term IN (SELECT unnest(search_terms(q))))
),
stats AS (SELECT count(*)::DOUBLE AS n_docs, avg(n_tokens)::DOUBLE AS avgdl FROM fact_article),
df AS (SELECT term_id, count(*)::DOUBLE AS df FROM hits GROUP BY term_id),
scored AS (
    SELECT h.article_id,
           sum(ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
               * (h.count * 2.2)
               / (h.count + 1.2 * (0.25 + 0.75 * a.n_tokens / stats.avgdl))) AS score
    FROM hits h JOIN df USING (term_id) JOIN fact_article a USING (article_id) CROSS JOIN stats
    GROUP BY h.article_id
),
best AS (SELECT article_id, score FROM scored ORDER BY score DESC, article_id LIMIT n)
SELECT b.article_id, b.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM best b JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY b.score DESC, b.article_id;
COMMENT ON MACRO TABLE search IS 'Full-text search ranked by BM25 (k1 = 1.2, b = 0.75) over the term counts: the n best articles for the terms of q (split by search_terms: exact terms, no stemming; stopwords count, weighted down by their document frequency). Plain SQL, as fresh as fact_article_term; why not the fts extension: docs/search-bm25.md.';
