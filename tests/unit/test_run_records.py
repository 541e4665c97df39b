"""Small pieces of the run record and of quarantine replay, on hand-made tables: the error a
run recorded, and which ledger rows `news-etl quarantine replay` forgets."""

from __future__ import annotations

import duckdb
import pytest

from etl.load.record import recorded_error
from etl.load.replay import forget_quarantined


def test_recorded_error_tells_no_row_from_no_error() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE etl_run (run_id VARCHAR, error VARCHAR)")
    con.execute("INSERT INTO etl_run VALUES ('r1', NULL), ('r2', 'disk full')")
    assert recorded_error(con, "r1") == ""
    assert recorded_error(con, "r2") == "disk full"
    assert recorded_error(con, "r3") is None


@pytest.fixture
def ledger() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE ingest_ledger (landing VARCHAR, path VARCHAR, sha256 VARCHAR)")
    con.execute(
        "CREATE TABLE quarantine (landing VARCHAR, path VARCHAR, sha256 VARCHAR, reason VARCHAR)"
    )
    con.execute(
        "INSERT INTO ingest_ledger VALUES ('/a', 'x.txt', 'h1'), ('/a', 'y.txt', 'h2'),"
        " ('/a', 'z.txt', 'h3'), ('/a', 'x.txt', 'h0'), ('/b', 'x.txt', 'h1')"
    )
    con.execute(
        "INSERT INTO quarantine VALUES ('/a', 'x.txt', 'h1', 'empty'),"
        " ('/a', 'x.txt', 'h1', 'bad_date'),"  # two reasons, one ledger row
        " ('/a', 'y.txt', 'h2', 'bad_date'), ('/a', 'z.txt', NULL, 'unreadable'),"
        " ('/b', 'w.txt', 'h9', 'empty')"
    )
    return con


def _ledger(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute("SELECT * FROM ingest_ledger ORDER BY ALL").fetchall()


def test_replay_forgets_the_quarantined_files_of_its_landing_zone(
    ledger: duckdb.DuckDBPyConnection,
) -> None:
    assert forget_quarantined(ledger, "/a") == 2
    # x.txt's other content (h0), z.txt (no hash recorded) and the other landing zone stay
    assert _ledger(ledger) == [("/a", "x.txt", "h0"), ("/a", "z.txt", "h3"), ("/b", "x.txt", "h1")]


def test_replay_of_one_reason(ledger: duckdb.DuckDBPyConnection) -> None:
    assert forget_quarantined(ledger, "/a", reason="empty") == 1
    assert ("/a", "x.txt", "h1") not in _ledger(ledger)
    assert ("/a", "y.txt", "h2") in _ledger(ledger)
    assert forget_quarantined(ledger, "/b", reason="empty") == 0  # w.txt has no ledger row
