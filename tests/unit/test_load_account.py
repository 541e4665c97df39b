"""The loader's view of a run's staged files (etl.load.account.attach_staged), on an in-memory
DuckDB: a table with no staged file is an empty view with the staged columns, not an error (a
run whose batches wrote nothing of that table). Expected columns are literals."""

from __future__ import annotations

import duckdb

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
