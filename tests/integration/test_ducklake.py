"""The DuckLake warehouse backend (issue 16, part 3): the same loads, results and checks as the
DuckDB file, concurrent writers on a Postgres catalog, a killed commit, time travel and the
``warehouse to-ducklake`` command.

The Postgres catalog lives on a throwaway server on loopback (``tests/pg_server.py``: skipped
without PostgreSQL, failed when ``CI`` is set); the fast tests use a DuckDB-file catalog.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from etl.load.migrations import discover, migrate, schema_version
from etl.sample import generate_sample
from etl.settings import load_settings
from etl.warehouse import reader, table_checksum, writer
from tests.pg_server import PgServer, pg_server  # noqa: F401 (the session fixture)

from .helpers import DATA_TABLES, paused_cli

NEWS_ETL = str(Path(sys.executable).parent / "news-etl")

#: Every star-schema table a load writes (run ids and timestamps are not in them).
STAR_TABLES = (*DATA_TABLES, "dim_stem", "dim_language", "dim_story", "story_member", "story_lsh")
LEDGER = "SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id FROM ingest_ledger"

#: ``news-etl`` that pauses once at the loader's BEFORE_COMMIT fault point (every row written,
#: COMMIT next) until the file ``<marker>.go`` exists (arguments: marker, then the CLI's).
HELD_CLI = """
import sys, time
from pathlib import Path
from etl.cli import app
from etl.load import faults

marker = Path(sys.argv.pop(1))
go = marker.with_name(marker.name + ".go")

def hold_once():
    if marker.exists():
        return  # a retry after a conflict commits at once
    marker.write_text("held", encoding="utf-8")
    deadline = time.monotonic() + 300
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("never released")
        time.sleep(0.1)

with faults.inject(faults.FaultPoint.BEFORE_COMMIT, hold_once):
    app(prog_name="news-etl")
"""


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "NEWS_ETL_STAGING_DIR": str(tmp / "staging"),
        # A Postgres catalog's local folder is the project's warehouse/: the quality page
        # (written whatever NEWS_ETL_WRITE_REPORTS says) goes to the test's folder instead.
        "NEWS_ETL_REPORTS_DIR": str(tmp / "reports"),
        "NEWS_ETL_WRITE_REPORTS": "false",
        "NEWS_ETL_WORKERS": "1",
        **extra,
    }


def _cli_done(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``news-etl args`` run to its end, whatever its exit code."""
    return subprocess.run(
        [NEWS_ETL, *args], env=env, capture_output=True, text=True, check=False, timeout=600
    )


def _cli(args: list[str], env: dict[str, str]) -> str:
    done = _cli_done(args, env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _run(landing: Path, warehouse: str, tmp: Path, *extra: str, **env: str) -> str:
    return _cli(["run", "--landing", str(landing), "--warehouse", warehouse, *extra],
                _env(tmp, **env))  # fmt: skip


def _rows(warehouse: str, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    con = reader(warehouse)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _checksums(warehouse: str, tables: tuple[str, ...] = STAR_TABLES) -> dict[str, Any]:
    con = reader(warehouse)
    try:
        return {table: table_checksum(con, table) for table in tables}
    finally:
        con.close()


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the held run ended early: {proc.communicate()[0]}")
        assert time.monotonic() < deadline, "the held run never reached its commit"
        time.sleep(0.1)


def test_migrations_apply_once_on_a_lake_with_comments_and_macros(tmp_path: Path) -> None:
    settings = load_settings(warehouse=f"ducklake:{tmp_path}/catalog.ducklake")
    with writer(settings) as con:
        assert schema_version(con) == len(discover(settings.migrations_dir))
        assert migrate(con, settings.migrations_dir) == []  # nothing pending the second time
        comments = dict(
            con.execute(
                "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = "
                "'warehouse' AND table_name <> 'schema_migrations'"
            ).fetchall()
        )
        kept = dict(
            con.execute(
                "SELECT object, comment FROM etl_lake_comment WHERE kind = 'macro'"
            ).fetchall()
        )
        views = con.execute(
            "SELECT count(*) FROM etl_lake_comment WHERE kind = 'view' AND object = 'v_calendar'"
        ).fetchone()
        days = con.execute(
            "SELECT count(*) FROM calendar(DATE '2024-01-30', DATE '2024-02-02')"
        ).fetchone()
        keys = con.execute(
            "SELECT constraint_type FROM duckdb_constraints() WHERE database_name = 'warehouse'"
            " AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')"
        ).fetchall()
    assert "fact_article" in comments and "etl_lake_comment" in comments
    for table, comment in comments.items():
        assert comment and "Grain:" in comment and "Key:" in comment, table
    assert kept["top_terms"].startswith("The n most frequent words between two dates")
    assert views == (14,)  # every column comment of v_calendar (0009)
    assert days == (4,)  # a table macro of the migrations works on the lake
    assert keys == []


@pytest.fixture
def lake_url(pg_server: PgServer, request: pytest.FixtureRequest) -> Iterator[str]:  # noqa: F811
    """A new, empty Postgres database for one test's DuckLake catalog."""
    name = "lake_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    yield "ducklake:postgres:" + pg_server.create_database(name)
    pg_server.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_a_load_into_ducklake_on_postgres_equals_the_duckdb_file(
    tmp_path: Path, lake_url: str
) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing)
    file = str(tmp_path / "file" / "warehouse.duckdb")
    _run(landing, file, tmp_path / "file")
    env = {"NEWS_ETL_DUCKLAKE_DATA_PATH": str(tmp_path / "lake-data")}
    _run(landing, lake_url, tmp_path / "lake", **env)

    assert _checksums(lake_url) == _checksums(file)
    assert sorted(_rows(lake_url, LEDGER)) == sorted(_rows(file, LEDGER))
    counts = "SELECT status, articles_loaded, duplicates, quarantined, files_new FROM etl_run"
    assert _rows(lake_url, counts) == _rows(file, counts)
    checks = (
        "SELECT suite, expectation, column_name, success, element_count, unexpected_count "
        "FROM fact_check_result ORDER BY ALL"
    )
    assert _rows(lake_url, checks) == _rows(file, checks)  # the same post-load checks, passed
    macro = "SELECT * FROM top_terms(DATE '2024-01-01', DATE '2024-12-31', 10)"
    assert _rows(lake_url, macro) == _rows(file, macro)
    # The Parquet files are where NEWS_ETL_DUCKLAKE_DATA_PATH says.
    assert any((tmp_path / "lake-data").rglob("*.parquet"))

    # A second run loads nothing new, on both backends alike.
    _run(landing, lake_url, tmp_path / "lake", **env)
    _run(landing, file, tmp_path / "file")
    assert _checksums(lake_url) == _checksums(file)

    # Time travel: the warehouse as of the first run's snapshot.
    (run_id, snapshot), *_ = _rows(
        lake_url,
        "SELECT s.run_id, s.snapshot_id FROM etl_run_snapshot s JOIN etl_run USING (run_id) "
        "ORDER BY started_at",
    )
    assert _rows(
        lake_url, "SELECT count(*) FROM etl_run AT (VERSION => ?) WHERE run_id = ?",
        [snapshot, run_id],
    ) == [(1,)]  # fmt: skip
    assert _rows(file, "SELECT count(*) FROM etl_run_snapshot") == [(0,)]


@pytest.mark.slow
def test_writers_of_different_days_commit_concurrently(tmp_path: Path, lake_url: str) -> None:
    landing = tmp_path / "landing"
    days = [d.isoformat() for d in generate_sample(landing).dates]
    file = str(tmp_path / "file" / "warehouse.duckdb")
    for day in days[1:]:
        _run(landing, file, tmp_path / "file", "--date", day)
    env = _env(tmp_path / "lake", NEWS_ETL_DUCKLAKE_DATA_PATH=str(tmp_path / "lake-data"))
    _cli(["init", "--warehouse", lake_url], env)
    # Both hold their transaction open until both have reached COMMIT: they overlap for sure.
    markers = [tmp_path / f"held-{day}" for day in days[1:]]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                HELD_CLI,
                str(marker),
                "run",
                "--landing",
                str(landing),
                "--warehouse",
                lake_url,
                "--date",
                day,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for marker, day in zip(markers, days[1:], strict=True)
    ]
    for marker, proc in zip(markers, procs, strict=True):
        _wait_for(marker, proc)
    for marker in markers:
        marker.with_name(marker.name + ".go").write_text("go", encoding="utf-8")
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs

    assert _checksums(lake_url) == _checksums(file)
    assert sorted(_rows(lake_url, LEDGER)) == sorted(_rows(file, LEDGER))
    assert _rows(lake_url, "SELECT count(*) FROM etl_run WHERE status = 'success'") == [(2,)]


@pytest.mark.slow
def test_two_writers_of_the_same_day_load_each_article_once(tmp_path: Path, lake_url: str) -> None:
    landing = tmp_path / "landing"
    day = generate_sample(landing).dates[0].isoformat()
    file = str(tmp_path / "file" / "warehouse.duckdb")
    _run(landing, file, tmp_path / "file", "--date", day)
    env = _env(tmp_path / "lake", NEWS_ETL_DUCKLAKE_DATA_PATH=str(tmp_path / "lake-data"))
    _cli(["init", "--warehouse", lake_url], env)

    # The first writer settles the day and writes every row, then waits before COMMIT while
    # the second loads the same day and commits; released, the first one's commit conflicts,
    # it settles again and finds every article already there.
    marker = tmp_path / "held"
    held = subprocess.Popen(
        [sys.executable, "-c", HELD_CLI, str(marker), "run", "--landing", str(landing),
         "--warehouse", lake_url, "--date", day],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    _wait_for(marker, held)
    _cli(["run", "--landing", str(landing), "--warehouse", lake_url, "--date", day], env)
    marker.with_name("held.go").write_text("go", encoding="utf-8")
    output = held.communicate(timeout=600)[0]
    assert held.returncode == 0, output
    assert "DuckLake commit conflict" in output  # it did meet the other commit, and retried

    ids = "SELECT count(*), count(DISTINCT article_id) FROM fact_article"
    assert _rows(lake_url, ids) == _rows(file, ids)
    (total, distinct), *_ = _rows(lake_url, ids)
    assert total == distinct > 0
    assert _checksums(lake_url) == _checksums(file)
    assert sorted(_rows(lake_url, LEDGER)) == sorted(_rows(file, LEDGER))
    loaded = "SELECT articles_loaded FROM etl_run WHERE status = 'success' ORDER BY ended_at"
    assert _rows(lake_url, loaded) == [(total,), (0,)]  # the held run loaded nothing again


@pytest.mark.slow
def test_a_killed_commit_leaves_the_previous_snapshot_and_a_rerun_completes(
    tmp_path: Path, lake_url: str
) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing)
    env = _env(tmp_path / "lake", NEWS_ETL_DUCKLAKE_DATA_PATH=str(tmp_path / "lake-data"))
    _cli(["init", "--warehouse", lake_url], env)
    latest = "SELECT max(snapshot_id) FROM ducklake_snapshots('warehouse')"
    before = _rows(lake_url, latest)

    marker = tmp_path / "paused"
    proc = subprocess.Popen(
        [*paused_cli(marker), "run", "--landing", str(landing), "--warehouse", lake_url],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    _wait_for(marker, proc)
    os.kill(int(marker.read_text(encoding="utf-8")), signal.SIGKILL)
    proc.communicate(timeout=60)

    assert _rows(lake_url, latest) == before
    assert _rows(lake_url, "SELECT count(*) FROM fact_article") == [(0,)]
    assert _rows(lake_url, "SELECT count(*) FROM etl_run") == [(0,)]

    _cli(["run", "--landing", str(landing), "--warehouse", lake_url], env)
    file = str(tmp_path / "file" / "warehouse.duckdb")
    _run(landing, file, tmp_path / "file")
    assert _checksums(lake_url) == _checksums(file)


def test_replay_on_a_lake_reads_the_quarantined_files_again(tmp_path: Path) -> None:
    """`news-etl replay` on a DuckLake forgets the quarantined file's verdict and reads it again,
    as on a DuckDB file (it failed with DuckLake's "RETURNING clause not yet supported")."""
    import re

    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    url = f"ducklake:{tmp_path}/lake/catalog.ducklake"
    _run(landing, url, tmp_path)
    done = _cli_done(["replay", "--landing", str(landing), "--warehouse", url], _env(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    said = re.sub(r"run \d{8}T\d{6}Z-[0-9a-f]{8}", "run RUN", done.stdout)
    # The figures `news-etl replay` prints for the same landing zone on a DuckDB file.
    assert said == (
        "replay: forgot the verdicts on 1 file (1 refused whole, 0 loaded with bad records); "
        "run RUN read them again: 0 loaded, 0 duplicate, 1 refused whole again; 1 record of "
        "them quarantined again\n"
        "the run as a whole (with any other new file): 0 articles loaded, 0 duplicate records, "
        "1 record quarantined\n"
    )
    runs = "SELECT trigger, status FROM etl_run ORDER BY started_at"
    assert _rows(url, runs) == [("cli", "success"), ("replay", "success")]
    ledger = "SELECT outcome, count(*) FROM ingest_ledger GROUP BY ALL ORDER BY ALL"
    assert _rows(url, ledger) == [("duplicate", 1), ("loaded", 12), ("quarantined", 1)]


@pytest.mark.slow
def test_to_ducklake_copies_every_table_equal(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1, articles_per_day=6)
    file = str(tmp_path / "warehouse.duckdb")
    _run(landing, file, tmp_path)
    url = f"ducklake:{tmp_path}/lake/catalog.ducklake"
    out = _cli(
        ["warehouse", "to-ducklake", "--warehouse", file, "--target", url,
         "--data-path", str(tmp_path / "lake-data")],
        _env(tmp_path),
    )  # fmt: skip
    assert "each equals the source" in out
    # Repeated (as after a copy stopped once it had committed): compared, not refused (probe).
    repeat = _cli(
        ["warehouse", "to-ducklake", "--warehouse", file, "--target", url,
         "--data-path", str(tmp_path / "lake-data")],
        _env(tmp_path),
    )  # fmt: skip
    assert "already held this copy (the same runs; an earlier copy committed, then stopped): " in (
        " ".join(repeat.split())
    )
    assert "DIFFERENT" not in repeat

    con = reader(file)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'schema_migrations'"
        ).fetchall()]  # fmt: skip
    finally:
        con.close()
    assert "fact_article" in tables and "etl_run" in tables
    assert _checksums(url, tuple(tables)) == _checksums(file, tuple(tables))
    applied = "SELECT version, checksum FROM schema_migrations ORDER BY 1"
    assert _rows(url, applied) == _rows(file, applied)
    assert any((tmp_path / "lake-data").rglob("*.parquet"))
    # The lake takes further loads: the copied ledger knows every file.
    again = _run(landing, url, tmp_path)
    assert "0 articles loaded" in again
    assert _checksums(url) == _checksums(file)


@pytest.mark.slow
def test_a_copy_into_a_lake_that_holds_runs_is_refused(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1, articles_per_day=3)
    url = f"ducklake:{tmp_path}/catalog.ducklake"
    _run(landing, url, tmp_path)
    file = tmp_path / "w.duckdb"
    _cli(["init", "--warehouse", str(file)], _env(tmp_path))
    done = subprocess.run(
        [NEWS_ETL, "warehouse", "to-ducklake", "--warehouse", str(file), "--target", url],
        env=_env(tmp_path), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "already holds 1 runs" in done.stderr


def _psql_tables(pg_server: PgServer, lake_url: str) -> str:  # noqa: F811
    dbname = lake_url.split("dbname=")[1].split()[0]
    return pg_server.psql(
        "SELECT count(*) FROM information_schema.tables "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
        dbname=dbname,
    ).strip()


def test_a_new_postgres_catalog_is_no_warehouse_until_a_writer_creates_it(
    tmp_path: Path,
    lake_url: str,
    pg_server: PgServer,  # noqa: F811
) -> None:
    # The weekly maintenance (and `warehouse maintain`) on a catalog no load has used yet finds
    # no warehouse and creates nothing there; every reader says there is no lake yet, on one
    # line, and creates nothing either.
    from etl.target import parse_target
    from etl.warehouse import warehouse_exists

    env = _env(tmp_path, NEWS_ETL_DUCKLAKE_DATA_PATH=str(tmp_path / "lake-data"))
    target = parse_target(lake_url, str(tmp_path / "lake-data") + "/")
    assert warehouse_exists(target) is False
    maintained = _cli_done(["warehouse", "maintain", "--warehouse", lake_url], env)
    assert maintained.returncode == 2, maintained.stdout + maintained.stderr
    assert "no warehouse at ducklake:postgres:" in maintained.stderr
    for reader_args in (["summary"], ["status"], ["query", "SELECT 1"], ["quality"], ["report"],
                        ["quarantine", "list"]):  # fmt: skip
        done = _cli_done([*reader_args, "--warehouse", lake_url], env)
        assert done.returncode == 2, (reader_args, done.stdout + done.stderr)
        assert done.stderr.startswith("error: no DuckLake in the catalog of ducklake:postgres:")
        assert len(done.stderr.strip().splitlines()) == 1, (reader_args, done.stderr)
    shell = _cli_done(["shell", "--warehouse", lake_url], env)
    assert shell.returncode == 2, shell.stdout + shell.stderr
    assert "is a DuckLake: the safe shell opens a DuckDB file only" in shell.stderr
    assert _psql_tables(pg_server, lake_url) == "0"
    assert not (tmp_path / "lake-data").exists()

    _cli(["init", "--warehouse", lake_url], env)
    assert warehouse_exists(target) is True
    assert int(_psql_tables(pg_server, lake_url)) > 0
    _cli(["warehouse", "maintain", "--warehouse", lake_url], env)


def test_a_catalog_that_refuses_or_is_down_says_so_without_the_password(
    tmp_path: Path,
    pg_server: PgServer,  # noqa: F811
) -> None:
    # A password in the URL is masked in every line a user reads (DuckDB's errors quote the
    # whole URL, twice); an unknown role is permanent (exit 2), a server that is down is worth
    # a retry (exit 75).
    import socket

    secret = "Hunter2-not-for-logs"
    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    env = _env(tmp_path, NEWS_ETL_DUCKLAKE_DATA_PATH=str(tmp_path / "lake-data"))
    refused = (
        f"ducklake:postgres:dbname=postgres host=127.0.0.1 port={pg_server.port} "
        f"user=nobody_here password={secret}"
    )
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    down = f"ducklake:postgres:dbname=news host=127.0.0.1 port={closed} user=etl password={secret}"
    for url, code, says in [
        (refused, 2, "refused the connection: IO Error: Failed to attach DuckLake MetaData"),
        (down, 75, "cannot reach the DuckLake catalog of ducklake:postgres:"),
    ]:
        for args in (["summary"], ["run", "--landing", str(landing)], ["init"]):
            done = _cli_done([*args, "--warehouse", url], env)
            output = done.stdout + done.stderr
            assert done.returncode == code, (args, output)
            assert says in done.stderr, (args, output)
            assert "password=***" in done.stderr, (args, output)
            assert secret not in output, (args, output)
    assert 'role "nobody_here" does not exist' in _cli_done(["summary", "-w", refused], env).stderr


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``code`` run by this interpreter in a new process (as an Airflow task runs a step)."""
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False,
        timeout=600,
    )  # fmt: skip


def test_a_password_in_the_url_is_stored_nowhere_and_every_step_still_connects(
    tmp_path: Path,
    lake_url: str,
) -> None:
    # A whole CLI run, its reports and staging kept; then a run split over processes as
    # Airflow runs it: the plan is written by a process given the URL, the load runs in one
    # that is not (refused, saying what to do) and in one whose environment names it.
    secret = "Hunter2-at-rest"
    url = f"{lake_url} password={secret}"
    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEWS_ETL_")}
    env = {
        **base,
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        "NEWS_ETL_REPORTS_DIR": str(tmp_path / "reports"),
        "NEWS_ETL_DUCKLAKE_DATA_PATH": str(tmp_path / "lake-data"),
        "NEWS_ETL_KEEP_STAGING": "true",
        "NEWS_ETL_WORKERS": "2",
        "NEWS_ETL_LANDING": str(landing),
    }
    printed = ""
    for args in (["init"], ["run"], ["summary"], ["status"], ["quality"]):
        printed += _cli([*args, "--warehouse", url], env)
    assert "password=***" in printed
    assert secret not in printed
    stored = [p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in {".json", ".html"}]
    assert any(p.name == "plan.json" for p in stored)
    assert any(p.name == "latest.html" for p in stored)
    assert [p for p in stored if secret in p.read_text(encoding="utf-8")] == []

    extra = landing / "dt=2024-03-04" / "wire" / "extra.txt"  # one new file: a new run
    extra.write_text(" date 2024-03-04 A new article arrives after the first run.\n", "utf-8")
    planned = _python(
        "from etl.pipeline import plan_run\nfrom etl.settings import Settings\n"
        "plan = plan_run(Settings())\nprint(plan.staging_dir, plan.n_batches)",
        {**env, "NEWS_ETL_WAREHOUSE": url},
    )
    assert planned.returncode == 0, planned.stderr
    staging, batches = planned.stdout.split()[-2:]
    assert secret not in (Path(staging) / "plan.json").read_text(encoding="utf-8")
    steps = _python(
        f"from etl import pipeline\nfor b in range({batches}):\n"
        f"    pipeline.ingest_batch({staging!r}, b)\n    pipeline.text_batch({staging!r}, b)\n"
        f"pipeline.validate_run({staging!r})",
        env,
    )
    assert steps.returncode == 0, steps.stderr
    load = f"from etl import pipeline\nprint(pipeline.load_run({staging!r}).articles_loaded)"
    refused = _python(load, env)
    assert refused.returncode != 0
    assert "the password was masked where the warehouse was stored" in refused.stderr
    assert secret not in refused.stdout + refused.stderr
    loaded = _python(load, {**env, "NEWS_ETL_WAREHOUSE": url})
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split()[-1] == "1"


def test_a_run_killed_after_its_lake_commit_gets_its_snapshot_row_from_the_next(
    tmp_path: Path,
) -> None:
    """Killed between its COMMIT and the insert of its ``etl_run_snapshot`` row, a run stayed
    without one: the next run found its folder, said "ended (success) without cleaning up",
    and left the row missing (probe). Its state is made by hand: a run whose staging folder
    was kept (then unmarked, as a killed run's is) and whose row is removed."""
    from etl import leftovers, pipeline
    from etl.settings import load_settings
    from etl.warehouse import writer

    landing = tmp_path / "landing"
    generate_sample(landing, days=1, articles_per_day=3)
    url = f"ducklake:{tmp_path}/lake/catalog.ducklake"
    kept = load_settings(landing=landing, warehouse=url, staging_dir=tmp_path / "staging",
                         keep_staging=True, write_reports=False, workers=1)  # fmt: skip
    first = pipeline.run(kept)
    (folder,) = (tmp_path / "staging").iterdir()
    (folder / leftovers.KEPT).unlink()  # as the killed run left it
    with writer(kept) as con:
        (snapshot,) = con.execute(
            "SELECT snapshot_id FROM etl_run_snapshot WHERE run_id = ?", [first.run_id]
        ).fetchone() or (None,)
        con.execute("DELETE FROM etl_run_snapshot WHERE run_id = ?", [first.run_id])
    assert snapshot is not None
    settings = load_settings(landing=landing, warehouse=url, staging_dir=tmp_path / "staging",
                             write_reports=False, workers=1, abandoned_after_s=0)  # fmt: skip
    messages = pipeline.reclaim_leftovers(settings)
    assert len(messages) == 1 and "recorded its snapshot in etl_run_snapshot" in messages[0]
    assert _rows(
        url, "SELECT snapshot_id FROM etl_run_snapshot WHERE run_id = ?", [first.run_id]
    ) == [(snapshot,)]
    assert pipeline.reclaim_leftovers(settings) == []


def test_another_data_path_than_the_lakes_is_refused_creating_nothing(tmp_path: Path) -> None:
    # The refused run had made the new data path's folder already, and its error passed on
    # DuckDB's hint to set OVERRIDE_DATA_PATH, which no command here takes (probe).
    landing = tmp_path / "landing"
    generate_sample(landing, days=1, articles_per_day=3)
    url = f"ducklake:{tmp_path}/catalog.ducklake"
    first = tmp_path / "data-1"
    _run(landing, url, tmp_path, NEWS_ETL_DUCKLAKE_DATA_PATH=str(first))
    other = tmp_path / "data-2"
    done = _cli_done(
        ["run", "--landing", str(landing), "--warehouse", url],
        _env(tmp_path, NEWS_ETL_DUCKLAKE_DATA_PATH=str(other)),
    )
    assert done.returncode == 2, done.stderr
    assert "a lake keeps the data path it was made with" in done.stderr
    assert "OVERRIDE_DATA_PATH" not in done.stderr
    assert not other.exists()


def test_another_applications_lake_on_postgres_is_refused_unchanged(
    tmp_path: Path,
    lake_url: str,
    pg_server: PgServer,  # noqa: F811
) -> None:
    # A lake that holds tables but no schema_migrations was "a warehouse at schema 0" to the
    # readers, and `init` added the warehouse's tables to it (probe, session 45). A Postgres
    # catalog is looked at once attached (a catalog file before its lock: test_warehouse_kind).
    from etl import lake
    from etl.target import parse_target

    data = str(tmp_path / "lake-data") + "/"
    con = lake.connect(parse_target(lake_url, data), read_only=False)
    try:
        con.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)")
    finally:
        con.close()
    tables = _psql_tables(pg_server, lake_url)
    env = _env(tmp_path, NEWS_ETL_DUCKLAKE_DATA_PATH=data)
    for args in (["summary"], ["query", "SELECT 1"], ["init"], ["marts"]):
        done = _cli_done([*args, "--warehouse", lake_url], env)
        assert done.returncode == 2, (args, done.stdout + done.stderr)
        assert done.stderr.startswith("error: ducklake:postgres:"), done.stderr
        assert done.stderr.endswith(
            " is not a news-etl warehouse: it holds tables, views or other objects but no "
            "schema_migrations, and news-etl changed nothing in it; name a news-etl warehouse, "
            "or a new file\n"
        ), done.stderr
    assert _psql_tables(pg_server, lake_url) == tables


def test_a_copy_stopped_inside_its_transaction_says_why_and_copies_again_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy stopped between its first INSERT and its COMMIT (here: naming the commit fails)
    raises that error, not one of the clean-up statements after it, leaves the lake without
    runs, and the next copy completes."""
    from etl import lake
    from etl.lake_copy import copy_to_lake

    landing = tmp_path / "landing"
    generate_sample(landing, days=1, articles_per_day=3)
    file = str(tmp_path / "warehouse.duckdb")
    _run(landing, file, tmp_path)
    url = f"ducklake:{tmp_path}/lake/catalog.ducklake"
    source = load_settings(warehouse=file, staging_dir=tmp_path / "staging")
    target = load_settings(
        warehouse=url,
        staging_dir=tmp_path / "staging",
        ducklake_data_path=str(tmp_path / "lake-data"),
    )

    def stopped(con: object, message: str) -> None:
        raise RuntimeError("stopped before the commit")

    monkeypatch.setattr(lake, "name_commit", stopped)
    with pytest.raises(RuntimeError, match=r"^stopped before the commit$"):
        copy_to_lake(source, target)
    assert _rows(url, "SELECT count(*) FROM etl_run") == [(0,)]
    monkeypatch.undo()
    copied = copy_to_lake(source, target)
    assert not copied.already and all(t.equal for t in copied.tables)
