"""Article slices: a set of articles cut into consecutive pieces of at most
:data:`SLICE_ARTICLES` articles in ``(published_date, article_id)`` order.

The loader writes the term facts and texts slice by slice: one sort of ~1.8 million term rows
at a time instead of one of the whole run. Slices are taken in order, so the rows are appended
in exactly the order one big ``ORDER BY published_date, article_id, …`` gives. A slice may span
several days (a run over 164 days of real news is one or two slices, not 164 statements), and
a day may span several slices. A 100,000-article run's load went from 96 s to 49 s (its one
sort of 17.7 million term rows had spilled past DuckDB's memory limit; docs/performance.md).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import duckdb

#: Articles per slice (about 1.8 million term rows of a generated or news article).
SLICE_ARTICLES = 10_000


def in_slice(alias: str = "") -> str:
    """The predicate selecting a slice's rows from a table (or ``alias``) with
    ``published_date`` and ``article_id`` columns; its named parameters are
    :meth:`Slice.params`. The day range comes first, so DuckDB can skip other days' row groups."""
    a = f"{alias}." if alias else ""
    return (
        f"{a}published_date BETWEEN $first_day AND $last_day"
        f" AND ({a}published_date > $first_day OR {a}article_id >= $first_id)"
        f" AND ({a}published_date < $last_day OR {a}article_id <= $last_id)"
    )


class Slice(NamedTuple):
    """The articles from ``(first_day, first_id)`` to ``(last_day, last_id)``, inclusive, in
    ``(published_date, article_id)`` order."""

    first_day: date
    first_id: str
    last_day: date
    last_id: str

    def params(self) -> dict[str, object]:
        """The named parameters of :func:`in_slice` for this slice."""
        return self._asdict()


def article_slices(
    con: duckdb.DuckDBPyConnection,
    articles_sql: str,
    size: int | None = None,
    params: dict[str, object] | None = None,
) -> list[Slice]:
    """Slices of at most ``size`` (default :data:`SLICE_ARTICLES`) of the articles
    ``articles_sql`` returns (a query with ``published_date`` and ``article_id`` columns, and
    named ``params``; a repeated pair counts once), in order."""
    size = SLICE_ARTICLES if size is None else size
    if size < 1:
        raise ValueError(f"slice size must be positive, not {size}")
    rows = con.execute(
        f"""
        WITH numbered AS (
            SELECT published_date, article_id,
                   row_number() OVER (ORDER BY published_date, article_id) - 1 AS i
            FROM (SELECT DISTINCT published_date, article_id FROM ({articles_sql}))
        )
        SELECT arg_min(published_date, i), arg_min(article_id, i),
               arg_max(published_date, i), arg_max(article_id, i)
        FROM numbered
        GROUP BY i // {int(size)}
        ORDER BY i // {int(size)}
        """,
        params or {},
    ).fetchall()
    return [Slice(*row) for row in rows]
