-- Since text-15 the loader ends a URL or an e-mail address at the first Chinese, Japanese or
-- Korean character (etl.text.grammar.URL_STOPS, NOT_IN_ADDRESS: unspaced text after an address
-- was taken into it), so https://ja.wikipedia.org/wiki/大阪 is stored as the URL
-- https://ja.wikipedia.org/wiki/ and the terms 大 and 阪, as typed_terms already splits it.
-- is_phrase still called any typed URL or address one term (stored whole), so kwic, search and
-- term_trend looked the whole text up as a term and found nothing (review of session 47).
-- Typed with such a character inside it is now a phrase, found as the loader stores it.
-- typed_terms ends a typed URL where the loader does: before Hangul, CJK punctuation and
-- guillemets too (it ended only before Han and kana, which it spaces out), and not on an
-- opening bracket: https://ko.wikipedia.org/wiki/서울 typed whole found nothing (review R1).
-- Macros and comments only: no stored row changes.
-- Like every migration, never edited or renumbered once applied.

-- typed_text drops after a typed URL what the loader never ends one with (url_end_punctuation):
-- since text-15 an opening bracket, guillemets and the CJK punctuation a URL stops at too, so
-- «https://www.gouv.fr/plan» or https://www.gov.cn。 copied with its punctuation is the URL
-- (it kept the » or 。, and kwic and term_trend found nothing; review R2).
CREATE OR REPLACE MACRO url_end_punctuation() AS '.,;:!?()[]''"<>“”‘’ «»‹›、。〈〉《》「」『』【】〔〕〖〗〘〙〚〛，．！？：；（）［］｛｝｣､';
COMMENT ON MACRO url_end_punctuation IS 'What typed_text drops after typed text that ends in a URL (http://, https://, www.): the characters the loader''s URL pattern never ends a URL with (. , ; : ! ? ( ) [ ] quotes, guillemets, CJK and full-width punctuation: since text-15 a URL ends before them), and spaces.';

CREATE OR REPLACE MACRO is_phrase(term_text) AS
contains(typed_text(term_text), ' ')
OR (len(typed_terms(term_text)) > 1
    AND (NOT regexp_matches(typed_text(term_text), '^(?i:https?://|www\.)|@')
         OR regexp_matches(typed_text(term_text),
             '[\x{1100}-\x{11ff}\x{3000}-\x{30ff}\x{3130}-\x{318f}\x{31f0}-\x{31ff}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{a960}-\x{a97f}\x{ac00}-\x{d7ff}\x{f900}-\x{faff}\x{ff00}-\x{ffef}\x{20000}-\x{3134f}]')));
COMMENT ON MACRO is_phrase IS 'Whether typed text is several terms to find together (a phrase): it has spacing inside (typed_text: a tab, line break or no-break space counts), or the loader would make several terms of it (typed_terms): 20-year is 20 and year, U.S.-backed is u.s. and backed, 東京 is 東 and 京, 纷纷 is 纷 twice, https://ja.wikipedia.org/wiki/大阪 is the URL https://ja.wikipedia.org/wiki/, 大 and 阪 (text-15: an address ends at a Chinese, Japanese or Korean character); not a URL or an e-mail address otherwise (stored whole), and not a hyphenated word the loader keeps whole (year-on-year). kwic takes a phrase through phrase_pattern; term_trend says it is not one term.';

CREATE OR REPLACE MACRO typed_terms(q) AS
list_transform(regexp_extract_all(
    -- CJK: every Han ideograph and hiragana is a term, a katakana run is one (spaced out first,
    -- so a word or number next to them stops there); lowercased as the loader does (term_key),
    -- the apostrophe folded after the split, as the loader folds it in each term.
    regexp_replace(nfc_normalize(python_lower(typed_text(q))),
        '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+)',
        ' \1 ', 'g'),
    -- the token pattern of etl.text.grammar: URL (http://, https://, www.; not ending in
    -- punctuation or an opening bracket; ending before Hangul, CJK punctuation and guillemets,
    -- as Han and kana, spaced out above: text-15), e-mail (its letters those of the Latin, Greek and Cyrillic blocks: \pL
    -- classes would take milliseconds to compile in every macro that splits typed text), CJK,
    -- dotted acronym, number (with its unit), word (inner apostrophes and hyphens); a word run
    -- is letters with joiners (U+200C, U+200D) between them; punctuation and symbols are not terms
    '(?:https?://(?:[^\s<>"“”‘’\x{1100}-\x{11ff}\x{3000}-\x{303f}\x{3130}-\x{318f}\x{a960}-\x{a97f}\x{ac00}-\x{d7ff}\x{ff00}-\x{ffef}«»‹›]*[^\s<>"“”‘’\x{1100}-\x{11ff}\x{3000}-\x{303f}\x{3130}-\x{318f}\x{a960}-\x{a97f}\x{ac00}-\x{d7ff}\x{ff00}-\x{ffef}«»‹›.,;:!?()\[\]''])?|www\.[^\s<>"“”‘’\x{1100}-\x{11ff}\x{3000}-\x{303f}\x{3130}-\x{318f}\x{a960}-\x{a97f}\x{ac00}-\x{d7ff}\x{ff00}-\x{ffef}«»‹›]*[^\s<>"“”‘’\x{1100}-\x{11ff}\x{3000}-\x{303f}\x{3130}-\x{318f}\x{a960}-\x{a97f}\x{ac00}-\x{d7ff}\x{ff00}-\x{ffef}«»‹›.,;:!?()\[\]''])|[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}.%+-]+@[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}-]+(?:\.[\w\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{2AF}\x{370}-\x{3FF}\x{400}-\x{52F}-]+)+|[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+|\pL(?:\.\pL)+\.|\p{Nd}+(?:[.,:/]\p{Nd}+)*(?:[\pL\pN\pM_]+(?:[\x{200C}\x{200D}]+[\pL\pN\pM_]+)*)?|[\pL\pN\pM_]+(?:[\x{200C}\x{200D}]+[\pL\pN\pM_]+)*(?:[''\x{2019}-][\pL\pN\pM_]+(?:[\x{200C}\x{200D}]+[\pL\pN\pM_]+)*)*'
), x -> replace(x, '’', ''''));
COMMENT ON MACRO typed_terms IS 'The terms of a text as the loader makes them, in order and with repeats (纷纷 is 纷 and 纷): URLs (http://, https://, www.) and e-mail addresses whole, as the loader stores them (since text-15 an address ends at a Chinese, Japanese or Korean character, CJK punctuation or a guillemet: https://ko.wikipedia.org/wiki/서울 is the URL https://ko.wikipedia.org/wiki/ and 서울), then words, numbers, dotted acronyms and CJK characters; a zero-width non-joiner or joiner between two letters is part of the word (می‌خواهم is one term); search_terms without duplicates removed. is_phrase counts them. Not handled: an e-mail address with letters of other scripts (Arabic, Hebrew, Devanagari, ...) is split into words.';
