"""`news-etl query`: reads only, refuses writes, waits while a load holds the warehouse."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
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


def _empty_warehouse(folder: Path) -> Path:
    import duckdb

    path = folder / "empty.duckdb"
    duckdb.connect(str(path)).close()
    return path


def test_the_reader_offers_the_fts_functions(tmp_path: Path) -> None:
    # The sandbox turns file access off, so DuckDB cannot autoload fts later: the reader loads
    # it from the duckdb-extension-fts wheel up front (a survivor of the seed-1201 mutation
    # sample, issue #18). Porter stems "running" to "run".
    from etl.query import open_reader

    con = open_reader(_empty_warehouse(tmp_path))
    try:
        assert con.execute("SELECT stem('running', 'porter')").fetchall() == [("run",)]
    finally:
        con.close()


def test_the_fts_wheel_loads_from_a_path_with_an_apostrophe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A virtualenv under /home/o'brien: the LOAD statement quotes the path.
    import importlib.machinery
    import importlib.util
    import shutil

    import duckdb

    from etl.query import open_reader

    real = importlib.util.find_spec("duckdb_extension_fts")
    assert real is not None and real.origin is not None
    row = duckdb.connect().execute("PRAGMA version").fetchone()
    assert row is not None
    version = str(row[0])  # "v1.5.5": the wheel's folder for this DuckDB
    package = tmp_path / "o'brien" / "duckdb_extension_fts"
    (package / "extensions" / version).mkdir(parents=True)
    shutil.copy(
        Path(real.origin).parent / "extensions" / version / "fts.duckdb_extension",
        package / "extensions" / version / "fts.duckdb_extension",
    )
    find_spec = importlib.util.find_spec

    def moved(name: str, package_name: str | None = None) -> importlib.machinery.ModuleSpec | None:
        if name == "duckdb_extension_fts":
            return importlib.machinery.ModuleSpec(name, None, origin=str(package / "__init__.py"))
        return find_spec(name, package_name)

    monkeypatch.setattr(importlib.util, "find_spec", moved)
    con = open_reader(_empty_warehouse(tmp_path))
    try:
        assert con.execute("SELECT stem('running', 'porter')").fetchall() == [("run",)]
    finally:
        con.close()


@pytest.mark.parametrize("case", ["no wheel", "no origin"])
def test_the_reader_works_without_the_fts_wheel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    # "when it is installed": without the wheel (no spec) or with a package that has no file
    # (a spec without origin) the reader opens and reads, only without the fts functions.
    import importlib.machinery
    import importlib.util

    from etl.query import open_reader

    find_spec = importlib.util.find_spec

    def missing(
        name: str, package_name: str | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name == "duckdb_extension_fts":
            if case == "no wheel":
                return None
            return importlib.machinery.ModuleSpec(name, None, origin=None)
        return find_spec(name, package_name)

    monkeypatch.setattr(importlib.util, "find_spec", missing)
    con = open_reader(_empty_warehouse(tmp_path))
    try:
        assert con.execute("SELECT 40 + 2").fetchall() == [(42,)]
    finally:
        con.close()


def test_a_reader_on_a_missing_warehouse_names_it(tmp_path: Path) -> None:
    from etl.errors import PermanentError
    from etl.query import open_reader

    missing = tmp_path / "nothing.duckdb"
    with pytest.raises(PermanentError) as caught:
        open_reader(missing)
    assert str(caught.value) == f"no warehouse at {missing}"
    assert not missing.exists()


def test_a_reader_on_a_damaged_file_says_so_and_names_it(tmp_path: Path) -> None:
    from etl.errors import WarehouseCorruptError
    from etl.query import open_reader

    damaged = tmp_path / "damaged.duckdb"
    damaged.write_bytes(b"this is not a database" * 300)
    with pytest.raises(WarehouseCorruptError) as caught:
        open_reader(damaged)
    assert str(caught.value).startswith(f"{damaged} is damaged or not a DuckDB database (")


def test_the_reader_connection_itself_is_read_only(tmp_path: Path) -> None:
    # Below the SQL check: even a write that reached the connection is refused by DuckDB.
    import duckdb

    from etl.query import open_reader

    con = open_reader(_empty_warehouse(tmp_path))
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("CREATE TABLE t AS SELECT 1")
    finally:
        con.close()


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    """Another process holds a read-write DuckDB connection to ``path`` meanwhile."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(60); con.close()",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.kill()
        holder.wait(timeout=30)


def test_a_waiting_reader_says_so_once_then_gives_up(tmp_path: Path) -> None:
    from etl.errors import WarehouseBusyError
    from etl.query import open_reader

    warehouse = _empty_warehouse(tmp_path)
    said: list[str] = []
    with _held(warehouse):
        started = time.monotonic()
        with pytest.raises(WarehouseBusyError) as caught:
            open_reader(warehouse, wait_s=1.2, notify=said.append)
        waited = time.monotonic() - started
    assert said == ["empty.duckdb is being loaded right now; waiting for the load to commit"]
    assert 1.2 <= waited < 10
    assert str(caught.value) == (
        f"{warehouse} is being written (a load is running) and stayed locked for 1.2s; "
        "try again in a moment"
    )


def _empty_lake(tmp_path: Path) -> str:
    from etl.settings import load_settings
    from etl.warehouse import writer

    url = f"ducklake:{tmp_path}/catalog.ducklake"
    with writer(load_settings(warehouse=url)):
        pass  # creates the lake and applies the migrations
    return url


def test_a_reader_opens_a_ducklake_read_only(tmp_path: Path) -> None:
    import duckdb

    from etl.query import open_reader

    con = open_reader(_empty_lake(tmp_path))  # type: ignore[arg-type]  # the CLI passes text
    try:
        assert con.execute("SELECT count(*) FROM fact_article").fetchall() == [(0,)]
        with pytest.raises(duckdb.Error, match=r"read-only|read only"):
            con.execute("CREATE TABLE warehouse.t AS SELECT 1")
    finally:
        con.close()


def test_a_reader_waits_for_a_held_lake_catalog_as_long_as_asked(tmp_path: Path) -> None:
    from etl.errors import WarehouseBusyError
    from etl.query import open_reader

    url = _empty_lake(tmp_path)
    said: list[str] = []
    with _held(tmp_path / "catalog.ducklake"):
        started = time.monotonic()
        with pytest.raises(WarehouseBusyError):
            open_reader(url, wait_s=1.2, notify=said.append)  # type: ignore[arg-type]
        waited = time.monotonic() - started
    assert len(said) == 1 and said[0].endswith("; waiting up to 1.2s"), said
    assert 1.2 <= waited < 10


#: DuckLake's table functions that write the catalog, its settings or its data files.
LAKE_WRITERS = (
    "ducklake_add_data_files('warehouse', 'fact_article', 'x.parquet')",
    "ducklake_cleanup_old_files('warehouse', cleanup_all => true)",
    "ducklake_commit('warehouse', 1)",
    "ducklake_delete_orphaned_files('warehouse', cleanup_all => true)",
    "ducklake_expire_snapshots('warehouse', older_than => now())",
    "ducklake_flush_inlined_data('warehouse')",
    "ducklake_merge_adjacent_files('warehouse')",
    "ducklake_rewrite_data_files('warehouse')",
    "ducklake_set_commit_message('warehouse', 'me', 'x')",
    "ducklake_set_option('warehouse', 'data_inlining_row_limit', 10)",
)


def test_a_query_on_a_lake_runs_no_ducklake_maintenance_and_deletes_no_file(
    tmp_path: Path,
) -> None:
    """`news-etl query` refuses DuckLake's writing functions: on the read-only attach,
    ducklake_cleanup_old_files still deleted every file `maintain` had scheduled (skipping its
    grace) before failing, and ducklake_set_option crashed the process."""
    from etl.maintenance import maintain
    from etl.query import QueryRefusedError, open_reader, run_query
    from etl.settings import load_settings

    url = _empty_lake(tmp_path)
    maintain(load_settings(warehouse=url))  # 24 h grace: the merged files wait for deletion
    data = tmp_path / "catalog.ducklake.files"
    files = sorted(p for p in data.rglob("*") if p.is_file())
    con = open_reader(url)  # type: ignore[arg-type]  # the CLI passes text
    try:
        scheduled = (
            "SELECT count(*) FROM "
            "__ducklake_metadata_warehouse.ducklake_files_scheduled_for_deletion"
        )
        assert con.execute(scheduled).fetchall() != [(0,)]
        for call in LAKE_WRITERS:
            name = call.partition("(")[0]
            # DuckLake answers to the name without its prefix in the lake's catalog, and
            # unqualified in the database in use: `CALL warehouse.merge_adjacent_files()` wrote
            # files no snapshot names, `warehouse.set_option(…)` crashed (probe P, session 39).
            short = name.removeprefix("ducklake_")
            args = call.partition("(")[2].removeprefix("'warehouse'").lstrip(", ")
            calls = [(f"SELECT * FROM {call}", name), (f"CALL {call}", name)] + [
                (f"CALL {scope}{short}({args}", short)
                for scope in ("warehouse.", "warehouse.main.", "")
            ]
            for sql, refused in calls:
                with pytest.raises(QueryRefusedError) as caught:
                    relation = run_query(con, sql)
                    if relation is not None:  # a SELECT runs when it is fetched
                        relation.fetchall()
                assert str(caught.value) == (
                    f"{refused} is not allowed: `news-etl query` only reads the warehouse and "
                    "changes nothing"
                ), sql
    finally:
        con.close()
    assert sorted(p for p in data.rglob("*") if p.is_file()) == files


@pytest.mark.parametrize(
    "command",
    [["status"], ["quarantine", "list"], ["query", "SELECT 1"]],
    ids=lambda c: c[0],
)
def test_a_missing_lake_catalog_is_no_warehouse_in_one_line(
    tmp_path: Path, command: list[str]
) -> None:
    """On a catalog file that does not exist the readers say what `summary` says (they gave
    DuckLake's attach error: 'cannot attach …: IO Error: Failed to attach DuckLake MetaData …'),
    exit 2 and create nothing."""
    url = f"ducklake:{tmp_path}/typo.ducklake"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "news-etl"), *command, "--warehouse", url],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        f"error: no warehouse at ducklake:{tmp_path}/typo.ducklake\n",
    )
    assert list(tmp_path.iterdir()) == []


#: ``news-etl`` that writes its pid to the file named by its first argument once the query is
#: checked and about to run (the rest of the arguments go to the CLI).
_ANNOUNCING_CLI = """
import os, signal, sys
# Ctrl-C as a terminal's: a suite started in the background (``cmd &``, nohup) has SIGINT
# ignored, and its children with it (review R2)
signal.signal(signal.SIGINT, signal.default_int_handler)
from pathlib import Path
from etl import query
from etl.cli import app

marker = Path(sys.argv.pop(1))
checked = query.run_query

def run_query(con, sql):
    relation = checked(con, sql)
    marker.write_text(str(os.getpid()), encoding="utf-8")
    return relation

query.run_query = run_query
app(prog_name="news-etl")
"""


def _cpu_seconds(pid: int) -> float:
    """The CPU time process ``pid`` has used (user and system, all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.parametrize("fmt", ["csv", "table", "parquet"])
def test_ctrl_c_stops_a_running_query_at_once_and_frees_the_warehouse(
    tmp_path: Path, fmt: str
) -> None:
    """Ctrl-C in a query DuckDB is running: exit 130 at once, the file free for a load. It kept
    DuckDB's workers going at full CPU (``close`` waited for them, the ``--timeout`` timer was
    cancelled, a second Ctrl-C ignored) while its read lock refused every writer (probe)."""
    warehouse = _empty_warehouse(tmp_path)
    marker = tmp_path / "running"
    endless = (
        "SELECT count(*) AS n FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = 7"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", _ANNOUNCING_CLI, str(marker), "query", endless, "-f", fmt,
         "-o", str(tmp_path / f"out.{fmt}"), "--timeout", "600", "-w", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        bound = time.monotonic() + 60
        while not marker.exists() and process.poll() is None and time.monotonic() < bound:
            time.sleep(0.05)
        assert marker.exists(), process.communicate(timeout=30)
        busy = _cpu_seconds(process.pid) + 1.0  # DuckDB at work: a second of CPU past the marker
        while _cpu_seconds(process.pid) < busy and time.monotonic() < bound:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        stopped = time.monotonic()
        _, err = process.communicate(timeout=15)
        took = time.monotonic() - stopped
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == 130, err
    assert took < 5
    assert b"error: interrupted:" in err and b"Traceback" not in err
    duckdb.connect(str(warehouse)).close()  # a writer opens it: no lock is left
