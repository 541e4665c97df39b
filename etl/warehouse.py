"""Connections to the DuckDB warehouse: one writer at a time, readers that never write.

DuckDB lets exactly one process open a database file for writing. Every writer in news-etl goes
through :func:`writer`, which first takes an exclusive file lock next to the database (so the CLI,
Airflow tasks and backfills queue instead of failing), creates the file once if it is missing,
and brings the schema up to date. Pipeline reads that must see a consistent state (the ledger)
use :func:`locked_reader`, which takes the same lock for the moment it reads.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from etl.errors import WarehouseBusyError, WarehouseLockedError
from etl.settings import Settings

_BUSY_MARKERS = ("Could not set lock", "Conflicting lock", "database is locked")


def _is_busy(exc: BaseException) -> bool:
    return any(marker in str(exc) for marker in _BUSY_MARKERS)


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the warehouse's exclusive writer lock, waiting up to ``settings.lock_timeout_s``."""
    settings.lock_path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_path), timeout=settings.lock_timeout_s)
    try:
        lock.acquire()
    except Timeout as exc:
        raise WarehouseLockedError(
            f"another process has been writing {settings.warehouse} for more than "
            f"{settings.lock_timeout_s:.0f}s; try again later"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def _connect(path: Path, *, read_only: bool, attempts: int = 20) -> duckdb.DuckDBPyConnection:
    """Open ``path``; if a process outside our lock (an analyst's shell) holds it, retry briefly."""
    delay = 0.05
    for attempt in range(attempts):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_busy(exc) or attempt == attempts - 1:
                if _is_busy(exc):
                    raise WarehouseBusyError(
                        f"{path} is held open by another process (a writable DuckDB shell?)"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    raise AssertionError("unreachable")  # pragma: no cover


@contextmanager
def writer(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection under the writer lock, with the schema migrated to the latest."""
    from etl.load.migrations import migrate

    with writer_lock(settings):
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        con = _connect(settings.warehouse, read_only=False)
        try:
            # A big load spills to <warehouse>.tmp instead of taking most of the machine's memory.
            con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
            migrate(con, settings.migrations_dir)
            yield con
        finally:
            con.close()


@contextmanager
def locked_reader(settings: Settings) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection taken under the writer lock; ``None`` if no warehouse exists yet."""
    with writer_lock(settings):
        if not settings.warehouse.exists():
            yield None
            return
        con = _connect(settings.warehouse, read_only=True)
        try:
            yield con
        finally:
            con.close()


def reader(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysts and reports (does not take the writer lock)."""
    return _connect(path, read_only=True)


def table_checksum(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """Row count and an order-independent checksum of every row of ``table``."""
    row = con.execute(
        f'SELECT count(*), coalesce(sum(hash(t)::HUGEINT), 0) FROM "{table}" AS t'
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


#: Warehouse tables a load publishes; orchestrators announce them (Airflow Assets named
#: ``news_etl.<table>`` with URI ``duckdb://news-etl/<table>``) so downstream marts can follow.
PUBLISHED_TABLES = ("fact_article", "fact_article_term", "article_text", "dim_term")


def asset_uri(table: str) -> str:
    """The URI under which orchestrators announce updates of ``table``."""
    return f"duckdb://news-etl/{table}"
