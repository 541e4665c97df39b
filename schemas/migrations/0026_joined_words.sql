-- Words joined by a zero-width non-joiner or joiner are one term (session 29, text-7). Persian
-- writes "I want" می‌خواهم with a non-joiner (U+200C) between its parts, and Devanagari and
-- Malayalam shape conjuncts with a joiner (U+200D); cleaning keeps both, since they change how
-- the word is written. The tokenizer cut such a word in three (می, the joiner as a symbol, and
-- خواهم): the joined word was no term, term_trend('می‌خواهم') said it was a phrase of two, and
-- search looked for its halves. Now a run of joiners between two letters is part of the word,
-- in the loader (etl.text.grammar.JOINERS) and in typed_terms, which splits what an analyst
-- types as the loader splits text; a joiner elsewhere (at a word's edge, between emoji) is still
-- a symbol of its own. Rows loaded before keep their old terms until their days are loaded
-- again: their articles carry text version text-6, so `backfill --mode stale` finds them.
-- Macros and comments only: no stored row changes.
-- Like every migration, never edited or renumbered once applied.

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
    -- dotted acronym, number (with its unit), word (inner apostrophes and hyphens); a word run
    -- is letters with joiners (U+200C, U+200D) between them; punctuation and symbols are not terms
    '(?:https?://(?:[^\s<>"“”‘’]*[^\s<>"“”‘’.,;:!?)\]''])?|www\.[^\s<>"“”‘’]*[^\s<>"“”‘’.,;:!?)\]''])|[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}.%+-]+@[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}-]+(?:\.[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}-]+)+|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+|\pL(?:\.\pL)+\.|\p{Nd}+(?:[.,:/]\p{Nd}+)*(?:[\pL\pN\pM_]+(?:[\x{200C}\x{200D}]+[\pL\pN\pM_]+)*)?|[\pL\pN\pM_]+(?:[\x{200C}\x{200D}]+[\pL\pN\pM_]+)*(?:[''\x{2019}-][\pL\pN\pM_]+(?:[\x{200C}\x{200D}]+[\pL\pN\pM_]+)*)*'
), x -> replace(x, '’', ''''));
COMMENT ON MACRO typed_terms IS 'The terms of a text as the loader makes them, in order and with repeats (纷纷 is 纷 and 纷): URLs (http://, https://, www.) and e-mail addresses whole, as the loader stores them, then words, numbers, dotted acronyms and CJK characters; a zero-width non-joiner or joiner between two letters is part of the word (می‌خواهم is one term); search_terms without duplicates removed. is_phrase counts them. Not handled: a URL or e-mail address with Chinese or Japanese characters in it is cut at them, and an e-mail address with letters of other scripts (Arabic, Hebrew, Devanagari, ...) is split into words.';

-- phrase_pattern: a joiner between two letters is inside a word, not an edge (the same pattern as
-- 0020's otherwise): the phrase خواهم کتاب is not in می‌خواهم کتاب, whose terms are می‌خواهم and
-- کتاب; a joiner after a space or a symbol still is an edge. Not handled: after a number with a
-- unit (5km‌x, one term) a joiner is read as an edge.
CREATE OR REPLACE MACRO phrase_pattern(phrase) AS
list_transform([typed_text(phrase)], p ->
'(?s)^(' ||
CASE WHEN regexp_matches(p, '^[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]') THEN '.*?'
     WHEN regexp_matches(p, '^[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]') THEN '|.*?[^\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]'
     -- one lazy prefix, then any of the edges: the earliest occurrence wins whichever edge it has;
     -- a hyphen or apostrophe after a digit is an edge (20-year: the loader's terms 20 and year, so
     -- year loan is two whole terms in a 20-year loan; checking that the digits are a whole number
     -- made kwic and search phrases 25-40 % slower)
     ELSE '|.*?(?:[^\pL\pN\pM_''’.,:/\x{200C}\x{200D}-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|(?:^|[^\pL\pN\pM_]|\p{Nd})[''’-]|(?:^|[^\p{Nd}])[.,:/]|(?:^|[^\pL\pN\pM_\x{200C}\x{200D}]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}])[\x{200C}\x{200D}]+)' END
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
     ELSE '(?:$|[^\pL\pN\pM_''’.,:/\x{200C}\x{200D}-]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]|[''’-](?:$|[^\pL\pN\pM_])|[.,:/](?:$|[^\p{Nd}])|[\x{200C}\x{200D}]+(?:$|[^\pL\pN\pM_\x{200C}\x{200D}]|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]))' END)[1];
COMMENT ON MACRO phrase_pattern IS 'The RE2 pattern that finds the first occurrence of a phrase (read through typed_text: quotes and punctuation at either end dropped) in a clean_text, case-insensitively, as whole terms inside one paragraph: any spacing between its words but not a paragraph break (a headline''s last word and the first word under it are no phrase), either apostrophe (’ or '') where one was typed, not inside a hyphenated or possessive word (''thirds of'' is not in ''two-thirds of'', ''the state'' not in ''the state''s'') nor a number (''39 pct'' is not in ''3.39 pct''), but a number before or after a hyphen, and a dotted acronym before one, is a term of its own, as the loader has it (''year loan'' is in ''a 20-year loan'', ''a 100'' in ''a 100-mln-dlr loan'', ''the u.s.'' in ''the U.S.-backed''). Chinese and Japanese: a Han or hiragana character is a term of its own, so 東京 is found in 東京都, a katakana run is one term (カメラ is not in カメラマン), and where they meet another term any spacing matches, none included (phrase_body). A zero-width non-joiner or joiner between two letters is inside the word, not an edge (خواهم is not found in می‌خواهم); one at a word''s edge is. Group 1 is the text before it, group 2 the phrase as written. kwic and search use it. Not handled: a phrase inside a URL or e-mail address is found as if it were text, and a word with a digit before its hyphen (b2-year, one term) is read as split there.';
