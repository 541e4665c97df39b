-- Typed text without a space that the loader makes several terms of (session 24): 20-year (20,
-- year), U.S.-backed (u.s., backed), oil,gas. Only Chinese and Japanese were read as a phrase
-- that way, so kwic('20-year', 40) and kwic('U.S.-backed', 40) looked up the one term '20-year'
-- or 'u.s.-backed', which the loader never makes, and found nothing, and term_trend said "not in
-- the vocabulary" where it says "not one term" for 'theresa may'. is_phrase now reads any typed
-- text the loader would split as a phrase (typed_terms has more than one term), but a URL or an
-- e-mail address (stored whole). A hyphenated word the loader keeps whole (year-on-year,
-- post-brexit) is one term, as before.
-- Views, macros and comments only: no stored row changes, so this migration makes no day stale.
-- Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE MACRO is_phrase(term_text) AS
contains(typed_text(term_text), ' ')
OR (len(typed_terms(term_text)) > 1
    AND NOT regexp_matches(typed_text(term_text), '^(?i:https?://|www\.)|@'));
COMMENT ON MACRO is_phrase IS 'Whether typed text is several terms to find together (a phrase): it has spacing inside (typed_text: a tab, line break or no-break space counts), or the loader would make several terms of it (typed_terms): 20-year is 20 and year, U.S.-backed is u.s. and backed, 東京 is 東 and 京, 纷纷 is 纷 twice; not a URL or an e-mail address (stored whole), and not a hyphenated word the loader keeps whole (year-on-year). kwic takes a phrase through phrase_pattern; term_trend says it is not one term.';
