"""Warehouse targets (file or DuckLake URL), the DuckLake statement adaptation and conflict
classification (etl.target, etl.lake): pure functions, no server."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl import lake
from etl.errors import LakeCommitConflictError, RetryableError
from etl.settings import load_settings
from etl.target import DEFAULT_LOCAL_DIR, libpq_words, parse_target


def test_a_path_is_a_file_warehouse_with_its_folder_for_local_files(tmp_path: Path) -> None:
    target = parse_target(str(tmp_path / "w.duckdb"))
    assert (target.kind, target.catalog, target.is_lake) == ("file", None, False)
    assert target.file == tmp_path / "w.duckdb"
    assert target.local_dir == tmp_path
    assert target.lock_path == tmp_path / "w.duckdb.lock"
    assert target.uses_lock


def test_a_postgres_catalog_url_is_normalised_and_takes_no_lock() -> None:
    target = parse_target("ducklake:postgres: dbname=news  host=127.0.0.1 port=5433 user=etl ")
    assert target.location == "ducklake:postgres:dbname=news host=127.0.0.1 port=5433 user=etl"
    assert (target.kind, target.catalog) == ("ducklake", "postgres")
    assert target.file is None and not target.uses_lock
    assert target.local_dir == DEFAULT_LOCAL_DIR
    assert target.data_path is None


def test_a_password_in_the_url_is_masked_in_messages() -> None:
    target = parse_target("ducklake:postgres:dbname=news password=s3cret host=h")
    assert "s3cret" not in target.display
    assert target.display == "ducklake:postgres:dbname=news password=*** host=h"


def test_a_file_catalog_keeps_the_lock_and_its_data_beside_it(tmp_path: Path) -> None:
    target = parse_target(f"ducklake:{tmp_path}/cat.ducklake")
    assert target.catalog == "file" and target.uses_lock
    assert target.file == tmp_path / "cat.ducklake"
    assert target.lock_path == tmp_path / "cat.ducklake.lock"
    assert target.data_path == f"{tmp_path}/cat.ducklake.files/"
    assert not target.exists()


@pytest.mark.parametrize(
    "url",
    [
        "ducklake:",
        "ducklake:sqlite:/tmp/x.sqlite",
        "ducklake:postgres:host=h port=1",  # no dbname
        "ducklake:postgres:dbname",  # not key=value
    ],
)
def test_unsupported_ducklake_urls_are_settings_errors(url: str) -> None:
    with pytest.raises(ValueError):
        parse_target(url)
    with pytest.raises(ValueError):
        load_settings(warehouse=url)


def test_libpq_words_keep_quoted_values() -> None:
    assert libpq_words("dbname='my db' host=h") == {"dbname": "'my db'", "host": "h"}


def test_settings_carry_the_url_and_derive_local_folders(tmp_path: Path) -> None:
    url = "ducklake:postgres:dbname=news host=127.0.0.1"
    settings = load_settings(warehouse=url, ducklake_data_path="s3://bucket/lake/")
    assert str(settings.warehouse) == url
    assert settings.target.data_path == "s3://bucket/lake/"  # passed through unchanged
    assert settings.staging_root == DEFAULT_LOCAL_DIR / "staging"
    assert settings.reports_root == DEFAULT_LOCAL_DIR / "reports"
    local = load_settings(warehouse=url, ducklake_data_path=str(tmp_path / "data"))
    assert local.target.data_path == f"{tmp_path}/data/"
    catalog = load_settings(warehouse=f"ducklake:{tmp_path}/c.ducklake")
    assert catalog.staging_root == tmp_path / "staging"
    assert catalog.lock_path == tmp_path / "c.ducklake.lock"


def test_keys_are_stripped_from_create_table_only() -> None:
    sql = (
        "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
        "  version INTEGER PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, x INT,\n"
        "  PRIMARY KEY (version), UNIQUE (name, x))"
    )
    assert lake.adapt_statement(sql).sql == (
        "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
        "  version INTEGER, name VARCHAR NOT NULL, x INT)"
    )
    insert = "INSERT INTO t VALUES ('PRIMARY KEY')"
    assert lake.adapt_statement(insert) == lake.Adapted(insert)


def test_indexes_are_skipped() -> None:
    assert lake.adapt_statement("-- why\nCREATE UNIQUE INDEX i ON t (a)") == lake.Adapted(None)


def test_comments_ducklake_refuses_are_kept_as_rows() -> None:
    macro = "COMMENT ON MACRO TABLE top_terms IS 'The n most frequent words; it''s fast'"
    assert lake.adapt_statement(macro) == lake.Adapted(
        None, ("macro", "top_terms", None, "The n most frequent words; it's fast")
    )
    scalar = "-- header\nCOMMENT ON MACRO term_parts IS 'parts';"
    assert lake.adapt_statement(scalar).comment == ("macro", "term_parts", None, "parts")
    view_column = "COMMENT ON COLUMN v_articles.title IS 'headline'"
    assert lake.adapt_statement(view_column, ["V_ARTICLES"]) == lake.Adapted(
        None, ("view", "v_articles", "title", "headline")
    )
    table_column = "COMMENT ON COLUMN fact_article.title IS 'headline'"
    assert lake.adapt_statement(table_column, ["v_articles"]) == lake.Adapted(table_column)


def test_only_commit_conflicts_are_retryable_conflicts() -> None:
    conflict = duckdb.TransactionException(
        "TransactionContext Error: Failed to commit: Failed to commit DuckLake transaction.\n"
        'Transaction conflict - attempting to insert into table with index "2"'
    )
    found = lake.conflict_error(conflict)
    assert isinstance(found, LakeCommitConflictError) and isinstance(found, RetryableError)
    assert lake.conflict_error(duckdb.TransactionException("cannot rollback")) is None
    assert lake.conflict_error(duckdb.CatalogException("conflict in name")) is None


def test_attach_passes_data_path_only_to_a_writer_of_a_new_or_moved_lake(tmp_path: Path) -> None:
    target = parse_target(f"ducklake:{tmp_path}/c.ducklake")
    assert lake.attach_sql(target, read_only=True) == (
        f"ATTACH 'ducklake:{tmp_path}/c.ducklake' AS warehouse (READ_ONLY)"
    )
    assert lake.attach_sql(target, read_only=False) == (
        f"ATTACH 'ducklake:{tmp_path}/c.ducklake' AS warehouse "
        f"(DATA_INLINING_ROW_LIMIT 0, DATA_PATH '{tmp_path}/c.ducklake.files/')"
    )
    (tmp_path / "c.ducklake").write_bytes(b"")
    assert lake.attach_sql(target, read_only=False) == (
        f"ATTACH 'ducklake:{tmp_path}/c.ducklake' AS warehouse (DATA_INLINING_ROW_LIMIT 0)"
    )
    s3 = parse_target("ducklake:postgres:dbname=n", data_path="s3://b/p/")
    assert lake.attach_sql(s3, read_only=False).endswith(", DATA_PATH 's3://b/p/')")


def _conflicting_loads(
    monkeypatch: pytest.MonkeyPatch, conflicts: int
) -> tuple[list[int], list[float], list[str]]:
    """The loader on a "lake" whose first ``conflicts`` commits conflict: the attempts made, the
    back-off delays asked for (random factor fixed at 0.5 + 0.5 = 1), the snapshots recorded."""
    from etl.load import loader

    attempts: list[int] = []
    delays: list[float] = []
    snapshots: list[str] = []

    def load_once(*args: object, **kwargs: object) -> str:
        attempts.append(len(attempts) + 1)
        if len(attempts) <= conflicts:
            raise LakeCommitConflictError("Transaction conflict")
        return "summary"

    monkeypatch.setattr(loader.lake, "is_lake", lambda con: True)
    monkeypatch.setattr(loader, "_load_once", load_once)
    monkeypatch.setattr(loader, "_record_snapshot", lambda con, run_id: snapshots.append(run_id))
    monkeypatch.setattr(loader.random, "random", lambda: 0.5)
    monkeypatch.setattr(loader.time, "sleep", delays.append)
    return attempts, delays, snapshots


def test_a_lake_load_settles_again_after_a_conflict_up_to_eight_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # README: a load whose DuckLake commit conflicts "settles and writes again (up to 8 times,
    # then a retryable error)", waiting 0.1 s x 2^attempt (at most 5 s) between attempts.
    from types import SimpleNamespace
    from typing import Any, cast

    from etl.load import loader

    facts = cast(Any, SimpleNamespace(run_id="run-1"))
    attempts, delays, snapshots = _conflicting_loads(monkeypatch, conflicts=7)
    assert loader.load_staged(cast(Any, None), facts, {}, 1) == "summary"
    assert attempts == [1, 2, 3, 4, 5, 6, 7, 8]
    assert delays == pytest.approx([0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0])
    assert snapshots == ["run-1"]  # recorded once, after the commit that held

    attempts, delays, snapshots = _conflicting_loads(monkeypatch, conflicts=8)
    with pytest.raises(LakeCommitConflictError):
        loader.load_staged(cast(Any, None), facts, {}, 1)
    assert len(attempts) == 8 and len(delays) == 7 and snapshots == []


def test_the_committed_runs_snapshot_is_recorded_and_a_failure_only_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # After the commit, the lake's snapshot is recorded for the run (etl_run_snapshot); the data
    # is committed by then, so a DuckDB error there is a warning naming the run, not a failure.
    from etl.load import loader

    recorded: list[tuple[object, str]] = []
    monkeypatch.setattr(loader.lake, "record_snapshot", lambda c, r: recorded.append((c, r)))
    con = duckdb.connect()
    loader._record_snapshot(con, "run-7")
    assert recorded == [(con, "run-7")]

    def broken(c: object, r: str) -> None:
        raise duckdb.IOException("catalog gone")

    monkeypatch.setattr(loader.lake, "record_snapshot", broken)
    with caplog.at_level("WARNING", logger="etl.load.loader"):
        loader._record_snapshot(con, "run-8")
    assert [r.getMessage() for r in caplog.records] == [
        "run run-8: snapshot not recorded in etl_run_snapshot: catalog gone"
    ]
