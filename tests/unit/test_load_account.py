"""The loader's view of a run's staged files (etl.load.account.attach_staged), on an in-memory
DuckDB: a table with no staged file is an empty view with the staged columns, not an error (a
run whose batches wrote nothing of that table). Expected columns are literals."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from etl.load.account import attach_staged


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> list[tuple[str, str]]:
    return [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {view}").fetchall()]


def test_tables_without_staged_files_are_empty_views_with_their_columns() -> None:
    con = duckdb.connect()
    attach_staged(con, {}, [])
    for view in (
        "staged_ledger",
        "staged_quarantine",
        "staged_articles",
        "staged_terms",
        "staged_rejected",
        "staged_checks",
        "staged_stage_stats",
        "run_unchanged",
    ):
        assert con.execute(f"SELECT count(*) FROM {view}").fetchall() == [(0,)], view
    assert _columns(con, "staged_quarantine") == [
        ("path", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("record", "VARCHAR"),
        ("stage", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("detail", "VARCHAR"),
    ]
    assert _columns(con, "staged_stage_stats") == [
        ("stage", "VARCHAR"),
        ("n_in", "BIGINT"),
        ("n_out", "BIGINT"),
        ("n_duplicate", "BIGINT"),
        ("n_quarantined", "BIGINT"),
        ("seconds", "DOUBLE"),
    ]


def test_duckdb_is_set_up_for_s3_from_the_first_s3_file_before_it_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Staged files on S3 are read by DuckDB itself (httpfs): its S3 settings come from the first
    # staged S3 file, on the loader's connection, before any view reads them. The stand-in stops
    # there: no network.
    from etl.load import account

    class StopHereError(Exception):
        pass

    seen: list[tuple[duckdb.DuckDBPyConnection, str]] = []

    def configure(con: duckdb.DuckDBPyConnection, where: Any) -> None:
        seen.append((con, where.url))
        raise StopHereError

    monkeypatch.setattr(account, "configure_duckdb", configure)
    con = duckdb.connect()
    staged = {
        "ledger": ["/tmp/run/ledger-0.parquet"],
        "quarantine": ["s3://bucket/run/quarantine-0.parquet", "s3://bucket/run/q-1.parquet"],
    }
    with pytest.raises(StopHereError):
        attach_staged(con, staged, [])
    assert seen == [(con, "s3://bucket/run/quarantine-0.parquet")]
