"""`news-etl query`: reads only, refuses writes, waits while a load holds the warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app

from .helpers import DATA_TABLES, checksums, query, settings_for


@pytest.fixture(scope="module")
def warehouse(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("query")
    settings = settings_for(corpora / "fundus", tmp)
    pipeline.run(settings)
    return settings.warehouse


def _query(warehouse: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["query", *args, "--warehouse", str(warehouse)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM fact_article",
        "DROP TABLE dim_term",
        "UPDATE fact_article SET title = 'x'",
        "INSERT INTO dim_date SELECT * FROM dim_date",
        "COPY fact_article TO '/tmp/news-etl-stolen.csv'",
        "ATTACH '/tmp/news-etl-other.duckdb' AS other",
        "INSTALL fts",
        "CREATE TABLE t AS SELECT 1",
        "SELECT 1; DROP TABLE dim_date",
        "SET enable_external_access = true",
    ],
)
def test_writes_are_refused_and_nothing_changes(warehouse: Path, sql: str) -> None:
    before = checksums(warehouse, (*DATA_TABLES, "quarantine", "etl_run"))
    code, output = _query(warehouse, sql)
    assert code == 2
    assert "not allowed" in output and "only reads" in output
    assert checksums(warehouse, (*DATA_TABLES, "quarantine", "etl_run")) == before
    assert not Path("/tmp/news-etl-stolen.csv").exists()


def test_reading_other_files_is_refused(warehouse: Path) -> None:
    code, output = _query(warehouse, "SELECT * FROM read_csv('/etc/passwd')")
    assert code == 2
    assert "disabled" in output.lower()


def test_formats(warehouse: Path, tmp_path: Path) -> None:
    sql = "SELECT published_date, count(*) AS n FROM fact_article GROUP BY 1 ORDER BY 1 LIMIT 3"
    code, output = _query(warehouse, sql, "--format", "json")
    assert code == 0
    rows = [json.loads(line) for line in output.splitlines()]
    assert len(rows) == 3 and set(rows[0]) == {"published_date", "n"}
    code, output = _query(warehouse, sql, "--format", "csv")
    assert code == 0 and output.splitlines()[0] == "published_date,n"  # quoted only if needed
    out = tmp_path / "result.parquet"
    code, _ = _query(warehouse, sql, "--format", "parquet", "--out", str(out))
    assert code == 0
    assert pq.read_table(out).num_rows == 3
    ((articles,),) = query(warehouse, "SELECT count(*) FROM fact_article")
    code, output = _query(warehouse, "SELECT count(*) AS articles FROM fact_article")
    assert code == 0 and "articles" in output and str(articles) in output


def test_query_waits_for_a_running_load(warehouse: Path) -> None:
    """A writer process holds the file (as a load does); the query waits, then answers."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "con.execute('BEGIN'); print('locked', flush=True); time.sleep(3); con.close()",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        code, output = _query(warehouse, "SELECT count(*) FROM fact_article", "--format", "csv")
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=30)
    assert code == 0, output
    assert "waiting for the load to commit" in output
    assert waited >= 1.0
    ((articles,),) = query(warehouse, "SELECT count(*) FROM fact_article")
    assert output.strip().splitlines()[-1] == str(articles)


def test_query_gives_up_with_a_clear_message(warehouse: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(60); con.close()",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        code, output = _query(warehouse, "SELECT 1", "--wait", "0.5")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert code == 75
    assert "being written" in output and "try again" in output
