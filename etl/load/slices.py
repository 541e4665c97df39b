"""Article slices: a set of articles cut into consecutive pieces in ``(published_date,
article_id)`` order, each inside one day and of at most :data:`SLICE_ARTICLES` articles.

The loader writes the term facts and texts slice by slice, and the post-load checks aggregate
them slice by slice: one sort or hash table of ~1.8 million term rows at a time instead of one
for the whole run. Slices are taken in order, so the rows are appended in exactly the order one
big ``ORDER BY published_date, article_id, …`` gives; a day is never split across two runs of the
loop out of order. A 100,000-article run then loads in flat memory (the load's sort of
17.7 million term rows had spilled past DuckDB's memory limit and took 26 s; see
docs/performance.md).
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
    :meth:`Slice.params`."""
    a = f"{alias}." if alias else ""
    return f"{a}published_date = $day AND {a}article_id BETWEEN $lo AND $hi"


class Slice(NamedTuple):
    """The articles of ``day`` whose ids lie between ``first`` and ``last`` (inclusive)."""

    day: date
    first: str
    last: str

    def params(self) -> dict[str, object]:
        """The named parameters of :func:`in_slice` for this slice."""
        return {"day": self.day, "lo": self.first, "hi": self.last}


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
        SELECT published_date, min(article_id), max(article_id)
        FROM (
            SELECT published_date, article_id,
                   (row_number() OVER (PARTITION BY published_date ORDER BY article_id) - 1)
                       // {int(size)} AS piece
            FROM (SELECT DISTINCT published_date, article_id FROM ({articles_sql}))
        )
        GROUP BY published_date, piece
        ORDER BY published_date, piece
        """,
        params or {},
    ).fetchall()
    return [Slice(day, first, last) for day, first, last in rows]
