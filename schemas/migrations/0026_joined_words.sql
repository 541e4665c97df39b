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
