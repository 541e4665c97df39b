-- Words and phrases typed with the punctuation around them (session 24). Copied from a text, a
-- word comes with what stands beside it: term_trend('oil,', ...), term_trend('"oil"', ...),
-- kwic('(oil)', 40), cooccurring_terms('#oil', 10), term_trend('1.5%', ...) and
-- term_trend('$1.13bn', ...) said "not in the vocabulary" or returned no rows, while search() of
-- the same text found the articles: the loader stores the word without the punctuation (oil, 1.5,
-- 1.13bn), and search splits typed text as the loader does, but term_key kept every character.
-- A phrase the same: kwic('"trade deficit"', 40) and kwic('“trade deficit”', 40) found 0 of the
-- 18 Reuters articles kwic('trade deficit', 40) finds, kwic('trade deficit,', 40) 3 (only where a
-- comma follows). typed_text now also drops the punctuation and symbols at either end of typed
-- text (word_punctuation), as the loader's terms never start or end with them; two things stay:
-- the final dot of a dotted acronym typed with it (U.S., e.g.), and, after a URL, what a stored
-- URL may end with (=, &, #, /, -, +). Inside, nothing changes (opec's, 20-year, 1.5bn, the
-- comma of 'deficit, the'). Every macro that takes a word or a phrase reads it through typed_text
-- (term_key, typed_terms, is_phrase, phrase_body, phrase_pattern), so term_trend, term_trend_by,
-- term_trend_stem, kwic, kwic_stem, cooccurring_terms and search's quoted phrases all answer
-- alike. Plain string functions only (ltrim/rtrim with a character list, no new regular
-- expression: phrase_pattern must stay a constant DuckDB folds, compiled once per query), and
-- phrase_pattern (same pattern as 0019's) reads typed_text once instead of five times: binding the
-- longer typed_text five times in each of kwic's three phrase_pattern calls made kwic ~70 ms slower
-- on Reuters (141 -> 213 ms best of 15; 165 ms now), kwic phrases 168 -> 233 (187 now).
-- And search's scores are the same on every run: BM25 sums each query word's part per article,
-- and DuckDB's parallel sum added them in a varying order, so one search on one warehouse gave
-- scores differing in the 15th digit from run to run (5 of 6 queries over 12 runs on Reuters),
-- and two articles of equal score could change places at the cut. The sum now goes word by word
-- in order (sum(... ORDER BY word)), in search and in search_stem; otherwise they are 0019's
-- and 0009's.
-- Views, macros and comments only: no stored row changes, so this migration makes no day stale.
-- Like every migration, never edited or renumbered once applied.

CREATE MACRO word_punctuation() AS '!"#$%&''()*+,-.:;<=>?@[\]^`{|}~«»“”„‘’‚‹›¿¡—–…·•†‡§¶©®™°¢€£¥₹₽「」『』【】〔〕〈〉《》、。〜 ';
COMMENT ON MACRO word_punctuation IS 'What typed_text drops at either end of typed text: spaces, ASCII punctuation but / and _, typographic quotes, apostrophes and dashes, …, ¿ ¡, currency and other common symbols, CJK brackets and full stops (not the katakana middle dot ・, which the loader keeps in katakana terms and stores alone between other characters). The loader''s terms never start or end with one (but a URL may end with = & # / - + and a dotted acronym ends with its dot: typed_text keeps those).';

CREATE MACRO url_end_punctuation() AS '.,;:!?)]''"<>“”‘’ ';
COMMENT ON MACRO url_end_punctuation IS 'What typed_text drops after typed text that ends in a URL (http://, https://, www.): the characters the loader''s URL pattern never ends a URL with (. , ; : ! ? ) ] quotes), and spaces.';

CREATE OR REPLACE MACRO typed_text(t) AS
list_transform([ltrim(nfc_normalize(trim(regexp_replace(t::VARCHAR, '[\s\p{Z}\x{0B}\x{1C}-\x{1F}\x{85}]+', ' ', 'g'))), word_punctuation())], s ->
    list_transform([CASE WHEN list_transform([lower(string_split(s, ' ')[-1])], u ->
                                  starts_with(u, 'http://') OR starts_with(u, 'https://') OR starts_with(u, 'www.'))[1]
                         THEN rtrim(s, url_end_punctuation())
                         ELSE rtrim(s, word_punctuation()) END], w ->
        -- a dotted acronym at the end (one letter each between dots) typed with its final dot
        list_transform([string_split(w, ' ')[-1]], a ->
            CASE WHEN contains(a, '.') AND NOT contains(a, '..') AND NOT starts_with(a, '.')
                      AND length(a) = 2 * length(replace(a, '.', '')) - 1
                      AND translate(a, '0123456789', '') = a AND upper(a) <> lower(a)
                      AND starts_with(s, w || '.')
                 THEN w || '.' ELSE w END)[1])[1])[1];
COMMENT ON MACRO typed_text IS 'Typed text as the warehouse writes text: every run of spacing (tabs, line breaks, no-break and other Unicode spaces) one space, accents composed (NFC: café typed as e + U+0301 is café), and the punctuation at either end dropped (word_punctuation: ''oil,'', ''"oil"'', ''(oil)'', ''#oil'' are oil, ''$1.13bn'' is 1.13bn, ''1.5%'' is 1.5, ''“trade deficit”'' is trade deficit), but a dotted acronym''s final dot (''(U.S.),'' is U.S.) and, after a URL, what a stored URL may end with (url_end_punctuation). Punctuation inside stays. NFKC compatibility forms are not made (a ligature or a full-width letter stays as typed). term_key, typed_terms, is_phrase and phrase_pattern read what is typed through it.';

COMMENT ON MACRO term_key IS 'A typed word as the loader stores terms (dim_term.term): typed_text (spacing trimmed, accents composed, punctuation at either end dropped: ''oil,'' and ''"oil"'' are oil, ''(U.S.),'' is u.s.), lowercased as Python''s str.lower() does (python_lower: ''İ'' → ''i̇'', a final ''Σ'' → ''ς''; DuckDB''s lower() gives ''i'' and ''σ'') and the typographic apostrophe ’ written '' (it’s and it''s are one term). NFKC compatibility forms are not made (a ligature stays one character). term_key(''(İstanbul’s),'') = ''i̇stanbul''s''. Every macro that takes a word uses it.';

-- the same pattern as 0019's, typed_text read once (p)
CREATE OR REPLACE MACRO phrase_pattern(phrase) AS
list_transform([typed_text(phrase)], p ->
'(?s)^(' ||
CASE WHEN regexp_matches(p, '^[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]') THEN '.*?'
     WHEN regexp_matches(p, '^[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]') THEN '|.*?[^\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]'
     -- one lazy prefix, then any of the edges: the earliest occurrence wins whichever edge it has;
     -- a hyphen or apostrophe after a digit is an edge (20-year: the loader's terms 20 and year, so
     -- year loan is two whole terms in a 20-year loan; checking that the digits are a whole number
     -- made kwic and search phrases 25-40 % slower)
     ELSE '|.*?(?:[^\pL\pN\pM_''’.,:/-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|(?:^|[^\pL\pN\pM_]|\p{Nd})[''’-]|(?:^|[^\p{Nd}])[.,:/])' END
|| ')((?i:' || phrase_body(p) || '))' ||
CASE WHEN regexp_matches(p, '[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]$') THEN ''
     WHEN regexp_matches(p, '[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]$') THEN '(?:$|[^\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])'
     -- a phrase that ends in a number (a 100) or a dotted acronym (the u.s.): a hyphen or an
     -- apostrophe may follow, the loader ends the term there (a 100-mln-dlr loan: a, 100,
     -- mln-dlr, loan; the U.S.-backed rebels: the, u.s., backed, rebels)
     -- (tested on the last typed word with small classes: a \pL class here took ~10 ms to compile,
     -- three times in every kwic)
     WHEN regexp_matches(regexp_extract(p, '[^ ]*$'),
                         '^[$€£¥(\[#+-]*\p{Nd}[^\s''’-]*$|^[^\s.](?:\.[^\s.])+\.$')
     THEN '(?:$|[^\pL\pN\pM_.,:/]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|[.,:/](?:$|[^\p{Nd}]))'
     ELSE '(?:$|[^\pL\pN\pM_''’.,:/-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|[''’-](?:$|[^\pL\pN\pM_])|[.,:/](?:$|[^\p{Nd}]))' END)[1];
COMMENT ON MACRO phrase_pattern IS 'The RE2 pattern that finds the first occurrence of a phrase (read through typed_text: quotes and punctuation at either end dropped) in a clean_text, case-insensitively, as whole terms inside one paragraph: any spacing between its words but not a paragraph break (a headline''s last word and the first word under it are no phrase), either apostrophe (’ or '') where one was typed, not inside a hyphenated or possessive word (''thirds of'' is not in ''two-thirds of'', ''the state'' not in ''the state''s'') nor a number (''39 pct'' is not in ''3.39 pct''), but a number before or after a hyphen, and a dotted acronym before one, is a term of its own, as the loader has it (''year loan'' is in ''a 20-year loan'', ''a 100'' in ''a 100-mln-dlr loan'', ''the u.s.'' in ''the U.S.-backed''). Chinese and Japanese: a Han or hiragana character is a term of its own, so 東京 is found in 東京都, a katakana run is one term (カメラ is not in カメラマン), and where they meet another term any spacing matches, none included (phrase_body). Group 1 is the text before it, group 2 the phrase as written. kwic and search use it. Not handled: a phrase inside a URL or e-mail address is found as if it were text, and a word with a digit before its hyphen (b2-year, one term) is read as split there.';

-- 0019's search, its BM25 sum taken in word order (the same score on every run)
CREATE OR REPLACE MACRO search(q, n) AS TABLE
WITH phrases AS (
    SELECT list_filter(regexp_extract_all(regexp_replace(q::VARCHAR, '[“”„]', '"', 'g'), '"([^"]+)"', 1),
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
COMMENT ON MACRO TABLE search IS 'Full-text search ranked by BM25 (k1 = 1.2, b = 0.75) over the term counts: the n best articles for the terms of q (split by search_terms: words, numbers, URLs and e-mail addresses whole; stopwords count, weighted down by their document frequency). A word also matches the hyphenated and possessive terms that contain it (brexit finds post-brexit; term_parts); "quoted phrases" (straight or typographic quotes: “ ” „) must appear as written inside one paragraph (case and spacing aside) and their words count in the score. Exact forms: search_stem for every form. Columns: article_id, score, published_date, title (NULL for .txt input in the canonical layout), snippet. Plain SQL, as fresh as fact_article_term; why not the fts extension: docs/search-bm25.md.';

-- 0009's search_stem, its BM25 sum taken in word order
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
form_terms AS (SELECT f.word, t.term FROM forms f JOIN dim_term t USING (term_id)),
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
