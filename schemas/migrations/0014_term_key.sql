-- Terms as the loader writes them (issue 15, analyst answers). The loader lowercases with
-- Python's str.lower(); DuckDB's lower() differs from it in two places: 'İ' (U+0130) becomes 'i'
-- (Python: 'i' + U+0307 COMBINING DOT ABOVE) and a final capital sigma becomes 'σ' (Python: 'ς').
-- So term_trend('İstanbul') looked up 'istanbul' while the warehouse holds 'i̇stanbul', and kwic
-- cut the keyword by the stored term's length, one character too long per 'İ'. term_key is the
-- one lowercasing every macro that takes a word now uses. Views, macros and comments only: no
-- stored row changes, so this migration makes no day stale for `backfill --mode stale`. Like
-- every migration, it is never edited or renumbered once applied.

CREATE MACRO term_key(term_text) AS
lower(regexp_replace(replace(term_text::VARCHAR, 'İ', 'i̇'),
    -- Σ is final (ς) after a cased letter and not before one, case-ignorable characters (marks,
    -- modifiers, format characters, apostrophes, . : ·) skipped both ways: Unicode's rule.
    '([\p{Lu}\p{Ll}\p{Lt}][\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]*)Σ([\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]*(?:[^\p{Lu}\p{Ll}\p{Lt}\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]|$))',
    '\1ς\2', 'g'));
COMMENT ON MACRO term_key IS 'A word lowercased as the loader lowercases terms (Python''s str.lower): like lower(), except that ''İ'' becomes ''i̇'' (i + combining dot above), not ''i'', and a capital sigma ending a word becomes ''ς''. NFKC forms are not made (a ligature stays one character). term_key(''İstanbul'') = ''i̇stanbul'', the dim_term.term of that word. Every macro that takes a word uses it.';

CREATE MACRO surface_chars(clean_text, first_offset, term) AS
CASE WHEN term_key(substr(clean_text, first_offset + 1, length(term))) = term THEN length(term)
     ELSE coalesce(list_filter(range(1, length(term)),
                               lambda k: term_key(substr(clean_text, first_offset + 1, k)) = term)[1],
                   length(term)) END;
COMMENT ON MACRO surface_chars IS 'How many characters of clean_text, from the 0-based first_offset, spell term as written (''İstanbul'' is 8 characters, its term ''i̇stanbul'' 9); length(term) when no prefix lowercases to it (a form NFKC changed, e.g. a ligature). kwic and kwic_stem cut the keyword with it.';

CREATE OR REPLACE MACRO search_terms(q) AS
list_distinct(regexp_extract_all(
    -- CJK: every Han ideograph and hiragana is a term, a katakana run is one (spaced out first,
    -- so a word or number next to them stops there); lowercased as the loader does (term_key).
    regexp_replace(term_key(q),
        '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+)',
        ' \1 ', 'g'),
    -- the token pattern of etl.text.tokenize: CJK, dotted acronym, number (with its unit),
    -- word (inner apostrophes and hyphens); punctuation and symbols are not terms
    '[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+|\pL(?:\.\pL)+\.|\p{Nd}+(?:[.,:/]\p{Nd}+)*[\pL\pN\pM_]*|[\pL\pN\pM_]+(?:[''\x{2019}-][\pL\pN\pM_]+)*'
));
COMMENT ON MACRO search_terms IS 'The terms of a text as the loader makes them (dim_term.term): lowercased words with inner apostrophes and hyphens, dotted acronyms (u.s.), numbers with their unit (1.5bn), single CJK characters; no URLs or e-mails. search() splits its query with it.';

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
  AND list_has_any(term_parts(t.term), (SELECT coalesce(list(term), []) FROM forms));
COMMENT ON MACRO TABLE term_forms IS 'Every stored form of a word: terms with the same Snowball stem (in any article''s language; relation form) and hyphenated or possessive terms that contain one of them (relation compound: post-brexit for brexit). What the _stem macros count. Columns: term_id, term, relation.';

CREATE OR REPLACE MACRO term_trend(term_text, start_date, end_date) AS TABLE
WITH known AS (SELECT count(*) AS n FROM dim_term WHERE term = term_key(term_text)),
hits AS (
    SELECT a.published_date, a.articles, a.occurrences
    FROM agg_daily_term a JOIN dim_term t USING (term_id)
    WHERE t.term = term_key(term_text) AND a.published_date BETWEEN start_date::DATE AND end_date::DATE
)
SELECT c.date_key AS day,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) END::BIGINT AS articles,
       CASE WHEN c.has_articles THEN coalesce(h.occurrences, 0) END::BIGINT AS occurrences,
       c.articles AS day_articles,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) / c.articles END AS share,
       CASE WHEN known.n = 0 THEN 'not in the vocabulary'
            WHEN NOT c.has_articles THEN 'no articles this day' END AS note
FROM calendar(start_date, end_date) c CROSS JOIN known
LEFT JOIN hits h ON h.published_date = c.date_key
ORDER BY day;
COMMENT ON MACRO TABLE term_trend IS 'Daily articles and occurrences of one term between two dates, with day_articles (all articles of the day) and share = articles / day_articles. On a day without any article, articles, occurrences and share are NULL (note: no articles this day), not 0; a term the warehouse has never seen says so in note (not in the vocabulary). Columns: day, articles, occurrences, day_articles, share, note.';

CREATE OR REPLACE MACRO cooccurring_terms(term_text, n, min_articles := 3) AS TABLE
WITH docs AS (
    SELECT f.article_id FROM fact_article_term f
    LEFT JOIN boilerplate_term b USING (article_id, term_id)
    WHERE f.term_id IN (SELECT term_id FROM dim_term WHERE term = term_key(term_text))
      AND NOT coalesce(b.only_boilerplate, false)
),
shared AS (
    SELECT * FROM (
        SELECT f.term_id, count(*) AS articles
        FROM fact_article_term f
        LEFT JOIN boilerplate_term b USING (article_id, term_id)
        WHERE f.article_id IN (SELECT article_id FROM docs) AND NOT coalesce(f.is_stopword, false)
          AND NOT coalesce(b.only_boilerplate, false)
        GROUP BY f.term_id
    ) WHERE articles >= min_articles
),
df AS (
    SELECT term_id, sum(articles)::DOUBLE AS df FROM v_daily_content_terms
    WHERE term_id IN (SELECT term_id FROM shared) GROUP BY term_id
),
tot AS (SELECT count(*)::DOUBLE AS n_all, (SELECT count(*) FROM docs)::DOUBLE AS n_x FROM fact_article)
SELECT t.term, s.articles::BIGINT AS articles, df.df::BIGINT AS term_articles,
       s.articles * tot.n_all / (tot.n_x * df.df) AS lift,
       CASE WHEN s.articles = tot.n_all THEN 1.0
            ELSE ln(s.articles * tot.n_all / (tot.n_x * df.df)) / -ln(s.articles / tot.n_all) END AS npmi
FROM shared s JOIN df USING (term_id) JOIN dim_term t USING (term_id) CROSS JOIN tot
WHERE t.term <> term_key(term_text) AND t.term_kind = 'word'
ORDER BY npmi DESC, articles DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE cooccurring_terms IS 'Words associated with a term, by normalised pointwise mutual information over articles: npmi = ln(P(x, y) / (P(x) P(y))) / -ln P(x, y), from 1 (always together) through 0 (independent); only words sharing at least min_articles (default 3) articles with the term, stopwords and boilerplate excluded. lift = P(x, y) / (P(x) P(y)). Columns: term, articles (shared), term_articles (articles with the word), lift, npmi.';

CREATE OR REPLACE MACRO kwic(term_text, width) AS TABLE
WITH hits AS (
    SELECT f.published_date, f.article_id, f.first_offset,
           least(width, f.first_offset) AS n_left, t.term
    FROM dim_term t JOIN fact_article_term f USING (term_id)
    WHERE t.term = term_key(term_text) AND NOT regexp_matches(trim(term_text), '\s')
),
spans AS (  -- the keyword as written: 'İstanbul' is 8 characters, its term 9
    SELECT h.published_date, h.article_id, h.first_offset, h.n_left, x.clean_text,
           surface_chars(x.clean_text, h.first_offset, h.term) AS n_term
    FROM hits h JOIN article_text x USING (article_id)
),
windows AS (
    SELECT published_date, article_id, n_left, n_term,
           substr(clean_text, first_offset + 1 - n_left, n_left + n_term + width) AS w
    FROM spans
),
phrase_words AS (
    SELECT search_terms(term_text) AS pw WHERE regexp_matches(trim(term_text), '\s')
),
candidates AS (
    SELECT f.article_id, any_value(f.published_date) AS published_date
    FROM fact_article_term f
    WHERE f.term_id IN (SELECT term_id FROM dim_term WHERE term IN (SELECT unnest(pw) FROM phrase_words))
    GROUP BY f.article_id HAVING count(*) = (SELECT len(pw) FROM phrase_words)
),
phrase_hits AS (
    SELECT c.published_date, c.article_id,
           regexp_extract(x.clean_text, phrase_pattern(term_text), 1) AS before,
           regexp_extract(x.clean_text, phrase_pattern(term_text), 2) AS keyword, x.clean_text
    FROM candidates c JOIN article_text x USING (article_id)
    WHERE regexp_matches(x.clean_text, phrase_pattern(term_text))
)
SELECT published_date, article_id, substr(w, 1, n_left) AS left_context,
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, width) AS right_context
FROM windows
UNION ALL
SELECT published_date, article_id, right(before, width) AS left_context, keyword,
       substr(clean_text, length(before) + length(keyword) + 1, width) AS right_context
FROM phrase_hits
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic IS 'Keyword in context: the first occurrence of a term, or of a phrase of several words (kwic(''theresa may'', 40): whole words, any case and spacing), in each article, with width characters either side. Columns: published_date, article_id, left_context, keyword, right_context.';

CREATE OR REPLACE MACRO kwic_stem(term_text, width) AS TABLE
WITH forms AS (SELECT term_id, term FROM term_forms(term_text)),
hits AS (
    SELECT f.article_id, any_value(f.published_date) AS published_date,
           min(f.first_offset) AS first_offset, arg_min(fo.term, f.first_offset) AS term
    FROM fact_article_term f JOIN forms fo USING (term_id)
    GROUP BY f.article_id
),
spans AS (
    SELECT h.published_date, h.article_id, h.first_offset, least(width, h.first_offset) AS n_left,
           x.clean_text, surface_chars(x.clean_text, h.first_offset, h.term) AS n_term
    FROM hits h JOIN article_text x USING (article_id)
),
windows AS (
    SELECT published_date, article_id, n_left, n_term,
           substr(clean_text, first_offset + 1 - n_left, n_left + n_term + width) AS w
    FROM spans
)
SELECT published_date, article_id, substr(w, 1, n_left) AS left_context,
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, width) AS right_context
FROM windows
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic_stem IS 'kwic over every form of the word (term_forms): the first occurrence of any form in each article. Columns as kwic.';
