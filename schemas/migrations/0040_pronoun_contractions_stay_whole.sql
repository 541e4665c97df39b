-- search('it') found every article that writes it's, and search('that') every one that writes
-- that's (session 44's probe): term_parts took each final 's for a possessive and dropped it,
-- while it's, that's, he's, she's, there's, here's, what's, where's, when's, why's, how's and
-- let's are contractions (it is, let us) whose word has no possessive in 's (the possessive of
-- it is its). They now stay whole, as don't does; trump's still gives [trump], and so does
-- who's, on purpose: terms are lowercase, so the WHO's (the organisation's) is written who's
-- too, and search('WHO') must find it, while the pronoun who is a stopword nobody looks for
-- (the corpora here hold the contraction 19 times and the WHO's never: a judgement, not a
-- count). search() only: the _stem macros find such a term under its Snowball stem (it's has
-- the stem it).
-- Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE MACRO term_parts(term) AS
CASE
    WHEN regexp_matches(
        term::VARCHAR,
        '^(it|that|he|she|there|here|what|where|when|why|how|let)[''’]s$'
    ) THEN [term::VARCHAR]
    ELSE list_filter(
        regexp_split_to_array(
            regexp_replace(term::VARCHAR, '[''’]s$', ''),
            CASE WHEN regexp_matches(term::VARCHAR, '[''’](t|re|ve|ll|d|m)$') THEN '-' ELSE '[-''’]' END
        ),
        p -> p <> ''
    )
END;
COMMENT ON MACRO term_parts IS 'The parts of a hyphenated, elided, suffixed or possessive term: term_parts(''post-brexit'') = [post, brexit], term_parts(''l''''état-major'') = [l, état, major], term_parts(''türkiye''''nin'') = [türkiye, nin], term_parts(''trump''''s'') = [trump]; an English contraction stays whole (don''t, it''s, that''s, let''s). search() and the _stem macros reach a word inside such terms through it; the stored terms stay whole.';
