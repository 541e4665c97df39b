"""A warehouse built by an older news-etl: the first run of the new code migrates and loads.

The plan read the ledger with this code's queries before anything migrated the schema, so the
first run after an upgrade past a migration that changes the ledger (0022 adds
``ingest_ledger.article_ids``) failed with DuckDB's BinderException, and only the failure's
record migrated it (probe)."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.settings import PROJECT_ROOT
from etl.warehouse import writer

from .helpers import query, settings_for

#: The last migration of the older news-etl (before ``ingest_ledger.article_ids``).
OLDER = 21


def test_the_first_run_on_an_older_schema_migrates_it_and_loads(tmp_path: Path) -> None:
    older = tmp_path / "older-schemas"
    shutil.copytree(PROJECT_ROOT / "schemas", older)
    for migration in (older / "migrations").glob("*.sql"):
        if int(migration.name[:4]) > OLDER:
            migration.unlink()
    landing = tmp_path / "landing"
    landing.mkdir()
    body = "Cocoa prices rose in Accra on Tuesday, traders said.\n\nA second paragraph."
    (landing / "a.txt").write_text(f" date 2024-03-05 {body}", encoding="utf-8")
    with writer(settings_for(landing, tmp_path, schemas_dir=older)):  # the older warehouse
        pass
    assert query(tmp_path / "warehouse.duckdb", "SELECT max(version) FROM schema_migrations") == [
        (OLDER,)
    ]
    # A dry run only reads: it says what to do instead of failing on a missing column.
    dry = CliRunner().invoke(
        app,
        ["backfill", "--start", "2024-03-05", "--end", "2024-03-05", "--dry-run",
         "-l", str(landing), "-w", str(tmp_path / "warehouse.duckdb")],
    )  # fmt: skip
    assert dry.exit_code == 2, dry.output
    said = " ".join(dry.output.split())
    assert f"has the schema of an older news-etl (migration {OLDER}, this one has" in said
    assert "a run, or `news-etl init`, migrates it" in said
    summary = pipeline.run(settings_for(landing, tmp_path, workers=1))
    assert summary.articles_loaded == 1
    latest = max(int(p.name[:4]) for p in (PROJECT_ROOT / "schemas" / "migrations").glob("*.sql"))
    rows = query(
        tmp_path / "warehouse.duckdb",
        "SELECT (SELECT max(version) FROM schema_migrations), status FROM etl_run",
    )
    assert rows == [(latest, "success")]
