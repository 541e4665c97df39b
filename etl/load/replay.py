"""Replay: forget the ledger's verdict on quarantined files (``news-etl replay``)."""

from __future__ import annotations

import duckdb


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
