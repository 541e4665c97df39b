-- Answers that said nothing about what they counted (session 26).
-- (1) A word typed with a symbol at either end is looked up without it (0020: typed_text drops
-- the punctuation and symbols at either end, as the loader's terms never start or end with one).
-- For quotes, commas and brackets that is what the analyst means; for a symbol it is another
-- word: term_trend('c++', ...) counted every article with the term c (C++, C#, plain C) and said
-- nothing, as did term_trend('#oil') (the word oil, not the hashtag), term_trend('1.5%') (1.5 in
-- 1.5 billion too) and term_trend('$1.13bn'). The answer stays the stored term's (the loader
-- keeps no + # $ % in a term, so there is no other to give), and now term_trend,
-- term_trend_stem (so term_trend_by too) and cooccurring_terms say in note which term they
-- counted and what was dropped (symbol_note).
-- (2) top_terms and top_terms_stem of a range without articles, or whose articles have no word
-- left to rank, returned no rows, as an empty result of a mistyped range does: now one row whose
-- term (stem) is NULL and whose new note column says why, as distinctive_terms, trending_terms
-- and cooccurring_terms do. Ranked rows have note NULL.
-- (3) Cleaning removes the characters that take no room and show nothing (text-5,
-- etl.text.clean.INVISIBLE: zero-width space, word joiner, BOM, the bidirectional controls, ...),
-- as it removes soft hyphens: inside a word they split it into two terms. typed_text removes the
-- same characters from typed text (invisible_characters), so a word pasted with one
-- (Fortschritt + U+200B) is the stored term.
-- Views, macros and comments only: no stored row changes. The text version (text-5) makes every
-- day loaded before it stale: news-etl backfill --mode stale.
-- Like every migration, never edited or renumbered once applied.

CREATE MACRO invisible_characters() AS
chr(173) || chr(8203) || chr(8288) || chr(8289) || chr(8290) || chr(8291) || chr(8292) || chr(65279)
|| chr(1564) || chr(8206) || chr(8207) || chr(8234) || chr(8235) || chr(8236) || chr(8237) || chr(8238)
|| chr(8294) || chr(8295) || chr(8296) || chr(8297) || chr(8298) || chr(8299) || chr(8300) || chr(8301)
|| chr(8302) || chr(8303);
COMMENT ON MACRO invisible_characters IS 'The characters cleaning removes from the text because they take no room and show nothing (etl.text.clean: the soft hyphen U+00AD and INVISIBLE: zero-width space U+200B, word joiner and invisible operators U+2060-4, BOM U+FEFF, the bidirectional controls U+061C, U+200E-F, U+202A-E, U+2066-9, the deprecated format controls U+206A-F): typed_text removes them from typed text too. The zero-width joiner and non-joiner are not among them.';

CREATE MACRO typed_spacing(t) AS
nfc_normalize(trim(regexp_replace(translate(t::VARCHAR, invisible_characters(), ''), '[\s\p{Z}\x{0B}\x{1C}-\x{1F}\x{85}]+', ' ', 'g')));
COMMENT ON MACRO typed_spacing IS 'The first step of typed_text: the invisible characters cleaning removes (invisible_characters) removed, every run of spacing (tabs, line breaks, no-break and other Unicode spaces) one space, the ends trimmed, accents composed (NFC).';

-- 0020's typed_text, its first step typed_spacing (invisible characters removed)
CREATE OR REPLACE MACRO typed_text(t) AS
list_transform([ltrim(typed_spacing(t), word_punctuation())], s ->
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
COMMENT ON MACRO typed_text IS 'Typed text as the warehouse writes text: the invisible characters cleaning removes dropped (invisible_characters: a word pasted with a zero-width space is the word), every run of spacing (tabs, line breaks, no-break and other Unicode spaces) one space, accents composed (NFC: café typed as e + U+0301 is café), and the punctuation at either end dropped (word_punctuation: ''oil,'', ''"oil"'', ''(oil)'', ''#oil'' are oil, ''$1.13bn'' is 1.13bn, ''1.5%'' is 1.5, ''“trade deficit”'' is trade deficit), but a dotted acronym''s final dot (''(U.S.),'' is U.S.) and, after a URL, what a stored URL may end with (url_end_punctuation). Punctuation inside stays. NFKC compatibility forms are not made (a ligature or a full-width letter stays as typed). term_key, typed_terms, is_phrase and phrase_pattern read what is typed through it; a dropped symbol is named by dropped_symbols.';

COMMENT ON COLUMN article_text.clean_text IS 'NFKC, control characters and the invisible characters that show nothing removed (soft hyphens, zero-width spaces, BOMs, bidirectional controls: invisible_characters; since text-5), whitespace normalised, paragraphs separated by a blank line';

CREATE MACRO typed_symbols() AS '#$%&*+<=>@\^|~†‡§¶°¢€£¥₹₽';
COMMENT ON MACRO typed_symbols IS 'The characters of word_punctuation that change what a word means (c++, c#, #oil, 1.5%, $1.13bn, @user, 5°): typed_text drops them at either end like any punctuation, and symbol_note says so. Quotes, brackets, dashes and sentence punctuation are not among them: ''"oil",'' is simply oil.';

CREATE MACRO dropped_symbols(t) AS
-- typed_text's steps without its other regular expressions (each expansion compiles them again):
-- what ltrim drops before the text, then what rtrim drops after it, but nothing after a URL
-- (typed_text keeps the symbols a stored URL may end with: = & # + -)
list_transform([typed_spacing(t)], raw ->
    list_transform([ltrim(raw, word_punctuation())], rest ->
        list_transform([left(raw, length(raw) - length(rest))
                        || CASE WHEN list_transform([lower(string_split(rest, ' ')[-1])], u ->
                                         starts_with(u, 'http://') OR starts_with(u, 'https://') OR starts_with(u, 'www.'))[1]
                                THEN ''
                                ELSE right(rest, length(rest) - length(rtrim(rest, word_punctuation()))) END], d ->
            translate(d, translate(d, typed_symbols(), ''), ''))[1])[1])[1];
COMMENT ON MACRO dropped_symbols IS 'The symbols (typed_symbols) that typed_text dropped at either end of typed text, in the order typed: dropped_symbols(''c++'') = ''++'', dropped_symbols(''(#oil),'') = ''#'', dropped_symbols(''oil,'') = '''' (punctuation, not a symbol).';

CREATE MACRO symbol_note(t, k) AS
list_transform([dropped_symbols(t)], d ->
    CASE WHEN d <> '' THEN 'the term ' || k || ': terms never start or end with a symbol ('
                           || d || ' dropped)' END)[1];
COMMENT ON MACRO symbol_note IS 'The note of a macro that took typed text t as the term k (term_key(t)) after dropping a symbol at either end (dropped_symbols): ''the term c: terms never start or end with a symbol (++ dropped)''; NULL when no symbol was dropped.';

CREATE OR REPLACE MACRO term_trend(term_text, start_date, end_date) AS TABLE
WITH typed AS (  -- each once: every expansion of these compiles their regexes again
    SELECT k, is_phrase(term_text) AS phrase, len(typed_terms(term_text)) AS n_terms,
           symbol_note(term_text, k) AS symbols
    FROM (SELECT term_key(term_text) AS k)
),
known AS (SELECT count(*) AS n FROM dim_term WHERE term = (SELECT k FROM typed)),
hits AS (
    SELECT a.published_date, a.articles, a.occurrences
    FROM agg_daily_term a JOIN dim_term t USING (term_id)
    WHERE t.term = (SELECT k FROM typed) AND a.published_date BETWEEN start_date::DATE AND end_date::DATE
)
SELECT c.date_key AS day,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) END::BIGINT AS articles,
       CASE WHEN c.has_articles THEN coalesce(h.occurrences, 0) END::BIGINT AS occurrences,
       c.articles AS day_articles,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) / c.articles END AS share,
       CASE WHEN known.n = 0 AND typed.phrase AND typed.n_terms > 1
            THEN 'not one term: ' || typed.n_terms || ' terms (typed_terms); kwic and search find a phrase'
            WHEN known.n = 0 THEN 'not in the vocabulary'
            WHEN NOT c.has_articles THEN 'no articles this day'
            ELSE typed.symbols END AS note
FROM calendar(start_date, end_date) c CROSS JOIN known CROSS JOIN typed
LEFT JOIN hits h ON h.published_date = c.date_key
ORDER BY day;
COMMENT ON MACRO TABLE term_trend IS 'Daily articles and occurrences of one term between two dates, with day_articles (all articles of the day) and share = articles / day_articles. On a day without any article, articles, occurrences and share are NULL (note: no articles this day), not 0; a term the warehouse has never seen says so in note (not in the vocabulary), and so does typed text that is several terms (not one term: theresa may, 東京, which the loader stores as 東 and 京). Typed with a symbol at either end (c++, #oil, 1.5%), the term without it is counted and note says so on every day with articles (symbol_note: the term c ..., ++ dropped). Columns: day, articles, occurrences, day_articles, share, note.';

CREATE OR REPLACE MACRO term_trend_stem(term_text, start_date, end_date) AS TABLE
WITH forms AS (SELECT term_id FROM term_forms(term_text)),
hits AS (
    SELECT published_date, count(DISTINCT article_id) AS articles, sum(count) AS occurrences
    FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM forms)
      AND published_date BETWEEN start_date::DATE AND end_date::DATE
    GROUP BY published_date
),
known AS (SELECT count(*) AS n, symbol_note(term_text, term_key(term_text)) AS symbols FROM forms)
SELECT c.date_key AS day,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) END::BIGINT AS articles,
       CASE WHEN c.has_articles THEN coalesce(h.occurrences, 0) END::BIGINT AS occurrences,
       c.articles AS day_articles,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) / c.articles END AS share,
       -- spacing inside, not is_phrase: its token pattern would cost ~90 ms of regex compiling
       CASE WHEN known.n = 0 AND contains(typed_text(term_text), ' ')
            THEN 'not one term: typed text with spacing inside; kwic and search find a phrase'
            WHEN known.n = 0 THEN 'not in the vocabulary'
            WHEN NOT c.has_articles THEN 'no articles this day'
            ELSE known.symbols END AS note
FROM calendar(start_date, end_date) c CROSS JOIN known
LEFT JOIN hits h ON h.published_date = c.date_key
ORDER BY day;
COMMENT ON MACRO TABLE term_trend_stem IS 'term_trend over every form of the word (term_forms: same stem, possessives, hyphenated compounds): articles that contain any form, their occurrences. Same columns and NULL rule as term_trend; notes: not in the vocabulary, not one term (typed text with spacing inside; 東京 typed without spaces says not in the vocabulary here), and the term counted when a symbol at either end was dropped (symbol_note).';

CREATE OR REPLACE MACRO cooccurring_terms(term_text, n, min_articles := 3) AS TABLE
WITH typed AS (  -- once: each term_key compiles its regexes
    SELECT k, symbol_note(term_text, k) AS symbols FROM (SELECT term_key(term_text) AS k)
),
known AS (SELECT term_id FROM dim_term WHERE term = (SELECT k FROM typed)),
docs AS (
    SELECT f.article_id FROM fact_article_term f
    LEFT JOIN boilerplate_term b USING (article_id, term_id)
    WHERE f.term_id IN (SELECT term_id FROM known)
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
    ) WHERE articles >= greatest(min_articles, 1)
),
df AS (
    SELECT term_id, sum(articles)::DOUBLE AS df FROM v_daily_content_terms
    WHERE term_id IN (SELECT term_id FROM shared) GROUP BY term_id
),
tot AS (SELECT count(*)::DOUBLE AS n_all, (SELECT count(*) FROM docs)::DOUBLE AS n_x FROM fact_article),
ranked AS (
    SELECT t.term, s.articles::BIGINT AS articles, df.df::BIGINT AS term_articles,
           s.articles * tot.n_all / (tot.n_x * df.df) AS lift,
           CASE WHEN s.articles = tot.n_all THEN 1.0
                ELSE ln(s.articles * tot.n_all / (tot.n_x * df.df)) / -ln(s.articles / tot.n_all) END AS npmi,
           typed.symbols AS note
    FROM shared s JOIN df USING (term_id) JOIN dim_term t USING (term_id) CROSS JOIN tot CROSS JOIN typed
    WHERE t.term_id NOT IN (SELECT term_id FROM known) AND t.term_kind = 'word'
),
why AS (
    SELECT NULL::VARCHAR, NULL::BIGINT, NULL::BIGINT, NULL::DOUBLE, NULL::DOUBLE,
           CASE WHEN NOT EXISTS (SELECT 1 FROM known)
                -- spacing inside, not is_phrase: its token pattern would cost this macro ~90 ms
                -- of regex compiling per query, for a note
                THEN CASE WHEN contains(typed_text(term_text), ' ')
                          THEN 'not one term: typed text with spacing inside; kwic and search find a phrase'
                          ELSE 'not in the vocabulary' END
                WHEN tot.n_x = 0 THEN 'only in boilerplate lines: no article counts for it'
                ELSE 'no word shares at least ' || greatest(min_articles, 1) || ' of its '
                     || tot.n_x::BIGINT || ' articles'
           END
    FROM tot WHERE NOT EXISTS (SELECT 1 FROM ranked)
)
SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM why)
ORDER BY npmi DESC NULLS LAST, articles DESC, term
LIMIT n;
COMMENT ON MACRO TABLE cooccurring_terms IS 'Words associated with a term, by normalised pointwise mutual information over articles: npmi = ln(P(x, y) / (P(x) P(y))) / -ln P(x, y), from 1 (always together) through 0 (independent); only words sharing at least min_articles (default 3; NULL counts as 1) articles with the term, stopwords and boilerplate excluded. lift = P(x, y) / (P(x) P(y)). A term the warehouse has never seen, typed text with spacing inside (not one term), or no word reaching min_articles: one row whose term is NULL and whose note says which. Typed with a symbol at either end (c++, #oil), the words of the term without it, each row''s note saying so (symbol_note); otherwise note is NULL on ranked rows. Columns: term, articles (shared), term_articles (articles with the word), lift, npmi, note.';

CREATE MACRO empty_ranking_note(start_date, end_date) AS
CASE WHEN NOT EXISTS (SELECT 1 FROM fact_article
                      WHERE published_date BETWEEN start_date::DATE AND end_date::DATE)
     THEN 'no articles between ' || start_date::DATE || ' and ' || end_date::DATE
     ELSE 'no word to rank: the articles between ' || start_date::DATE || ' and ' || end_date::DATE
          || ' have only stopwords, numbers, URLs and boilerplate lines' END;
COMMENT ON MACRO empty_ranking_note IS 'Why top_terms or top_terms_stem has nothing to rank between two dates: no articles, or articles with no word left once stopwords, boilerplate lines, numbers, URLs and e-mail addresses are left out.';

CREATE OR REPLACE MACRO top_terms(start_date, end_date, n) AS TABLE
WITH ranked AS MATERIALIZED (
    SELECT t.term, sum(c.occurrences)::BIGINT AS occurrences, sum(c.articles)::BIGINT AS articles,
           NULL::VARCHAR AS note
    FROM v_daily_content_terms c JOIN dim_term t USING (term_id)
    WHERE c.published_date BETWEEN start_date::DATE AND (SELECT checked_end(start_date, end_date)) AND t.term_kind = 'word'
    GROUP BY t.term
    HAVING sum(c.occurrences) > 0
    ORDER BY occurrences DESC, t.term
    LIMIT n
),
why AS (
    SELECT NULL::VARCHAR, NULL::BIGINT, NULL::BIGINT, empty_ranking_note(start_date, end_date)
    WHERE NOT EXISTS (SELECT 1 FROM ranked)
)
SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM why)
ORDER BY occurrences DESC NULLS LAST, term
LIMIT n;
COMMENT ON MACRO TABLE top_terms IS 'The n most frequent words between two dates, stopwords (of each article''s language) and boilerplate lines (boilerplate_line) excluded. No article in the range, or no word left to rank: one row whose term is NULL and whose note says which (empty_ranking_note); note is NULL on ranked rows. Columns: term, occurrences, articles, note.';

CREATE OR REPLACE MACRO top_terms_stem(start_date, end_date, n) AS TABLE
WITH rows AS MATERIALIZED (
    SELECT f.article_id, f.stem_id, f.term_id, f.count - coalesce(b.count, 0) AS count
    FROM fact_article_term f
    LEFT JOIN boilerplate_term b USING (article_id, term_id)
    WHERE f.published_date BETWEEN start_date::DATE AND (SELECT checked_end(start_date, end_date))
      AND NOT coalesce(f.is_stopword, false) AND f.stem_id IS NOT NULL
      AND f.term_id IN (SELECT term_id FROM dim_term WHERE term_kind = 'word')
      AND f.count > coalesce(b.count, 0)
),
stems AS MATERIALIZED (
    SELECT stem_id, sum(count) AS occurrences, count(DISTINCT article_id) AS articles
    FROM rows GROUP BY stem_id
    QUALIFY rank() OVER (ORDER BY occurrences DESC) <= n  -- ties at the cut stay: the order below decides
),
forms AS (
    SELECT r.stem_id, t.term, sum(r.count) AS occ
    FROM rows r JOIN dim_term t USING (term_id) WHERE r.stem_id IN (SELECT stem_id FROM stems)
    GROUP BY ALL
),
ranked AS (
    SELECT s.stem, s.language_code, list(f.term ORDER BY f.occ DESC, f.term) AS forms,
           st.occurrences::BIGINT AS occurrences, st.articles::BIGINT AS articles, NULL::VARCHAR AS note
    FROM stems st JOIN dim_stem s USING (stem_id) JOIN forms f USING (stem_id)
    GROUP BY s.stem, s.language_code, st.occurrences, st.articles
),
why AS (
    SELECT NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR[], NULL::BIGINT, NULL::BIGINT,
           empty_ranking_note(start_date, end_date)
    WHERE NOT EXISTS (SELECT 1 FROM stems)
)
SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM why)
ORDER BY occurrences DESC NULLS LAST, stem, language_code
LIMIT n;
COMMENT ON MACRO TABLE top_terms_stem IS 'top_terms by stem: the n most frequent Snowball stems between two dates, with their forms (most frequent first) and the articles that contain any of them; stopwords and boilerplate excluded. No article in the range, or no word left to rank: one row whose stem is NULL and whose note says which (empty_ranking_note); note is NULL on ranked rows. Columns: stem, language_code, forms, occurrences, articles, note.';
