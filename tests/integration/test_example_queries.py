"""Every example query under warehouse/queries runs on a real warehouse and returns rows."""

from __future__ import annotations

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
