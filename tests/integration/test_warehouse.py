"""Migrations, the single-writer lock, and the CLI over a real DuckDB file."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import duckdb
import pytest
from filelock import FileLock
from typer.testing import CliRunner

from etl.cli import app
from etl.errors import MigrationError, WarehouseLockedError
from etl.load.migrations import discover, migrate, schema_version
from etl.settings import load_settings
from etl.warehouse import writer

from .helpers import query

REPO = Path(__file__).resolve().parents[2]


def test_migrations_apply_once_and_document_every_table(tmp_path: Path) -> None:
    settings = load_settings(warehouse=tmp_path / "w.duckdb")
    with writer(settings) as con:
        version = schema_version(con)
        assert version == len(discover(settings.migrations_dir)) >= 1
        assert migrate(con, settings.migrations_dir) == []  # nothing pending the second time
        comments = dict(
            con.execute(
                "SELECT table_name, comment FROM duckdb_tables()"
                " WHERE table_name <> 'schema_migrations'"
            ).fetchall()
        )
    required = {
        "dim_date",
        "dim_source",
        "dim_term",
        "fact_article",
        "fact_article_term",
        "article_text",
        "quarantine",
        "etl_run",
        "etl_run_stage",
        "ingest_ledger",
        "fact_check_result",
    }
    assert required <= set(comments)
    for table, comment in comments.items():
        assert comment and "Grain:" in comment and "Key:" in comment, table


def test_an_edited_migration_is_refused(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas", schemas)
    settings = load_settings(warehouse=tmp_path / "w.duckdb", schemas_dir=schemas)
    with writer(settings):
        pass
    first = sorted((schemas / "migrations").glob("0001_*.sql"))[0]
    first.write_text(first.read_text() + "\n-- edited\n")
    with pytest.raises(MigrationError, match="changed after it was applied"), writer(settings):
        pass


def test_migration_numbering_gaps_are_refused(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="without gaps"):
        discover(tmp_path)


def test_a_second_writer_waits_then_gives_up_with_a_retryable_error(tmp_path: Path) -> None:
    settings = load_settings(warehouse=tmp_path / "w.duckdb", lock_timeout_s=0.3)
    holder = FileLock(str(settings.lock_path))
    with holder:
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError) as info, writer(settings):
            pass
        assert time.monotonic() - started >= 0.3
        assert info.value.retryable


def test_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    settings = load_settings(warehouse=tmp_path / "w.duckdb", lock_timeout_s=30)
    with writer(settings) as con:
        con.execute("CREATE TABLE hits (worker INTEGER)")
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for _ in range(5):
                with writer(settings) as con:
                    con.execute("INSERT INTO hits VALUES (?)", [worker])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert query(settings.warehouse, "SELECT count(*) FROM hits") == [(20,)]


def test_cli_run_and_summary(corpora: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    warehouse = tmp_path / "w.duckdb"
    result = runner.invoke(
        app,
        ["run", "--landing", str(corpora / "seed"), "--warehouse", str(warehouse)],
        env={"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging")},
    )
    assert result.exit_code == 0, result.output
    assert "1 articles loaded" in result.output
    assert "taliban" in result.output  # among the top terms
    summary = runner.invoke(app, ["summary", "--warehouse", str(warehouse)])
    assert summary.exit_code == 0
    assert "articles      1 from 1 sources, 2021-04-07 .. 2021-04-07" in summary.output


def test_cli_rejects_a_bad_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["run", "--warehouse", str(tmp_path / "w.duckdb"), "--date", "2021-13-45"]
    )
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output


def test_readers_see_the_data_after_commit_only(corpora: Path, tmp_path: Path) -> None:
    from etl import pipeline

    settings = load_settings(
        landing=corpora / "seed", warehouse=tmp_path / "w.duckdb", staging_dir=tmp_path / "staging"
    )
    pipeline.run(settings)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM fact_article").fetchone() == (1,)
    finally:
        con.close()


def test_the_writer_bounds_duckdb_memory(tmp_path: Path) -> None:
    settings = load_settings(warehouse=tmp_path / "w.duckdb", duckdb_memory_limit="300MB")
    with writer(settings) as con:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None and limit[0] in {"286.1 MiB", "300.0 MB", "286.1MiB"}, limit
    with pytest.raises(ValueError, match="duckdb_memory_limit"):
        load_settings(warehouse=tmp_path / "w.duckdb", duckdb_memory_limit="lots")
