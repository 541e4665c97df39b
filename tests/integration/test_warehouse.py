"""Migrations, the single-writer lock, and the CLI over a real DuckDB file."""

from __future__ import annotations

import shutil
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from etl.cli import app
from etl.errors import MigrationError, WarehouseLockedError
from etl.load.migrations import discover, migrate, schema_version
from etl.settings import load_settings
from etl.warehouse import writer

from .helpers import paused_cli, query

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
    assert "1 article loaded, 0 duplicates," in result.output  # "1 articles" up to session 29
    assert "taliban" in result.output  # among the top terms
    summary = runner.invoke(app, ["summary", "--warehouse", str(warehouse)])
    assert summary.exit_code == 0
    assert "articles      1 from 1 source, published 2021-04-07 .. 2021-04-07" in summary.output


def test_cli_rejects_a_bad_date(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["run", "--warehouse", str(tmp_path / "w.duckdb"), "--date", "2021-13-45"]
    )
    assert result.exit_code != 0
    assert "YYYY-MM-DD" in result.output


def test_readers_see_the_data_after_commit_only(tmp_path: Path) -> None:
    """A reader that arrives while a load waits before its COMMIT (the loader's test hook) is
    told the warehouse is busy and never sees the load's rows; once the writer is gone it
    reads the last committed state, and after a load that commits, that load's rows."""
    import os
    import signal
    import subprocess
    import sys

    from etl import pipeline
    from etl.errors import WarehouseBusyError
    from etl.query import open_reader

    landing = tmp_path / "landing"
    for day, words in (("2024-03-04", "Copper fell"), ("2024-03-05", "Tin rose")):
        (landing / day).mkdir(parents=True)
        body = f"{words} said the spokesman on Monday.\n\nA second paragraph follows here."
        (landing / day / "a.txt").write_text(f" date {day} {body}", encoding="utf-8")
    settings = load_settings(
        landing=landing,
        warehouse=tmp_path / "w.duckdb",
        staging_dir=tmp_path / "staging",
        write_reports=False,
    )
    pipeline.run(settings, partition_date=date(2024, 3, 4))

    def articles() -> int:
        con = open_reader(settings.warehouse, wait_s=5)
        try:
            row = con.execute("SELECT count(*) FROM fact_article").fetchone()
        finally:
            con.close()
        assert row is not None
        return int(row[0])

    assert articles() == 1
    marker = tmp_path / "paused"
    args = ["run", "--landing", str(landing)]
    args += ["--warehouse", str(settings.warehouse), "--date", "2024-03-05"]
    cmd = [str(Path(sys.executable).parent / "news-etl"), *args]
    env = {**os.environ, "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging")}
    env["NEWS_ETL_WRITE_REPORTS"] = "false"
    proc = subprocess.Popen(
        [*paused_cli(marker), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not marker.exists():  # the load has written its rows and waits before COMMIT
            assert proc.poll() is None, "the loader exited before reaching its commit"
            assert time.monotonic() < deadline, "the loader never reached its commit"
            time.sleep(0.2)
        with pytest.raises(WarehouseBusyError):
            open_reader(settings.warehouse, wait_s=1)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert articles() == 1  # the uncommitted rows never became visible
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert articles() == 2


def test_the_writer_bounds_duckdb_memory(tmp_path: Path) -> None:
    settings = load_settings(warehouse=tmp_path / "w.duckdb", duckdb_memory_limit="300MB")
    with writer(settings) as con:
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()
    assert limit is not None and limit[0] in {"286.1 MiB", "300.0 MB", "286.1MiB"}, limit
    with pytest.raises(ValueError, match="duckdb_memory_limit"):
        load_settings(warehouse=tmp_path / "w.duckdb", duckdb_memory_limit="lots")


@pytest.mark.parametrize("holder_gets_on", [True, False])
def test_a_lock_wait_goes_on_while_the_holder_gets_on(tmp_path: Path, holder_gets_on: bool) -> None:
    """`file_lock` with `progress`: a wait of 0.5 s outlived by a holder whose work moves on
    (a backfill that hands its lock on between days and takes it back at once) goes on, and
    gets the lock once the holder lets go; a holder that does not move on still runs the wait
    out (review, session 39: one timeout covered all the other backfill's days)."""
    from etl.warehouse import file_lock

    path = tmp_path / "x.lock"
    held, done = threading.Event(), threading.Event()

    def hold() -> None:  # filelock's locks belong to the thread that took them
        lock = FileLock(str(path))
        lock.acquire()
        held.set()
        done.wait(2.0 if holder_gets_on else 60.0)
        lock.release()

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(30)
    ticks = iter(range(1_000_000))

    def progress() -> int:
        return next(ticks) if holder_gets_on else 0

    started = time.monotonic()
    try:
        if holder_gets_on:
            with file_lock(path, 0.5, "held", "too long", progress=progress):
                waited = time.monotonic() - started
            assert 1.0 <= waited < 30
        else:
            with (
                pytest.raises(WarehouseLockedError, match="too long"),
                file_lock(path, 0.5, "held", "too long", progress=progress),
            ):
                pass  # pragma: no cover
    finally:
        done.set()
        holder.join(30)


def test_a_holders_command_line_names_no_password() -> None:
    """The command line of a process that holds the warehouse reaches etl_run.error, status and
    the run reports (a run that gave up on a busy warehouse): a password in a URL of it is
    masked (review, session 40)."""
    import subprocess
    import sys

    from etl.warehouse import holder_of

    url = "postgresql://analyst:S3cretPw@db.internal/news"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", url, "s3://bucket/key",
         "dbname=x password=libpqSecret", "http://host:8080/users/@alice"]
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while b"S3cretPw" not in Path(f"/proc/{holder.pid}/cmdline").read_bytes():
            assert time.monotonic() < deadline  # the exec has not happened yet
            time.sleep(0.01)
        said = holder_of(holder.pid)
    finally:
        holder.kill()
        holder.wait()
    assert said.startswith(f"PID {holder.pid} (")
    assert "S3cretPw" not in said and "libpqSecret" not in said
    assert (
        "postgresql://analyst:***@db.internal/news s3://bucket/key dbname=x password=*** "
        "http://host:8080/users/@alice)"
    ) in said
