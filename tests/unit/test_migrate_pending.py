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


def test_pending_migrations_apply_all_or_none(tmp_path: Path) -> None:
    # Each was committed apart: an init stopped part-way (Ctrl-C) or failing at one left the
    # warehouse between schemas, at 2 of 41, which status could not read (probe W3).
    import pytest

    from etl.errors import MigrationError

    every = sorted(Settings().migrations_dir.glob("*.sql"))
    folder = tmp_path / "broken"
    folder.mkdir()
    for path in every:
        shutil.copy(path, folder / path.name)
    last = int(every[-1].name[:4])
    (folder / f"{last + 1:04d}_broken.sql").write_text("SELECT * FROM no_such_table;\n")
    con = duckdb.connect()
    with pytest.raises(MigrationError, match=rf"^migration {last + 1:04d}_broken failed: "):
        migrate(con, folder)
    # nothing at all: an empty schema_migrations alone was "a warehouse at schema 0" that
    # status could not read (review R1)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
    assert migrate(con, Settings().migrations_dir) == [int(p.name[:4]) for p in every]


def test_a_folder_without_migrations_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    # it made schema_migrations alone, a warehouse "at schema 0" that status could not read
    import pytest

    from etl.errors import MigrationError

    con = duckdb.connect()
    with pytest.raises(MigrationError, match=r"^no migrations in "):
        migrate(con, tmp_path)
    assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (0,)
