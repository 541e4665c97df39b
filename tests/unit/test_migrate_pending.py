"""Migrations on a warehouse built by an older news-etl: only the pending ones are applied."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from etl.load.migrations import migrate
from etl.settings import Settings


def test_an_older_warehouse_gets_exactly_its_pending_migrations(tmp_path: Path) -> None:
    every = sorted(Settings().migrations_dir.glob("*.sql"))
    versions = [int(path.name[:4]) for path in every]
    assert len(versions) >= 3
    older = tmp_path / "older"
    older.mkdir()
    for path in every[:-2]:
        shutil.copy(path, older / path.name)
    con = duckdb.connect()
    assert migrate(con, older) == versions[:-2]
    assert migrate(con, Settings().migrations_dir) == versions[-2:]
    assert migrate(con, Settings().migrations_dir) == []
    applied = con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
    assert [v for (v,) in applied] == versions
