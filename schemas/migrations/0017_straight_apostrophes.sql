-- One spelling of the apostrophe in terms (session 22). Terms kept the typographic apostrophe
-- (’, U+2019) as written, so it’s and it's were two terms: term_trend('trump''s', …) found one
-- of six articles, it’s was not a stopword (the lists spell ') and ranked among the top terms,
-- and Snowball stemmed trump’s to trump’ instead of trump. The text stage now writes ’ as ' in
-- every term (TEXT_VERSION text-4; etl.text.tokenize.fold_apostrophes); the clean text keeps
-- what the article wrote. A typed word is looked up the same way (term_key folds ’), kwic cuts
-- the keyword as written (surface_chars compares folded), and a phrase finds either apostrophe
-- in the text whichever was typed (phrase_pattern). Days loaded before hold ’ in their terms
-- until they are rebuilt: `news-etl backfill --mode stale` lists them (their text_version
-- differs). Macros and comments only: no stored row changes. Like every migration, it is never
-- edited or renumbered once applied.

CREATE OR REPLACE MACRO term_key(term_text) AS
replace(python_lower(trim(term_text::VARCHAR)), '’', '''');
COMMENT ON MACRO term_key IS 'A typed word as the loader stores terms (dim_term.term): trimmed, lowercased as Python''s str.lower() does (python_lower: ''İ'' → ''i̇'', a final ''Σ'' → ''ς''; DuckDB''s lower() gives ''i'' and ''σ'') and the typographic apostrophe ’ written '' (it’s and it''s are one term). NFKC forms are not made (a ligature stays one character). term_key(''İstanbul’s'') = ''i̇stanbul''s''. Every macro that takes a word uses it.';

CREATE OR REPLACE MACRO surface_chars(clean_text, first_offset, term) AS
CASE WHEN replace(python_lower(substr(clean_text, first_offset + 1, length(term))), '’', '''') = term
     THEN length(term)
     ELSE coalesce(list_filter(range(1, length(term)),
                               lambda k: replace(python_lower(substr(clean_text, first_offset + 1, k)), '’', '''') = term)[1],
                   length(term)) END;
COMMENT ON MACRO surface_chars IS 'How many characters of clean_text, from the 0-based first_offset, spell term as written (''İstanbul'' is 8 characters, its term ''i̇stanbul'' 9; ''it’s'' spells the term ''it''s''); length(term) when no prefix lowercases to it (a form NFKC changed, e.g. a ligature). kwic and kwic_stem cut the keyword with it.';

-- ------------------------------------------------ phrases in Chinese and Japanese
-- Each Han ideograph and hiragana is a term of its own and a katakana run is one (etl.text.grammar),
-- written without spaces: kwic('東京'), search('"東京"') found nothing in the articles that have
-- it, because a phrase had to stand between non-letters and 東京 is two terms with no space. A
-- phrase now needs no edge beside a Han or hiragana character and only a non-katakana one beside
-- a katakana run; between two of its terms where one side is Chinese or Japanese, any spacing
-- matches (none included), whether or not one was typed, but two katakana runs need a space
-- (ソニーグループ is one term, not ソニー グループ). kwic takes a word that is several terms (東京,
-- 纷纷) as a phrase, and term_trend says when typed text is several terms.

CREATE MACRO cjk_class() AS '\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}';
COMMENT ON MACRO cjk_class IS 'The body of an RE2 character class of the characters the loader segments per character or per katakana run (Han, hiragana, katakana): ''['' || cjk_class() || '']''.';

CREATE MACRO typed_terms(q) AS
regexp_extract_all(
    -- CJK: every Han ideograph and hiragana is a term, a katakana run is one (spaced out first,
    -- so a word or number next to them stops there); lowercased as the loader does (term_key).
    regexp_replace(term_key(q),
        '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+)',
        ' \1 ', 'g'),
    -- the token pattern of etl.text.tokenize: CJK, dotted acronym, number (with its unit),
    -- word (inner apostrophes and hyphens); punctuation and symbols are not terms
    '[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+|\pL(?:\.\pL)+\.|\p{Nd}+(?:[.,:/]\p{Nd}+)*[\pL\pN\pM_]*|[\pL\pN\pM_]+(?:[''\x{2019}-][\pL\pN\pM_]+)*'
);
COMMENT ON MACRO typed_terms IS 'The terms of a text as the loader makes them, in order and with repeats (纷纷 is 纷 and 纷): search_terms without duplicates removed. is_phrase counts them.';

CREATE OR REPLACE MACRO search_terms(q) AS list_distinct(typed_terms(q));
COMMENT ON MACRO search_terms IS 'The terms of a text as the loader makes them (dim_term.term): lowercased words with inner apostrophes and hyphens (’ written ''), dotted acronyms (u.s.), numbers with their unit (1.5bn), single CJK characters; no URLs or e-mails; each once (typed_terms keeps repeats). search() splits its query with it.';

CREATE MACRO phrase_body(phrase) AS
-- 1. spacing runs become one space; 2. where Chinese or Japanese meets another term (a Han or
-- hiragana character on either side, or a katakana run beside anything but katakana), the
-- space or the join becomes U+E000, chr(57344) (each pattern twice: the matches of one pass
-- cannot overlap, so the second takes the pairs the first skipped); 3. RE2 metacharacters
-- escaped; 4. either apostrophe for one typed; 5. a space is \s+, U+E000 is \s* (any spacing,
-- none included). Only regexp_replace and replace on the typed text: DuckDB folds the whole
-- pattern to a constant, so a query compiles it once.
replace(replace(replace(replace(
  regexp_replace(
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      regexp_replace(trim(replace(phrase::VARCHAR, chr(57344), ' ')), '\s+', ' ', 'g'),
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
  ' ', '\s+'),
  chr(57344), '\s*');
COMMENT ON MACRO phrase_body IS 'The middle of phrase_pattern: the typed phrase with RE2 metacharacters escaped, either apostrophe for one typed, \s+ for typed spacing between words, and \s* (any spacing, none included) wherever Chinese or Japanese meets another term, typed spacing or not; two katakana runs still need a space (ソニー グループ is not the one term ソニーグループ).';

CREATE OR REPLACE MACRO phrase_pattern(phrase) AS
'(?s)^(' ||
CASE WHEN regexp_matches(trim(phrase::VARCHAR), '^[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]') THEN '.*?'
     WHEN regexp_matches(trim(phrase::VARCHAR), '^[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]') THEN '|.*?[^\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]'
     -- one lazy prefix, then any of the edges: the earliest occurrence wins whichever edge it has
     ELSE '|.*?(?:[^\pL\pN\pM_''’.,:/-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|(?:^|[^\pL\pN\pM_])[''’-]|(?:^|[^\p{Nd}])[.,:/])' END
|| ')((?i:' || phrase_body(phrase) || '))' ||
CASE WHEN regexp_matches(trim(phrase::VARCHAR), '[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]$') THEN ''
     WHEN regexp_matches(trim(phrase::VARCHAR), '[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]$') THEN '(?:$|[^\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])'
     ELSE '(?:$|[^\pL\pN\pM_''’.,:/-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|[''’-](?:$|[^\pL\pN\pM_])|[.,:/](?:$|[^\p{Nd}]))' END;
COMMENT ON MACRO phrase_pattern IS 'The RE2 pattern that finds the first occurrence of a phrase in a clean_text, case-insensitively, as whole terms: any whitespace between its words, either apostrophe (’ or '') where one was typed, not inside a hyphenated or possessive word (''thirds of'' is not in ''two-thirds of'', ''the state'' not in ''the state''s'') nor a number (''39 pct'' is not in ''3.39 pct''). Chinese and Japanese: a Han or hiragana character is a term of its own, so 東京 is found in 東京都, a katakana run is one term (カメラ is not in カメラマン), and where they meet another term any spacing matches, none included (phrase_body). Group 1 is the text before it, group 2 the phrase as written. kwic and search use it. Not handled: a phrase inside a URL or e-mail address is found as if it were text.';

CREATE MACRO is_phrase(term_text) AS
regexp_matches(trim(term_text::VARCHAR), '\s')
OR (regexp_matches(term_text::VARCHAR, '[' || cjk_class() || ']')
    AND len(typed_terms(term_text)) > 1
    AND NOT regexp_matches(trim(term_text::VARCHAR), '^(?i:https?://|www\.)|@'));
COMMENT ON MACRO is_phrase IS 'Whether typed text is several terms to find together (a phrase): it has a space, or it is Chinese or Japanese that the loader stores as several terms (東京 is 東 and 京, 纷纷 is 纷 twice), not a URL or e-mail address (stored whole). kwic takes a phrase through phrase_pattern; term_trend says it is not one term.';

CREATE OR REPLACE MACRO kwic(term_text, width) AS TABLE
WITH hits AS (
    SELECT f.published_date, f.article_id, f.first_offset,
           least(greatest(coalesce(width, 0), 0), f.first_offset) AS n_left, t.term
    FROM dim_term t JOIN fact_article_term f USING (term_id)
    WHERE t.term = term_key(term_text) AND NOT is_phrase(term_text)
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
phrase_words AS (
    SELECT search_terms(term_text) AS pw WHERE is_phrase(term_text)
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
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, greatest(coalesce(width, 0), 0)) AS right_context
FROM windows
UNION ALL
SELECT published_date, article_id, right(before, greatest(coalesce(width, 0), 0)) AS left_context, keyword,
       substr(clean_text, length(before) + length(keyword) + 1, greatest(coalesce(width, 0), 0)) AS right_context
FROM phrase_hits
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic IS 'Keyword in context: the first occurrence of a term, or of a phrase of several terms (kwic(''theresa may'', 40), kwic(''東京'', 10): whole terms, any case and spacing, either apostrophe; is_phrase), in each article, with width characters either side (a negative or NULL width counts as 0). Columns: published_date, article_id, left_context, keyword, right_context.';

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
       CASE WHEN known.n = 0 AND is_phrase(term_text) AND len(typed_terms(term_text)) > 1
            THEN 'not one term: ' || len(typed_terms(term_text)) || ' terms (typed_terms); kwic and search find a phrase'
            WHEN known.n = 0 THEN 'not in the vocabulary'
            WHEN NOT c.has_articles THEN 'no articles this day' END AS note
FROM calendar(start_date, end_date) c CROSS JOIN known
LEFT JOIN hits h ON h.published_date = c.date_key
ORDER BY day;
COMMENT ON MACRO TABLE term_trend IS 'Daily articles and occurrences of one term between two dates, with day_articles (all articles of the day) and share = articles / day_articles. On a day without any article, articles, occurrences and share are NULL (note: no articles this day), not 0; a term the warehouse has never seen says so in note (not in the vocabulary), and so does typed text that is several terms (not one term: theresa may, 東京, which the loader stores as 東 and 京). Columns: day, articles, occurrences, day_articles, share, note.';

CREATE OR REPLACE MACRO term_trend_by(term_text, start_date, end_date, unit) AS TABLE
SELECT date_trunc(unit, day)::DATE AS period, sum(articles)::BIGINT AS articles,
       sum(occurrences)::BIGINT AS occurrences, sum(day_articles)::BIGINT AS period_articles,
       sum(articles) / nullif(sum(day_articles), 0) AS share,
       count(*) FILTER (WHERE day_articles > 0) AS days_with_articles, count(*) AS days,
       any_value(note) FILTER (WHERE note <> 'no articles this day') AS note
FROM term_trend(term_text, start_date, end_date)
GROUP BY period ORDER BY period;
COMMENT ON MACRO TABLE term_trend_by IS 'term_trend summed per week or month (unit: ''week'' = ISO weeks from Monday, ''month''): period (its first day), articles, occurrences, period_articles, share, days_with_articles, days (calendar days of the period inside the range), note (term_trend''s note on the typed word: not in the vocabulary, not one term).';

COMMENT ON MACRO python_lower IS 'A text lowercased as Python''s str.lower() does, which is how the loader lowercases terms: like lower(), except that ''İ'' becomes ''i̇'' (i + combining dot above), not ''i'', and a capital sigma ending a word becomes ''ς''. term_key is this of the trimmed text with ’ written ''.';
