-- Analyst SQL objects: readable views and table macros over the star schema.
-- Plain SQL in the database file, so they work in any DuckDB client of the pinned version,
-- offline, with no extension. Append-only like every migration.

CREATE VIEW v_articles AS
SELECT a.article_id, a.published_date, s.source_name, a.language_code, l.language_name,
       a.title, a.url, a.n_paragraphs, a.n_sentences, a.n_tokens, a.n_terms, a.n_chars,
       a.story_id, count(*) OVER (PARTITION BY a.story_id) AS story_size,
       a.source_file, a.date_source, a.text_version
FROM fact_article a
LEFT JOIN dim_source s USING (source_id)
LEFT JOIN dim_language l USING (language_code);
COMMENT ON VIEW v_articles IS 'One readable row per article: date, source, language, title, counts, story. Grain: one row per article. Key: article_id.';

CREATE VIEW v_daily_term_counts AS
SELECT f.published_date, t.term, t.term_id, t.term_kind,
       count(*) AS articles, sum(f.count)::BIGINT AS occurrences,
       bool_or(coalesce(f.is_stopword, false)) AS is_stopword
FROM fact_article_term f
JOIN dim_term t USING (term_id)
GROUP BY ALL;
COMMENT ON VIEW v_daily_term_counts IS 'Term usage per day. Grain: one row per published_date and term. Key: (published_date, term_id).';

CREATE MACRO term_trend(term_text, start_date, end_date) AS TABLE
SELECT d.day::DATE AS day, coalesce(x.articles, 0) AS articles,
       coalesce(x.occurrences, 0)::BIGINT AS occurrences
FROM range(start_date::DATE, end_date::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) AS d(day)
LEFT JOIN (
    SELECT f.published_date, count(*) AS articles, sum(f.count) AS occurrences
    FROM fact_article_term f JOIN dim_term t USING (term_id)
    WHERE t.term = lower(term_text) AND f.published_date BETWEEN start_date::DATE AND end_date::DATE
    GROUP BY 1
) AS x ON x.published_date = d.day::DATE
ORDER BY day;
COMMENT ON MACRO TABLE term_trend IS 'Daily articles and occurrences of one term between two dates (days without it count 0).';

CREATE MACRO top_terms(start_date, end_date, n) AS TABLE
SELECT t.term, sum(f.count)::BIGINT AS occurrences, count(*) AS articles
FROM fact_article_term f JOIN dim_term t USING (term_id)
WHERE f.published_date BETWEEN start_date::DATE AND end_date::DATE
  AND t.term_kind = 'word' AND NOT coalesce(f.is_stopword, false)
GROUP BY t.term
ORDER BY occurrences DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE top_terms IS 'The n most frequent words between two dates, stopwords (of each article''s language) excluded.';

CREATE MACRO tfidf(aid, n) AS TABLE
WITH docs AS (SELECT count(*)::DOUBLE AS n_docs FROM fact_article),
mine AS (SELECT term_id, count, is_stopword FROM fact_article_term WHERE article_id = aid),
df AS (
    SELECT term_id, count(*)::DOUBLE AS df FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM mine) GROUP BY 1
)
SELECT t.term, m.count AS tf, df.df::BIGINT AS df, m.count * ln(docs.n_docs / df.df) AS tfidf
FROM mine m JOIN df USING (term_id) JOIN dim_term t USING (term_id) CROSS JOIN docs
WHERE t.term_kind = 'word' AND NOT coalesce(m.is_stopword, false)
ORDER BY tfidf DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE tfidf IS 'The n most characteristic words of one article: count × ln(articles / articles with the word), stopwords excluded.';

CREATE MACRO trending_terms(day, baseline_days, n) AS TABLE
WITH today AS (
    SELECT term_id, sum(count) AS occurrences FROM fact_article_term
    WHERE published_date = day::DATE AND NOT coalesce(is_stopword, false) GROUP BY 1
),
base AS (
    SELECT term_id, sum(count)::DOUBLE AS total FROM fact_article_term
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

CREATE MACRO kwic(term_text, width) AS TABLE
SELECT a.published_date, a.article_id,
       substr(x.clean_text, greatest(f.first_offset + 1 - width, 1),
              least(width, f.first_offset)) AS left_context,
       substr(x.clean_text, f.first_offset + 1, length(t.term)) AS keyword,
       substr(x.clean_text, f.first_offset + 1 + length(t.term), width) AS right_context
FROM dim_term t
JOIN fact_article_term f USING (term_id)
JOIN article_text x USING (article_id)
JOIN fact_article a USING (article_id)
WHERE t.term = lower(term_text)
ORDER BY a.published_date, a.article_id;
COMMENT ON MACRO TABLE kwic IS 'Keyword in context: the first occurrence of a term in each article with width characters either side.';

CREATE MACRO cooccurring_terms(term_text, n) AS TABLE
WITH docs AS (
    SELECT f.article_id FROM fact_article_term f JOIN dim_term t USING (term_id)
    WHERE t.term = lower(term_text)
)
SELECT t.term, count(*) AS articles, sum(f.count)::BIGINT AS occurrences
FROM fact_article_term f JOIN docs USING (article_id) JOIN dim_term t USING (term_id)
WHERE t.term <> lower(term_text) AND t.term_kind = 'word' AND NOT coalesce(f.is_stopword, false)
GROUP BY t.term
ORDER BY articles DESC, occurrences DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE cooccurring_terms IS 'Words that appear in the same articles as a term, by number of shared articles; stopwords excluded.';

CREATE MACRO search(q, n) AS TABLE
WITH qterms AS (
    SELECT DISTINCT unnest(regexp_split_to_array(lower(q), '[^[:alnum:]]+')) AS term
),
qt AS (SELECT t.term_id FROM dim_term t JOIN qterms USING (term) WHERE qterms.term <> ''),
stats AS (SELECT count(*)::DOUBLE AS n_docs, avg(n_tokens)::DOUBLE AS avgdl FROM fact_article),
df AS (
    SELECT term_id, count(*)::DOUBLE AS df FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM qt) GROUP BY 1
),
scored AS (
    SELECT f.article_id,
           sum(ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
               * (f.count * 2.2)
               / (f.count + 1.2 * (0.25 + 0.75 * a.n_tokens / stats.avgdl))) AS score
    FROM fact_article_term f JOIN df USING (term_id) JOIN fact_article a USING (article_id)
    CROSS JOIN stats
    GROUP BY f.article_id
)
SELECT s.article_id, s.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM scored s JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY s.score DESC, s.article_id
LIMIT n;
COMMENT ON MACRO TABLE search IS 'Full-text search ranked by BM25 (k1 = 1.2, b = 0.75) over the term counts: the n best articles for the words of q.';

COMMENT ON COLUMN v_articles.article_id IS 'joins fact_article';
COMMENT ON COLUMN v_articles.published_date IS 'the article''s date (partition)';
COMMENT ON COLUMN v_articles.source_name IS 'publisher or feed';
COMMENT ON COLUMN v_articles.language_code IS 'ISO 639-1 code';
COMMENT ON COLUMN v_articles.language_name IS 'English name of the language';
COMMENT ON COLUMN v_articles.title IS 'headline, when known';
COMMENT ON COLUMN v_articles.url IS 'the article''s URL, when known';
COMMENT ON COLUMN v_articles.n_paragraphs IS 'paragraphs';
COMMENT ON COLUMN v_articles.n_sentences IS 'sentences';
COMMENT ON COLUMN v_articles.n_tokens IS 'tokens, punctuation included';
COMMENT ON COLUMN v_articles.n_terms IS 'distinct terms';
COMMENT ON COLUMN v_articles.n_chars IS 'characters of the cleaned text';
COMMENT ON COLUMN v_articles.story_id IS 'near-duplicate group (joins dim_story)';
COMMENT ON COLUMN v_articles.story_size IS 'articles in the same story';
COMMENT ON COLUMN v_articles.source_file IS 'landing-zone path of the first file with this text';
COMMENT ON COLUMN v_articles.date_source IS 'where the date came from: header, metadata, path, run';
COMMENT ON COLUMN v_articles.text_version IS 'text-processing version that built the article';
COMMENT ON COLUMN v_daily_term_counts.published_date IS 'the day';
COMMENT ON COLUMN v_daily_term_counts.term IS 'the term (lowercased NFKC)';
COMMENT ON COLUMN v_daily_term_counts.term_id IS 'joins dim_term';
COMMENT ON COLUMN v_daily_term_counts.term_kind IS 'word, number, url or email';
COMMENT ON COLUMN v_daily_term_counts.articles IS 'articles of the day that contain the term';
COMMENT ON COLUMN v_daily_term_counts.occurrences IS 'occurrences on the day';
COMMENT ON COLUMN v_daily_term_counts.is_stopword IS 'a stopword in at least one article''s language';
