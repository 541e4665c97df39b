"""Helpers for integration tests: build settings, run the pipeline, checksum tables."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from etl import pipeline
from etl.load.migrations import migrate
from etl.settings import Settings, load_settings
from etl.warehouse import reader, table_checksum

#: The analyst-facing tables whose content must be identical across reruns.
DATA_TABLES = (
    "dim_date",
    "dim_source",
    "dim_term",
    "fact_article",
    "fact_article_term",
    "article_text",
    "agg_daily_term",
)


def day_warehouse(tmp: Path, day: date, bodies: dict[str, str]) -> Path:
    """A warehouse in ``tmp`` loaded from one dated folder of canonical ``.txt`` files, one per
    ``name -> body`` (every body must load as one article; reports are not written)."""
    folder = tmp / "landing" / day.isoformat()
    folder.mkdir(parents=True)
    for name, body in bodies.items():
        (folder / name).write_text(f" date {day.isoformat()} {body}\n", encoding="utf-8")
    settings = settings_for(tmp / "landing", tmp / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == len(bodies)
    return settings.warehouse


def schemas_up_to(tmp: Path, last: int, next_name: str) -> Path:
    """A copy of the schemas folder with the migrations up to ``last`` only; ``next_name`` is
    the file name of migration ``last + 1`` (checked, so a renumbering fails loudly)."""
    every = sorted(Settings().migrations_dir.glob("*.sql"))
    assert every[last].name == next_name
    older = tmp / f"schemas-{last}"
    shutil.copytree(Settings().schemas_dir, older)
    for path in every[last:]:
        (older / "migrations" / path.name).unlink()
    return older


def settings_for(landing: Path, tmp: Path, **overrides: Any) -> Settings:
    """Settings for a warehouse in ``tmp`` over ``landing``."""
    return load_settings(
        landing=landing,
        warehouse=tmp / "warehouse.duckdb",
        staging_dir=tmp / "staging",
        **overrides,
    )


def checksums(warehouse: Path, tables: tuple[str, ...] = DATA_TABLES) -> dict[str, tuple[int, int]]:
    """Row count and content checksum of each of ``tables``."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {table: table_checksum(con, table) for table in tables}
    finally:
        con.close()


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run a read-only query and return all rows."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def warehouse_target(tmp: Path, kind: str) -> str:
    """A warehouse in ``tmp``: a DuckDB file (``kind`` ``"duckdb"``) or a DuckLake catalog
    (``"ducklake"``)."""
    if kind == "duckdb":
        return str(tmp / "w" / "warehouse.duckdb")
    return f"ducklake:{tmp / 'lake' / 'catalog.ducklake'}"


def read_rows(
    settings: Settings, sql: str, params: list[Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run a read-only query on ``settings``' warehouse (a DuckDB file or a DuckLake catalog)."""
    con = reader(settings.target.location)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


#: ``news-etl`` with an action injected at the loader's ``BEFORE_COMMIT`` fault point: announce
#: it through the file named by the first argument, then wait to be killed (the rest of the
#: arguments go to the CLI).
_PAUSED_CLI = """
import os, sys, time
from pathlib import Path
from etl.cli import app
from etl.load import faults

marker = Path(sys.argv.pop(1))

def pause():
    marker.write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(600)

with faults.inject(faults.FaultPoint.BEFORE_COMMIT, pause):
    app(prog_name="news-etl")
"""


def paused_cli(marker: Path) -> list[str]:
    """The command (CLI arguments follow it) of a ``news-etl`` that writes its pid to
    ``marker`` inside the load transaction, right before COMMIT, and then waits to be killed."""
    return [sys.executable, "-c", _PAUSED_CLI, str(marker)]


def migrated() -> duckdb.DuckDBPyConnection:
    """An in-memory warehouse with every migration of the project applied (close it)."""
    con = duckdb.connect()
    migrate(con, Settings().migrations_dir)
    return con
