-- Guillemets quote a phrase in search (session 35's probe). French, Swiss German, Norwegian and
-- Russian news quote with « » (German also » «), and an analyst pasting such a phrase got its
-- words searched apart: search('«Extreme Gefahr»', 20) returned 20 articles that had either
-- word, where search('„Extreme Gefahr“', 20) returned the 2 that have the phrase. « and » now
-- quote as “ ” „ and " do, whichever way round they are typed. The single guillemets ‹ › are
-- left out: they quote inside a quotation («Er sagte ‹Nein›»), and as quotes they would pair
-- with the outer ones. 0020's search otherwise, unchanged. Macros and comments only: no stored
-- row changes. Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE MACRO search(q, n) AS TABLE
WITH phrases AS (
    SELECT list_filter(regexp_extract_all(regexp_replace(q::VARCHAR, '[“”„«»]', '"', 'g'), '"([^"]+)"', 1),
                       p -> len(search_terms(p)) > 0) AS ps
),
words AS (SELECT unnest(search_terms(replace(q::VARCHAR, '"', ' '))) AS word),
matched AS MATERIALIZED (
    SELECT w.word, t.term_id FROM words w JOIN dim_term t ON t.term = w.word
    UNION
    SELECT w.word, t.term_id FROM words w JOIN dim_term t
      ON contains(t.term, w.word) AND t.term <> w.word AND regexp_matches(t.term, '[-''’]')
     AND list_contains(term_parts(t.term), w.word)
),
hits AS MATERIALIZED (
    SELECT m.word, f.article_id, sum(f.count) AS count
    FROM fact_article_term f JOIN matched m USING (term_id)
    GROUP BY m.word, f.article_id
),
need AS (SELECT list_distinct(flatten(list_transform(ps, p -> search_terms(p)))) AS pw FROM phrases),
candidates AS (
    SELECT h.article_id FROM hits h, need
    WHERE list_contains(need.pw, h.word)
    GROUP BY h.article_id HAVING count(DISTINCT h.word) = any_value(len(need.pw))
),
with_phrases AS (
    SELECT c.article_id FROM candidates c JOIN article_text x USING (article_id), phrases
    WHERE list_bool_and(list_transform(phrases.ps, p -> regexp_matches(x.clean_text, phrase_pattern(p))))
),
kept AS MATERIALIZED (
    SELECT h.* FROM hits h, phrases
    WHERE len(phrases.ps) = 0 OR h.article_id IN (SELECT article_id FROM with_phrases)
),
stats AS (SELECT count(*)::DOUBLE AS n_docs, avg(n_tokens)::DOUBLE AS avgdl FROM fact_article),
df AS (SELECT word, count(*)::DOUBLE AS df FROM hits GROUP BY word),
scored AS (
    SELECT k.article_id,
           sum(ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
               * (k.count * 2.2)
               / (k.count + 1.2 * (0.25 + 0.75 * a.n_tokens / stats.avgdl)) ORDER BY k.word) AS score
    FROM kept k JOIN df USING (word) JOIN fact_article a USING (article_id) CROSS JOIN stats
    GROUP BY k.article_id
),
best AS (SELECT article_id, score FROM scored ORDER BY score DESC, article_id LIMIT n)
SELECT b.article_id, b.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM best b JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY b.score DESC, b.article_id;
COMMENT ON MACRO TABLE search IS 'Full-text search ranked by BM25 (k1 = 1.2, b = 0.75) over the term counts: the n best articles for the terms of q (split by search_terms: words, numbers, URLs and e-mail addresses whole; stopwords count, weighted down by their document frequency). A word also matches the hyphenated and possessive terms that contain it (brexit finds post-brexit; term_parts); "quoted phrases" (straight or typographic quotes: “ ” „, or guillemets « », either way round) must appear as written inside one paragraph (case and spacing aside) and their words count in the score. Exact forms: search_stem for every form. Columns: article_id, score, published_date, title (NULL for .txt input in the canonical layout), snippet. Plain SQL, as fresh as fact_article_term; why not the fts extension: docs/search-bm25.md.';
