"""Quarantine listing and replay: forget the ledger's verdict on quarantined files."""

from __future__ import annotations

from typing import Any

import duckdb

#: Rows ``news-etl quarantine list`` shows unless told otherwise: a screenful of recent
#: problems; ``--limit`` shows more, and the CLI says how many rows it printed.
DEFAULT_LIST_LIMIT = 200


def list_quarantine(
    con: duckdb.DuckDBPyConnection, reason: str | None = None, limit: int = DEFAULT_LIST_LIMIT
) -> list[dict[str, Any]]:
    """The latest quarantine rows (newest first), optionally of one reason."""
    rows = con.execute(
        """
        SELECT run_id, landing, path, sha256, record, stage, reason, detail, quarantined_at
        FROM quarantine WHERE ?::VARCHAR IS NULL OR reason = ?
        ORDER BY quarantined_at DESC, path, record LIMIT ?
        """,
        [reason, reason, limit],
    )
    names = [d[0] for d in rows.description]
    return [dict(zip(names, row, strict=True)) for row in rows.fetchall()]


def forget_quarantined(
    con: duckdb.DuckDBPyConnection, landing: str, reason: str | None = None
) -> int:
    """Delete the ledger rows of ``landing``'s files that have quarantine rows (of ``reason``).

    The next run reads those files again: what now passes loads, what still fails is quarantined
    again. Files that loaded with some bad records are re-read too; their good records are then
    duplicates (article identity is the cleaned text). Returns the number of files forgotten.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        row = con.execute(
            """
            WITH hit AS (
                SELECT DISTINCT path, sha256 FROM quarantine
                WHERE landing = ? AND sha256 IS NOT NULL AND (?::VARCHAR IS NULL OR reason = ?)
            )
            DELETE FROM ingest_ledger l USING hit
            WHERE l.landing = ? AND l.path = hit.path AND l.sha256 = hit.sha256
            RETURNING 1
            """,
            [landing, reason, reason, landing],
        ).fetchall()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return len(row)
