"""Opening the warehouse: failures classified into types by what DuckDB reports (issue #14,
item 8): a lock conflict is busy and names its holder; a damaged file is never "busy", even
though its message mentions a *block*."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.errors import (
    WarehouseBusyError,
    WarehouseCorruptError,
    WarehouseUnavailableError,
)
from etl.warehouse import closing, open_error

WAREHOUSE = Path("/data/news.duckdb")


def test_lock_conflict_is_busy_and_names_the_holder() -> None:
    exc = duckdb.IOException(
        'IO Error: Could not set lock on file "/data/news.duckdb": Conflicting lock is held in '
        "/usr/bin/duckdb (PID 4242) by user ana. See also https://duckdb.org/docs/stable/"
        "connect/concurrency"
    )
    error = open_error(exc, WAREHOUSE)
    assert isinstance(error, WarehouseBusyError)
    assert "PID 4242" in str(error)


@pytest.mark.parametrize(
    "message",
    [
        "IO Error: Corrupt database file: computed checksum 1 does not match stored checksum 2 "
        "in block at location 274432",
        'IO Error: The file "/data/news.duckdb" exists, but it is not a valid DuckDB database '
        "file!",
        'IO Error: Could not read enough bytes from file "/data/news.duckdb": attempted to read '
        "262144 bytes from location 274432",
    ],
)
def test_damaged_file_is_corrupt_not_busy(message: str) -> None:
    error = open_error(duckdb.IOException(message), WAREHOUSE)
    assert isinstance(error, WarehouseCorruptError)
    assert not error.retryable


def test_other_failures_are_permanent() -> None:
    error = open_error(
        duckdb.IOException('IO Error: Cannot open file "/data/news.duckdb": Permission denied'),
        WAREHOUSE,
    )
    assert isinstance(error, WarehouseUnavailableError)
    assert not error.retryable


def test_a_block_that_closed_its_connection_keeps_its_own_exception() -> None:
    """``closing`` interrupts the connection of a block that failed; a block that had closed it
    already lost its exception to interrupt()'s "Connection already closed!" (review R1)."""
    con = duckdb.connect()
    with pytest.raises(KeyError, match="the block's own"), closing(con):
        con.close()
        raise KeyError("the block's own")


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE SEQUENCE ids",
        "CREATE MACRO plus_one(x) AS x + 1",
        "CREATE MACRO one_row() AS TABLE SELECT 1 AS x",
        "CREATE TYPE mood AS ENUM ('calm', 'cross')",
        "CREATE SCHEMA other",
    ],
)
def test_a_database_holding_only_some_other_object_is_no_news_etl_warehouse(sql: str) -> None:
    # Only tables and views counted: another application's file holding only a sequence, a
    # macro, a type or a schema was "a new warehouse", and init filled it (session 45's note).
    from etl.errors import ConfigError
    from etl.warehouse import refuse_a_foreign_database

    with duckdb.connect() as con:
        con.execute(sql)
        with pytest.raises(ConfigError, match=r"^other\.duckdb is not a news-etl warehouse: "):
            refuse_a_foreign_database(con, "other.duckdb")


def test_an_empty_database_or_one_with_only_temporary_objects_is_a_new_warehouse() -> None:
    from etl.warehouse import refuse_a_foreign_database

    with duckdb.connect() as con:
        refuse_a_foreign_database(con, "new.duckdb")  # nothing in it
        con.execute("CREATE TEMP TABLE t (x INTEGER); CREATE TEMP MACRO m(x) AS x")
        refuse_a_foreign_database(con, "new.duckdb")  # temporary objects are the session's


def test_a_new_lake_is_a_new_warehouse() -> None:
    # A DuckLake's schema main is not internal, as a file's is: counted, every new lake was
    # refused as another application's (seen while counting schemas, session 46).
    from etl.extensions import load_extension
    from etl.warehouse import refuse_a_foreign_database

    with duckdb.connect() as con:
        load_extension(con, "ducklake")
        con.execute("ATTACH 'ducklake::memory:' AS lake (DATA_PATH ':memory:'); USE lake")
        refuse_a_foreign_database(con, "ducklake:new.ducklake")
