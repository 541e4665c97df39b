"""``agg_daily_term``: the term counts per day, kept in step with ``fact_article_term``.

The day-based analyst objects (``v_daily_term_counts``, ``top_terms``, ``trending_terms``,
``term_trend``) and ``tfidf``'s document frequencies read this table instead of aggregating the
whole term fact table, which keeps them well under a second at 100,000 articles. The loader calls
:func:`refresh_days` inside its transaction after writing the facts, for every day the run
touched (new articles' days, and the days of articles a ``replace`` or ``rebuild`` removed), so
the table is never stale: a reader sees the facts and their sums of the same commit.
"""

from __future__ import annotations

import duckdb

#: The temporary table of days the current run touched (one ``published_date`` column).
TOUCHED_DAYS = "touched_days"

_AGGREGATE = """
SELECT published_date, term_id, count(*)::INTEGER, sum(count)::BIGINT,
       count(*) FILTER (WHERE is_stopword)::INTEGER,
       coalesce(sum(count) FILTER (WHERE is_stopword), 0)::BIGINT
FROM fact_article_term
WHERE published_date IN (SELECT published_date FROM {days})
GROUP BY published_date, term_id
ORDER BY published_date, term_id
"""


def start(con: duckdb.DuckDBPyConnection) -> None:
    """Begin a run's list of touched days (empty)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {TOUCHED_DAYS} (published_date DATE)")


def touch(con: duckdb.DuckDBPyConnection, days_sql: str) -> None:
    """Add the days returned by ``days_sql`` (a query with one DATE column) to the list."""
    con.execute(f"INSERT INTO {TOUCHED_DAYS} SELECT DISTINCT * FROM ({days_sql})")


def refresh_days(con: duckdb.DuckDBPyConnection) -> int:
    """Rewrite ``agg_daily_term`` for every touched day from the facts; return the days."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TOUCHED_DAYS} AS SELECT DISTINCT published_date "
        f"FROM {TOUCHED_DAYS}"
    )
    con.execute(
        f"DELETE FROM agg_daily_term WHERE published_date IN "
        f"(SELECT published_date FROM {TOUCHED_DAYS})"
    )
    con.execute("INSERT INTO agg_daily_term " + _AGGREGATE.format(days=TOUCHED_DAYS))
    row = con.execute(f"SELECT count(*) FROM {TOUCHED_DAYS}").fetchone()
    return int(row[0]) if row else 0
