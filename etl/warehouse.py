"""Connections to the DuckDB warehouse: one writer at a time, readers that never write.

DuckDB lets exactly one process open a database file for writing. Every writer in news-etl goes
through :func:`writer`, which first takes an exclusive file lock next to the database (so the CLI,
Airflow tasks and backfills queue instead of failing), creates the file once if it is missing,
and brings the schema up to date. Pipeline reads that must see a consistent state (the ledger)
use :func:`locked_reader`, which takes the same lock for the moment it reads.

A DuckLake warehouse (:mod:`etl.lake`) goes through the same three functions. With a Postgres
catalog there is no lock at all: writers commit concurrently (optimistically, see
:mod:`etl.load.loader`) and readers read a committed snapshot. With a DuckDB-file catalog the
catalog file has one writer at a time, so the lock applies as for the single-file warehouse.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from etl import interrupts
from etl.errors import (
    ConfigError,
    LakeMissingError,
    MigrationError,
    NewsEtlError,
    WarehouseBusyError,
    WarehouseCorruptError,
    WarehouseLockedError,
    WarehouseUnavailableError,
)
from etl.settings import Settings, seconds
from etl.target import DUCKLAKE_PREFIX, WarehouseTarget, parse_target, redact

log = logging.getLogger(__name__)

#: DuckDB's words when another process holds the file. Every failure to open a database is a
#: ``duckdb.IOException``, so the kind of failure is told apart here, once, by the fixed start of
#: DuckDB's message, and turned into an exception *type* that every caller catches instead.
_LOCK_CONFLICT = re.compile(
    r'(?:IO Error: )?Could not set lock on file "[^"]*": Conflicting lock is held in '
    r"(?P<holder>.*?) \(PID (?P<pid>\d+)\)",
    re.S,
)
_LOCK_PREFIX = re.compile(r'(?:IO Error: )?Could not set lock on file "')
_CORRUPT = re.compile(
    r"(?:IO Error: )?(?:Corrupt database file|The file .* exists, but it is not a valid DuckDB "
    r"database file|Could not read enough bytes from file)",
    re.S,
)


def holder_of(pid: int) -> str:
    """``PID n (command line)`` of a process, or just ``PID n`` when it cannot be read. A
    password in a URL of the command line (``postgresql://user:***@host``) or a libpq
    ``password=`` word is masked: the text reaches the wait's warning, ``etl_run.error``,
    status and the run reports (review, session 40)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return f"PID {pid}"
    command = " ".join(part.decode("utf-8", "replace") for part in raw.split(b"\0") if part)
    command = redact(command)  # a URL's password and libpq's password=…
    return f"PID {pid} ({command[:200]})" if command else f"PID {pid}"


def open_error(exc: duckdb.Error, path: Path) -> NewsEtlError:
    """The typed error for a failure of ``duckdb.connect(path)``.

    :class:`WarehouseBusyError` (retryable) only when DuckDB says another process holds the
    file's lock, naming that process; :class:`WarehouseCorruptError` for a file that is damaged
    or not a DuckDB database; :class:`WarehouseUnavailableError` for anything else.
    """
    message = str(exc)
    if isinstance(exc, duckdb.IOException) and _LOCK_PREFIX.match(message):
        match = _LOCK_CONFLICT.match(message)
        who = holder_of(int(match["pid"])) if match else "another process"
        return WarehouseBusyError(f"{path} is held open by {who}")
    if _CORRUPT.match(message) or isinstance(
        exc, (duckdb.SerializationException, duckdb.InternalException)
    ):
        return WarehouseCorruptError(
            f"{path} is damaged or not a DuckDB database ({message}); restore it from a backup, "
            "or move it aside and load the landing zone again"
        )
    return WarehouseUnavailableError(f"cannot open {path}: {message}")


#: The waits this process has announced, each with the end of the wait it announced. A run
#: opens the warehouse several times (its plan, its load, its pages), and behind one other run
#: it said "waiting up to 600s", then again "599s" (probe).
_ANNOUNCED: dict[str, float] = {}


def announce_wait(what: str, wait_s: float, notify: Callable[[str], None] | None = None) -> None:
    """Tell ``notify`` (default: the log, a warning) that this process waits for ``what``, up
    to ``wait_s`` seconds; said again for the same ``what`` only once the wait announced
    before would have ended (a long-lived process that waits again another day)."""
    now = time.monotonic()
    if now < _ANNOUNCED.get(what, -1.0):
        return
    _ANNOUNCED[what] = now + wait_s
    (notify or log.warning)(f"{what}; waiting up to {seconds(wait_s)}")


#: ``(process id, lock file)`` of each writer lock held over several steps
#: (:func:`holding_writer_lock`); a forked child holds none of them.
_HELD: set[tuple[int, Path]] = set()


def _held_key(settings: Settings) -> tuple[int, Path]:
    return os.getpid(), settings.lock_path.absolute()


@contextmanager
def holding_writer_lock(settings: Settings) -> Iterator[None]:
    """Hold the warehouse's writer lock over several steps of this process (a run's load, the
    pages drawn from it, its summary): each step's own :func:`writer_lock` (a writer, a locked
    reader) finds it held and goes on, and no other writer can start between the steps, so
    their readers never wait behind another run's load. A committed run waited 66 s of its 92 s
    behind the next run's load before it could record its stage times and print its summary
    (readers of a DuckDB file wait while another process writes it: probe, session 40). A hold
    inside another is the outer one's. The hold is the process's: any thread of it writes as
    the holder (a thread that waited for it would wait for its own process)."""
    key = _held_key(settings)
    if not settings.target.uses_lock or key in _HELD:
        yield
        return
    with writer_lock(settings):
        try:
            _HELD.add(key)
            yield
        finally:
            _HELD.discard(key)


@contextmanager
def writer_lock(settings: Settings, *, create: bool = True, wait: bool = True) -> Iterator[None]:
    """Hold the warehouse's exclusive writer lock, waiting up to ``settings.lock_timeout_s``;
    a DuckLake with a Postgres catalog takes none (its writers commit concurrently). With
    ``create=False`` (a reader) a lock file no writer has made yet is not made: no writer holds
    it, and one that starts now meets DuckDB's own lock on the file instead. Within
    :func:`holding_writer_lock` of this process the lock is held already. ``wait=False``: a
    lock another process holds raises :class:`WarehouseLockedError` at once, without a word."""
    if (
        not settings.target.uses_lock
        or not (create or settings.lock_path.exists())
        or _held_key(settings) in _HELD
    ):
        yield
        return
    if create and not settings.lock_path.exists():
        # A warehouse of the other kind (or no news-etl warehouse) gets no lock file beside it
        # (probe, session 45). Only when the lock file is to be made: the look opens the file
        # read-only, and a writer thread of this process that opened it meanwhile would be
        # refused ("a different configuration than existing connections"). Under the lock the
        # writers look again (their open, or refuse_the_wrong_kind before a lake is attached).
        refuse_the_wrong_kind(settings.target)
    with file_lock(
        settings.lock_path,
        settings.lock_timeout_s,
        f"another process holds the writer lock of {settings.target.display} "
        "(a run, backfill or replay writing it)",
        f"another process has been writing {settings.target.display} for more than "
        f"{seconds(settings.lock_timeout_s)}; try again later",
        wait=wait,
    ):
        yield


@contextmanager
def file_lock(
    path: Path,
    timeout_s: float,
    held: str,
    too_long: str,
    progress: Callable[[], object] | None = None,
    wait: bool = True,
) -> Iterator[None]:
    """Hold the exclusive lock file ``path``, waiting up to ``timeout_s``: the wait is announced
    as ``held`` (a run waited behind another's load without a word: probe), and a wait that
    runs out raises :class:`WarehouseLockedError` saying ``too_long``. With ``progress``, a wait
    that runs out while ``progress()`` changed since the last look (the holder is getting on:
    its lock changes hands between steps) goes on for another ``timeout_s``. ``wait=False``: a
    held lock raises :class:`WarehouseLockedError` (saying ``held``) at once, unannounced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path), timeout=timeout_s)
    try:
        lock.acquire(blocking=False)
    except Timeout as exc:
        if not wait:
            raise WarehouseLockedError(held) from exc
        announce_wait(held, timeout_s)
        seen = progress() if progress is not None else None
        while True:
            try:
                lock.acquire()
                break
            except Timeout as exc:
                now = progress() if progress is not None else None
                if progress is None or now == seen:
                    raise WarehouseLockedError(too_long) from exc
                seen = now
    try:
        yield
    finally:
        lock.release()


#: A table every DuckLake catalog has, and one every news-etl warehouse has (migration 0001).
LAKE_CATALOG_TABLE = "ducklake_metadata"
WAREHOUSE_TABLE = "schema_migrations"


def refuse_a_foreign_database(con: duckdb.DuckDBPyConnection, name: Path | str) -> None:
    """Raise :class:`ConfigError` when the database ``con`` uses (``name``: the DuckDB file, or
    the lake's display) is no news-etl warehouse: a DuckLake's catalog given without
    ``ducklake:`` (its tables are DuckLake's, so queries would find none of the warehouse's and
    a writer would add the warehouse's beside them), or a database that holds tables, views or
    other objects (:data:`_USER_OBJECTS`) but no ``schema_migrations``: another application's,
    which read-only commands called "a warehouse at schema 0" and ``init`` filled with the
    warehouse's tables (probe, session 45).
    A database without any of them is a new warehouse."""
    tables = _main_tables(con)
    if LAKE_CATALOG_TABLE in tables:
        raise ConfigError(
            f"{name} is a DuckLake catalog, not a DuckDB warehouse: use --warehouse "
            f"'{DUCKLAKE_PREFIX}{name}'"
        )
    if WAREHOUSE_TABLE not in tables and holds_anything(con):
        raise ConfigError(_foreign(name))


def _main_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables of the schema ``main`` of the database ``con`` uses."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' AND NOT temporary"
    ).fetchall()
    return {str(r[0]) for r in rows}


#: What a database may hold that a user made: each catalog function's rows of the database
#: ``con`` uses (a file holding only a sequence, a macro, a type or a schema was "a new
#: warehouse", and ``init`` added the warehouse's tables beside it; session 45's note).
_USER_OBJECTS = (
    "duckdb_tables() WHERE NOT temporary",
    "duckdb_views() WHERE NOT internal AND NOT temporary",
    "duckdb_sequences() WHERE NOT temporary",
    "duckdb_functions() WHERE NOT internal",
    "duckdb_types() WHERE NOT internal",
    "duckdb_schemas() WHERE NOT internal AND schema_name <> 'main'",  # a lake's is not internal
)


def holds_anything(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the database ``con`` uses holds anything a user made, in any schema: a table, a
    view, a sequence, a macro, a type or a schema other than ``main``."""
    counts = " + ".join(
        f"(SELECT count(*) FROM {objects} AND database_name = current_database())"
        for objects in _USER_OBJECTS
    )
    found = con.execute(f"SELECT {counts}").fetchone()
    return found is not None and found[0] > 0


def _foreign(name: Path | str) -> str:
    return (
        f"{name} is not a news-etl warehouse: it holds tables, views or other objects but no "
        f"{WAREHOUSE_TABLE}, and news-etl changed nothing in it; name a news-etl warehouse, "
        "or a new file"
    )


def _foreign_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the current snapshot of the DuckLake whose catalog file is open as ``con`` holds
    tables or views but no ``main.schema_migrations`` (another application's lake), read from
    DuckLake's catalog tables without attaching the lake, so that no lock file is made beside
    it. ``False`` when that layout cannot be read: the attach checks the lake again
    (:func:`refuse_a_foreign_database`)."""
    try:
        row = con.execute(
            "SELECT (SELECT count(*) FROM ducklake_table WHERE end_snapshot IS NULL)"
            " + (SELECT count(*) FROM ducklake_view WHERE end_snapshot IS NULL),"
            " (SELECT count(*) FROM ducklake_table t JOIN ducklake_schema s USING (schema_id)"
            "  WHERE t.end_snapshot IS NULL AND s.end_snapshot IS NULL"
            f"  AND s.schema_name = 'main' AND t.table_name = '{WAREHOUSE_TABLE}')"
        ).fetchone()
    except duckdb.Error:
        return False
    return row is not None and row[0] > 0 and row[1] == 0


def refuse_the_wrong_kind(target: WarehouseTarget) -> None:
    """Raise :class:`ConfigError` when the warehouse named is of the other kind or no news-etl
    warehouse, before anything is created or locked: a DuckDB-file warehouse named
    ``ducklake:…`` (attached as a lake, DuckLake would add its catalog tables to the file and
    start an empty lake there), a catalog file that holds other tables than DuckLake's (the
    same), or a DuckDB file that is a DuckLake catalog or another application's database (see
    :func:`refuse_a_foreign_database`). A file that is missing, held by another process or not
    DuckDB is left to its own open to judge."""
    file = target.file
    if file is None or not file.exists():
        return
    try:
        con = duckdb.connect(str(file), read_only=True)
    except duckdb.Error:
        return
    try:
        if not target.is_lake:
            refuse_a_foreign_database(con, file)
            return
        tables = _main_tables(con)
        foreign = _foreign_lake(con) if LAKE_CATALOG_TABLE in tables else None
        other = foreign is None and WAREHOUSE_TABLE not in tables and holds_anything(con)
    finally:
        con.close()
    if foreign:
        raise ConfigError(_foreign(target.display))
    if foreign is None and WAREHOUSE_TABLE in tables:
        raise ConfigError(
            f"{file} is a DuckDB warehouse, not a DuckLake catalog: use --warehouse {file} "
            "(without ducklake:), or copy it into a lake with news-etl warehouse to-ducklake"
        )
    if other:
        raise ConfigError(
            f"{file} is not a DuckLake catalog (nor a news-etl warehouse): it holds other "
            "tables or views, and news-etl changed nothing in it; name a DuckLake catalog, or "
            "a new file"
        )


def connect(
    path: Path,
    *,
    read_only: bool,
    wait_s: float,
    notify: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open ``path``; while another process holds it (a load, an analyst's writable shell),
    wait up to ``wait_s`` seconds, telling ``notify`` (default: the log) once who holds it.

    Raises the typed errors of :func:`open_error`; :class:`WarehouseBusyError` only after the
    wait; :class:`ConfigError` for a DuckLake's catalog or another application's database
    (:func:`refuse_a_foreign_database`).
    """
    deadline = time.monotonic() + wait_s
    delay = 0.05
    told = False
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            error = open_error(exc, path)
            left = deadline - time.monotonic()
            if not isinstance(error, WarehouseBusyError):
                raise error from exc
            if left <= 0:
                raise WarehouseBusyError(
                    f"{error} and stayed so for {seconds(wait_s)}; try again later"
                ) from exc
            if not told:
                announce_wait(str(error), wait_s, notify)
                told = True
            time.sleep(min(delay, left))
            delay = min(delay * 2, 1.0)
            continue
        try:
            refuse_a_foreign_database(con, path)
        except BaseException:
            con.close()
            raise
        return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """The block in one transaction of ``con``: ``BEGIN TRANSACTION`` before it, ``COMMIT``
    after it; on any exception in it or in the ``COMMIT`` (Ctrl-C too) a ``ROLLBACK``, and the
    exception raised again. A ``ROLLBACK`` that fails itself (a failed ``COMMIT`` has ended the
    transaction already) does not hide the exception."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
        con.execute("COMMIT")
    except BaseException:
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


@contextmanager
def writer(settings: Settings, *, wait: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable connection under the writer lock, with the schema migrated to the latest.
    ``wait=False``: a writer lock or a database file another process holds raises
    :class:`WarehouseLockedError` or :class:`WarehouseBusyError` at once."""
    from etl.load.migrations import migrate

    if settings.target.is_lake:
        with _lake_writer(settings, wait=wait) as lake_con:
            yield lake_con
        return
    started = time.monotonic()
    with writer_lock(settings, wait=wait):
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        # One wait in all: for the writer lock, then for a reader outside it to let go.
        wait_s = max(0.0, settings.lock_timeout_s - (time.monotonic() - started)) if wait else 0.0
        con = connect(settings.warehouse, read_only=False, wait_s=wait_s)
        try:
            # A big load spills to <warehouse>.tmp instead of taking most of the machine's memory.
            con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
            migrate(con, settings.migrations_dir)
            yield con
        finally:
            con.close()


#: How often a DuckLake writer retries its migrations when a concurrent writer migrated first.
MIGRATION_ATTEMPTS = 5


@contextmanager
def _lake_writer(settings: Settings, *, wait: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckLake writer (see :func:`writer`); a commit conflict in the caller's statements
    surfaces as :class:`~etl.errors.LakeCommitConflictError` (retryable)."""
    from etl import lake
    from etl.load.migrations import migrate

    target = settings.target
    started = time.monotonic()
    with writer_lock(settings, wait=wait):
        refuse_the_wrong_kind(target)  # before anything is created beside it
        file = target.file
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        made: Path | None = None
        if target.data_path is not None and "://" not in target.data_path:
            folder = Path(target.data_path)
            made = None if folder.exists() else folder
            folder.mkdir(parents=True, exist_ok=True)
        wait_s = max(0.0, settings.lock_timeout_s - (time.monotonic() - started)) if wait else 0.0
        try:
            con = lake.connect(
                target, read_only=False, wait_s=wait_s, memory_limit=settings.duckdb_memory_limit
            )
        except BaseException:
            # refused (another data path than the lake's, a busy catalog): the folder made for
            # it goes again (probe: a refused data path left its new folder behind)
            if made is not None and made.is_dir() and not any(made.iterdir()):
                made.rmdir()
            raise
        if made is not None and not _stores_in(con, made):
            # an existing lake whose data are elsewhere (`s3://…`): the default folder made for
            # a new one stays empty, so it goes (probe P, session 39)
            with suppress(OSError):
                made.rmdir()
        try:
            for attempt in range(MIGRATION_ATTEMPTS):
                try:
                    migrate(con, settings.migrations_dir)
                    break
                except MigrationError as exc:  # two writers migrating a new lake at once
                    if lake.conflict_error(exc.__cause__ or exc) is None:
                        raise
                    if attempt == MIGRATION_ATTEMPTS - 1:
                        raise
                    time.sleep(0.2 * (attempt + 1))
            try:
                yield con
            except duckdb.Error as exc:
                conflict = lake.conflict_error(exc)
                if conflict is not None:
                    raise conflict from exc
                raise
        finally:
            con.close()


def _stores_in(con: duckdb.DuckDBPyConnection, folder: Path) -> bool:
    """Whether the attached lake keeps its data files in the local ``folder``."""
    from etl import lake

    stored = lake.stored_data_path(con)
    return stored is not None and "://" not in stored and Path(stored).resolve() == folder.resolve()


def warehouse_exists(target: WarehouseTarget, wait_s: float = 60.0) -> bool:
    """Whether the warehouse exists: its DuckDB file or catalog file; for a Postgres catalog,
    whether a writer has created the lake in it (a read-only attach tells, creating nothing; an
    unreachable server raises :class:`~etl.errors.LakeCatalogUnavailableError`)."""
    if target.catalog != "postgres":
        return target.exists()
    from etl import lake

    try:
        lake.connect(target, read_only=True, wait_s=wait_s).close()
    except LakeMissingError:
        return False
    return True


@contextmanager
def locked_reader(
    settings: Settings, *, lock: bool = True
) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection taken under the writer lock; ``None`` if no warehouse exists yet.
    Creates no file or folder. ``lock=False`` (a dry run, which only reads and plans nothing
    that a writer could make stale): without the writer lock, so it neither waits behind a load
    for the lock (only for DuckDB's own lock on the file) nor opens the lock file, which a
    read-only folder refuses (probe)."""
    if not settings.target.exists():
        yield None
        return
    with writer_lock(settings, create=False) if lock else nullcontext():
        if not settings.target.exists():  # removed while the lock was awaited
            yield None
            return
        if settings.target.is_lake:
            from etl import lake

            try:
                con = lake.connect(settings.target, read_only=True, wait_s=settings.lock_timeout_s)
            except LakeMissingError:  # a new Postgres catalog no writer has used yet
                yield None
                return
        else:
            con = connect(settings.warehouse, read_only=True, wait_s=settings.lock_timeout_s)
        with closing(con):  # an interrupted read stopped, not awaited
            if not lock:  # a dry run reads with this code's queries, and may not migrate
                behind = schema_behind(con, settings.migrations_dir)
                if behind is not None:
                    raise ConfigError(
                        f"{settings.target.display} has the schema of an older news-etl "
                        f"(migration {behind[0]}, this one has {behind[1]}): a run, or "
                        "`news-etl init`, migrates it; a dry run only reads"
                    )
            yield con


def migrate_if_behind(settings: Settings) -> None:
    """Migrate an existing warehouse whose schema is older than this code's, before a writing
    command plans from it with this code's queries: ``backfill`` on a warehouse of schema 20
    failed with DuckDB's ``Referenced column "article_ids" not found`` and migrated nothing
    (probe). Creates nothing when there is no warehouse."""
    with locked_reader(settings) as con:
        if con is None or schema_behind(con, settings.migrations_dir) is None:
            return
    with writer(settings):  # migrates the schema
        pass


def schema_versions(con: duckdb.DuckDBPyConnection, migrations_dir: Path) -> tuple[int, int]:
    """``(the warehouse's latest migration, this code's latest)`` for the warehouse open as
    ``con``; reads only (a read-only connection does)."""
    from etl.load.migrations import discover, schema_version

    return schema_version(con), max((m.version for m in discover(migrations_dir)), default=0)


def schema_behind(con: duckdb.DuckDBPyConnection, migrations_dir: Path) -> tuple[int, int] | None:
    """``(the warehouse's latest migration, this code's)`` when the warehouse open as ``con``
    lacks migrations this code has; ``None`` when it is up to date."""
    current, latest = schema_versions(con, migrations_dir)
    return (current, latest) if current < latest else None


def schema_note(con: duckdb.DuckDBPyConnection, migrations_dir: Path) -> str | None:
    """The one line a read-only command says when the warehouse open as ``con`` has another
    schema than this code's (``None`` when they agree): read-only commands never migrate, so an
    older warehouse answers with its older views and macros, and a newer one with definitions
    this code's README does not describe."""
    from etl.contracts import plural
    from etl.load.migrations import discover, schema_version

    current = schema_version(con)
    versions = [m.version for m in discover(migrations_dir)]  # the migration files, read once
    latest = max(versions, default=0)
    if current < latest:
        pending = sum(1 for version in versions if version > current)
        return (
            f"note: this warehouse is at schema {current} and this news-etl expects {latest}: "
            f"`news-etl init` applies the {plural(pending, 'pending migration')}; until then "
            f"views and macros answer as they did in schema {current}"
        )
    if current > latest:
        return (
            f"note: this warehouse was written by a newer news-etl (schema {current}, this one "
            f"knows {latest}): update news-etl; answers follow this version's README only where "
            "the schema agrees"
        )
    return None


def reader(path: Path | str, wait_s: float = 60.0) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysts and reports (does not take the writer lock); waits
    up to ``wait_s`` while a load holds the file. ``path`` may be a DuckLake URL."""
    if str(path).startswith(DUCKLAKE_PREFIX):
        from etl import lake

        return lake.connect(parse_target(str(path)), read_only=True, wait_s=wait_s)
    return connect(Path(path), read_only=True, wait_s=wait_s)


@contextmanager
def closing(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``con`` for the block, closed when it ends. A block that ends by an exception (Ctrl-C,
    which DuckDB turns into ``RuntimeError('Query interrupted')``, a broken pipe, an error of a
    later piece) first interrupts what ``con`` still runs: ``close`` waits for a running
    query, and after Ctrl-C DuckDB's workers went on with it. ``news-etl query`` interrupted
    so ran on at full CPU past its ``--timeout`` (whose timer the interrupt had cancelled),
    ignored a second Ctrl-C and held its read lock, every load failing on it (probe). Ctrl-C
    also interrupts ``con`` at once (:func:`_interrupted_by_ctrl_c`)."""
    try:
        with _interrupted_by_ctrl_c(con):
            yield con
    except BaseException:
        # a block that closed ``con`` itself: interrupt() would raise and hide the exception
        with suppress(duckdb.Error):
            interrupts.stop(con)
        raise
    finally:
        con.close()


@contextmanager
def _interrupted_by_ctrl_c(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """While the block runs in the main thread, a Ctrl-C interrupts ``con``'s query from a
    watching thread. DuckDB raises a pending Ctrl-C only between its tasks, and when the main
    thread itself ran a long task (a nested-loop join) it never looked: the query ran on and
    kept its read lock (1 in 15 Ctrl-Cs; review R2, a gdb dump). Python's C-level handler
    writes the signal's number to the wakeup file even then. Elsewhere (another thread, or a
    wakeup file some other code set, such as an event loop's) the block runs as it is."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    old = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    if old != -1:  # someone else's: theirs to keep
        signal.set_wakeup_fd(old)
        os.close(read_end)
        os.close(write_end)
        yield
        return

    def watch() -> None:
        while got := os.read(read_end, 64):
            if signal.SIGINT in got:
                with suppress(Exception):  # the query may have ended (or ``con`` closed)
                    interrupts.stop(con)
            if _BLOCK_OVER in got:
                return

    watcher = threading.Thread(target=watch, name="news-etl-ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        signal.set_wakeup_fd(-1)
        # a byte no signal has, not the write end's close: a child forked meanwhile holds a copy
        os.write(write_end, bytes([_BLOCK_OVER]))
        watcher.join()
        os.close(write_end)
        os.close(read_end)


#: What :func:`_interrupted_by_ctrl_c` writes to its watcher when the block is over (signal
#: numbers start at 1).
_BLOCK_OVER = 0


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
