-- The Turkish capital İ (text-8; session 35's probe). Python's str.lower() writes it as "i" and
-- a combining dot above, so the loader stored "İzmir" and "İZMİR" as the term i̇zmir while
-- "izmir" and "IZMIR" were izmir: term_trend('Izmir', ...) said "not in the vocabulary" of two
-- articles that say İzmir fourteen times, and one word of an all-caps headline (HELİKOPTER) was
-- counted apart from the same word in the text (helikopter). The loader now lowercases İ to
-- "i", its lowercase in Turkish and Azerbaijani (etl.text.tokenize.lower_term), and
-- python_lower, which every macro that takes a word reads it through (term_key, typed_terms,
-- surface_chars), does the same; DuckDB's lower() already does. Days loaded before text-8 keep
-- their i̇ terms until `news-etl backfill --mode stale` rebuilds them (their text_version
-- differs). Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE MACRO python_lower(text) AS
lower(regexp_replace(text::VARCHAR,
    -- Σ is final (ς) after a cased letter and not before one, case-ignorable characters (marks,
    -- modifiers, format characters, apostrophes, . : ·) skipped both ways: Unicode's rule.
    '([\p{Lu}\p{Ll}\p{Lt}][\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]*)Σ([\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]*(?:[^\p{Lu}\p{Ll}\p{Lt}\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]|$))',
    '\1ς\2', 'g'));
COMMENT ON MACRO python_lower IS 'A text lowercased as the loader lowercases terms: Python''s str.lower(), except that ''İ'' becomes ''i'' (its Turkish lowercase; str.lower() writes i + combining dot above, so İzmir and izmir were two terms before text-8), and a capital sigma ending a word becomes ''ς'' (DuckDB''s lower() gives ''σ''). term_key is this of the typed text with ’ written ''.';

COMMENT ON MACRO term_key IS 'A typed word as the loader stores terms (dim_term.term): typed_text (spacing trimmed, accents composed, punctuation at either end dropped: ''oil,'' and ''"oil"'' are oil, ''(U.S.),'' is u.s.), lowercased as the loader does (python_lower: Python''s str.lower(), but ''İ'' → ''i'' as in Turkish, and a final ''Σ'' → ''ς'') and the typographic apostrophe ’ written '' (it’s and it''s are one term). NFKC compatibility forms are not made (a ligature stays one character). term_key(''(İstanbul’s),'') = ''istanbul''s'', as term_key(''ISTANBUL''S''). Every macro that takes a word uses it.';

COMMENT ON MACRO surface_chars IS 'How many characters of clean_text, from the 0-based first_offset, spell term as written (''İstanbul'' is 8 characters, as its term ''istanbul''; ''it’s'' spells the term ''it''s''); length(term) when no prefix lowercases to it (a form NFKC changed, e.g. a ligature). kwic and kwic_stem cut the keyword with it.';
