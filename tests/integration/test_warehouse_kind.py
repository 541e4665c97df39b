"""A DuckDB-file warehouse given as ``ducklake:…`` and a DuckLake catalog given as a plain path
are refused with what to type instead, and neither file is touched: attached as a lake, the
warehouse file would get DuckLake's catalog tables and an empty lake; opened as a warehouse,
the catalog would get the warehouse's tables beside DuckLake's."""

from __future__ import annotations

import hashlib
from pathlib import Path

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
    # no w.duckdb.files, no lake, no staging folder (a writer's lock file at most)
    assert set(_everything(file.parent)) - set(beside) <= {"w.duckdb.lock"}


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
