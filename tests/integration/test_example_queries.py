"""Every example query under warehouse/queries runs on a real warehouse and returns rows; the
answers of some equal what the raw files say."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest

from etl import pipeline

from .helpers import settings_for

QUERIES = sorted((Path(__file__).resolve().parents[2] / "warehouse" / "queries").glob("*.sql"))


@pytest.fixture(scope="module")
def reuters_warehouse(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("queries")
    landing = tmp / "landing"
    landing.mkdir()
    for path in sorted((corpora / "reuters").glob("*.txt"))[:300]:
        (landing / path.name).write_bytes(path.read_bytes())
    (landing / "empty.txt").write_bytes(b"")  # so the quarantine query has something to show
    settings = settings_for(landing, tmp)
    pipeline.run(settings)
    return settings.warehouse


def test_there_are_example_queries() -> None:
    assert len(QUERIES) >= 4


@pytest.mark.parametrize("query_file", QUERIES, ids=[q.stem for q in QUERIES])
def test_example_query_runs(query_file: Path, reuters_warehouse: Path) -> None:
    sql = query_file.read_text(encoding="utf-8")
    assert sql.lstrip().startswith("-- Question:")
    con = duckdb.connect(str(reuters_warehouse), read_only=True)
    try:
        rows = con.execute(sql).fetchall()
    finally:
        con.close()
    assert rows, f"{query_file.name} returned no rows"


def _rows(warehouse: Path, name: str) -> list[tuple[object, ...]]:
    sql = (QUERIES[0].parent / f"{name}.sql").read_text(encoding="utf-8")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _header_date(raw: str) -> str:
    match = re.match(r"\s*date\s+(\d{4}-\d{2}-\d{2})\s", raw)
    assert match, raw[:40]
    return match[1]


def test_example_answers_equal_what_the_raw_files_say(reuters_warehouse: Path) -> None:
    """Expected answers from the landing zone's raw text, not from the warehouse."""
    landing = reuters_warehouse.parent / "landing"
    # Quarantine: exactly the one empty file, by the one run.
    ((reason, stage, records, refusals, files, *_),) = _rows(
        reuters_warehouse, "quarantine_by_reason"
    )
    assert (reason, stage, records, refusals, files) == ("empty", "ingest", 1, 1, 1)
    ((status, files_seen, files_new),) = [
        (r[3], r[4], r[5]) for r in _rows(reuters_warehouse, "runs")
    ]
    assert (status, files_seen, files_new) == ("success", 301, 301)
    # Articles per day: the date headers of the files that loaded, counted from the raw text.
    con = duckdb.connect(str(reuters_warehouse), read_only=True)
    try:
        loaded = [f for (f,) in con.execute("SELECT source_file FROM fact_article").fetchall()]
    finally:
        con.close()
    by_day = Counter(_header_date((landing / f).read_text(encoding="utf-8")) for f in loaded)
    per_day = {
        str(day): n for day, source, n in _rows(reuters_warehouse, "articles_per_source_per_day")
    }
    assert per_day == dict(by_day)
    # 'cocoa': each listed article's count is the raw text's whole-word count.
    listed = _rows(reuters_warehouse, "articles_mentioning_term")
    assert listed
    for _day, source_file, count, snippet in listed:
        raw = (landing / str(source_file)).read_text(encoding="utf-8")
        assert count == len(re.findall(r"(?<![\w'’-])cocoa(?![\w'’-])", raw, flags=re.I))
        assert "cocoa" in str(snippet).lower()
    counts = [row[2] for row in listed]
    assert counts == sorted(counts, reverse=True)
