"""BM25 search two ways: the fts extension's index against the warehouse's SQL ``search`` macro.

Usage::

    .venv/bin/python benchmarks/bench_search.py --warehouse FILE [--scratch DIR] [--repeat N]
        [--manifest TSV] [--queries Q ...] [--json OUT]

The warehouse itself is only read: it is copied into a scratch folder (``--scratch``, default a
temporary one removed at exit) and the fts index is built in the copy, the way a loader would
keep it: ``PRAGMA create_fts_index('article_text', 'article_id', 'clean_text', overwrite=1)``
inside a transaction (the extension is installed offline from the ``duckdb-extension-fts``
wheel). Then, per query, both rankings are compared:

* **latency**: cold (first execution on a fresh read-only connection; ``LOAD fts`` is done
  before the clock starts and timed separately) and warm (again on that connection), median of
  ``--repeat``, whole result fetched, same output columns (id, score, date, title, snippet);
* **quality**: how many articles each method scores, how many of the top 10 the two share, and,
  with ``--manifest`` (Reuters' ``reuters.manifest.tsv``: the headline of every file, which the
  article text does not contain), precision at 10 by headline: an article counts as relevant
  when its headline contains a word of the query (a crude but independent judge);
* **tokenisation**: what each makes of the query, and the sizes of the two vocabularies;
* **cost**: index build time, the time of the rebuild every load would have to do (the index
  has no incremental update), and the file size before and after (each after a CHECKPOINT);
* **plain client**: whether ``search`` and the fts index answer in the ``duckdb`` CLI of the
  pinned version started with an empty home directory and extension autoinstall off (what an
  offline machine without news-etl sees), and with the extension installed from the wheel.

Timings on a shared machine are noisy: the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb

from etl import pipeline
from etl.load import daily_terms
from etl.load.migrations import migrate
from etl.sample import generate_bulk
from etl.settings import load_settings

REPO = Path(__file__).resolve().parents[1]
FTS_SCHEMA = "fts_main_article_text"
BUILD = "PRAGMA create_fts_index('article_text', 'article_id', 'clean_text', overwrite=1)"
#: The fts ranking with the same output as the ``search`` macro (best n first, then joined).
FTS_SEARCH = f"""
WITH ranked AS (
    SELECT article_id, score FROM (
        SELECT article_id, {FTS_SCHEMA}.match_bm25(article_id, $q) AS score FROM article_text
    ) WHERE score IS NOT NULL
    ORDER BY score DESC, article_id LIMIT $n
)
SELECT r.article_id, r.score, a.published_date, a.title, substr(x.clean_text, 1, 160) AS snippet
FROM ranked r JOIN fact_article a USING (article_id) JOIN article_text x USING (article_id)
ORDER BY r.score DESC, r.article_id
"""
SQL_SEARCH = "SELECT * FROM search($q, $n)"
FTS_MATCHES = f"""
SELECT count(*) FROM (SELECT {FTS_SCHEMA}.match_bm25(article_id, $q) AS s FROM article_text)
WHERE s IS NOT NULL
"""
SQL_MATCHES = "SELECT count(*) FROM search($q, 1000000000)"
DEFAULT_QUERIES = (
    "cocoa",
    "cocoa bahia",
    "coffee",
    "gold",
    "oil prices",
    "crude oil",
    "interest rates",
    "bank merger",
    "takeover bid",
    "dividend",
    "strike",
    "election",
    "storm damage",
    "u.s. exports",
    "year-on-year growth",
    "shares fell",
)
#: The macro's query tokenisation (``search`` in the latest migration), for the side-by-side.
SQL_QUERY_TERMS = """
SELECT list(DISTINCT t.term ORDER BY t.term) FROM dim_term t
WHERE t.term IN (SELECT unnest(search_terms($q)))
"""


@dataclass
class QueryFigures:
    """Everything measured for one query."""

    query: str
    sql_cold_ms: float
    sql_warm_ms: float
    fts_cold_ms: float
    fts_warm_ms: float
    sql_matches: int
    fts_matches: int
    shared_top10: int
    comparable: int  # the shorter of the two result lists (at most 10): the most they can share
    sql_terms: list[str]
    fts_terms: list[str]
    sql_p10: float | None = None
    fts_p10: float | None = None
    sql_top1_relevant: bool | None = None
    fts_top1_relevant: bool | None = None


def _mb(path: Path) -> float:
    return round(path.stat().st_size / 1e6, 1)


def _data_mb(con: duckdb.DuckDBPyConnection) -> float:
    """MB of the blocks in use (the file also keeps freed blocks for reuse)."""
    row = con.execute("SELECT used_blocks, block_size FROM pragma_database_size()").fetchall()[0]
    return round(row[0] * row[1] / 1e6, 1)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def extension_file() -> Path:
    """The fts extension binary shipped in the ``duckdb-extension-fts`` wheel."""
    import duckdb_extension_fts

    root = Path(duckdb_extension_fts.__file__).parent
    return root / "extensions" / f"v{duckdb.__version__}" / "fts.duckdb_extension"


def connect(db: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the scratch copy ``db`` whose installed extensions live beside it (in
    its scratch folder, gone with it), not in ``~/.duckdb``, which the benchmark leaves alone."""
    extensions = db.parent / "extensions"
    config = {"extension_directory": str(extensions)}
    return duckdb.connect(str(db), read_only=read_only, config=config)


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Install the extension from the wheel (no network) and load it."""
    con.execute(f"INSTALL '{extension_file()}'")
    con.execute("LOAD fts")


def build_index(db: Path) -> dict[str, Any]:
    """Build the index in ``db`` (a scratch copy), then rebuild it as a load would; sizes and s.

    The copy is first brought up to this checkout's schema (pending migrations applied), so the
    ``search`` macro measured is this code's.
    """
    con = connect(db)
    try:
        migrate(con, REPO / "schemas" / "migrations")
        con.execute("CHECKPOINT")
        figures: dict[str, Any] = {"data_before_mb": _data_mb(con), "file_before_mb": _mb(db)}
        load_fts(con)
        for label in ("build_s", "rebuild_s"):
            started = time.perf_counter()
            con.execute("BEGIN TRANSACTION")
            con.execute(BUILD)
            con.execute("COMMIT")
            figures[label] = round(time.perf_counter() - started, 2)
            con.execute("CHECKPOINT")
            figures[f"data_after_{label[:-2]}_mb"] = _data_mb(con)
            figures[f"file_after_{label[:-2]}_mb"] = _mb(db)
        for label, table in (
            ("fts_dict_terms", f"{FTS_SCHEMA}.dict"),
            ("fts_postings", f"{FTS_SCHEMA}.terms"),
            ("fts_stopwords", f"{FTS_SCHEMA}.stopwords"),
            ("warehouse_terms", "dim_term"),
            ("warehouse_term_rows", "fact_article_term"),
        ):
            figures[label] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    finally:
        con.close()
    return figures


def one_day_load(db: Path, scratch: Path, n_articles: int) -> dict[str, Any]:
    """Load one more day of ``n_articles`` into ``db`` as a daily run would; time its parts.

    Returns the whole run's seconds (ingest to commit, ``agg_daily_term`` refresh included),
    the refresh alone (repeated in a transaction that is rolled back) and the fts rebuild the
    run would need on top to keep the index fresh.
    """
    con = connect(db, read_only=True)
    try:
        last = con.execute("SELECT max(published_date) FROM fact_article").fetchall()[0][0]
    finally:
        con.close()
    day = last + timedelta(days=1)
    landing = scratch / "one-day"
    generate_bulk(landing, n_articles, start=day, days=1, seed=20240)
    settings = load_settings(
        landing=landing, warehouse=db, staging_dir=scratch / "staging", write_reports=False
    )
    started = time.perf_counter()
    summary = pipeline.run(settings, partition_date=day)
    run_s = time.perf_counter() - started
    con = connect(db)
    try:
        con.execute("BEGIN TRANSACTION")
        daily_terms.start(con)
        daily_terms.touch(con, f"SELECT DATE '{day.isoformat()}'")
        started = time.perf_counter()
        daily_terms.refresh_days(con)
        refresh_s = time.perf_counter() - started
        con.execute("ROLLBACK")
        load_fts(con)
        started = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        con.execute(BUILD)
        con.execute("COMMIT")
        fts_s = time.perf_counter() - started
    finally:
        con.close()
    return {
        "day": day.isoformat(),
        "articles_loaded": summary.articles_loaded,
        "run_s": round(run_s, 2),
        "agg_daily_term_refresh_s": round(refresh_s, 3),
        "fts_rebuild_s": round(fts_s, 2),
    }


def _timed(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> tuple[float, list]:
    started = time.perf_counter()
    rows = con.execute(sql, params).fetchall()
    return (time.perf_counter() - started) * 1000, rows


def _cold_warm(db: Path, sql: str, params: dict[str, Any], repeat: int) -> tuple[float, float]:
    cold, warm = [], []
    for _ in range(repeat):
        con = connect(db, read_only=True)
        try:
            con.execute("LOAD fts")
            cold.append(_timed(con, sql, params)[0])
            warm.append(_timed(con, sql, params)[0])
        finally:
            con.close()
    return round(statistics.median(cold), 1), round(statistics.median(warm), 1)


def headlines(manifest: Path | None) -> dict[str, str]:
    """File name → headline, from a corpus manifest (``file`` and ``title`` columns)."""
    if manifest is None:
        return {}
    with manifest.open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row["title"] for row in csv.DictReader(fh, delimiter="\t")}


def _relevant(query: str, headline: str | None) -> bool:
    words = [w for w in re.split(r"\s+", query.lower()) if len(w.strip(".")) >= 3]
    text = (headline or "").lower()
    return any(re.search(r"(?<![a-z])" + re.escape(w), text) for w in words)


def measure_query(db: Path, query: str, repeat: int, titles: dict[str, str]) -> QueryFigures:
    """Latency, matches, top-10 overlap and (with headlines) precision of both methods."""
    params = {"q": query, "n": 10}
    con = connect(db, read_only=True)
    try:
        con.execute("LOAD fts")
        sql_rows = con.execute(SQL_SEARCH, params).fetchall()
        fts_rows = con.execute(FTS_SEARCH, params).fetchall()
        sql_matches = con.execute(SQL_MATCHES, {"q": query}).fetchall()[0][0]
        fts_matches = con.execute(FTS_MATCHES, {"q": query}).fetchall()[0][0]
        sql_terms = con.execute(SQL_QUERY_TERMS, {"q": query}).fetchall()[0][0] or []
        fts_terms = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT s FROM (SELECT stem(unnest({FTS_SCHEMA}.tokenize($q)), 'porter')"
                f" AS s) WHERE s IN (SELECT term FROM {FTS_SCHEMA}.dict) ORDER BY s",
                {"q": query},
            ).fetchall()
        ]
        files = dict(
            con.execute(
                "SELECT article_id, source_file FROM fact_article WHERE article_id IN "
                "(SELECT unnest($ids))",
                {"ids": [r[0] for r in sql_rows + fts_rows]},
            ).fetchall()
        )
    finally:
        con.close()
    sql_cold, sql_warm = _cold_warm(db, SQL_SEARCH, params, repeat)
    fts_cold, fts_warm = _cold_warm(db, FTS_SEARCH, params, repeat)
    figures = QueryFigures(
        query=query,
        sql_cold_ms=sql_cold,
        sql_warm_ms=sql_warm,
        fts_cold_ms=fts_cold,
        fts_warm_ms=fts_warm,
        sql_matches=int(sql_matches),
        fts_matches=int(fts_matches),
        shared_top10=len({r[0] for r in sql_rows} & {r[0] for r in fts_rows}),
        comparable=min(len(sql_rows), len(fts_rows)),
        sql_terms=list(sql_terms),
        fts_terms=fts_terms,
    )
    if titles:

        def rel(rows: list[tuple[Any, ...]]) -> list[bool]:
            return [_relevant(query, titles.get(Path(files[r[0]]).name)) for r in rows]

        sql_rel, fts_rel = rel(sql_rows), rel(fts_rows)
        figures.sql_p10 = sum(sql_rel) / max(len(sql_rel), 1)
        figures.fts_p10 = sum(fts_rel) / max(len(fts_rel), 1)
        figures.sql_top1_relevant = bool(sql_rel and sql_rel[0])
        figures.fts_top1_relevant = bool(fts_rel and fts_rel[0])
    return figures


def plain_client(db: Path, query: str) -> dict[str, str]:
    """Run both searches in the ``duckdb`` CLI with an empty home (offline, nothing installed)."""
    cli = Path(sys.executable).parent / "duckdb"
    fts_sql = FTS_SEARCH.replace("$q", "'" + query.replace("'", "''") + "'").replace("$n", "5")
    attempts = {
        "sql search": f"SELECT count(*) FROM search('{query}', 5);",
        "fts, nothing installed": fts_sql + ";",
        "fts, installed from the wheel": f"INSTALL '{extension_file()}'; LOAD fts; {fts_sql};",
    }
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="bench-search-home-") as home:
        env = {**os.environ, "HOME": home}
        for label, sql in attempts.items():
            done = subprocess.run(
                [
                    str(cli),
                    "-readonly",
                    "-csv",
                    str(db),
                    "-c",
                    "SET autoinstall_known_extensions = false; " + " ".join(sql.split()),
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            error = (done.stderr.strip().splitlines() or [""])[0]
            out[label] = "works" if done.returncode == 0 and not error else f"fails: {error[:160]}"
    return out


def _print_table(rows: list[QueryFigures], with_precision: bool) -> None:
    head = (
        f"{'query':<22} {'sql cold':>8} {'sql warm':>8} {'fts cold':>8} {'fts warm':>8} "
        f"{'matches sql/fts':>16} {'shared':>6}"
    )
    if with_precision:
        head += f" {'P@10 sql/fts':>13} {'top1 sql/fts':>12}"
    print(head + "   query terms sql | fts")
    for r in rows:
        line = (
            f"{r.query[:22]:<22} {r.sql_cold_ms:>8.0f} {r.sql_warm_ms:>8.0f} {r.fts_cold_ms:>8.0f}"
            f" {r.fts_warm_ms:>8.0f} {f'{r.sql_matches}/{r.fts_matches}':>16}"
            f" {f'{r.shared_top10}/{r.comparable}':>6}"
        )
        if with_precision:
            line += (
                f" {f'{r.sql_p10:.1f}/{r.fts_p10:.1f}':>13}"
                f" {f'{r.sql_top1_relevant:d}/{r.fts_top1_relevant:d}':>12}"
            )
        print(line + f"   {' '.join(r.sql_terms) or '-'} | {' '.join(r.fts_terms) or '-'}")


def _summary(rows: list[QueryFigures], with_precision: bool) -> dict[str, float]:
    def med(key: str) -> float:
        return round(statistics.median(getattr(r, key) for r in rows), 1)

    out = {k: med(k) for k in ("sql_cold_ms", "sql_warm_ms", "fts_cold_ms", "fts_warm_ms")}
    out["shared_of_comparable"] = round(
        sum(r.shared_top10 for r in rows) / max(sum(r.comparable for r in rows), 1), 3
    )
    if with_precision:
        out["mean_sql_p10"] = round(statistics.mean(r.sql_p10 or 0 for r in rows), 3)
        out["mean_fts_p10"] = round(statistics.mean(r.fts_p10 or 0 for r in rows), 3)
    return out


def main(argv: list[str] | None = None) -> int:
    """Copy the warehouse, build the fts index in the copy, compare the two searches."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="DuckDB file (only read)")
    parser.add_argument("--scratch", type=Path, help="folder for the copy (default: temporary)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median)")
    parser.add_argument("--manifest", type=Path, help="corpus manifest with headlines (TSV)")
    parser.add_argument("--queries", nargs="+", default=list(DEFAULT_QUERIES))
    parser.add_argument(
        "--load-articles",
        type=int,
        default=0,
        help="then load one more day of N articles into the copy and time the refreshes",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not args.warehouse.is_file():
        parser.error(f"no warehouse at {args.warehouse}")

    per_load: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-search-", dir=args.scratch) as tmp:
        db = Path(tmp) / "search.duckdb"
        print(f"copying {args.warehouse} ({_mb(args.warehouse)} MB) to {db}", flush=True)
        shutil.copyfile(args.warehouse, db)
        load_before = _load()
        print(f"load average before: {load_before}", flush=True)
        cost = build_index(db)
        print(f"index: {cost}", flush=True)
        con = connect(db, read_only=True)
        started = time.perf_counter()
        con.execute("LOAD fts")
        cost["load_extension_ms"] = round((time.perf_counter() - started) * 1000, 1)
        con.close()
        titles = headlines(args.manifest)
        rows = [measure_query(db, q, args.repeat, titles) for q in args.queries]
        _print_table(rows, bool(titles))
        summary = _summary(rows, bool(titles))
        print(f"summary (medians over queries, ms; share of the top 10s in common): {summary}")
        client = plain_client(db, args.queries[0])
        for label, outcome in client.items():
            print(f"duckdb CLI, empty home, autoinstall off: {label}: {outcome}")
        if args.load_articles:
            per_load = one_day_load(db, Path(tmp), args.load_articles)
            print(f"one more day: {per_load}")
        load_after = _load()
        print(f"load average after: {load_after}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "warehouse": str(args.warehouse),
                    "cost": cost,
                    "queries": [asdict(r) for r in rows],
                    "summary": summary,
                    "plain_client": client,
                    "one_day_load": per_load,
                    "load_average": [load_before, load_after],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
