-- top_terms_stem(d1, d2, NULL) said "no word to rank" on a day full of words (session 40's
-- probe): its stems were cut with rank() <= n, never true for a NULL n, while top_terms and the
-- other rankings cut with LIMIT n, which a NULL n leaves open. A NULL n now ranks every stem, as
-- it ranks every term in top_terms. v_daily_content_terms' comment says what the rankings leave
-- out of it (numbers, URLs, e-mail addresses: every kind but words).
-- Like every migration, never edited or renumbered once applied.

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
    -- ties at the cut stay: the order below decides; a NULL n cuts nothing (as LIMIT NULL)
    QUALIFY n IS NULL OR rank() OVER (ORDER BY occurrences DESC) <= n
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
COMMENT ON MACRO TABLE top_terms_stem IS 'top_terms by stem: the n most frequent Snowball stems between two dates (n NULL: every stem, as in top_terms), with their forms (most frequent first) and the articles that contain any of them; stopwords and boilerplate excluded. No article in the range, or no word left to rank: one row whose stem is NULL and whose note says which (empty_ranking_note); note is NULL on ranked rows. Columns: stem, language_code, forms, occurrences, articles, note.';

COMMENT ON VIEW v_daily_content_terms IS 'What the rankings count: term usage per day without stopwords (of each article''s language) and without boilerplate lines; a term no article of the day uses as content has no row. Every kind of term is here: the rankings (top_terms, trending_terms, distinctive_terms, cooccurring_terms) then keep words only (dim_term.term_kind = ''word''), leaving numbers, URLs and e-mail addresses out. Grain: one row per published_date and term. Key: (published_date, term_id).';
