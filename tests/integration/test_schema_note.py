"""A read-only command on a warehouse of another schema says so, in one line on standard error.

Read-only commands never migrate: on a warehouse built by an older news-etl (pending
migrations) they answered with its older views and macros, and on one written by a newer
news-etl with definitions this README does not describe, both without a word. Now each says
once, on standard error (piped output stays clean), where the schemas part, and still creates
and changes no file. The expected numbers come from the migrations folder and the literal
schema the older warehouse is built at.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.settings import PROJECT_ROOT, load_settings
from etl.warehouse import writer

from .helpers import schemas_up_to, settings_for

#: The schema the older warehouse is built at, and the file name of the migration after it.
OLDER, NEXT = 36, "0037_broken_links_remembered.sql"
#: This code's latest migration, as the folder lists it.
LATEST = len(list((PROJECT_ROOT / "schemas" / "migrations").glob("*.sql")))

BEHIND = (
    f"note: this warehouse is at schema {OLDER} and this news-etl expects {LATEST}: "
    f"`news-etl init` applies the {LATEST - OLDER} pending migrations; until then views and "
    f"macros answer as they did in schema {OLDER}"
)
AHEAD = (
    f"note: this warehouse was written by a newer news-etl (schema {LATEST + 1}, this one knows "
    f"{LATEST}): update news-etl; answers follow this version's README only where the schema "
    "agrees"
)


def _files(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: its content's SHA-256 (a folder: ``dir``)."""
    return {
        str(p.relative_to(folder)): "dir"
        if p.is_dir()
        else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
    }


def _older_warehouse(tmp_path: Path) -> Path:
    """A DuckDB warehouse that an older news-etl made (schema :data:`OLDER`)."""
    older = schemas_up_to(tmp_path / "schemas", OLDER, NEXT)
    landing = tmp_path / "landing"
    landing.mkdir()
    with writer(settings_for(landing, tmp_path / "wh", schemas_dir=older)):
        pass
    return tmp_path / "wh" / "warehouse.duckdb"


#: Every read-only command that opens the warehouse (``shell``: its exec stopped, below).
READ_ONLY = [
    ["query", "SELECT 42 AS answer", "--format", "csv"],
    ["summary"],
    ["status"],
    ["quality"],
    ["quarantine", "list", "--format", "csv"],
    ["shell"],
    ["report"],
]


@pytest.fixture(autouse=True)
def _no_exec(monkeypatch: pytest.MonkeyPatch) -> None:
    """``shell`` ends by exec'ing DuckDB's shell: here it stops instead, exit 0."""

    def stop(path: str, args: list[str]) -> None:
        raise SystemExit(0)

    monkeypatch.setattr("os.execv", stop)


def _run(args: list[str], warehouse: str) -> tuple[str, str]:
    """Standard output and standard error of ``news-etl ARGS -w WAREHOUSE``."""
    result = CliRunner().invoke(app, [*args, "-w", warehouse])
    return result.stdout, result.stderr


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a[:2]))
def test_an_older_warehouse_is_named_once_on_stderr_and_left_as_it_was(
    tmp_path: Path, args: list[str]
) -> None:
    warehouse = _older_warehouse(tmp_path)
    before = _files(tmp_path)
    stdout, stderr = _run(args, str(warehouse))
    assert stderr.count("note: this warehouse") == 1, stderr
    assert BEHIND in stderr.splitlines()
    assert "note:" not in stdout
    assert _files(tmp_path) == before  # no migration, no lock file, no folder


def test_piped_query_output_stays_clean(tmp_path: Path) -> None:
    warehouse = _older_warehouse(tmp_path)
    stdout, stderr = _run(["query", "SELECT 42 AS answer", "--format", "csv"], str(warehouse))
    assert stdout == "answer\n42\n"
    assert BEHIND in stderr.splitlines()


def test_a_warehouse_of_a_newer_news_etl_is_named(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = settings_for(landing, tmp_path / "wh")
    with writer(settings) as con:
        con.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, 'later', 'x')",
            [LATEST + 1],
        )
    before = _files(tmp_path)
    stdout, stderr = _run(["query", "SELECT 1 AS one", "--format", "csv"], str(settings.warehouse))
    assert stdout == "one\n1\n"
    assert AHEAD in stderr.splitlines()
    assert _files(tmp_path) == before


def test_a_current_warehouse_says_nothing(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    settings = settings_for(landing, tmp_path / "wh")
    with writer(settings):
        pass
    for args in READ_ONLY:
        _, stderr = _run(args, str(settings.warehouse))
        assert "note: this warehouse" not in stderr, (args, stderr)


def test_an_older_ducklake_is_named_too(tmp_path: Path) -> None:
    older = schemas_up_to(tmp_path / "schemas", OLDER, NEXT)
    url = f"ducklake:{tmp_path}/lake/catalog.ducklake"
    settings = load_settings(warehouse=url, staging_dir=tmp_path / "staging", schemas_dir=older)
    with writer(settings):
        pass
    before = _files(tmp_path)
    for args in (["query", "SELECT 42 AS answer", "--format", "csv"], ["summary"]):
        stdout, stderr = _run(args, url)
        assert BEHIND in stderr.splitlines(), (args, stderr)
        assert "note:" not in stdout
    assert _files(tmp_path) == before


@pytest.mark.parametrize("args", [["summary"], ["quality"]], ids=lambda a: a[0])
def test_the_look_waits_for_a_load_as_the_commands_own_read_does(
    tmp_path: Path, args: list[str]
) -> None:
    """The note's own open waited the writers' lock timeout: with ``NEWS_ETL_LOCK_TIMEOUT_S=0``
    a command that waits up to a minute for a load to let go failed at once (exit 75; review,
    session 42). A process holds the file for a moment here; the command waits and answers."""
    import subprocess
    import sys

    landing = tmp_path / "landing"
    landing.mkdir()
    settings = settings_for(landing, tmp_path / "wh")
    with writer(settings):
        pass
    hold = (
        "import duckdb, sys, time\n"
        "con = duckdb.connect(sys.argv[1])\n"
        "print('held', flush=True)\n"
        "time.sleep(1.5)\n"
        "con.close()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(settings.warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = CliRunner().invoke(
            app, [*args, "-w", str(settings.warehouse)], env={"NEWS_ETL_LOCK_TIMEOUT_S": "0"}
        )
    finally:
        holder.wait(timeout=60)
    assert result.exit_code == 0, result.output
    assert "note: this warehouse" not in result.stderr
