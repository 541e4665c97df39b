"""Read-only SQL for analysts: refuses anything but queries, waits politely while a load runs.

:func:`run_query` opens the warehouse read-only, checks that every statement is a query (``SELECT``
and its relatives ``FROM``, ``SHOW``, ``DESCRIBE``, ``SUMMARIZE``, ``PRAGMA``-style reads,
``EXPLAIN``, ``CALL``), turns off DuckDB's access to other files and databases (so ``COPY … TO``,
``ATTACH``, ``INSTALL``, ``read_csv('/etc/…')`` are refused too), and locks that configuration.

DuckDB lets no reader open a file while a writer holds it. A load holds it for seconds at most,
inside one transaction, so readers never see half a load: :func:`open_reader` retries while the
warehouse is locked, telling the user it is waiting, and gives up with a clear error after
``wait_s`` seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from etl.errors import PermanentError, WarehouseBusyError
from etl.warehouse import open_error

_ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.CALL}


class QueryRefusedError(PermanentError):
    """The SQL would change something (or reach outside the warehouse): refused."""


@dataclass(frozen=True)
class QueryResult:
    """The last statement's result as an Arrow table (``None`` if it returned nothing)."""

    table: pa.Table | None

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        """The result as a list of tuples."""
        if self.table is None:
            return []
        return list(zip(*(col.to_pylist() for col in self.table.columns), strict=True))


def open_reader(
    warehouse: Path, *, wait_s: float = 60.0, notify: Callable[[str], None] | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only, sandboxed connection; waits up to ``wait_s`` while a load holds the file."""
    if not warehouse.exists():
        raise PermanentError(f"no warehouse at {warehouse}")
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        try:
            con = duckdb.connect(str(warehouse), read_only=True)
            break
        except duckdb.Error as exc:
            if not isinstance(open_error(exc, warehouse), WarehouseBusyError):
                raise open_error(exc, warehouse) from exc  # damaged, unreadable: not "busy"
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"{warehouse} is being written (a load is running) and stayed locked for "
                    f"{wait_s:.0f}s; try again in a moment"
                ) from exc
            if notify and not told:
                notify(
                    f"{warehouse.name} is being loaded right now; waiting for the load to commit"
                )
                told = True
            time.sleep(0.25)
    _load_extensions(con)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    return con


def _load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load the full-text-search extension (from its PyPI wheel) when it is installed."""
    try:
        from duckdb_extensions import import_extension

        import_extension("fts", con=con)
        con.execute("LOAD fts")
    except (ImportError, duckdb.Error):
        return


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise :class:`QueryRefusedError` unless every statement in ``sql`` only reads."""
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefusedError(f"cannot parse the SQL: {exc}") from exc
    if not statements:
        raise QueryRefusedError("no SQL statement given")
    for statement in statements:
        if statement.type not in _ALLOWED:
            kind = statement.type.name
            raise QueryRefusedError(
                f"{kind} statements are not allowed: `news-etl query` only reads the warehouse "
                "(use SELECT; the loader is the only writer)"
            )


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> QueryResult:
    """Execute read-only ``sql`` (one or more statements); return the last statement's result."""
    check_read_only(con, sql)
    statements = con.extract_statements(sql)
    for statement in statements[:-1]:
        con.execute(statement.query)
    relation = con.sql(statements[-1].query)
    return QueryResult(None if relation is None else relation.to_arrow_table())
