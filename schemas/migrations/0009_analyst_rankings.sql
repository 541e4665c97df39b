-- Answers analysts can trust (issue 15): rankings that surface what happened, every form of a
-- word, phrases, honest time series and a full calendar; the stale dictionary comments fixed.
-- Statistics and examples: warehouse/README.md (generated) and README.md ("Querying").
-- Renumbered at merge if another migration lands first; never hard-code its number.

-- ---------------------------------------------------------------- boilerplate lines
-- Lines a source repeats across many of its stories (bylines, "Follow us on ...", wire sign-offs
-- such as REUTER) are page furniture, not news. etl.load.boilerplate.refresh_boilerplate finds
-- them and records, per article, the term occurrences they account for; the rankings below
-- subtract those occurrences. Nothing is deleted: fact_article_term keeps every occurrence.
CREATE TABLE boilerplate_line (
    source_id      BIGINT      NOT NULL,  -- joins dim_source
    line           VARCHAR     NOT NULL,  -- the line, trimmed and lowercased (how lines are matched)
    stories        INTEGER     NOT NULL,  -- distinct stories of the source that contain the line
    articles       INTEGER     NOT NULL,  -- articles of the source that contain the line
    source_stories INTEGER     NOT NULL,  -- stories of the source at detection time
    detected_at    TIMESTAMPTZ NOT NULL   -- when refresh_boilerplate last ran
);
COMMENT ON TABLE boilerplate_line IS 'Boilerplate: short lines (at most 200 characters) that one source repeats in at least 5 of its stories and at least 10 % of them (bylines, "Follow us on ...", sign-offs), found by etl.load.boilerplate.refresh_boilerplate. Flagged, never deleted. Grain: one row per source and line. Key: (source_id, line).';
COMMENT ON COLUMN boilerplate_line.source_id IS 'joins dim_source';
COMMENT ON COLUMN boilerplate_line.line IS 'the line, trimmed and lowercased (how lines are matched)';
COMMENT ON COLUMN boilerplate_line.stories IS 'distinct stories (near-duplicate groups) of the source that contain the line';
COMMENT ON COLUMN boilerplate_line.articles IS 'articles of the source that contain the line';
COMMENT ON COLUMN boilerplate_line.source_stories IS 'stories of the source when the line was detected';
COMMENT ON COLUMN boilerplate_line.detected_at IS 'when refresh_boilerplate last ran';

CREATE TABLE boilerplate_term (
    article_id       VARCHAR NOT NULL,  -- joins fact_article
    published_date   DATE    NOT NULL,  -- the article's date
    term_id          BIGINT  NOT NULL,  -- joins dim_term
    count            INTEGER NOT NULL,  -- occurrences of the term inside the article's boilerplate lines
    is_stopword      BOOLEAN NOT NULL,  -- fact_article_term.is_stopword of the same row
    only_boilerplate BOOLEAN NOT NULL   -- every occurrence of the term in the article is in boilerplate
);
COMMENT ON TABLE boilerplate_term IS 'The term occurrences of each article that lie in its source''s boilerplate lines (boilerplate_line); rankings subtract them. Grain: one row per article and term. Key: (article_id, term_id).';
COMMENT ON COLUMN boilerplate_term.article_id IS 'joins fact_article';
COMMENT ON COLUMN boilerplate_term.published_date IS 'the article''s date';
COMMENT ON COLUMN boilerplate_term.term_id IS 'joins dim_term';
COMMENT ON COLUMN boilerplate_term.count IS 'occurrences of the term inside the article''s boilerplate lines (at most fact_article_term.count)';
COMMENT ON COLUMN boilerplate_term.is_stopword IS 'fact_article_term.is_stopword of the same article and term';
COMMENT ON COLUMN boilerplate_term.only_boilerplate IS 'every occurrence of the term in the article is in boilerplate: the article does not count for the term in rankings';

CREATE VIEW v_daily_content_terms AS
SELECT a.published_date, a.term_id,
       (a.articles - a.stopword_articles - coalesce(b.articles, 0))::BIGINT AS articles,
       (a.occurrences - a.stopword_occurrences - coalesce(b.occurrences, 0))::BIGINT AS occurrences
FROM agg_daily_term a
LEFT JOIN (
    SELECT published_date, term_id, count(*) FILTER (WHERE only_boilerplate) AS articles,
           sum(count) AS occurrences
    FROM boilerplate_term WHERE NOT is_stopword GROUP BY published_date, term_id
) b USING (published_date, term_id)
WHERE a.articles > a.stopword_articles;
COMMENT ON VIEW v_daily_content_terms IS 'What the rankings count: term usage per day without stopwords (of each article''s language) and without boilerplate lines. Grain: one row per published_date and term. Key: (published_date, term_id).';
COMMENT ON COLUMN v_daily_content_terms.published_date IS 'the day';
COMMENT ON COLUMN v_daily_content_terms.term_id IS 'joins dim_term';
COMMENT ON COLUMN v_daily_content_terms.articles IS 'articles of the day in which the term is neither a stopword nor only in boilerplate';
COMMENT ON COLUMN v_daily_content_terms.occurrences IS 'its occurrences in them, boilerplate lines excluded';

-- ---------------------------------------------------------------- calendar
CREATE MACRO calendar(start_date, end_date) AS TABLE
SELECT r.d::DATE AS date_key, year(r.d)::SMALLINT AS year, quarter(r.d)::TINYINT AS quarter,
       month(r.d)::TINYINT AS month, day(r.d)::TINYINT AS day, isodow(r.d)::TINYINT AS day_of_week,
       dayname(r.d) AS day_name, isoyear(r.d)::SMALLINT AS iso_year, week(r.d)::TINYINT AS iso_week,
       isodow(r.d) >= 6 AS is_weekend, date_trunc('week', r.d)::DATE AS week_start,
       date_trunc('month', r.d)::DATE AS month_start, coalesce(n.articles, 0)::BIGINT AS articles,
       n.articles IS NOT NULL AS has_articles
FROM range(start_date::DATE, end_date::DATE + INTERVAL 1 DAY, INTERVAL 1 DAY) AS r(d)
LEFT JOIN (
    SELECT published_date, count(*) AS articles FROM fact_article
    WHERE published_date BETWEEN start_date::DATE AND end_date::DATE GROUP BY published_date
) AS n ON n.published_date = r.d::DATE
ORDER BY date_key;
COMMENT ON MACRO TABLE calendar IS 'Every day from start_date to end_date (dim_date holds only days with articles): calendar fields, week_start (Monday), month_start, articles that day (0 when none) and has_articles.';

CREATE VIEW v_calendar AS
SELECT c.* FROM (SELECT min(published_date) AS s, max(published_date) AS e FROM fact_article) b,
LATERAL (SELECT * FROM calendar(b.s, b.e)) c;
COMMENT ON VIEW v_calendar IS 'The full calendar from the first to the last published_date, days without articles included (articles = 0). Grain: one row per day. Key: date_key.';
COMMENT ON COLUMN v_calendar.date_key IS 'the day';
COMMENT ON COLUMN v_calendar.year IS 'calendar year';
COMMENT ON COLUMN v_calendar.quarter IS 'quarter, 1..4';
COMMENT ON COLUMN v_calendar.month IS 'month, 1..12';
COMMENT ON COLUMN v_calendar.day IS 'day of the month';
COMMENT ON COLUMN v_calendar.day_of_week IS 'ISO: Monday = 1 .. Sunday = 7';
COMMENT ON COLUMN v_calendar.day_name IS 'English weekday name';
COMMENT ON COLUMN v_calendar.iso_year IS 'ISO-8601 week-numbering year';
COMMENT ON COLUMN v_calendar.iso_week IS 'ISO-8601 week number';
COMMENT ON COLUMN v_calendar.is_weekend IS 'Saturday or Sunday';
COMMENT ON COLUMN v_calendar.week_start IS 'the Monday of the day''s ISO week (group by it for weekly figures)';
COMMENT ON COLUMN v_calendar.month_start IS 'the first day of the month (group by it for monthly figures)';
COMMENT ON COLUMN v_calendar.articles IS 'articles published that day (0 when none)';
COMMENT ON COLUMN v_calendar.has_articles IS 'whether the warehouse has any article of that day';

-- ---------------------------------------------------------------- words and their forms
CREATE MACRO term_parts(term) AS
list_filter(string_split(regexp_replace(term::VARCHAR, '[''’]s$', ''), '-'), p -> p <> '');
COMMENT ON MACRO term_parts IS 'The parts of a hyphenated or possessive term: term_parts(''post-brexit'') = [post, brexit], term_parts(''trump''''s'') = [trump]. search() and the _stem macros reach a word inside such terms through it; the stored terms stay whole.';

CREATE MACRO term_forms(term_text) AS TABLE
WITH base AS (SELECT term_id FROM dim_term WHERE term = lower(term_text)),
stems AS (
    SELECT DISTINCT stem_id FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM base) AND stem_id IS NOT NULL
    UNION
    SELECT stem_id FROM dim_stem WHERE stem = lower(term_text) AND NOT EXISTS (SELECT 1 FROM base)
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

-- ---------------------------------------------------------------- honest time series
CREATE OR REPLACE MACRO term_trend(term_text, start_date, end_date) AS TABLE
WITH known AS (SELECT count(*) AS n FROM dim_term WHERE term = lower(term_text)),
hits AS (
    SELECT a.published_date, a.articles, a.occurrences
    FROM agg_daily_term a JOIN dim_term t USING (term_id)
    WHERE t.term = lower(term_text) AND a.published_date BETWEEN start_date::DATE AND end_date::DATE
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

CREATE MACRO term_trend_stem(term_text, start_date, end_date) AS TABLE
WITH forms AS (SELECT term_id FROM term_forms(term_text)),
hits AS (
    SELECT published_date, count(DISTINCT article_id) AS articles, sum(count) AS occurrences
    FROM fact_article_term
    WHERE term_id IN (SELECT term_id FROM forms)
      AND published_date BETWEEN start_date::DATE AND end_date::DATE
    GROUP BY published_date
),
known AS (SELECT count(*) AS n FROM forms)
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
COMMENT ON MACRO TABLE term_trend_stem IS 'term_trend over every form of the word (term_forms: same stem, possessives, hyphenated compounds): articles that contain any form, their occurrences. Same columns and NULL rule as term_trend.';

CREATE MACRO term_trend_by(term_text, start_date, end_date, unit) AS TABLE
SELECT date_trunc(unit, day)::DATE AS period, sum(articles)::BIGINT AS articles,
       sum(occurrences)::BIGINT AS occurrences, sum(day_articles)::BIGINT AS period_articles,
       sum(articles) / nullif(sum(day_articles), 0) AS share,
       count(*) FILTER (WHERE day_articles > 0) AS days_with_articles, count(*) AS days,
       any_value(note) FILTER (WHERE note = 'not in the vocabulary') AS note
FROM term_trend(term_text, start_date, end_date)
GROUP BY period ORDER BY period;
COMMENT ON MACRO TABLE term_trend_by IS 'term_trend summed per week or month (unit: ''week'' = ISO weeks from Monday, ''month''): period (its first day), articles, occurrences, period_articles, share, days_with_articles, days (calendar days of the period inside the range), note.';

-- ---------------------------------------------------------------- rankings
CREATE OR REPLACE MACRO top_terms(start_date, end_date, n) AS TABLE
SELECT t.term, sum(c.occurrences)::BIGINT AS occurrences, sum(c.articles)::BIGINT AS articles
FROM v_daily_content_terms c JOIN dim_term t USING (term_id)
WHERE c.published_date BETWEEN start_date::DATE AND end_date::DATE AND t.term_kind = 'word'
GROUP BY t.term
HAVING sum(c.occurrences) > 0
ORDER BY occurrences DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE top_terms IS 'The n most frequent words between two dates, stopwords (of each article''s language) and boilerplate lines (boilerplate_line) excluded. Columns: term, occurrences, articles.';

CREATE MACRO top_terms_stem(start_date, end_date, n) AS TABLE
WITH rows AS MATERIALIZED (
    SELECT f.article_id, f.stem_id, f.term_id, f.count - coalesce(b.count, 0) AS count
    FROM fact_article_term f
    LEFT JOIN boilerplate_term b USING (article_id, term_id)
    WHERE f.published_date BETWEEN start_date::DATE AND end_date::DATE
      AND NOT coalesce(f.is_stopword, false) AND f.stem_id IS NOT NULL
      AND f.term_id IN (SELECT term_id FROM dim_term WHERE term_kind = 'word')
      AND f.count > coalesce(b.count, 0)
),
stems AS (
    SELECT stem_id, sum(count) AS occurrences, count(DISTINCT article_id) AS articles
    FROM rows GROUP BY stem_id ORDER BY occurrences DESC LIMIT n * 4
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
    WHERE c.published_date = day::DATE AND c.articles >= min_articles AND t.term_kind = 'word'
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

CREATE MACRO distinctive_terms(start_date, end_date, n, min_articles := 3) AS TABLE
WITH tot AS (
    SELECT count(*) FILTER (WHERE published_date BETWEEN start_date::DATE AND end_date::DATE)::DOUBLE AS c,
           count(*) FILTER (WHERE published_date NOT BETWEEN start_date::DATE AND end_date::DATE)::DOUBLE AS d
    FROM fact_article
),
inside AS (
    SELECT * FROM (
        SELECT c.term_id, sum(c.articles)::DOUBLE AS a FROM v_daily_content_terms c
        WHERE c.published_date BETWEEN start_date::DATE AND end_date::DATE
        GROUP BY c.term_id
    ) WHERE a >= min_articles
),
outside AS (
    SELECT term_id, sum(articles)::DOUBLE AS b FROM v_daily_content_terms
    WHERE published_date NOT BETWEEN start_date::DATE AND end_date::DATE
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

CREATE OR REPLACE MACRO cooccurring_terms(term_text, n, min_articles := 3) AS TABLE
WITH docs AS (
    SELECT f.article_id FROM fact_article_term f
    LEFT JOIN boilerplate_term b USING (article_id, term_id)
    WHERE f.term_id IN (SELECT term_id FROM dim_term WHERE term = lower(term_text))
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
WHERE t.term <> lower(term_text) AND t.term_kind = 'word'
ORDER BY npmi DESC, articles DESC, t.term
LIMIT n;
COMMENT ON MACRO TABLE cooccurring_terms IS 'Words associated with a term, by normalised pointwise mutual information over articles: npmi = ln(P(x, y) / (P(x) P(y))) / -ln P(x, y), from 1 (always together) through 0 (independent); only words sharing at least min_articles (default 3) articles with the term, stopwords and boilerplate excluded. lift = P(x, y) / (P(x) P(y)). Columns: term, articles (shared), term_articles (articles with the word), lift, npmi.';

-- ---------------------------------------------------------------- search and kwic: forms, parts, phrases
CREATE MACRO phrase_pattern(phrase) AS
'(?s)^(|.*?[^\pL\pN\pM_])((?i:'
  || regexp_replace(regexp_replace(trim(phrase::VARCHAR), '([.^$*+?()\[\]{}|\\])', '\\\1', 'g'), '\s+', '\\s+', 'g')
  || '))(?:[^\pL\pN\pM_]|$)';
COMMENT ON MACRO phrase_pattern IS 'The RE2 pattern that finds a phrase in a clean_text, case-insensitively, as whole words with any whitespace between them: group 1 is the text before it, group 2 the phrase as written. kwic and search use it.';

CREATE OR REPLACE MACRO search(q, n) AS TABLE
WITH phrases AS (
    SELECT list_filter(regexp_extract_all(q::VARCHAR, '"([^"]+)"', 1), p -> len(search_terms(p)) > 0) AS ps
),
words AS (SELECT unnest(search_terms(replace(q::VARCHAR, '"', ' '))) AS word),
matched AS MATERIALIZED (
    SELECT w.word, t.term_id FROM words w JOIN dim_term t ON t.term = w.word
    UNION
    SELECT w.word, t.term_id FROM words w JOIN dim_term t
      ON contains(t.term, w.word) AND t.term <> w.word AND regexp_matches(t.term, '[-''’]')
     AND list_contains(term_parts(t.term), w.word)
),
hits AS MATERIALIZED (
    SELECT m.word, f.article_id, sum(f.count) AS count
    FROM fact_article_term f JOIN matched m USING (term_id)
    GROUP BY m.word, f.article_id
),
need AS (SELECT list_distinct(flatten(list_transform(ps, p -> search_terms(p)))) AS pw FROM phrases),
candidates AS (
    SELECT h.article_id FROM hits h, need
    WHERE list_contains(need.pw, h.word)
    GROUP BY h.article_id HAVING count(DISTINCT h.word) = any_value(len(need.pw))
),
with_phrases AS (
    SELECT c.article_id FROM candidates c JOIN article_text x USING (article_id), phrases
    WHERE list_bool_and(list_transform(phrases.ps, p -> regexp_matches(x.clean_text, phrase_pattern(p))))
),
kept AS MATERIALIZED (
    SELECT h.* FROM hits h, phrases
    WHERE len(phrases.ps) = 0 OR h.article_id IN (SELECT article_id FROM with_phrases)
),
stats AS (SELECT count(*)::DOUBLE AS n_docs, avg(n_tokens)::DOUBLE AS avgdl FROM fact_article),
df AS (SELECT word, count(*)::DOUBLE AS df FROM hits GROUP BY word),
scored AS (
    SELECT k.article_id,
           sum(ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
               * (k.count * 2.2)
               / (k.count + 1.2 * (0.25 + 0.75 * a.n_tokens / stats.avgdl))) AS score
    FROM kept k JOIN df USING (word) JOIN fact_article a USING (article_id) CROSS JOIN stats
    GROUP BY k.article_id
),
best AS (SELECT article_id, score FROM scored ORDER BY score DESC, article_id LIMIT n)
SELECT b.article_id, b.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM best b JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY b.score DESC, b.article_id;
COMMENT ON MACRO TABLE search IS 'Full-text search ranked by BM25 (k1 = 1.2, b = 0.75) over the term counts: the n best articles for the words of q (split by search_terms; stopwords count, weighted down by their document frequency). A word also matches the hyphenated and possessive terms that contain it (brexit finds post-brexit; term_parts); "quoted phrases" must appear as written (case and spacing aside) and their words count in the score. Exact forms: search_stem for every form. Columns: article_id, score, published_date, title (NULL for .txt input in the canonical layout), snippet. Plain SQL, as fresh as fact_article_term; why not the fts extension: docs/search-bm25.md.';

CREATE MACRO search_stem(q, n) AS TABLE
WITH words AS (SELECT unnest(search_terms(replace(q::VARCHAR, '"', ' '))) AS word),
base AS (SELECT w.word, t.term_id FROM words w JOIN dim_term t ON t.term = w.word),
stems AS (
    SELECT DISTINCT b.word, f.stem_id FROM base b JOIN fact_article_term f USING (term_id)
    WHERE f.stem_id IS NOT NULL
    UNION
    SELECT w.word, s.stem_id FROM words w JOIN dim_stem s ON s.stem = w.word
    WHERE w.word NOT IN (SELECT word FROM base)
),
forms AS (
    SELECT DISTINCT s.word, f.term_id FROM stems s JOIN fact_article_term f USING (stem_id)
    UNION SELECT word, term_id FROM base
),
form_terms AS (SELECT f.word, t.term FROM forms f JOIN dim_term t USING (term_id)),
matched AS MATERIALIZED (
    SELECT word, term_id FROM forms
    UNION
    SELECT ft.word, t.term_id FROM dim_term t JOIN form_terms ft
      ON contains(t.term, ft.term) AND t.term <> ft.term AND regexp_matches(t.term, '[-''’]')
     AND list_contains(term_parts(t.term), ft.term)
),
hits AS MATERIALIZED (
    SELECT m.word, f.article_id, sum(f.count) AS count
    FROM fact_article_term f JOIN (SELECT DISTINCT word, term_id FROM matched) m USING (term_id)
    GROUP BY m.word, f.article_id
),
stats AS (SELECT count(*)::DOUBLE AS n_docs, avg(n_tokens)::DOUBLE AS avgdl FROM fact_article),
df AS (SELECT word, count(*)::DOUBLE AS df FROM hits GROUP BY word),
scored AS (
    SELECT h.article_id,
           sum(ln(1 + (stats.n_docs - df.df + 0.5) / (df.df + 0.5))
               * (h.count * 2.2)
               / (h.count + 1.2 * (0.25 + 0.75 * a.n_tokens / stats.avgdl))) AS score
    FROM hits h JOIN df USING (word) JOIN fact_article a USING (article_id) CROSS JOIN stats
    GROUP BY h.article_id
),
best AS (SELECT article_id, score FROM scored ORDER BY score DESC, article_id LIMIT n)
SELECT b.article_id, b.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM best b JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY b.score DESC, b.article_id;
COMMENT ON MACRO TABLE search_stem IS 'search over every form of each query word (the forms of term_forms: troop finds troops, trump finds trump''s, brexit finds post-brexit): BM25 with each word''s forms counted together. Columns as search.';

CREATE OR REPLACE MACRO kwic(term_text, width) AS TABLE
WITH hits AS (
    SELECT f.published_date, f.article_id, f.first_offset,
           least(width, f.first_offset) AS n_left, length(t.term) AS n_term
    FROM dim_term t JOIN fact_article_term f USING (term_id)
    WHERE t.term = lower(term_text) AND NOT regexp_matches(trim(term_text), '\s')
),
windows AS (
    SELECT h.published_date, h.article_id, h.n_left, h.n_term,
           substr(x.clean_text, h.first_offset + 1 - h.n_left, h.n_left + h.n_term + width) AS w
    FROM hits h JOIN article_text x USING (article_id)
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
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, width) AS right_context
FROM windows
UNION ALL
SELECT published_date, article_id, right(before, width) AS left_context, keyword,
       substr(clean_text, length(before) + length(keyword) + 1, width) AS right_context
FROM phrase_hits
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic IS 'Keyword in context: the first occurrence of a term, or of a phrase of several words (kwic(''theresa may'', 40): whole words, any case and spacing), in each article, with width characters either side. Columns: published_date, article_id, left_context, keyword, right_context.';

CREATE MACRO kwic_stem(term_text, width) AS TABLE
WITH forms AS (SELECT term_id, term FROM term_forms(term_text)),
hits AS (
    SELECT f.article_id, any_value(f.published_date) AS published_date,
           min(f.first_offset) AS first_offset, arg_min(fo.term, f.first_offset) AS term
    FROM fact_article_term f JOIN forms fo USING (term_id)
    GROUP BY f.article_id
),
windows AS (
    SELECT h.published_date, h.article_id, least(width, h.first_offset) AS n_left,
           length(h.term) AS n_term,
           substr(x.clean_text, h.first_offset + 1 - least(width, h.first_offset),
                  least(width, h.first_offset) + length(h.term) + width) AS w
    FROM hits h JOIN article_text x USING (article_id)
)
SELECT published_date, article_id, substr(w, 1, n_left) AS left_context,
       substr(w, n_left + 1, n_term) AS keyword, substr(w, n_left + n_term + 1, width) AS right_context
FROM windows
ORDER BY published_date, article_id;
COMMENT ON MACRO TABLE kwic_stem IS 'kwic over every form of the word (term_forms): the first occurrence of any form in each article. Columns as kwic.';

-- ---------------------------------------------------------------- the dictionary, corrected
COMMENT ON COLUMN fact_article.date_source IS 'where published_date came from: header (the .txt date header) | metadata (a JSON/CSV field or HTML meta tag) | path (a dated folder) | run (the run''s date)';
COMMENT ON COLUMN dim_source.source_name IS 'the record''s own source field, else the host of its URL (without www.), else the landing subfolder, else the landing zone''s name';
COMMENT ON COLUMN fact_article.title IS 'headline, when the input format carries one (JSON/CSV field, HTML); NULL for .txt input in the canonical layout';
COMMENT ON COLUMN fact_article.url IS 'the article''s URL, when its format carries one (JSON/CSV field, HTML canonical link); NULL for .txt input';
COMMENT ON COLUMN fact_article.story_id IS 'joins dim_story: the near-duplicate group (syndicated copies and light rewrites of one text, MinHash ≥ 0.5 Jaccard), not a news event';
COMMENT ON TABLE dim_story IS 'Stories: near-duplicate groups, i.e. syndicated copies and light rewrites of one article, grouped by MinHash/LSH. A story is one text in several versions, not a news event: two different reports of the same event are two stories. Grain: one row per story. Key: story_id (hash of the founding article_id).';
COMMENT ON TABLE dim_date IS 'Calendar dates that have articles (for every day, with or without articles, use v_calendar or calendar(start, end)). Grain: one row per date. Key: date_key.';
COMMENT ON COLUMN v_articles.source_name IS 'the source (see dim_source.source_name)';
COMMENT ON COLUMN v_articles.title IS 'headline, when the format carries one; NULL for .txt input in the canonical layout';
COMMENT ON COLUMN v_articles.url IS 'the article''s URL, when the format carries one; NULL for .txt input';
COMMENT ON COLUMN v_articles.story_id IS 'near-duplicate group (joins dim_story): copies of one text, not a news event';
COMMENT ON COLUMN v_articles.date_source IS 'where the date came from: header, metadata, path, run';
