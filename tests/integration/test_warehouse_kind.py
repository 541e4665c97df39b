"""A DuckDB-file warehouse given as ``ducklake:…`` and a DuckLake catalog given as a plain path
are refused with what to type instead, and neither file is touched: attached as a lake, the
warehouse file would get DuckLake's catalog tables and an empty lake; opened as a warehouse,
the catalog would get the warehouse's tables beside DuckLake's. Nor is a lock file left beside
them, nor is a database that is no news-etl warehouse (another application's) changed or read
as "a warehouse at schema 0"; ``to-ducklake`` into its own source is refused at once; and a
lake's readers install nothing into ``~/.duckdb``."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.sample import generate_sample
from etl.settings import load_settings


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A DuckDB-file warehouse and a DuckLake catalog file, each loaded with one day."""
    tmp = tmp_path_factory.mktemp("kinds")
    landing = tmp / "landing"
    generate_sample(landing, days=1)
    file, catalog = tmp / "w.duckdb", tmp / "lake" / "catalog.ducklake"
    for warehouse in (str(file), f"ducklake:{catalog}"):
        settings = load_settings(landing=landing, warehouse=warehouse, staging_dir=tmp / "staging",
                                 write_reports=False, workers=1)  # fmt: skip
        pipeline.run(settings)
    return file, catalog


def _error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr  # a refused run is not planned: no run to record
    return lines[0]


def _everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


COMMANDS = [
    ["init"],
    ["summary"],
    ["status"],
    ["query", "SELECT count(*) FROM fact_article"],
    ["run", "--landing", "{landing}"],
]
#: Every command that opens a warehouse: the read-only ones, then the writers.
EVERY_COMMAND = [
    *COMMANDS,
    ["quality"],
    ["quarantine", "list"],
    ["marts"],
    ["warehouse", "maintain"],
    ["replay", "--landing", "{landing}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_warehouse_file_named_as_a_lake_is_refused_untouched(
    built: tuple[Path, Path], command: list[str]
) -> None:
    file, _ = built
    before, beside = _sha(file), _everything(file.parent)
    args = [a.replace("{landing}", str(file.parent / "landing")) for a in command]
    result = CliRunner().invoke(app, [*args, "--warehouse", f"ducklake:{file}"])
    assert result.exit_code == 2, result.output
    assert _error_line(result.stderr) == (
        f"error: {file} is a DuckDB warehouse, not a DuckLake catalog: use --warehouse {file}"
        " (without ducklake:), or copy it into a lake with news-etl warehouse to-ducklake"
    )
    assert _sha(file) == before
    # no w.duckdb.files, no lake, no staging folder (the lock file was there: the fixture's run)
    assert _everything(file.parent) == beside


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_lake_catalog_named_as_a_warehouse_file_is_refused_untouched(
    built: tuple[Path, Path], command: list[str]
) -> None:
    _, catalog = built
    before, beside = _sha(catalog), _everything(catalog.parent.parent)
    args = [a.replace("{landing}", str(catalog.parent.parent / "landing")) for a in command]
    result = CliRunner().invoke(app, [*args, "--warehouse", str(catalog)])
    assert result.exit_code == 2, result.output
    assert _error_line(result.stderr) == (
        f"error: {catalog} is a DuckLake catalog, not a DuckDB warehouse: use --warehouse"
        f" 'ducklake:{catalog}'"
    )
    assert _sha(catalog) == before
    assert _everything(catalog.parent.parent) == beside
    # and named rightly, both answer
    for warehouse in (f"ducklake:{catalog}", str(built[0])):
        ok = CliRunner().invoke(app, ["query", "SELECT count(*) FROM fact_article", "-f", "csv",
                                      "--warehouse", warehouse])  # fmt: skip
        assert ok.exit_code == 0, ok.output
        assert int(ok.stdout.splitlines()[1]) > 0


@pytest.mark.parametrize("command", [*EVERY_COMMAND, ["warehouse", "to-ducklake", "--target"]],
                         ids=lambda c: "-".join(c[:2]))  # fmt: skip
def test_the_wrong_kind_leaves_no_lock_file_beside_it(
    built: tuple[Path, Path], tmp_path: Path, command: list[str]
) -> None:
    """Each file alone in a folder: a refused writer made ``<file>.lock`` beside it before it
    looked at the kind (probe, session 45: init, marts, maintain, replay, to-ducklake)."""
    file, catalog = built
    folder = tmp_path / "k"
    folder.mkdir()
    shutil.copy(file, folder / "w.duckdb")
    shutil.copy(catalog, folder / "cat.ducklake")
    beside = _everything(folder)
    named = (f"ducklake:{folder / 'w.duckdb'}", str(folder / "cat.ducklake"))
    if command[-1] == "--target":  # the target of a copy: a DuckDB warehouse named as a lake
        source = tmp_path / "source.duckdb"
        shutil.copy(file, source)
        calls = [[*command, named[0], "--warehouse", str(source)]]
    else:
        args = [a.replace("{landing}", str(file.parent / "landing")) for a in command]
        calls = [[*args, "--warehouse", warehouse] for warehouse in named]
    for call in calls:
        result = CliRunner().invoke(app, call)
        assert result.exit_code == 2, result.output
        assert " is a D" in _error_line(result.stderr), result.stderr
    assert _everything(folder) == beside
    made = sorted(p.name for p in tmp_path.iterdir())  # nor beside the source of a copy
    assert made == (["k", "source.duckdb"] if command[-1] == "--target" else ["k"])


def test_to_ducklake_into_its_own_source_is_refused_at_once(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--target ducklake:<the source file>``, however spelled (a ``..`` path, a hard link),
    waited for its own writer lock for the whole timeout, then exited 75 ("try again later",
    which could never help: probe, session 45)."""
    monkeypatch.setenv("NEWS_ETL_LOCK_TIMEOUT_S", "120")  # waited for, it would show
    source = tmp_path / "w.duckdb"
    shutil.copy(built[0], source)
    (tmp_path / "sub").mkdir()
    os.link(source, tmp_path / "link.duckdb")
    before, beside = _sha(source), _everything(tmp_path)
    for spelled in (source, tmp_path / "sub" / ".." / "w.duckdb", tmp_path / "link.duckdb"):
        started = time.monotonic()
        result = CliRunner().invoke(app, ["warehouse", "to-ducklake", "--warehouse", str(source),
                                          "--target", f"ducklake:{spelled}"])  # fmt: skip
        assert result.exit_code == 2, result.output
        assert time.monotonic() - started < 60  # not after the lock's timeout
        line = _error_line(result.stderr)
        assert line.startswith("error: ducklake:") and line.endswith(
            f" is the source warehouse {source} itself: the target must be a new DuckLake "
            "catalog (another file, or ducklake:postgres:…)"
        ), line
    assert _sha(source) == before
    assert _everything(tmp_path) == beside


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Other applications' databases: a DuckDB file with a table, one with only a view (in
    another schema), and a DuckLake (catalog file) with a table. The last two have a lock file
    already (a writer looks at the kind again once it holds the lock)."""
    folder = tmp_path_factory.mktemp("foreign")
    with duckdb.connect(str(folder / "table.duckdb")) as con:
        con.execute("CREATE TABLE t (x INTEGER)")
    with duckdb.connect(str(folder / "view.duckdb")) as con:
        con.execute("CREATE SCHEMA s; CREATE VIEW s.v AS SELECT 1 AS x")
    with duckdb.connect() as con:
        from etl.extensions import load_extension

        load_extension(con, "ducklake")
        con.execute(f"ATTACH 'ducklake:{folder / 'lake.ducklake'}' AS lake")
        con.execute("CREATE TABLE lake.t (x INTEGER); INSERT INTO lake.t VALUES (1)")
    for name in ("view.duckdb.lock", "lake.ducklake.lock"):
        (folder / name).touch()
    return folder


def _foreign_line(name: str) -> str:
    return (
        f"error: {name} is not a news-etl warehouse: it holds tables, views or other objects "
        "but no schema_migrations, and news-etl changed nothing in it; name a news-etl warehouse, "
        "or a new file"
    )


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: "-".join(c[:2]))
def test_a_database_that_is_no_news_etl_warehouse_is_refused_unchanged(
    foreign: Path, built: tuple[Path, Path], command: list[str]
) -> None:
    """Read-only commands called another application's database "a warehouse at schema 0"
    (then a CatalogException about fact_article), and ``init`` added the warehouse's tables to
    it (probe, session 45); a file that holds no table and no view is a new warehouse."""
    args = [a.replace("{landing}", str(built[0].parent / "landing")) for a in command]
    hashes = {p.name: _sha(p) for p in foreign.rglob("*") if p.is_file()}
    beside = _everything(foreign)
    expected = {
        str(foreign / "table.duckdb"): _foreign_line(str(foreign / "table.duckdb")),
        str(foreign / "view.duckdb"): _foreign_line(str(foreign / "view.duckdb")),
        f"ducklake:{foreign / 'lake.ducklake'}": _foreign_line(
            f"ducklake:{foreign / 'lake.ducklake'}"
        ),
        f"ducklake:{foreign / 'table.duckdb'}": (
            f"error: {foreign / 'table.duckdb'} is not a DuckLake catalog (nor a news-etl "
            "warehouse): it holds other tables or views, and news-etl changed nothing in it; "
            "name a DuckLake catalog, or a new file"
        ),
    }
    for warehouse, line in expected.items():
        result = CliRunner().invoke(app, [*args, "--warehouse", warehouse])
        assert result.exit_code == 2, (warehouse, result.output)
        assert _error_line(result.stderr) == line
    assert {p.name: _sha(p) for p in foreign.rglob("*") if p.is_file()} == hashes
    assert _everything(foreign) == beside


def test_an_empty_duckdb_file_is_still_a_new_warehouse(tmp_path: Path) -> None:
    migrations = len(list((Path(__file__).parents[2] / "schemas" / "migrations").glob("*.sql")))
    for name, prefix in (("w.duckdb", ""), ("cat.ducklake", "ducklake:")):
        duckdb.connect(str(tmp_path / name)).close()
        result = CliRunner().invoke(app, ["init", "--warehouse", f"{prefix}{tmp_path / name}"])
        assert result.exit_code == 0, result.output
        assert result.stdout.endswith(f": schema version {migrations}\n"), result.stdout


@pytest.mark.parametrize(
    "command",
    [["summary"], ["status"], ["quality"], ["quarantine", "list"], ["report"]],
    ids=lambda c: "-".join(c),
)
def test_readers_of_the_tables_call_an_empty_database_no_warehouse_yet(
    tmp_path: Path, command: list[str]
) -> None:
    """An empty DuckDB file (what an init of a new file that failed or was stopped leaves): the
    readers said "schema 0", then failed on a missing table with a hint about "an older
    news-etl" (review R2, session 46). ``query`` still runs on it."""
    path = tmp_path / "w.duckdb"
    duckdb.connect(str(path)).close()
    before, beside = _sha(path), _everything(tmp_path)
    result = CliRunner().invoke(app, [*command, "--warehouse", str(path)])
    assert result.exit_code == 2, result.output
    assert _error_line(result.stderr) == (
        f"error: {path} is an empty database, not a warehouse yet: `news-etl init` (or a run) "
        "makes it one"
    )
    assert (_sha(path), _everything(tmp_path)) == (before, beside)
    answered = CliRunner().invoke(app, ["query", "SELECT 42 AS n", "--warehouse", str(path)])
    assert answered.exit_code == 0 and "42" in answered.stdout, answered.output


READERS = [
    ["summary"],
    ["status"],
    ["quality"],
    ["quarantine", "list"],
    ["query", "SELECT count(*) FROM fact_article"],
]


@pytest.mark.parametrize("command", READERS, ids=lambda c: "-".join(c[:2]))
def test_a_lakes_readers_install_nothing_into_the_home_folder(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """The ducklake extension was INSTALLed (copied into ``~/.duckdb/extensions``) before it was
    loaded, so a lake's read-only commands wrote into the home folder and failed where it
    cannot be written (probe, session 45); it is loaded from its wheel's file."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    result = CliRunner().invoke(app, [*command, "--warehouse", f"ducklake:{built[1]}"])
    assert result.exit_code == 0, result.output
    assert not home.exists()
