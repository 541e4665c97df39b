"""A warehouse built by an older news-etl: the first run of the new code migrates and loads.

The plan read the ledger with this code's queries before anything migrated the schema, so the
first run after an upgrade past a migration that changes the ledger (0022 adds
``ingest_ledger.article_ids``) failed with DuckDB's BinderException, and only the failure's
record migrated it (probe)."""

from __future__ import annotations

import json
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


#: Migration 0020 as released at d05e674 (session 24): its word_punctuation() held the katakana
#: middle dot, which the text 0020 has now (since 924f4f7) leaves out.
EARLIER_0020 = "22b9dc3f0f4e44810584b7ee1d0a55221396a4b95089471eb04863608299d0e1"
EARLIER_WORD_PUNCTUATION = (
    "'!\"#$%&''()*+,-.:;<=>?@[\\]^`{|}~«»“”„‘’‚‹›¿¡—–…·•†‡§¶©®™°¢€£¥₹₽"
    "「」『』【】〔〕〈〉《》、。・〜 '"
)
DEFINITIONS_SQL = """
SELECT 'macro', function_name, macro_definition, comment FROM duckdb_functions()
WHERE function_type IN ('macro', 'table_macro') AND NOT internal
UNION ALL SELECT 'view', view_name, sql, comment FROM duckdb_views() WHERE NOT internal
UNION ALL SELECT 'column', table_name || '.' || column_name, NULL, comment FROM duckdb_columns()
WHERE NOT internal
UNION ALL SELECT 'table', table_name, NULL, comment FROM duckdb_tables() WHERE NOT internal
ORDER BY ALL
"""


def _definitions(warehouse: Path) -> list[tuple[object, ...]]:
    return query(warehouse, DEFINITIONS_SQL)


def _an_earlier_0020_warehouse(tmp_path: Path) -> Path:
    """A warehouse as news-etl at d05e674 and later code left it: 0020 applied with its earlier
    text (checksum and the word_punctuation() it defined), every migration after it applied."""
    landing = tmp_path / "landing"
    landing.mkdir(exist_ok=True)
    settings = settings_for(landing, tmp_path / "old")
    with writer(settings) as con:
        con.execute(f"CREATE OR REPLACE MACRO word_punctuation() AS {EARLIER_WORD_PUNCTUATION}")
        con.execute("UPDATE schema_migrations SET checksum = ? WHERE version = 20", [EARLIER_0020])
    return settings.warehouse


def test_a_warehouse_that_applied_an_earlier_text_of_a_migration_is_brought_up_to_date(
    tmp_path: Path,
) -> None:
    """A warehouse of session 24's news-etl could not be opened by any later one: 0020 had been
    edited (``migration 0020_typed_word_punctuation was changed after it was applied``), and
    with its checksum forced, typed_text('・カメラ・') stayed カメラ (probe, session 41)."""
    old = _an_earlier_0020_warehouse(tmp_path)
    assert query(old, "SELECT typed_text('・カメラ・')") == [("カメラ",)]
    fresh = tmp_path / "fresh"
    with writer(settings_for(tmp_path / "landing", fresh)):
        pass
    result = CliRunner().invoke(app, ["init", "-w", str(old)])
    assert result.exit_code == 0, result.output
    assert query(old, "SELECT typed_text('・カメラ・')") == [("・カメラ・",)]
    assert _definitions(old) == _definitions(fresh / "warehouse.duckdb")
    checksums = query(old, "SELECT version, checksum FROM schema_migrations ORDER BY 1")
    assert checksums == query(
        fresh / "warehouse.duckdb", "SELECT version, checksum FROM schema_migrations ORDER BY 1"
    )


def test_a_text_no_news_etl_released_is_still_refused(tmp_path: Path) -> None:
    old = _an_earlier_0020_warehouse(tmp_path)
    with writer(settings_for(tmp_path / "landing", tmp_path / "old")) as con:
        con.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 20")
    result = CliRunner().invoke(app, ["init", "-w", str(old)])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "migration 0020_typed_word_punctuation was changed after it was applied" in said


def test_a_warehouse_of_a_newer_news_etl_says_so_before_anything_else(tmp_path: Path) -> None:
    """After a rollback the newer warehouse also has texts this code does not know: the
    operator was told a migration had been edited, not that the warehouse is newer (probe)."""
    old = _an_earlier_0020_warehouse(tmp_path)
    with writer(settings_for(tmp_path / "landing", tmp_path / "old")) as con:
        con.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 20")
        con.execute(
            "INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'x', 'y')"
        )
    result = CliRunner().invoke(app, ["init", "-w", str(old)])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert (
        "migrations [9999] that this code does not know: it was built by a newer news-etl" in said
    )


def test_a_backfill_on_an_older_schema_migrates_it_and_rebuilds(tmp_path: Path) -> None:
    """``backfill`` read the ledger with this code's queries before anything migrated: on a
    warehouse of schema 20 it failed with ``Referenced column "article_ids" not found`` and
    recorded nothing (probe, session 41)."""
    older = tmp_path / "older-schemas"
    shutil.copytree(PROJECT_ROOT / "schemas", older)
    for migration in (older / "migrations").glob("*.sql"):
        if int(migration.name[:4]) > OLDER:
            migration.unlink()
    landing = tmp_path / "landing" / "2024-03-05"
    landing.mkdir(parents=True)
    body = "Cocoa prices rose in Accra on Tuesday, traders said.\n\nA second paragraph."
    (landing / "a.txt").write_text(body, encoding="utf-8")
    with writer(settings_for(landing.parent, tmp_path, schemas_dir=older)):
        pass
    result = CliRunner().invoke(
        app,
        ["backfill", "--start", "2024-03-05", "--end", "2024-03-05", "--mode", "all",
         "-l", str(landing.parent), "-w", str(tmp_path / "warehouse.duckdb")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    latest = max(int(p.name[:4]) for p in (PROJECT_ROOT / "schemas" / "migrations").glob("*.sql"))
    rows = query(
        tmp_path / "warehouse.duckdb",
        "SELECT (SELECT max(version) FROM schema_migrations), status, articles_loaded FROM etl_run",
    )
    assert rows == [(latest, "success", 1)]


#: Migration 0014 as released at 2e4b68b: without python_lower(), which 0017 calls.
EARLIER_0014 = "1599bcda2638b66c55ba5ec840333fcc8bbeb575dd233860510f0f7c867d4d4c"
#: Migration 0022 as released at edb72a2: it set article_ids = [article_id] on every row.
EARLIER_0022 = "e213d9c29e666360ca16ef4b45fe22127876a9debdb8603448e3d9c73ec8d1b6"


def test_a_pending_migration_finds_what_the_current_text_of_an_earlier_one_defines(
    tmp_path: Path,
) -> None:
    """A warehouse of schema 14 built by 2e4b68b (its 0014 defined no python_lower) failed at
    0017 (``Scalar Function with name python_lower does not exist``) and stayed stuck: the
    definitions were brought up to date only after the pending migrations (review, session 41)."""
    older = tmp_path / "older-schemas"
    shutil.copytree(PROJECT_ROOT / "schemas", older)
    for migration in (older / "migrations").glob("*.sql"):
        if int(migration.name[:4]) > 14:
            migration.unlink()
    landing = tmp_path / "landing"
    landing.mkdir()
    with writer(settings_for(landing, tmp_path / "old", schemas_dir=older)) as con:
        con.execute("DROP MACRO python_lower")
        con.execute("UPDATE schema_migrations SET checksum = ? WHERE version = 14", [EARLIER_0014])
    old = tmp_path / "old" / "warehouse.duckdb"
    result = CliRunner().invoke(app, ["init", "-w", str(old)])
    assert result.exit_code == 0, result.output
    with writer(settings_for(landing, tmp_path / "fresh")):
        pass
    assert _definitions(old) == _definitions(tmp_path / "fresh" / "warehouse.duckdb")


def test_ledger_rows_an_earlier_0022_listed_are_left_unlisted(tmp_path: Path) -> None:
    """0022's first text set ``article_ids = [article_id]`` on every ledger row: a multi-record
    file then listed one of its articles, and a ``--replace`` of its day kept only that one; a
    copy of its bytes read later took the same one-article list. Its current text leaves those
    rows NULL; a warehouse that applied the first one gets them NULL too (review, session 41),
    and keeps the lists of contents first read after 0022."""
    landing = tmp_path / "landing"
    (landing / "2024-03-05").mkdir(parents=True)
    records = [
        {"title": f"Item {i}", "body": f"Cocoa item {i} rose in Accra.\n\nA second paragraph."}
        for i in range(2)
    ]
    two = "\n".join(json.dumps(r) for r in records) + "\n"
    (landing / "2024-03-05" / "two.jsonl").write_text(two, encoding="utf-8")
    settings = settings_for(landing, tmp_path, workers=1)
    first = pipeline.run(settings)
    assert first.articles_loaded == 2
    (landing / "2024-03-06").mkdir()
    (landing / "2024-03-06" / "copy.jsonl").write_text(two, encoding="utf-8")  # later copy
    body = "Oil prices fell in London on Tuesday.\n\nTraders said more was to come."
    (landing / "2024-03-06" / "one.txt").write_text(body, encoding="utf-8")
    assert pipeline.run(settings).articles_loaded == 1
    with writer(settings) as con:  # as the first 0022 and the code released with it left them
        con.execute("UPDATE etl_run SET schema_version = 21 WHERE run_id = ?", [first.run_id])
        con.execute("UPDATE ingest_ledger SET article_ids = [article_id]")
        con.execute("UPDATE schema_migrations SET checksum = ? WHERE version = 22", [EARLIER_0022])
    result = CliRunner().invoke(app, ["init", "-w", str(settings.warehouse)])
    assert result.exit_code == 0, result.output
    rows = query(
        settings.warehouse,
        "SELECT path, article_ids IS NULL, len(article_ids) FROM ingest_ledger ORDER BY path",
    )
    assert rows == [
        ("2024-03-05/two.jsonl", True, None),
        ("2024-03-06/copy.jsonl", True, None),
        ("2024-03-06/one.txt", False, 1),
    ]


def test_status_on_an_older_schema_says_how_to_migrate(tmp_path: Path) -> None:
    """``status`` on a warehouse of schema 20 failed with DuckDB's bare ``Referenced column
    "articles_removed" not found``, where ``summary`` and ``quality`` said that ``news-etl
    init`` applies the pending migrations (probe W, session 41)."""
    older = tmp_path / "older-schemas"
    shutil.copytree(PROJECT_ROOT / "schemas", older)
    for migration in (older / "migrations").glob("*.sql"):
        if int(migration.name[:4]) > 20:
            migration.unlink()
    (older / "migrations" / "checksums.json").unlink()
    landing = tmp_path / "landing"
    landing.mkdir()
    with writer(settings_for(landing, tmp_path, schemas_dir=older)):
        pass
    result = CliRunner().invoke(app, ["status", "-w", str(tmp_path / "warehouse.duckdb")])
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert 'Referenced column "articles_removed" not found' in said
    assert "a warehouse made by an older news-etl lacks it: `news-etl init` applies" in said
