"""Analyst query latency: every example query, view and macro on a warehouse, cold and warm.

Usage::

    .venv/bin/python benchmarks/bench_queries.py --warehouse FILE|ducklake:… [--repeat N]
                        [--term T] [--common-term T] [--search Q] [--json OUT]

The warehouse is a DuckDB file or a DuckLake URL (``ducklake:postgres:dbname=… host=…`` or
``ducklake:/path/catalog.ducklake``), attached ``READ_ONLY`` as every analyst reader does
(:func:`etl.warehouse.reader`; an ``s3://`` data path needs the AWS variables). On a lake a cold
run also fetches the catalog (from Postgres) and reads the data files, which is what an analyst
on another machine pays.

Runs, on read-only connections (the warehouse is never written, so it is safe on a warehouse a
load is about to write, and on one another user has open read-only):

* every ``warehouse/queries/*.sql``;
* each analyst view and macro with typical arguments, derived from the warehouse itself so the
  script works on any of them: ``search`` (one word, two words), ``top_terms`` over the last 30
  days, ``term_trend`` over the last 365 days, ``tfidf`` of the latest day's longest article,
  ``trending_terms`` of the latest day against 7 days, ``kwic``, ``cooccurring_terms``,
  ``v_articles`` of one day, ``v_daily_term_counts`` of one term.

The term-based queries run twice: for a *topical* term (a word in about 1 % of the articles, like
``cocoa`` in Reuters; ``--term`` overrides it) and for the *common* term (the most frequent
non-stopword word, the worst realistic case; ``--common-term`` overrides it).

Timings: **cold** is the first execution on a fresh connection (DuckDB's buffer pool empty; the
operating system's page cache is left alone, so the file is usually in memory), **warm** the same
query again on a connection that has just run it. Each is the median of ``--repeat`` runs
(default 5) and includes fetching the whole result. Queries at or over ``--limit`` seconds (1.0)
are flagged and make the exit code 1. The machine's load average is printed before and after:
timings on a shared machine are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from etl.contracts import TokenKind
from etl.load.migrations import discover, schema_version
from etl.target import DUCKLAKE_PREFIX
from etl.warehouse import reader

REPO = Path(__file__).resolve().parents[1]
QUERIES_DIR = REPO / "warehouse" / "queries"


@dataclass(frozen=True)
class Case:
    """One query to time: a label, its SQL and parameters."""

    name: str
    sql: str
    params: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Timing:
    """Median cold and warm seconds of one case, and the size of its result."""

    name: str
    cold_s: float
    warm_s: float
    rows: int


def _one(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    return None if row is None else row[0]


def pick_arguments(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Typical arguments taken from the warehouse: latest day, a topical and a common word."""
    latest: date = _one(con, "SELECT max(published_date) FROM fact_article")
    if latest is None:
        raise SystemExit("the warehouse holds no articles")
    n_docs = int(_one(con, "SELECT count(*) FROM fact_article"))
    words = f"""
        SELECT t.term, count(*) AS df FROM fact_article_term f JOIN dim_term t USING (term_id)
        WHERE t.term_kind = '{TokenKind.WORD}' AND t.n_chars >= 4
          AND NOT coalesce(f.is_stopword, false)
          AND regexp_full_match(t.term, '[a-z]+')
        GROUP BY t.term
    """
    topical = _one(
        con,
        f"SELECT term FROM ({words}) ORDER BY abs(df - ?), term LIMIT 1",
        [max(n_docs / 100, 2)],
    )
    common = _one(con, f"SELECT term FROM ({words}) ORDER BY df DESC, term LIMIT 1")
    article = _one(
        con,
        "SELECT article_id FROM fact_article WHERE published_date = ? "
        "ORDER BY n_terms DESC, article_id LIMIT 1",
        [latest],
    )
    return {"latest": latest, "topical": topical, "common": common, "article": article}


def build_cases(args: dict[str, Any], search: str | None = None) -> list[Case]:
    """The example queries plus each view and macro with the arguments of :func:`pick_arguments`."""
    cases = [
        Case(f"queries/{path.name}", path.read_text(encoding="utf-8"))
        for path in sorted(QUERIES_DIR.glob("*.sql"))
    ]
    latest: date = args["latest"]
    month, year = latest - timedelta(days=29), latest - timedelta(days=364)
    two_words = search or f"{args['topical']} {args['common']}"
    cases += [
        Case(f"search('{args['topical']}', 10)", "SELECT * FROM search(?, 10)", (args["topical"],)),
        Case(f"search('{two_words}', 10)", "SELECT * FROM search(?, 10)", (two_words,)),
        Case("top_terms(last 30 days, 20)", "SELECT * FROM top_terms(?, ?, 20)", (month, latest)),
        Case("tfidf(one article, 10)", "SELECT * FROM tfidf(?, 10)", (args["article"],)),
        Case(
            "trending_terms(latest day, 7, 20)",
            "SELECT * FROM trending_terms(?, 7, 20)",
            (latest,),
        ),
        Case(
            "v_articles WHERE published_date = latest day",
            "SELECT * FROM v_articles WHERE published_date = ? ORDER BY article_id",
            (latest,),
        ),
    ]
    for term in (args["topical"], args["common"]):
        cases += [
            Case(
                f"term_trend('{term}', last 365 days)",
                "SELECT * FROM term_trend(?, ?, ?)",
                (term, year, latest),
            ),
            Case(f"kwic('{term}', 40)", "SELECT * FROM kwic(?, 40)", (term,)),
            Case(
                f"cooccurring_terms('{term}', 20)",
                "SELECT * FROM cooccurring_terms(?, 20)",
                (term,),
            ),
            Case(
                f"v_daily_term_counts WHERE term = '{term}'",
                "SELECT * FROM v_daily_term_counts WHERE term = ? ORDER BY published_date",
                (term,),
            ),
        ]
    return cases


def _run(con: duckdb.DuckDBPyConnection, case: Case) -> tuple[float, int]:
    started = time.perf_counter()
    rows = con.execute(case.sql, list(case.params)).fetchall()
    return time.perf_counter() - started, len(rows)


def time_case(warehouse: str, case: Case, repeat: int) -> Timing:
    """Median cold (fresh connection) and warm (same connection, again) seconds of ``case``."""
    cold: list[float] = []
    warm: list[float] = []
    rows = 0
    for _ in range(repeat):
        con = reader(warehouse)
        try:
            seconds, rows = _run(con, case)
            cold.append(seconds)
            warm.append(_run(con, case)[0])
        finally:
            con.close()
    return Timing(case.name, statistics.median(cold), statistics.median(warm), rows)


def _is_lake(warehouse: str) -> bool:
    return warehouse.startswith(DUCKLAKE_PREFIX)


def counts(warehouse: str) -> dict[str, Any]:
    """Row counts of the warehouse's main tables, its date range and its size: the file's, or
    the lake's live data files (as its catalog lists them)."""
    con = reader(warehouse)
    try:
        out: dict[str, Any] = {
            table: int(_one(con, f"SELECT count(*) FROM {table}"))
            for table in ("fact_article", "fact_article_term", "dim_term", "article_text")
        }
        first, last = con.execute(
            "SELECT min(published_date), max(published_date) FROM fact_article"
        ).fetchall()[0]
        out["dates"] = f"{first} .. {last}"
        if _is_lake(warehouse):
            size = _one(con, "SELECT sum(file_size_bytes) FROM ducklake_table_info('warehouse')")
            out["data_files_mb"] = round(int(size or 0) / 1e6, 1)
    finally:
        con.close()
    if not _is_lake(warehouse):
        out["file_mb"] = round(Path(warehouse).stat().st_size / 1e6, 1)
    return out


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    """Time every case and print a table; exit 1 if any query took ``--limit`` seconds or more."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--warehouse", required=True, help="DuckDB file or DuckLake URL (read only)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--term", help="topical term (default: a word in ~1%% of articles)")
    parser.add_argument("--common-term", help="common term (default: the most frequent word)")
    parser.add_argument("--search", help="two-word search (default: topical + common term)")
    parser.add_argument("--limit", type=float, default=1.0, help="flag queries this slow (s)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not _is_lake(args.warehouse) and not Path(args.warehouse).is_file():
        parser.error(f"no warehouse at {args.warehouse}")

    con = reader(args.warehouse)
    try:
        picked = pick_arguments(con)
        version = schema_version(con)
    finally:
        con.close()
    latest = len(discover(REPO / "schemas" / "migrations"))
    if version < latest:
        print(
            f"warning: the warehouse is at schema version {version}, this checkout at {latest}: "
            "these are the old views and macros (measure a copy after `news-etl init -w COPY`)"
        )
    picked["topical"] = args.term or picked["topical"]
    picked["common"] = args.common_term or picked["common"]
    sizes = counts(args.warehouse)
    print(f"warehouse {args.warehouse}: {sizes}")
    print(
        f"duckdb {duckdb.__version__}, {os.cpu_count()} CPUs, median of {args.repeat}; "
        f"topical term {picked['topical']!r}, common term {picked['common']!r}, "
        f"latest day {picked['latest']}"
    )
    load_before = _load()
    print(f"load average before: {load_before}")
    timings: list[Timing] = []
    width = 58
    print(f"{'query':<{width}} {'cold ms':>9} {'warm ms':>9} {'rows':>7}")
    for case in build_cases(picked, args.search):
        timing = time_case(args.warehouse, case, args.repeat)
        timings.append(timing)
        slow = max(timing.cold_s, timing.warm_s) >= args.limit
        print(
            f"{timing.name[:width]:<{width}} {timing.cold_s * 1000:>9.0f} "
            f"{timing.warm_s * 1000:>9.0f} {timing.rows:>7}" + ("  <-- SLOW" if slow else ""),
            flush=True,
        )
    load_after = _load()
    print(f"load average after: {load_after}")
    slow_ones = [t.name for t in timings if max(t.cold_s, t.warm_s) >= args.limit]
    print(
        f"{len(slow_ones)} of {len(timings)} queries took {args.limit:g} s or more"
        + (f": {', '.join(slow_ones)}" if slow_ones else "")
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "warehouse": str(args.warehouse),
                    "counts": sizes,
                    "arguments": {k: str(v) for k, v in picked.items()},
                    "repeat": args.repeat,
                    "load_average": [load_before, load_after],
                    "timings": [asdict(t) for t in timings],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 1 if slow_ones else 0


if __name__ == "__main__":
    sys.exit(main())
