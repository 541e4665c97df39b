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
