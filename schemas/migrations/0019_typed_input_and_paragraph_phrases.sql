-- What analysts type, phrases inside one paragraph, the calendar of an empty warehouse, and
-- trending_terms' silent NULL notes (session 23's audit of every macro against a second,
-- independent computation over the base tables, on the Reuters and on a mixed corpus warehouse;
-- the rankings, trends, views, kwic, search and the _stem twins agreed row by row, except here).
-- * A URL or an e-mail address typed into search, search_stem or a kwic phrase was split into
--   its pieces (www, arsenal, com), which the loader never makes: search('www.arsenal.com')
--   ranked Arsenal match reports that do not contain it and missed the article that does;
--   search('"https://doi.org/qbrm"') and kwic('website www.arsenal.com', 20) found nothing in the
--   articles that have them. typed_terms now has the loader's URL and e-mail alternatives first
--   (etl.text.grammar), and folds the apostrophe after splitting, as the loader does.
-- * Typed text that is not written as the warehouse writes it was not found: a decomposed
--   accent (café as e + U+0301, what macOS and some PDFs give) said "not in the vocabulary"; a
--   tab, line break or no-break space (copied from a page or a notebook) made term_trend('oil
--   ', ...) unknown, kwic('oil\n', 40) a phrase that found 3 of 177 articles, and kwic('trade
--   <no-break space>deficit') nothing. typed_text (new) makes any run of Unicode spacing one space,
--   trims and composes (NFC); term_key, typed_terms, is_phrase, phrase_body and phrase_pattern
--   read typed text through it.
-- * A phrase ran across a paragraph break: kwic('profit quarterly') found the BBC headline "...
--   Time Warner profit" and the first word of the story under it. Between a phrase's words the
--   pattern now takes spacing inside one paragraph only (clean_text parts paragraphs with a blank
--   line and has no other line break).
-- * A phrase missed whole terms next to a number's or an acronym's hyphen: the loader splits
--   20-year into 20 and year and U.S.-backed into u.s. and backed, but the pattern took every
--   hyphen as inside a word, so kwic('year bonds') found 0 of 3 Reuters articles, kwic('a 100')
--   20 of 22, kwic('the U.S.') 273 of 276 (counted on the clean text with the loader's tokenizer).
--   The start may now follow a hyphen or an apostrophe after a digit, and a phrase ending in a
--   number or a dotted acronym may be followed by a hyphen or an apostrophe.
-- * search read only straight quotes as phrase quotes: “trade deficit” (typographic quotes, as
--   word processors and phones type them) searched its words apart. “ ” and „ now quote too.
-- * v_calendar (and warehouse/queries/days_without_articles.sql) raised "a date range needs two
--   dates, got NULL .. NULL" on a warehouse without articles; it now has no rows.
-- * trending_terms with a NULL day or baseline_days returned its one "why" row with note NULL,
--   and min_articles := NULL a note "no word is in at least  articles" made NULL (so did
--   distinctive_terms'): the notes say why now (NULL min_articles counts as 1, as the rankings
--   already did).
-- * cooccurring_terms of a word the warehouse has never seen (a typo: 'cocao'), of a phrase, or
--   of a word with no associate reaching min_articles returned no rows, the same empty answer for
--   all three; min_articles := NULL returned none at all. It now gives one row whose term is NULL
--   and whose note (a new last column) says which, as trending_terms and distinctive_terms do,
--   and a NULL min_articles counts as 1. term_trend_stem of a phrase said "not in the
--   vocabulary"; it now says "not one term" like term_trend (for typed text with spacing inside:
--   is_phrase's Chinese and Japanese test needs the token pattern, whose compiling would make
--   these two macros three times slower).
-- * term_trend and kwic answer as before, faster: the typed word is keyed once (term_key,
--   is_phrase and typed_terms were expanded up to five times, each compiling its regexes:
--   term_trend ~100 -> ~65 ms on Reuters, kwic ~120 -> ~110 ms, which also pays for the
--   typed_text step added to each).
-- Views, macros and comments only: no stored row changes, so this migration makes no day stale.
-- Like every migration, never edited or renumbered once applied.

CREATE MACRO typed_text(t) AS
nfc_normalize(trim(regexp_replace(t::VARCHAR, '[\s\p{Z}\x{0B}\x{1C}-\x{1F}\x{85}]+', ' ', 'g')));
COMMENT ON MACRO typed_text IS 'Typed text as the warehouse writes text: every run of spacing (tabs, line breaks, no-break and other Unicode spaces) one space, trimmed, accents composed (NFC: café typed as e + U+0301 is café). NFKC compatibility forms are not made (a ligature or a full-width letter stays as typed). term_key, typed_terms, is_phrase and phrase_pattern read what is typed through it.';

CREATE OR REPLACE MACRO term_key(term_text) AS
replace(nfc_normalize(python_lower(typed_text(term_text))), '’', '''');
COMMENT ON MACRO term_key IS 'A typed word as the loader stores terms (dim_term.term): typed_text (spacing trimmed, accents composed), lowercased as Python''s str.lower() does (python_lower: ''İ'' → ''i̇'', a final ''Σ'' → ''ς''; DuckDB''s lower() gives ''i'' and ''σ'') and the typographic apostrophe ’ written '' (it’s and it''s are one term). NFKC compatibility forms are not made (a ligature stays one character). term_key(''İstanbul’s'') = ''i̇stanbul''s''. Every macro that takes a word uses it.';

CREATE OR REPLACE MACRO typed_terms(q) AS
list_transform(regexp_extract_all(
    -- CJK: every Han ideograph and hiragana is a term, a katakana run is one (spaced out first,
    -- so a word or number next to them stops there); lowercased as the loader does (term_key),
    -- the apostrophe folded after the split, as the loader folds it in each term.
    regexp_replace(nfc_normalize(python_lower(typed_text(q))),
        '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+)',
        ' \1 ', 'g'),
    -- the token pattern of etl.text.grammar: URL (http://, https://, www.; not ending in
    -- punctuation), e-mail (its letters those of the Latin, Greek and Cyrillic blocks: \pL
    -- classes would take milliseconds to compile in every macro that splits typed text), CJK,
    -- dotted acronym, number (with its unit), word (inner apostrophes and hyphens); punctuation
    -- and symbols are not terms
    '(?:https?://(?:[^\s<>"“”‘’]*[^\s<>"“”‘’.,;:!?)\]''])?|www\.[^\s<>"“”‘’]*[^\s<>"“”‘’.,;:!?)\]''])|[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}.%+-]+@[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}-]+(?:\.[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}-]+)+|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+|\pL(?:\.\pL)+\.|\p{Nd}+(?:[.,:/]\p{Nd}+)*[\pL\pN\pM_]*|[\pL\pN\pM_]+(?:[''\x{2019}-][\pL\pN\pM_]+)*'
), x -> replace(x, '’', ''''));
COMMENT ON MACRO typed_terms IS 'The terms of a text as the loader makes them, in order and with repeats (纷纷 is 纷 and 纷): URLs (http://, https://, www.) and e-mail addresses whole, as the loader stores them, then words, numbers, dotted acronyms and CJK characters; search_terms without duplicates removed. is_phrase counts them. Not handled: a URL or e-mail address with Chinese or Japanese characters in it is cut at them, and an e-mail address with letters of other scripts (Arabic, Hebrew, Devanagari, ...) is split into words.';
COMMENT ON MACRO search_terms IS 'The terms of a text as the loader makes them (dim_term.term): URLs and e-mail addresses whole, lowercased words with inner apostrophes and hyphens (’ written ''), dotted acronyms (u.s.), numbers with their unit (1.5bn), single CJK characters; each once (typed_terms keeps repeats). search() splits its query with it.';

CREATE OR REPLACE MACRO is_phrase(term_text) AS
contains(typed_text(term_text), ' ')
OR (regexp_matches(typed_text(term_text), '[' || cjk_class() || ']')
    AND len(typed_terms(term_text)) > 1
    AND NOT regexp_matches(typed_text(term_text), '^(?i:https?://|www\.)|@'));
COMMENT ON MACRO is_phrase IS 'Whether typed text is several terms to find together (a phrase): it has spacing inside (typed_text: a tab, line break or no-break space counts), or it is Chinese or Japanese that the loader stores as several terms (東京 is 東 and 京, 纷纷 is 纷 twice), not a URL or e-mail address (stored whole). kwic takes a phrase through phrase_pattern; term_trend says it is not one term.';

CREATE OR REPLACE MACRO phrase_body(phrase) AS
-- 1. the typed text as typed_text makes it (any run of spacing one space, trimmed, NFC); 2. where
-- Chinese or Japanese meets another term (a Han or hiragana character on either side, or a
-- katakana run beside anything but katakana), the space or the join becomes U+E000, chr(57344)
-- (each pattern twice: the matches of one pass cannot overlap, so the second takes the pairs the
-- first skipped); 3. RE2 metacharacters escaped; 4. either apostrophe for one typed; 5. a space
-- is [^\S\n]+, U+E000 is [^\S\n]* (spacing inside one paragraph, none included for U+E000: a
-- clean_text's paragraphs are apart by a blank line, and a phrase does not run from one into the
-- next). Only regexp_replace, replace and nfc_normalize on the typed text: DuckDB folds the whole
-- pattern to a constant, so a query compiles it once.
replace(replace(replace(replace(
  regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      typed_text(replace(phrase::VARCHAR, chr(57344), ' ')),
      '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]) (\S)|(\S) ([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}])|([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]) ([^\s\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])|([^\s\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]) ([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])',
      '\1\3\5\7' || chr(57344) || '\2\4\6\8', 'g'),
      '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]) (\S)|(\S) ([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}])|([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]) ([^\s\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])|([^\s\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]) ([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])',
      '\1\3\5\7' || chr(57344) || '\2\4\6\8', 'g'),
      '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}])([^\s\x{E000}])|([^\s\x{E000}])([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}])|([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])([^\s\x{E000}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])|([^\s\x{E000}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])',
      '\1\3\5\7' || chr(57344) || '\2\4\6\8', 'g'),
      '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}])([^\s\x{E000}])|([^\s\x{E000}])([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}])|([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])([^\s\x{E000}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])|([^\s\x{E000}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])([\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])',
      '\1\3\5\7' || chr(57344) || '\2\4\6\8', 'g'),
    '([.^$*+?()\[\]{}|\\])', '\\\1', 'g'),
  '’', ''''), '''', '[''’]'),
  ' ', '[^\S\n]+'),
  chr(57344), '[^\S\n]*');
COMMENT ON MACRO phrase_body IS 'The middle of phrase_pattern: the typed phrase (typed_text) with RE2 metacharacters escaped, either apostrophe for one typed, spacing inside one paragraph for typed spacing between words (a phrase does not run across a paragraph break), and any spacing inside the paragraph, none included, wherever Chinese or Japanese meets another term, typed spacing or not; two katakana runs still need a space (ソニー グループ is not the one term ソニーグループ).';

CREATE OR REPLACE MACRO phrase_pattern(phrase) AS
'(?s)^(' ||
CASE WHEN regexp_matches(typed_text(phrase), '^[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]') THEN '.*?'
     WHEN regexp_matches(typed_text(phrase), '^[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]') THEN '|.*?[^\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]'
     -- one lazy prefix, then any of the edges: the earliest occurrence wins whichever edge it has;
     -- a hyphen or apostrophe after a digit is an edge (20-year: the loader's terms 20 and year, so
     -- year loan is two whole terms in a 20-year loan; checking that the digits are a whole number
     -- made kwic and search phrases 25-40 % slower)
     ELSE '|.*?(?:[^\pL\pN\pM_''’.,:/-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|(?:^|[^\pL\pN\pM_]|\p{Nd})[''’-]|(?:^|[^\p{Nd}])[.,:/])' END
|| ')((?i:' || phrase_body(phrase) || '))' ||
CASE WHEN regexp_matches(typed_text(phrase), '[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]$') THEN ''
     WHEN regexp_matches(typed_text(phrase), '[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]$') THEN '(?:$|[^\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])'
     -- a phrase that ends in a number (a 100) or a dotted acronym (the u.s.): a hyphen or an
     -- apostrophe may follow, the loader ends the term there (a 100-mln-dlr loan: a, 100,
     -- mln-dlr, loan; the U.S.-backed rebels: the, u.s., backed, rebels)
     -- (tested on the last typed word with small classes: a \pL class here took ~10 ms to compile,
     -- three times in every kwic)
     WHEN regexp_matches(regexp_extract(typed_text(phrase), '[^ ]*$'),
                         '^[$€£¥(\[#+-]*\p{Nd}[^\s''’-]*$|^[^\s.](?:\.[^\s.])+\.$')
     THEN '(?:$|[^\pL\pN\pM_.,:/]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|[.,:/](?:$|[^\p{Nd}]))'
     ELSE '(?:$|[^\pL\pN\pM_''’.,:/-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|[''’-](?:$|[^\pL\pN\pM_])|[.,:/](?:$|[^\p{Nd}]))' END;
COMMENT ON MACRO phrase_pattern IS 'The RE2 pattern that finds the first occurrence of a phrase in a clean_text, case-insensitively, as whole terms inside one paragraph: any spacing between its words but not a paragraph break (a headline''s last word and the first word under it are no phrase), either apostrophe (’ or '') where one was typed, not inside a hyphenated or possessive word (''thirds of'' is not in ''two-thirds of'', ''the state'' not in ''the state''s'') nor a number (''39 pct'' is not in ''3.39 pct''), but a number before or after a hyphen, and a dotted acronym before one, is a term of its own, as the loader has it (''year loan'' is in ''a 20-year loan'', ''a 100'' in ''a 100-mln-dlr loan'', ''the u.s.'' in ''the U.S.-backed''). Chinese and Japanese: a Han or hiragana character is a term of its own, so 東京 is found in 東京都, a katakana run is one term (カメラ is not in カメラマン), and where they meet another term any spacing matches, none included (phrase_body). Group 1 is the text before it, group 2 the phrase as written. kwic and search use it. Not handled: a phrase inside a URL or e-mail address is found as if it were text, and a word with a digit before its hyphen (b2-year, one term) is read as split there.';

-- kwic, same answers, keyed once (as term_trend below): term_key, is_phrase and search_terms were
-- expanded twice or three times, each compiling its regexes.
CREATE OR REPLACE MACRO kwic(term_text, width) AS TABLE
WITH typed AS (  -- each once: every expansion of these compiles their regexes again
    SELECT term_key(term_text) AS k, is_phrase(term_text) AS phrase, search_terms(term_text) AS pw
),
hits AS (
    SELECT f.published_date, f.article_id, f.first_offset,
           least(greatest(coalesce(width, 0), 0), f.first_offset) AS n_left, t.term
    FROM dim_term t JOIN fact_article_term f USING (term_id)
    WHERE t.term = (SELECT k FROM typed) AND NOT (SELECT phrase FROM typed)
),
spans AS (  -- the keyword as written: 'İstanbul' is 8 characters, its term 9
    SELECT h.published_date, h.article_id, h.first_offset, h.n_left, x.clean_text,
           surface_chars(x.clean_text, h.first_offset, h.term) AS n_term
    FROM hits h JOIN article_text x USING (article_id)
),
windows AS (
    SELECT published_date, article_id, n_left, n_term,
           substr(clean_text, first_offset + 1 - n_left, n_left + n_term + greatest(coalesce(width, 0), 0)) AS w
    FROM spans
),
phrase_words AS (SELECT pw FROM typed WHERE phrase),
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
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, greatest(coalesce(width, 0), 0)) AS right_context
FROM windows
UNION ALL
SELECT published_date, article_id, right(before, greatest(coalesce(width, 0), 0)) AS left_context, keyword,
       substr(clean_text, length(before) + length(keyword) + 1, greatest(coalesce(width, 0), 0)) AS right_context
FROM phrase_hits
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic IS 'Keyword in context: the first occurrence of a term, or of a phrase of several terms (kwic(''theresa may'', 40), kwic(''東京'', 10), kwic(''website www.arsenal.com'', 40): whole terms inside one paragraph, any case and spacing, either apostrophe; is_phrase), in each article, with width characters either side (a negative or NULL width counts as 0). Columns: published_date, article_id, left_context, keyword, right_context.';

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
               / (k.count + 1.2 * (0.25 + 0.75 * a.n_tokens / stats.avgdl))) AS score
    FROM kept k JOIN df USING (word) JOIN fact_article a USING (article_id) CROSS JOIN stats
    GROUP BY k.article_id
),
best AS (SELECT article_id, score FROM scored ORDER BY score DESC, article_id LIMIT n)
SELECT b.article_id, b.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM best b JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY b.score DESC, b.article_id;
COMMENT ON MACRO TABLE search IS 'Full-text search ranked by BM25 (k1 = 1.2, b = 0.75) over the term counts: the n best articles for the terms of q (split by search_terms: words, numbers, URLs and e-mail addresses whole; stopwords count, weighted down by their document frequency). A word also matches the hyphenated and possessive terms that contain it (brexit finds post-brexit; term_parts); "quoted phrases" (straight or typographic quotes: “ ” „) must appear as written inside one paragraph (case and spacing aside) and their words count in the score. Exact forms: search_stem for every form. Columns: article_id, score, published_date, title (NULL for .txt input in the canonical layout), snippet. Plain SQL, as fresh as fact_article_term; why not the fts extension: docs/search-bm25.md.';

CREATE OR REPLACE VIEW v_calendar AS
SELECT c.* FROM (
    SELECT min(published_date) AS s, max(published_date) AS e FROM fact_article HAVING count(*) > 0
) b,
LATERAL (SELECT * FROM calendar(b.s, b.e)) c;
COMMENT ON VIEW v_calendar IS 'The full calendar from the first to the last published_date, days without articles included (articles = 0); no rows while the warehouse has no article. Grain: one row per day. Key: date_key.';
COMMENT ON COLUMN v_calendar.date_key IS 'the day';
COMMENT ON COLUMN v_calendar.year IS 'calendar year';
COMMENT ON COLUMN v_calendar.quarter IS 'quarter, 1..4';
COMMENT ON COLUMN v_calendar.month IS 'month, 1..12';
COMMENT ON COLUMN v_calendar.day IS 'day of the month';
COMMENT ON COLUMN v_calendar.day_of_week IS 'ISO: Monday = 1 .. Sunday = 7';
COMMENT ON COLUMN v_calendar.day_name IS 'English weekday name';
COMMENT ON COLUMN v_calendar.iso_year IS 'ISO-8601 week-numbering year';
COMMENT ON COLUMN v_calendar.iso_week IS 'ISO-8601 week number';
COMMENT ON COLUMN v_calendar.is_weekend IS 'Saturday or Sunday';
COMMENT ON COLUMN v_calendar.week_start IS 'the Monday of the day''s ISO week (group by it for weekly figures)';
COMMENT ON COLUMN v_calendar.month_start IS 'the first day of the month (group by it for monthly figures)';
COMMENT ON COLUMN v_calendar.articles IS 'articles published that day (0 when none)';
COMMENT ON COLUMN v_calendar.has_articles IS 'whether the warehouse has any article of that day';

CREATE OR REPLACE MACRO trending_terms(day, baseline_days, n, min_articles := 3) AS TABLE
WITH tot AS (
    SELECT count(*) FILTER (WHERE published_date = day::DATE) AS n_day,
           count(*) FILTER (WHERE published_date >= day::DATE - baseline_days::INTEGER
                              AND published_date < day::DATE) AS n_base
    FROM fact_article
    WHERE published_date BETWEEN day::DATE - greatest(baseline_days::INTEGER, 0) AND day::DATE
),
today AS (
    SELECT c.term_id, c.articles FROM v_daily_content_terms c JOIN dim_term t USING (term_id)
    WHERE c.published_date = day::DATE AND c.articles >= greatest(min_articles, 1) AND t.term_kind = 'word'
),
base AS (
    SELECT term_id, sum(articles) AS articles FROM v_daily_content_terms
    WHERE published_date >= day::DATE - baseline_days::INTEGER AND published_date < day::DATE
      AND term_id IN (SELECT term_id FROM today)
    GROUP BY term_id
),
ranked AS (
    SELECT t.term, today.articles::BIGINT AS articles, tot.n_day AS day_articles,
           coalesce(base.articles, 0)::BIGINT AS baseline_articles,
           tot.n_base AS baseline_day_articles, today.articles / tot.n_day AS share,
           coalesce(base.articles, 0) / tot.n_base AS baseline_share,
           ((today.articles + 0.5) / (tot.n_day + 1))
             / ((coalesce(base.articles, 0) + 0.5) / (tot.n_base + 1)) AS lift,
           NULL::VARCHAR AS note
    FROM today JOIN dim_term t USING (term_id) LEFT JOIN base USING (term_id) CROSS JOIN tot
    WHERE tot.n_base > 0 AND baseline_days::INTEGER >= 1
),
why AS (
    SELECT NULL::VARCHAR AS term, NULL::BIGINT AS articles, tot.n_day AS day_articles,
           NULL::BIGINT AS baseline_articles, tot.n_base AS baseline_day_articles,
           NULL::DOUBLE AS share, NULL::DOUBLE AS baseline_share, NULL::DOUBLE AS lift,
           CASE WHEN day IS NULL THEN 'no day given (NULL)'
                WHEN baseline_days IS NULL OR baseline_days::INTEGER < 1
                THEN 'baseline_days must be at least 1'
                WHEN tot.n_day = 0 THEN 'no articles on ' || day::DATE
                WHEN tot.n_base = 0 THEN 'no baseline: no articles in the ' || baseline_days::INTEGER
                                         || ' days before ' || day::DATE
                ELSE 'no word is in at least ' || greatest(min_articles, 1) || ' articles on ' || day::DATE
           END AS note
    FROM tot WHERE NOT EXISTS (SELECT 1 FROM ranked)
)
SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM why)
ORDER BY lift DESC NULLS LAST, articles DESC, term
LIMIT n;
COMMENT ON MACRO TABLE trending_terms IS 'Words rising on a day, by articles: a word counts when at least min_articles (default 3; NULL counts as 1) articles of the day use it (boilerplate and stopwords excluded). lift = ((a + 0.5) / (N + 1)) / ((b + 0.5) / (M + 1)), where a of the day''s N articles use the word and b of the M articles of the previous baseline_days days: the ratio of its article shares, volume-adjusted (a busy day does not lift every word) and smoothed (+0.5, so a word new today ranks by how many articles use it, not by 1 / 0). No baseline (no article in those days), no article on the day, no word reaching min_articles, a NULL day or a baseline_days below 1 or NULL: one row whose term is NULL and whose note says why. Columns: term, articles, day_articles, baseline_articles, baseline_day_articles, share, baseline_share, lift, note.';

CREATE OR REPLACE MACRO cooccurring_terms(term_text, n, min_articles := 3) AS TABLE
WITH typed AS (SELECT term_key(term_text) AS k),  -- once: each term_key compiles its regexes
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
           NULL::VARCHAR AS note
    FROM shared s JOIN df USING (term_id) JOIN dim_term t USING (term_id) CROSS JOIN tot
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
COMMENT ON MACRO TABLE cooccurring_terms IS 'Words associated with a term, by normalised pointwise mutual information over articles: npmi = ln(P(x, y) / (P(x) P(y))) / -ln P(x, y), from 1 (always together) through 0 (independent); only words sharing at least min_articles (default 3; NULL counts as 1) articles with the term, stopwords and boilerplate excluded. lift = P(x, y) / (P(x) P(y)). A term the warehouse has never seen, typed text with spacing inside (not one term), or no word reaching min_articles: one row whose term is NULL and whose note says which. Columns: term, articles (shared), term_articles (articles with the word), lift, npmi, note.';

CREATE OR REPLACE MACRO term_trend_stem(term_text, start_date, end_date) AS TABLE
WITH forms AS (SELECT term_id FROM term_forms(term_text)),
hits AS (
    SELECT published_date, count(DISTINCT article_id) AS articles, sum(count) AS occurrences
    FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM forms)
      AND published_date BETWEEN start_date::DATE AND end_date::DATE
    GROUP BY published_date
),
known AS (SELECT count(*) AS n FROM forms)
SELECT c.date_key AS day,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) END::BIGINT AS articles,
       CASE WHEN c.has_articles THEN coalesce(h.occurrences, 0) END::BIGINT AS occurrences,
       c.articles AS day_articles,
       CASE WHEN c.has_articles THEN coalesce(h.articles, 0) / c.articles END AS share,
       -- spacing inside, not is_phrase: its token pattern would cost ~90 ms of regex compiling
       CASE WHEN known.n = 0 AND contains(typed_text(term_text), ' ')
            THEN 'not one term: typed text with spacing inside; kwic and search find a phrase'
            WHEN known.n = 0 THEN 'not in the vocabulary'
            WHEN NOT c.has_articles THEN 'no articles this day' END AS note
FROM calendar(start_date, end_date) c CROSS JOIN known
LEFT JOIN hits h ON h.published_date = c.date_key
ORDER BY day;
COMMENT ON MACRO TABLE term_trend_stem IS 'term_trend over every form of the word (term_forms: same stem, possessives, hyphenated compounds): articles that contain any form, their occurrences. Same columns and NULL rule as term_trend; notes: not in the vocabulary, not one term (typed text with spacing inside; 東京 typed without spaces says not in the vocabulary here).';

CREATE OR REPLACE MACRO distinctive_terms(start_date, end_date, n, min_articles := 3) AS TABLE
WITH tot AS (
    SELECT count(*) FILTER (WHERE published_date BETWEEN start_date::DATE AND (SELECT checked_end(start_date, end_date)))::DOUBLE AS c,
           count(*) FILTER (WHERE published_date NOT BETWEEN start_date::DATE AND (SELECT checked_end(start_date, end_date)))::DOUBLE AS d
    FROM fact_article
),
inside AS (
    SELECT * FROM (
        SELECT c.term_id, sum(c.articles)::DOUBLE AS a FROM v_daily_content_terms c
        WHERE c.published_date BETWEEN start_date::DATE AND (SELECT checked_end(start_date, end_date))
        GROUP BY c.term_id
    ) WHERE a >= greatest(min_articles, 1)
),
outside AS (
    SELECT term_id, sum(articles)::DOUBLE AS b FROM v_daily_content_terms
    WHERE published_date NOT BETWEEN start_date::DATE AND (SELECT checked_end(start_date, end_date))
      AND term_id IN (SELECT term_id FROM inside)
    GROUP BY term_id
),
cells AS (
    SELECT i.term_id, i.a, coalesce(o.b, 0) AS b, tot.c, tot.d FROM inside i
    LEFT JOIN outside o USING (term_id) CROSS JOIN tot
    WHERE tot.d > 0 AND i.a / tot.c > coalesce(o.b, 0) / tot.d
),
scored AS (
    SELECT term_id, a, b, c, d,
           2 * (  a * ln(a / (c * (a + b) / (c + d)))
                + CASE WHEN b > 0 THEN b * ln(b / (d * (a + b) / (c + d))) ELSE 0 END
                + CASE WHEN c - a > 0 THEN (c - a) * ln((c - a) / (c * (c + d - a - b) / (c + d))) ELSE 0 END
                + CASE WHEN d - b > 0 THEN (d - b) * ln((d - b) / (d * (c + d - a - b) / (c + d))) ELSE 0 END
               ) AS g2
    FROM cells
),
ranked AS (
    SELECT t.term, s.a::BIGINT AS articles, s.c::BIGINT AS period_articles,
           s.b::BIGINT AS other_articles, s.d::BIGINT AS other_period_articles,
           s.a / s.c AS share, s.b / s.d AS other_share, s.g2, NULL::VARCHAR AS note
    FROM scored s JOIN dim_term t USING (term_id)
    WHERE t.term_kind = 'word'
),
why AS (
    SELECT NULL::VARCHAR, NULL::BIGINT, tot.c::BIGINT, NULL::BIGINT, tot.d::BIGINT, NULL::DOUBLE,
           NULL::DOUBLE, NULL::DOUBLE,
           CASE WHEN tot.c = 0 THEN 'no articles between ' || start_date::DATE || ' and ' || end_date::DATE
                WHEN tot.d = 0 THEN 'nothing to compare with: every article is in the period'
                ELSE 'no word is in at least ' || greatest(min_articles, 1) || ' articles of the period more often than elsewhere'
           END
    FROM tot WHERE NOT EXISTS (SELECT 1 FROM ranked)
)
SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM why)
ORDER BY g2 DESC NULLS LAST, articles DESC, term
LIMIT n;
COMMENT ON MACRO TABLE distinctive_terms IS 'What a period over-uses against the rest of the warehouse: words ranked by Dunning''s log-likelihood G² = 2 Σ O ln(O / E) over the 2 × 2 table (articles with / without the word) × (inside / outside the period), E the counts expected if the word were as common everywhere. Only words at least min_articles (default 3; NULL counts as 1) articles of the period use, more often (by share) inside than outside; stopwords and boilerplate excluded. G² > 3.84 is p < 0.05, > 10.83 p < 0.001. Nothing to compare with or no article in the period: one row whose term is NULL and whose note says why. Columns: term, articles, period_articles, other_articles, other_period_articles, share, other_share, g2, note.';

-- term_trend, same answers, keyed once: most of its time was compiling the regexes of term_key,
-- is_phrase and typed_terms, each expanded twice or three times (Reuters: ~100 -> ~60 ms).
CREATE OR REPLACE MACRO term_trend(term_text, start_date, end_date) AS TABLE
WITH typed AS (  -- each once: every expansion of these compiles their regexes again
    SELECT term_key(term_text) AS k, is_phrase(term_text) AS phrase, len(typed_terms(term_text)) AS n_terms
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
            WHEN NOT c.has_articles THEN 'no articles this day' END AS note
FROM calendar(start_date, end_date) c CROSS JOIN known CROSS JOIN typed
LEFT JOIN hits h ON h.published_date = c.date_key
ORDER BY day;
COMMENT ON MACRO TABLE term_trend IS 'Daily articles and occurrences of one term between two dates, with day_articles (all articles of the day) and share = articles / day_articles. On a day without any article, articles, occurrences and share are NULL (note: no articles this day), not 0; a term the warehouse has never seen says so in note (not in the vocabulary), and so does typed text that is several terms (not one term: theresa may, 東京, which the loader stores as 東 and 京). Columns: day, articles, occurrences, day_articles, share, note.';
