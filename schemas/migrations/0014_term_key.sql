-- Terms as the loader writes them (issue 15, analyst answers). The loader lowercases with
-- Python's str.lower(); DuckDB's lower() differs from it in two places: 'İ' (U+0130) becomes 'i'
-- (Python: 'i' + U+0307 COMBINING DOT ABOVE) and a final capital sigma becomes 'σ' (Python: 'ς').
-- So term_trend('İstanbul') looked up 'istanbul' while the warehouse holds 'i̇stanbul', and kwic
-- cut the keyword by the stored term's length, one character too long per 'İ'. term_key is the
-- one lowercasing every macro that takes a word now uses. Then the edges an audit found
-- (session 21): phrases matched inside hyphenated words and numbers, reversed date ranges that
-- returned nothing, negative kwic widths, min_articles := 0 ranking words no article used,
-- top_terms_stem's tie order at its cut. Views, macros and comments only: no
-- stored row changes, so this migration makes no day stale for `backfill --mode stale`. Like
-- every migration, it is never edited or renumbered once applied.

CREATE MACRO python_lower(text) AS
lower(regexp_replace(replace(text::VARCHAR, 'İ', 'i̇'),
    -- Σ is final (ς) after a cased letter and not before one, case-ignorable characters (marks,
    -- modifiers, format characters, apostrophes, . : ·) skipped both ways: Unicode's rule.
    '([\p{Lu}\p{Ll}\p{Lt}][\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]*)Σ([\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]*(?:[^\p{Lu}\p{Ll}\p{Lt}\pM\p{Lm}\p{Sk}\p{Cf}''’.:\x{00B7}]|$))',
    '\1ς\2', 'g'));
COMMENT ON MACRO python_lower IS 'A text lowercased as Python''s str.lower() does, which is how the loader lowercases terms: like lower(), except that ''İ'' becomes ''i̇'' (i + combining dot above), not ''i'', and a capital sigma ending a word becomes ''ς''. term_key is this of the trimmed text.';

CREATE MACRO term_key(term_text) AS python_lower(trim(term_text::VARCHAR));
COMMENT ON MACRO term_key IS 'A typed word as the loader stores terms (dim_term.term): trimmed and lowercased as Python''s str.lower() does (python_lower: ''İ'' → ''i̇'', a final ''Σ'' → ''ς''; DuckDB''s lower() gives ''i'' and ''σ''). NFKC forms are not made (a ligature stays one character). term_key(''İstanbul'') = ''i̇stanbul''. Every macro that takes a word uses it.';

CREATE MACRO surface_chars(clean_text, first_offset, term) AS
CASE WHEN python_lower(substr(clean_text, first_offset + 1, length(term))) = term THEN length(term)
     ELSE coalesce(list_filter(range(1, length(term)),
                               lambda k: python_lower(substr(clean_text, first_offset + 1, k)) = term)[1],
                   length(term)) END;
COMMENT ON MACRO surface_chars IS 'How many characters of clean_text, from the 0-based first_offset, spell term as written (''İstanbul'' is 8 characters, its term ''i̇stanbul'' 9); length(term) when no prefix lowercases to it (a form NFKC changed, e.g. a ligature). kwic and kwic_stem cut the keyword with it.';

CREATE OR REPLACE MACRO search_terms(q) AS
list_distinct(regexp_extract_all(
    -- CJK: every Han ideograph and hiragana is a term, a katakana run is one (spaced out first,
    -- so a word or number next to them stops there); lowercased as the loader does (term_key).
    regexp_replace(term_key(q),
        '([\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+)',
        ' \1 ', 'g'),
    -- the token pattern of etl.text.tokenize: CJK, dotted acronym, number (with its unit),
    -- word (inner apostrophes and hyphens); punctuation and symbols are not terms
    '[\x{3005}-\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}\x{f900}-\x{faff}\x{20000}-\x{3134f}\x{3041}-\x{309f}]|[\x{30a0}-\x{30ff}\x{31f0}-\x{31ff}]+|\pL(?:\.\pL)+\.|\p{Nd}+(?:[.,:/]\p{Nd}+)*[\pL\pN\pM_]*|[\pL\pN\pM_]+(?:[''\x{2019}-][\pL\pN\pM_]+)*'
));
COMMENT ON MACRO search_terms IS 'The terms of a text as the loader makes them (dim_term.term): lowercased words with inner apostrophes and hyphens, dotted acronyms (u.s.), numbers with their unit (1.5bn), single CJK characters; no URLs or e-mails. search() splits its query with it.';

CREATE OR REPLACE MACRO term_forms(term_text) AS TABLE
WITH base AS (SELECT term_id FROM dim_term WHERE term = term_key(term_text)),
stems AS (
    SELECT DISTINCT stem_id FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM base) AND stem_id IS NOT NULL
    UNION
    SELECT stem_id FROM dim_stem WHERE stem = term_key(term_text) AND NOT EXISTS (SELECT 1 FROM base)
),
forms AS (
    SELECT t.term_id, t.term FROM dim_term t
    WHERE t.term_id IN (SELECT term_id FROM base)
       OR t.term_id IN (SELECT term_id FROM fact_article_term WHERE stem_id IN (SELECT stem_id FROM stems))
)
SELECT term_id, term, 'form' AS relation FROM forms
UNION
SELECT t.term_id, t.term, 'compound' AS relation FROM dim_term t
WHERE t.term_kind = 'word' AND regexp_matches(t.term, '[-''’]')
  AND t.term_id NOT IN (SELECT term_id FROM forms)
  AND list_has_any(term_parts(t.term), (SELECT coalesce(list(term), []) FROM forms));
COMMENT ON MACRO TABLE term_forms IS 'Every stored form of a word: terms with the same Snowball stem (in any article''s language; relation form) and hyphenated or possessive terms that contain one of them (relation compound: post-brexit for brexit). What the _stem macros count. Columns: term_id, term, relation.';

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
       CASE WHEN known.n = 0 THEN 'not in the vocabulary'
            WHEN NOT c.has_articles THEN 'no articles this day' END AS note
FROM calendar(start_date, end_date) c CROSS JOIN known
LEFT JOIN hits h ON h.published_date = c.date_key
ORDER BY day;
COMMENT ON MACRO TABLE term_trend IS 'Daily articles and occurrences of one term between two dates, with day_articles (all articles of the day) and share = articles / day_articles. On a day without any article, articles, occurrences and share are NULL (note: no articles this day), not 0; a term the warehouse has never seen says so in note (not in the vocabulary). Columns: day, articles, occurrences, day_articles, share, note.';

CREATE OR REPLACE MACRO cooccurring_terms(term_text, n, min_articles := 3) AS TABLE
WITH docs AS (
    SELECT f.article_id FROM fact_article_term f
    LEFT JOIN boilerplate_term b USING (article_id, term_id)
    WHERE f.term_id IN (SELECT term_id FROM dim_term WHERE term = term_key(term_text))
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
    ) WHERE articles >= min_articles
),
df AS (
    SELECT term_id, sum(articles)::DOUBLE AS df FROM v_daily_content_terms
    WHERE term_id IN (SELECT term_id FROM shared) GROUP BY term_id
),
tot AS (SELECT count(*)::DOUBLE AS n_all, (SELECT count(*) FROM docs)::DOUBLE AS n_x FROM fact_article)
SELECT t.term, s.articles::BIGINT AS articles, df.df::BIGINT AS term_articles,
       s.articles * tot.n_all / (tot.n_x * df.df) AS lift,
       CASE WHEN s.articles = tot.n_all THEN 1.0
            ELSE ln(s.articles * tot.n_all / (tot.n_x * df.df)) / -ln(s.articles / tot.n_all) END AS npmi
FROM shared s JOIN df USING (term_id) JOIN dim_term t USING (term_id) CROSS JOIN tot
WHERE t.term <> term_key(term_text) AND t.term_kind = 'word'
ORDER BY npmi DESC, articles DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE cooccurring_terms IS 'Words associated with a term, by normalised pointwise mutual information over articles: npmi = ln(P(x, y) / (P(x) P(y))) / -ln P(x, y), from 1 (always together) through 0 (independent); only words sharing at least min_articles (default 3) articles with the term, stopwords and boilerplate excluded. lift = P(x, y) / (P(x) P(y)). Columns: term, articles (shared), term_articles (articles with the word), lift, npmi.';

CREATE OR REPLACE MACRO kwic(term_text, width) AS TABLE
WITH hits AS (
    SELECT f.published_date, f.article_id, f.first_offset,
           least(greatest(coalesce(width, 0), 0), f.first_offset) AS n_left, t.term
    FROM dim_term t JOIN fact_article_term f USING (term_id)
    WHERE t.term = term_key(term_text) AND NOT regexp_matches(trim(term_text), '\s')
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
    SELECT search_terms(term_text) AS pw WHERE regexp_matches(trim(term_text), '\s')
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
COMMENT ON MACRO TABLE kwic IS 'Keyword in context: the first occurrence of a term, or of a phrase of several words (kwic(''theresa may'', 40): whole words, any case and spacing), in each article, with width characters either side (a negative or NULL width counts as 0). Columns: published_date, article_id, left_context, keyword, right_context.';

CREATE OR REPLACE MACRO kwic_stem(term_text, width) AS TABLE
WITH forms AS (SELECT term_id, term FROM term_forms(term_text)),
hits AS (
    SELECT f.article_id, any_value(f.published_date) AS published_date,
           min(f.first_offset) AS first_offset, arg_min(fo.term, f.first_offset) AS term
    FROM fact_article_term f JOIN forms fo USING (term_id)
    GROUP BY f.article_id
),
spans AS (
    SELECT h.published_date, h.article_id, h.first_offset, least(greatest(coalesce(width, 0), 0), h.first_offset) AS n_left,
           x.clean_text, surface_chars(x.clean_text, h.first_offset, h.term) AS n_term
    FROM hits h JOIN article_text x USING (article_id)
),
windows AS (
    SELECT published_date, article_id, n_left, n_term,
           substr(clean_text, first_offset + 1 - n_left, n_left + n_term + greatest(coalesce(width, 0), 0)) AS w
    FROM spans
)
SELECT published_date, article_id, substr(w, 1, n_left) AS left_context,
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, greatest(coalesce(width, 0), 0)) AS right_context
FROM windows
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic_stem IS 'kwic over every form of one word (term_forms): the first occurrence of any form in each article. One word only: a phrase of several words finds nothing here (kwic takes phrases). Columns as kwic.';

-- ---------------------------------------------------------------- date ranges that say what is wrong
CREATE MACRO checked_end(start_date, end_date) AS
CASE WHEN start_date IS NULL OR end_date IS NULL
     THEN error('a date range needs two dates, got ' || coalesce(start_date::VARCHAR, 'NULL')
                || ' .. ' || coalesce(end_date::VARCHAR, 'NULL'))
     WHEN end_date::DATE < start_date::DATE
     THEN error('the date range ends (' || end_date::DATE || ') before it starts ('
                || start_date::DATE || '): give the earlier date first')
     ELSE end_date::DATE END;
COMMENT ON MACRO checked_end IS 'end_date as a DATE, after checking the range: a NULL date or an end before the start raises an error that says so (a reversed range used to return no rows, as if nothing happened then). calendar, top_terms, top_terms_stem and distinctive_terms check their ranges with it; term_trend and its variants through calendar.';

CREATE OR REPLACE MACRO calendar(start_date, end_date) AS TABLE
SELECT r.d::DATE AS date_key, year(r.d)::SMALLINT AS year, quarter(r.d)::TINYINT AS quarter,
       month(r.d)::TINYINT AS month, day(r.d)::TINYINT AS day, isodow(r.d)::TINYINT AS day_of_week,
       dayname(r.d) AS day_name, isoyear(r.d)::SMALLINT AS iso_year, week(r.d)::TINYINT AS iso_week,
       isodow(r.d) >= 6 AS is_weekend, date_trunc('week', r.d)::DATE AS week_start,
       date_trunc('month', r.d)::DATE AS month_start, coalesce(n.articles, 0)::BIGINT AS articles,
       n.articles IS NOT NULL AS has_articles
FROM range(start_date::DATE, checked_end(start_date, end_date) + INTERVAL 1 DAY, INTERVAL 1 DAY) AS r(d)
LEFT JOIN (
    SELECT published_date, count(*) AS articles FROM fact_article
    WHERE published_date BETWEEN start_date::DATE AND end_date::DATE GROUP BY published_date
) AS n ON n.published_date = r.d::DATE
ORDER BY date_key;
COMMENT ON MACRO TABLE calendar IS 'Every day from start_date to end_date (dim_date holds only days with articles): calendar fields, week_start (Monday), month_start, articles that day (0 when none) and has_articles. A NULL date or an end before the start is an error (checked_end).';

CREATE OR REPLACE MACRO top_terms(start_date, end_date, n) AS TABLE
SELECT t.term, sum(c.occurrences)::BIGINT AS occurrences, sum(c.articles)::BIGINT AS articles
FROM v_daily_content_terms c JOIN dim_term t USING (term_id)
WHERE c.published_date BETWEEN start_date::DATE AND (SELECT checked_end(start_date, end_date)) AND t.term_kind = 'word'
GROUP BY t.term
HAVING sum(c.occurrences) > 0
ORDER BY occurrences DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE top_terms IS 'The n most frequent words between two dates, stopwords (of each article''s language) and boilerplate lines (boilerplate_line) excluded. Columns: term, occurrences, articles.';

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
stems AS (
    SELECT stem_id, sum(count) AS occurrences, count(DISTINCT article_id) AS articles
    FROM rows GROUP BY stem_id
    QUALIFY rank() OVER (ORDER BY occurrences DESC) <= n  -- ties at the cut stay: the order below decides
),
forms AS (
    SELECT r.stem_id, t.term, sum(r.count) AS occ
    FROM rows r JOIN dim_term t USING (term_id) WHERE r.stem_id IN (SELECT stem_id FROM stems)
    GROUP BY ALL
)
SELECT s.stem, s.language_code, list(f.term ORDER BY f.occ DESC, f.term) AS forms,
       st.occurrences::BIGINT AS occurrences, st.articles::BIGINT AS articles
FROM stems st JOIN dim_stem s USING (stem_id) JOIN forms f USING (stem_id)
GROUP BY s.stem, s.language_code, st.occurrences, st.articles
ORDER BY occurrences DESC, s.stem, s.language_code
LIMIT n;
COMMENT ON MACRO TABLE top_terms_stem IS 'top_terms by stem: the n most frequent Snowball stems between two dates, with their forms (most frequent first) and the articles that contain any of them; stopwords and boilerplate excluded. Columns: stem, language_code, forms, occurrences, articles.';

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
                ELSE 'no word is in at least ' || min_articles || ' articles of the period more often than elsewhere'
           END
    FROM tot WHERE NOT EXISTS (SELECT 1 FROM ranked)
)
SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM why)
ORDER BY g2 DESC NULLS LAST, articles DESC, term
LIMIT n;
COMMENT ON MACRO TABLE distinctive_terms IS 'What a period over-uses against the rest of the warehouse: words ranked by Dunning''s log-likelihood G² = 2 Σ O ln(O / E) over the 2 × 2 table (articles with / without the word) × (inside / outside the period), E the counts expected if the word were as common everywhere. Only words at least min_articles (default 3) articles of the period use, more often (by share) inside than outside; stopwords and boilerplate excluded. G² > 3.84 is p < 0.05, > 10.83 p < 0.001. Nothing to compare with or no article in the period: one row whose term is NULL and whose note says why. Columns: term, articles, period_articles, other_articles, other_period_articles, share, other_share, g2, note.';

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
           CASE WHEN baseline_days::INTEGER < 1 THEN 'baseline_days must be at least 1'
                WHEN tot.n_day = 0 THEN 'no articles on ' || day::DATE
                WHEN tot.n_base = 0 THEN 'no baseline: no articles in the ' || baseline_days::INTEGER
                                         || ' days before ' || day::DATE
                ELSE 'no word is in at least ' || min_articles || ' articles on ' || day::DATE
           END AS note
    FROM tot WHERE NOT EXISTS (SELECT 1 FROM ranked)
)
SELECT * FROM (SELECT * FROM ranked UNION ALL SELECT * FROM why)
ORDER BY lift DESC NULLS LAST, articles DESC, term
LIMIT n;
COMMENT ON MACRO TABLE trending_terms IS 'Words rising on a day, by articles: a word counts when at least min_articles (default 3) articles of the day use it (boilerplate and stopwords excluded). lift = ((a + 0.5) / (N + 1)) / ((b + 0.5) / (M + 1)), where a of the day''s N articles use the word and b of the M articles of the previous baseline_days days: the ratio of its article shares, volume-adjusted (a busy day does not lift every word) and smoothed (+0.5, so a word new today ranks by how many articles use it, not by 1 / 0). No baseline (no article in those days), no article on the day, or no word reaching min_articles: one row whose term is NULL and whose note says why. Columns: term, articles, day_articles, baseline_articles, baseline_day_articles, share, baseline_share, lift, note.';

-- ---------------------------------------------------------------- phrases as whole terms
CREATE OR REPLACE MACRO phrase_pattern(phrase) AS
'(?s)^(|.*?[^\pL\pN\pM_''’.,:/-]|.*?(?:^|[^\pL\pN\pM_])[''’-]|.*?(?:^|[^\p{Nd}])[.,:/])((?i:'
  || regexp_replace(regexp_replace(trim(phrase::VARCHAR), '([.^$*+?()\[\]{}|\\])', '\\\1', 'g'), '\s+', '\\s+', 'g')
  || '))(?:$|[^\pL\pN\pM_''’.,:/-]|[''’-](?:$|[^\pL\pN\pM_])|[.,:/](?:$|[^\p{Nd}]))';
COMMENT ON MACRO phrase_pattern IS 'The RE2 pattern that finds a phrase in a clean_text, case-insensitively, with any whitespace between its words, as whole terms: not inside a hyphenated or possessive word (''thirds of'' is not in ''two-thirds of'', ''the state'' not in ''the state''''s'') nor a number (''39 pct'' is not in ''3.39 pct''). Group 1 is the text before it, group 2 the phrase as written. kwic and search use it.';
COMMENT ON MACRO TABLE search_stem IS 'search over every form of each query word (the forms of term_forms: troop finds troops, trump finds trump''s, brexit finds post-brexit): BM25 with each word''s forms counted together. Quotes are ignored: a "quoted phrase" counts as its separate words here (search keeps phrases). Columns as search.';
