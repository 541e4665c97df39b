-- search('Ukraine') found no article that writes l'Ukraine, and search('Türkiye') none that
-- writes Türkiye'nin (session 38's probe): term_parts split a stored term at hyphens only (and
-- dropped a possessive 's), while French, Italian and Catalan elide an article onto the next
-- word and Turkish writes a proper noun's suffix after an apostrophe. It now splits at
-- apostrophes too, except in an English contraction (don't, they're, we've, you'll, I'd, I'm:
-- search('don') does not find don't). search(), the _stem macros and term_forms reach a word
-- inside such terms through it; the stored terms stay whole.

CREATE OR REPLACE MACRO term_parts(term) AS
list_filter(
    regexp_split_to_array(
        regexp_replace(term::VARCHAR, '[''’]s$', ''),
        CASE WHEN regexp_matches(term::VARCHAR, '[''’](t|re|ve|ll|d|m)$') THEN '-' ELSE '[-''’]' END
    ),
    p -> p <> ''
);
COMMENT ON MACRO term_parts IS 'The parts of a hyphenated, elided, suffixed or possessive term: term_parts(''post-brexit'') = [post, brexit], term_parts(''l''''état-major'') = [l, état, major], term_parts(''türkiye''''nin'') = [türkiye, nin], term_parts(''trump''''s'') = [trump]; an English contraction stays whole (don''t). search() and the _stem macros reach a word inside such terms through it; the stored terms stay whole.';

-- A word no article writes alone (only l'Ukraine) had no forms, so its compounds were not
-- looked for either: search_stem('Ukraine') found nothing. The compounds that contain the
-- typed word itself now count too.
CREATE OR REPLACE MACRO term_forms(term_text) AS TABLE
WITH base AS (SELECT term_id FROM dim_term WHERE term = term_key(term_text)),
stems AS (
    SELECT DISTINCT stem_id FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM base) AND stem_id IS NOT NULL
    UNION
    SELECT stem_id FROM dim_stem WHERE stem = term_key(term_text) AND NOT EXISTS (SELECT 1 FROM base)
),
forms AS (
    SELECT t.term_id, t.term FROM dim_term t
    WHERE t.term_id IN (SELECT term_id FROM base)
       OR t.term_id IN (SELECT term_id FROM fact_article_term WHERE stem_id IN (SELECT stem_id FROM stems))
)
SELECT term_id, term, 'form' AS relation FROM forms
UNION
SELECT t.term_id, t.term, 'compound' AS relation FROM dim_term t
WHERE t.term_kind = 'word' AND regexp_matches(t.term, '[-''’]')
  AND t.term_id NOT IN (SELECT term_id FROM forms)
  AND list_has_any(term_parts(t.term),
                   list_append((SELECT coalesce(list(term), []) FROM forms), term_key(term_text)));
COMMENT ON MACRO TABLE term_forms IS 'Every stored form of a word: terms with the same Snowball stem (in any article''s language; relation form) and hyphenated, elided, suffixed or possessive terms that contain one of them or the word itself (relation compound: post-brexit for brexit, l''ukraine for ukraine). What the _stem macros count. Columns: term_id, term, relation.';

-- search_stem reaches compounds through the forms of each word: the word itself is one now.
CREATE OR REPLACE MACRO search_stem(q, n) AS TABLE
WITH words AS (SELECT unnest(search_terms(replace(q::VARCHAR, '"', ' '))) AS word),
base AS (SELECT w.word, t.term_id FROM words w JOIN dim_term t ON t.term = w.word),
stems AS (
    SELECT DISTINCT b.word, f.stem_id FROM base b JOIN fact_article_term f USING (term_id)
    WHERE f.stem_id IS NOT NULL
    UNION
    SELECT w.word, s.stem_id FROM words w JOIN dim_stem s ON s.stem = w.word
    WHERE w.word NOT IN (SELECT word FROM base)
),
forms AS (
    SELECT DISTINCT s.word, f.term_id FROM stems s JOIN fact_article_term f USING (stem_id)
    UNION SELECT word, term_id FROM base
),
-- the word itself too: a word no article writes alone (only l'Ukraine) has no forms
form_terms AS (SELECT f.word, t.term FROM forms f JOIN dim_term t USING (term_id)
              UNION SELECT word, word FROM words),
matched AS MATERIALIZED (
    SELECT word, term_id FROM forms
    UNION
    SELECT ft.word, t.term_id FROM dim_term t JOIN form_terms ft
      ON contains(t.term, ft.term) AND t.term <> ft.term AND regexp_matches(t.term, '[-''’]')
     AND list_contains(term_parts(t.term), ft.term)
),
hits AS MATERIALIZED (
    SELECT m.word, f.article_id, sum(f.count) AS count
    FROM fact_article_term f JOIN (SELECT DISTINCT word, term_id FROM matched) m USING (term_id)
    GROUP BY m.word, f.article_id
),
stats AS (SELECT count(*)::DOUBLE AS n_docs, avg(n_tokens)::DOUBLE AS avgdl FROM fact_article),
df AS (SELECT word, count(*)::DOUBLE AS df FROM hits GROUP BY word),
scored AS (
    SELECT h.article_id,
           sum(ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
               * (h.count * 2.2)
               / (h.count + 1.2 * (0.25 + 0.75 * a.n_tokens / stats.avgdl)) ORDER BY h.word) AS score
    FROM hits h JOIN df USING (word) JOIN fact_article a USING (article_id) CROSS JOIN stats
    GROUP BY h.article_id
),
best AS (SELECT article_id, score FROM scored ORDER BY score DESC, article_id LIMIT n)
SELECT b.article_id, b.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM best b JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY b.score DESC, b.article_id;
COMMENT ON MACRO TABLE search_stem IS 'search over every form of each query word (the forms of term_forms: troop finds troops, trump finds trump''s, brexit finds post-brexit): BM25 with each word''s forms counted together. Quotes are ignored: a "quoted phrase" counts as its separate words here (search keeps phrases). Columns as search.';

