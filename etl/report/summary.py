"""Plain-text summaries of the warehouse for the terminal (CLI ``summary`` and the demo)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from etl.warehouse import reader


@dataclass(frozen=True)
class WarehouseSummary:
    """Headline figures of a warehouse."""

    articles: int
    sources: int
    terms: int
    first_date: str | None
    last_date: str | None
    quarantined_files: int
    quarantine_reasons: list[tuple[str, int]]
    runs: int
    last_run: tuple[str, str, int] | None  # (run_id, status, articles_loaded)
    top_terms: list[tuple[str, int]]


def summarise(path: Path, *, top: int = 10, min_term_chars: int = 2) -> WarehouseSummary:
    """Read the headline figures of the warehouse at ``path`` (read-only)."""
    con = reader(path)
    try:
        return _summarise(con, top, min_term_chars)
    finally:
        con.close()


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


def _summarise(con: duckdb.DuckDBPyConnection, top: int, min_chars: int) -> WarehouseSummary:
    articles, first, last = _one(
        con,
        "SELECT count(*), min(published_date)::VARCHAR, max(published_date)::VARCHAR"
        " FROM fact_article",
    )
    (sources,) = _one(con, "SELECT count(*) FROM dim_source")
    (terms,) = _one(con, "SELECT count(*) FROM dim_term")
    (quarantined,) = _one(con, "SELECT count(*) FROM ingest_ledger WHERE outcome = 'quarantined'")
    reasons = con.execute(
        "SELECT reason, count(DISTINCT (landing, path)) FROM quarantine"
        " GROUP BY reason ORDER BY 2 DESC"
    ).fetchall()
    (runs,) = _one(con, "SELECT count(*) FROM etl_run")
    last_run = con.execute(
        "SELECT run_id, status, articles_loaded FROM etl_run ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    # Words that are not stopwords of their article's language, and not single letters: the
    # per-day sums the loader keeps (agg_daily_term), not the whole term fact table.
    top_terms = con.execute(
        """
        SELECT t.term, sum(a.occurrences - a.stopword_occurrences)::BIGINT AS n
        FROM agg_daily_term a JOIN dim_term t USING (term_id)
        WHERE t.term_kind = 'word' AND t.n_chars >= ?
        GROUP BY t.term HAVING n > 0 ORDER BY n DESC, t.term LIMIT ?
        """,
        [min_chars, top],
    ).fetchall()
    return WarehouseSummary(
        articles=int(articles),
        sources=int(sources),
        terms=int(terms),
        first_date=first,
        last_date=last,
        quarantined_files=int(quarantined),
        quarantine_reasons=[(str(r), int(n)) for r, n in reasons],
        runs=int(runs),
        last_run=(str(last_run[0]), str(last_run[1]), int(last_run[2])) if last_run else None,
        top_terms=[(str(t), int(n)) for t, n in top_terms],
    )


def format_summary(summary: WarehouseSummary, path: Path) -> str:
    """A short human-readable report of ``summary``."""
    lines = [
        f"Warehouse {path}",
        f"  articles      {summary.articles:,} from {summary.sources} sources, "
        f"{summary.first_date} .. {summary.last_date}",
        f"  vocabulary    {summary.terms:,} distinct terms",
        f"  quarantined   {summary.quarantined_files} files"
        + (
            " (" + ", ".join(f"{r}: {n}" for r, n in summary.quarantine_reasons) + ")"
            if summary.quarantine_reasons
            else ""
        ),
        f"  runs          {summary.runs}"
        + (
            f", last {summary.last_run[0]} {summary.last_run[1]} "
            f"({summary.last_run[2]} articles loaded)"
            if summary.last_run
            else ""
        ),
        "  top terms     " + ", ".join(f"{t} ({n})" for t, n in summary.top_terms),
    ]
    return "\n".join(lines)
