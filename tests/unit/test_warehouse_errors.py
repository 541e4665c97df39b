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
