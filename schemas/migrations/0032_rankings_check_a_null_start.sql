-- top_terms and top_terms_stem with a NULL start date (a notebook's missing parameter) returned
-- one row of NULLs: no ranking and no note (session 34's probe). Their range check,
-- checked_end(start_date, end_date), sits in `published_date BETWEEN start_date::DATE AND
-- (SELECT checked_end(...))`, which DuckDB folds to false on a NULL start before it evaluates
-- the check, and empty_ranking_note('no articles between ' || NULL) was NULL too. A NULL end
-- date did raise. The note of an empty ranking now checks the range first, so both macros say
-- "a date range needs two dates" whichever date is missing, as calendar, distinctive_terms and
-- term_trend do. Macros and comments only: no stored row changes, so no day becomes stale.
-- Like every migration, never edited or renumbered once applied.

CREATE OR REPLACE MACRO empty_ranking_note(start_date, end_date) AS
CASE WHEN checked_end(start_date, end_date) IS NULL THEN NULL
     WHEN NOT EXISTS (SELECT 1 FROM fact_article
                      WHERE published_date BETWEEN start_date::DATE AND end_date::DATE)
     THEN 'no articles between ' || start_date::DATE || ' and ' || end_date::DATE
     ELSE 'no word to rank: the articles between ' || start_date::DATE || ' and ' || end_date::DATE
          || ' have only stopwords, numbers, URLs and boilerplate lines' END;
COMMENT ON MACRO empty_ranking_note IS 'Why top_terms or top_terms_stem has nothing to rank between two dates: no articles, or articles with no word left once stopwords, boilerplate lines, numbers, URLs and e-mail addresses are left out. Checks the range first (checked_end): a NULL date or an end before the start is an error that says so.';
