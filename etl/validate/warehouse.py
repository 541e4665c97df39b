"""Post-load checks: the warehouse itself, read through DuckDB into DataFrames and checked by GX.

GX's SQL datasource does not work on DuckDB (every expectation silently fails), so each check
reads a small DataFrame with DuckDB and validates it with the ``post_load`` suites under
``schemas/expectations``. The frames cover what a run can have broken: the partitions it wrote,
the dimension rows those partitions use, and the partition row counts the staged data implies.
Aggregation (terms per article) happens in DuckDB, so the frames stay one row per article.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from etl.load.rules import RUN_BATCH
from etl.load.slices import Slice, article_slices, in_slice
from etl.validate.runner import ValidationOutcome, validate_frame
from etl.validate.suites import load_suites

#: One row per article of the written partitions, for one slice of them (``$days`` the
#: partitions, the slice's range from :func:`etl.load.slices.in_slice`): the whole check in one
#: query held ~2 GB beyond DuckDB's memory limit at 100,000 articles (the per-article lists of
#: 17.7 million term rows), and failed with a 1 GB limit; a slice holds a tenth of that.
_ARTICLES_SQL = f"""
WITH part AS (SELECT unnest($days::DATE[]) AS d),
terms AS (
    SELECT f.article_id, count(*) AS term_rows,
           count(*) FILTER (WHERE t.term_id IS NULL) AS orphan_term_rows,
           count(*) FILTER (WHERE f.stem_id IS NOT NULL AND s.stem_id IS NULL)
               AS orphan_stem_rows,
           -- list_unique counts the distinct non-null ids like count(DISTINCT term_id), in
           -- 2.7 s instead of 6.1 s over the 17.7 million rows of a 100,000-article run
           count(*) - list_unique(list(f.term_id)) AS duplicate_term_rows
    -- LEFT JOINs: a duplicated dimension row fans the term rows out (term_rows > n_terms)
    FROM fact_article_term f LEFT JOIN dim_term t USING (term_id)
    LEFT JOIN dim_stem s ON s.stem_id = f.stem_id
    WHERE f.published_date IN (SELECT d FROM part) AND {in_slice("f")}
    GROUP BY f.article_id
),
texts AS (
    SELECT article_id, count(*) AS text_rows FROM article_text
    WHERE published_date IN (SELECT d FROM part) AND {in_slice()} GROUP BY article_id
)
SELECT a.article_id, a.published_date, dd.date_key AS dim_date_key,
       ds.source_id AS dim_source_id, a.n_terms::BIGINT AS n_terms,
       coalesce(t.term_rows, 0)::BIGINT AS term_rows,
       coalesce(t.orphan_term_rows, 0)::BIGINT AS orphan_term_rows,
       coalesce(t.orphan_stem_rows, 0)::BIGINT AS orphan_stem_rows,
       coalesce(t.duplicate_term_rows, 0)::BIGINT AS duplicate_term_rows,
       dl.language_code AS dim_language_code, dst.story_id AS dim_story_id,
       coalesce(x.text_rows, 0)::BIGINT AS text_rows
FROM fact_article a
LEFT JOIN dim_date dd ON dd.date_key = a.published_date
LEFT JOIN dim_source ds ON ds.source_id = a.source_id
-- a duplicated dimension row fans the article out (article_id no longer unique)
LEFT JOIN dim_language dl ON dl.language_code = a.language_code
LEFT JOIN dim_story dst ON dst.story_id = a.story_id
LEFT JOIN terms t USING (article_id)
LEFT JOIN texts x USING (article_id)
WHERE a.published_date IN (SELECT d FROM part) AND {in_slice("a")}
"""

_PARTITIONS_SQL = """
SELECT p.d AS partition_date,
       (SELECT count(*) FROM fact_article a WHERE a.published_date = p.d)::BIGINT
           AS loaded_articles,
       (SELECT count(*) FROM article_text x WHERE x.published_date = p.d)::BIGINT AS text_rows
FROM (SELECT unnest(?::DATE[]) AS d) p
"""

#: The keys the written partitions use, one temp table each, built before the dimension query:
#: with them inlined as CTEs (the term facts read once for two of them, every list an
#: ``IN (SELECT …)`` arm of one UNION ALL), DuckDB 1.5.5 hung in that query, every thread parked
#: and no CPU used, when 120,000 articles were loaded on top of 30,000 (like duckdb#24961).
#: The term facts are read once, for the (term, stem) pairs (once each for terms and stems
#: cost 1.8 s at 100,000 articles); built in this order.
_USED_KEYS = {
    "check_used_pairs": "SELECT DISTINCT term_id, stem_id FROM fact_article_term "
    "WHERE published_date IN (SELECT unnest(?::DATE[]))",
    "check_used_terms": "SELECT DISTINCT term_id FROM check_used_pairs",
    "check_used_stems": "SELECT DISTINCT stem_id FROM check_used_pairs",
    "check_used_stories": "SELECT DISTINCT story_id FROM fact_article "
    "WHERE published_date IN (SELECT unnest(?::DATE[]))",
}

_DIMENSIONS_SQL = """
WITH touched_terms AS (
    SELECT term FROM dim_term WHERE term_id IN (SELECT term_id FROM check_used_terms)
),
touched_stems AS (
    SELECT language_code, stem FROM dim_stem
    WHERE stem_id IN (SELECT stem_id FROM check_used_stems)
),
touched_stories AS (
    SELECT founding_article_id FROM dim_story
    WHERE story_id IN (SELECT story_id FROM check_used_stories)
)
SELECT 'dim_date' AS dimension, date_key::VARCHAR AS key, date_key::VARCHAR AS name FROM dim_date
UNION ALL
SELECT 'dim_source', source_id::VARCHAR, source_name FROM dim_source
UNION ALL
SELECT 'dim_term', term_id::VARCHAR, term FROM dim_term
WHERE term_id IN (SELECT term_id FROM check_used_terms)
   OR term IN (SELECT term FROM touched_terms)
UNION ALL
SELECT 'dim_stem', stem_id::VARCHAR, language_code || ':' || stem FROM dim_stem
WHERE stem_id IN (SELECT stem_id FROM check_used_stems)
   OR (language_code, stem) IN (SELECT (language_code, stem) FROM touched_stems)
UNION ALL
SELECT 'dim_language', language_code, language_code FROM dim_language
UNION ALL
SELECT 'dim_story', story_id::VARCHAR, founding_article_id FROM dim_story
WHERE story_id IN (SELECT story_id FROM check_used_stories)
   OR founding_article_id IN (SELECT founding_article_id FROM touched_stories)
"""


def _articles(con: duckdb.DuckDBPyConnection, days: list[date]) -> pd.DataFrame:
    """``wh_articles``: one row per article of the partitions ``days``, checked slice by slice
    (:mod:`etl.load.slices`) so that the check's memory does not grow with the run."""
    slices = article_slices(
        con,
        "SELECT published_date, article_id FROM fact_article "
        "WHERE published_date IN (SELECT unnest($days::DATE[]))",
        params={"days": days},
    )
    # No article at all: one (empty) query still gives the frame its columns. Equivalent with
    # any other bounds (seed 1232): no article of these days lies between any two.
    pieces = slices or [Slice(date.min, "", date.min, "")]  # pragma: no mutate
    # equivalent in upper case (seed 1228): DuckDB's named parameters are case-insensitive
    partitions = {"days": days}  # pragma: no mutate
    frames = [con.execute(_ARTICLES_SQL, {**partitions, **piece.params()}).df() for piece in pieces]
    # one frame as well (seed 1232: "one frame as it is" was an equivalent mutant)
    return pd.concat(frames, ignore_index=True)


def _dimension_keys(con: duckdb.DuckDBPyConnection, days: list[date]) -> pd.DataFrame:
    """``wh_dimension_keys``: every dimension row the written partitions use, or that shares a
    name with one (a duplicated dimension row shows as a repeated name)."""
    for table, sql in _USED_KEYS.items():
        params = [days] if "?" in sql else []
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {sql}", params)
    frame = con.execute(_DIMENSIONS_SQL).df()
    for table in _USED_KEYS:  # (after a failure the next check replaces them)
        con.execute(f"DROP TABLE {table}")
    return frame


def warehouse_frames(
    con: duckdb.DuckDBPyConnection, expected: dict[date, int]
) -> dict[str, pd.DataFrame]:
    """The frames the ``post_load`` suites check, for the partitions in ``expected``.

    ``expected`` maps each partition the run wrote to the number of articles it must now hold.
    """
    days = sorted(expected)
    partitions = con.execute(_PARTITIONS_SQL, [days]).df()
    partitions["expected_articles"] = [
        expected[pd.Timestamp(d).date()] for d in partitions["partition_date"]
    ]
    partitions["partition_date"] = partitions["partition_date"].astype(str)
    return {
        "wh_articles": _articles(con, days),
        "wh_partitions": partitions,
        "wh_dimension_keys": _dimension_keys(con, days),
    }


def check_frames(
    frames: dict[str, pd.DataFrame], expectations_dir: Path, params: dict[str, Any]
) -> ValidationOutcome:
    """Run every ``post_load`` suite over ``frames`` (:func:`warehouse_frames`): what
    :func:`check_warehouse` does with GX, in whichever process has it."""
    outcome = ValidationOutcome()
    for spec in load_suites(expectations_dir, stage="post_load"):
        outcome.merge(validate_frame(spec, frames[spec.table], params))
    outcome.checks = [{**row, "batch": RUN_BATCH} for row in outcome.checks]
    return outcome


def check_warehouse(
    con: duckdb.DuckDBPyConnection,
    expected: dict[date, int],
    expectations_dir: Path,
    params: dict[str, Any],
    judge: Callable[
        [dict[str, pd.DataFrame], Path, dict[str, Any]], ValidationOutcome
    ] = check_frames,
) -> ValidationOutcome:
    """Run every ``post_load`` suite: one ``fact_check_result`` row (batch -1) per expectation
    in ``checks``, GX's validation result of each suite in ``results``. ``params`` are the
    suites' ``$PARAMETER`` values, from the run's planned settings
    (:func:`etl.validate.runner.suite_parameters`). ``judge`` runs the suites over the frames
    read here (:func:`check_frames`, or the same in the run's helper process)."""
    if not expected:
        return ValidationOutcome()
    return judge(warehouse_frames(con, expected), expectations_dir, params)
