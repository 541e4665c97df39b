"""``etl.warehouse.transaction``: BEGIN and COMMIT around a block, ROLLBACK on any exception,
and a ROLLBACK that fails itself never hides the exception that caused it."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest

from etl.warehouse import transaction


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (x INTEGER)")
    return con


def test_the_block_is_committed() -> None:
    con = _con()
    with transaction(con) as inside:
        assert inside is con
        con.execute("INSERT INTO t VALUES (1), (2)")
    con.execute("BEGIN TRANSACTION")  # no transaction is left open
    con.execute("ROLLBACK")
    assert con.execute("SELECT x FROM t ORDER BY x").fetchall() == [(1,), (2,)]


@pytest.mark.parametrize("error", [ValueError("boom"), KeyboardInterrupt()])
def test_an_exception_rolls_the_block_back_and_goes_on(error: BaseException) -> None:
    con = _con()
    with pytest.raises(type(error)), transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
        raise error
    con.execute("BEGIN TRANSACTION")  # the failed one was ended
    con.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(0,)]


class _FailingCommit:
    """A connection whose COMMIT fails, after which a ROLLBACK fails too (DuckDB: "no
    transaction is active"), as after a disk-full COMMIT."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def execute(self, sql: str, *args: Any) -> None:
        self.sent.append(sql)
        if sql in ("COMMIT", "ROLLBACK"):
            raise duckdb.TransactionException(f"{sql} failed")


def test_a_failed_commit_is_raised_not_the_rollback_after_it() -> None:
    con = _FailingCommit()
    with pytest.raises(duckdb.TransactionException, match="COMMIT failed"), transaction(con):  # type: ignore[arg-type]
        con.execute("INSERT")
    assert con.sent == ["BEGIN TRANSACTION", "INSERT", "COMMIT", "ROLLBACK"]
