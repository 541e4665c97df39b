"""The DuckLake backend: connections, what DuckLake refuses in the migrations, commit conflicts.

A DuckLake warehouse (``NEWS_ETL_WAREHOUSE=ducklake:…``, see :mod:`etl.target`) is opened from
an in-memory DuckDB: the ``ducklake`` extension (plus ``postgres_scanner`` for a Postgres
catalog, ``httpfs`` for an object-storage DATA_PATH) is loaded offline from the extension wheels
in the lock, the lake is attached as ``warehouse`` and made the default database, so every SQL
statement of the pipeline runs unqualified, unchanged. Readers attach it ``READ_ONLY``. An
``s3://`` DATA_PATH (the setting's, else the one the catalog records) gets the S3 secret of
:func:`etl.storage.configure_duckdb`, built from the AWS variables like the staging's.

**One set of migrations.** DuckLake 1.5.5 refuses some DDL the migrations may use; the
statements are adapted here, in one place (:func:`adapt_statement`), never forked:

* ``PRIMARY KEY`` / ``UNIQUE`` (refused): dropped. Keys were never declared in the warehouse
  schema (see ``0001``): the loader's anti-joins keep them and the post-load suite
  ``warehouse_dimension`` checks every dimension key and name is unique after every load, in
  both backends. Only ``schema_migrations.version`` declared one.
* ``CREATE INDEX`` (refused): skipped (the schema declares none).
* ``COMMENT ON MACRO`` and ``COMMENT ON COLUMN`` of a view (refused): the comment is kept in the
  table ``etl_lake_comment`` (kind, object, column, comment) instead, where analysts (and
  ``SELECT * FROM etl_lake_comment``) find it.
* Refused outright and not adapted (a migration using them fails with :class:`MigrationError`):
  ``CHECK`` constraints, sequences, user-defined types (``CREATE TYPE``).
* Supported as in DuckDB: tables with ``NOT NULL`` and ``DEFAULT``, ``ALTER TABLE … ADD/DROP/
  RENAME COLUMN``, ``SET DATA TYPE``, views, scalar and table macros, ``CREATE OR REPLACE``,
  ``COMMENT ON TABLE`` and ``COMMENT ON COLUMN`` of a table.

**No data inlining.** DuckLake 1.5.5 keeps small inserts (up to 10 rows) in the catalog instead
of a Parquet file, and stores a DOUBLE there with 15 significant digits
(``0.009136132999628899`` comes back as ``0.0091361329996289``): writers attach with
``DATA_INLINING_ROW_LIMIT 0`` so every value is stored exactly, as in the DuckDB file.

**Commits.** DuckLake commits optimistically: a transaction that conflicts with one committed
after it began fails at ``COMMIT`` with a ``TransactionException`` saying "conflict";
:func:`conflict_error` turns that into :class:`LakeCommitConflictError` (retryable), and the
loader retries its whole transaction (:mod:`etl.load.loader`).
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb

from etl.errors import (
    ConfigError,
    LakeCatalogUnavailableError,
    LakeCommitConflictError,
    LakeMissingError,
    NewsEtlError,
    WarehouseBusyError,
    WarehouseUnavailableError,
)
from etl.extensions import load_extension
from etl.storage import S3_PROTOCOLS, configure_duckdb, location
from etl.target import WarehouseTarget, has_masked_password, redact

#: The name the lake is attached under (and made the default database with ``USE``).
ALIAS = "warehouse"
#: Where comments DuckLake cannot store are kept (see the module docstring).
COMMENT_TABLE = "etl_lake_comment"
#: The one-row table every DuckLake load transaction rewrites (migration 0012), so that two
#: load transactions that overlap in time always conflict and the later one retries.
COMMIT_TOKEN = "etl_commit_token"

_LEADING_COMMENTS = re.compile(r"^(?:\s*--[^\n]*\n|\s+)*")
_COMMENT_ON = re.compile(
    r"^COMMENT\s+ON\s+(?P<kind>MACRO\s+TABLE|MACRO|COLUMN)\s+(?P<name>[\w.\"]+)\s+IS\s+"
    r"'(?P<text>(?:[^']|'')*)'\s*;?\s*$",
    re.I | re.S,
)
_CREATE_TABLE = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\w*\s+)?TABLE\b", re.I)
_CREATE_VIEW = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?VIEW\b", re.I)
_CREATE_INDEX = re.compile(r"^CREATE\s+(?:UNIQUE\s+)?INDEX\b", re.I)
_TABLE_KEY = re.compile(r",\s*(?:CONSTRAINT\s+\w+\s+)?(?:PRIMARY\s+KEY|UNIQUE)\s*\([^)]*\)", re.I)
_INLINE_KEY = re.compile(r"\s+(?:PRIMARY\s+KEY|UNIQUE)\b", re.I)
_LOCK_HELD = re.compile(r"Could not set lock on file", re.I)
_UNREACHABLE = re.compile(
    r"Unable to connect to Postgres|could not connect|Connection refused|connection to server",
    re.I,
)
#: What the Postgres server (or libpq) answers when the connection settings themselves are
#: wrong: no such database or role, authentication refused. Waiting does not help.
_REFUSED = re.compile(
    r'database "[^"]*" does not exist|role "[^"]*" does not exist'
    r"|password authentication failed|no pg_hba\.conf entry|no password supplied"
    r"|Peer authentication failed|invalid connection option|permission denied for database",
    re.I,
)
#: DuckLake's answer to a read-only attach of a catalog in which no lake was created yet.
_NO_LAKE = re.compile(r"creating a new DuckLake is explicitly disabled", re.I)


@dataclass(frozen=True)
class Adapted:
    """A migration statement as DuckLake takes it: ``sql`` to run (``None``: skip it) and,
    for a comment DuckLake cannot store, ``(kind, object, column, comment)`` to keep instead."""

    sql: str | None
    comment: tuple[str, str, str | None, str] | None = None


def adapt_statement(sql: str, views: Iterable[str] = ()) -> Adapted:
    """``sql`` (one statement) adapted to DuckLake (see the module docstring); ``views`` names
    the views that exist, whose column comments DuckLake refuses."""
    body = _LEADING_COMMENTS.sub("", sql, count=1).strip()
    comment = _COMMENT_ON.match(body)
    if comment is not None:
        kind = " ".join(comment["kind"].upper().split())
        name = comment["name"].replace('"', "")
        text = comment["text"].replace("''", "'")
        if kind.startswith("MACRO"):
            return Adapted(None, ("macro", name, None, text))
        table, _, column = name.rpartition(".")
        if table.lower() in {v.lower() for v in views}:
            return Adapted(None, ("view", table, column, text))
        return Adapted(sql)
    if _CREATE_INDEX.match(body):
        return Adapted(None)
    if _CREATE_TABLE.match(body):
        return Adapted(_INLINE_KEY.sub("", _TABLE_KEY.sub("", sql)))
    return Adapted(sql)


def execute_migration(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Run one migration file's ``sql`` on the lake (inside the caller's transaction), each
    statement adapted by :func:`adapt_statement`."""
    kept: list[tuple[str, str, str | None, str]] = []
    views: set[str] | None = None  # read when a comment needs them, again after a new view
    for statement in con.extract_statements(sql):
        text = statement.query
        if views is None and "COMMENT" in text.upper():
            views = {str(r[0]) for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE database_name = current_database()"
            ).fetchall()}  # fmt: skip
        adapted = adapt_statement(text, views or ())
        if adapted.sql is not None:
            con.execute(adapted.sql)
            if _CREATE_VIEW.match(_LEADING_COMMENTS.sub("", text, count=1)):
                views = None
        if adapted.comment is not None:
            kept.append(adapted.comment)
    if kept:
        con.execute(
            f"""CREATE TABLE IF NOT EXISTS {COMMENT_TABLE} (
                    kind VARCHAR NOT NULL, object VARCHAR NOT NULL, column_name VARCHAR,
                    comment VARCHAR NOT NULL)"""
        )
        con.execute(
            f"COMMENT ON TABLE {COMMENT_TABLE} IS 'DuckLake only: the comments DuckLake cannot "
            "store (on macros, on view columns), from the migrations. Grain: one row per "
            "commented macro or view column. Key: kind, object, column_name.'"
        )
        for kind, name, column, text in kept:
            con.execute(
                f"DELETE FROM {COMMENT_TABLE} WHERE kind = ? AND object = ? "
                "AND column_name IS NOT DISTINCT FROM ?",
                [kind, name, column],
            )
            con.execute(
                f"INSERT INTO {COMMENT_TABLE} VALUES (?, ?, ?, ?)", [kind, name, column, text]
            )


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con``'s default database is a DuckLake."""
    row = con.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return row is not None and row[0] == "ducklake"


def load_extensions(con: duckdb.DuckDBPyConnection, target: WarehouseTarget) -> None:
    """Load the extensions ``target`` needs, offline, from the extension wheels in the lock
    (:func:`etl.extensions.load_extension`: nothing is installed into ``~/.duckdb``)."""
    names = ["ducklake"]
    if target.catalog == "postgres":
        names.append("postgres_scanner")
    if target.data_path is not None and "://" in target.data_path:
        names.append("httpfs")
    for name in names:
        load_extension(con, name)
    if "httpfs" not in names and target.data_path in (None, _default_data_path(target)):
        # Not told the data path (a reader, a later run: the default stands in), ATTACH takes
        # the one the catalog records and opens its file system: one on object storage needs
        # httpfs then, which DuckDB would otherwise try to download (offline, that fails:
        # test_ducklake_s3 on a machine whose ~/.duckdb held no copy of it, session 52).
        # Loading it costs ~70 ms; a lake without its wheel only loses object storage.
        with contextlib.suppress(duckdb.IOException):
            load_extension(con, "httpfs")


def attach_sql(target: WarehouseTarget, *, read_only: bool, alias: str = ALIAS) -> str:
    """The ``ATTACH`` statement of ``target`` under ``alias``. A writer stores every row in
    Parquet (no inlining, see the module docstring) and passes DATA_PATH only when the catalog
    is new or the data path was set (DuckLake keeps it and refuses a different one)."""
    location = target.location.replace("'", "''")
    if read_only:
        return f"ATTACH '{location}' AS {alias} (READ_ONLY)"
    options = ["DATA_INLINING_ROW_LIMIT 0"]
    file, data_path = target.file, target.data_path
    if data_path is not None and (
        file is None or not file.exists() or data_path != _default_data_path(target)
    ):
        options.append("DATA_PATH '" + data_path.replace("'", "''") + "'")
    return f"ATTACH '{location}' AS {alias} ({', '.join(options)})"


def _default_data_path(target: WarehouseTarget) -> str | None:
    file = target.file
    return None if file is None else str(file.with_name(file.name + ".files")) + "/"


def open_error(exc: duckdb.Error, target: WarehouseTarget) -> NewsEtlError:
    """The typed error for a failed attach of ``target``: busy (a writer holds the catalog
    file), no lake yet (a reader of a new Postgres catalog), refused (no such database or role,
    authentication failed: permanent), unreachable (the Postgres catalog: retryable), or
    unavailable. The message never holds a password (DuckDB's own quotes the whole URL)."""
    said = str(exc)  # classified as DuckDB said it; quoted with the password masked
    message = redact(said)
    if _LOCK_HELD.search(said):
        return WarehouseBusyError(f"the DuckLake catalog of {target.display} is held by a writer")
    if _NO_LAKE.search(said):
        return LakeMissingError(f"no DuckLake in the catalog of {target.display} yet")
    if _REFUSED.search(said):
        return ConfigError(
            f"the DuckLake catalog of {target.display} refused the connection: {message}"
        )
    if _UNREACHABLE.search(said):
        return LakeCatalogUnavailableError(
            f"cannot reach the DuckLake catalog of {target.display}: {message}"
        )
    if "DATA_PATH" in message or "data path" in message.lower():
        # DuckDB's hint (OVERRIDE_DATA_PATH) names an ATTACH option no command here takes
        told = re.sub(r"\s*You can override the DATA_PATH by setting \S+ to True\.?", "", message)
        return ConfigError(
            f"{target.display}: {told} (NEWS_ETL_DUCKLAKE_DATA_PATH: a lake keeps the data path "
            "it was made with; give that one, or leave the setting unset)"
        )
    return WarehouseUnavailableError(f"cannot attach {target.display}: {message}")


def connect(
    target: WarehouseTarget,
    *,
    read_only: bool,
    wait_s: float = 60.0,
    memory_limit: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with ``target`` attached as ``warehouse`` and in use; waits up to
    ``wait_s`` while another process holds a catalog file (raises :func:`open_error`'s types)."""
    from etl.warehouse import refuse_a_foreign_database, refuse_the_wrong_kind

    refuse_the_wrong_kind(target)
    if has_masked_password(target.location):
        raise ConfigError(
            f"{target.display}: the password was masked where the warehouse was stored (a run's "
            "plan.json, an Asset event) and this process was not given it: set "
            "NEWS_ETL_WAREHOUSE to the same URL with its password, or keep the password in "
            "PGPASSWORD or ~/.pgpass instead of the URL"
        )
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        con = duckdb.connect()
        try:
            if memory_limit:
                con.execute(f"SET memory_limit = '{memory_limit}'")
            load_extensions(con, target)
            configure_data_path(con, target.data_path)
            con.execute(attach_sql(target, read_only=read_only))
            con.execute(f"USE {ALIAS}")
            stored = stored_data_path(con)  # a reader may not know it: the catalog does
            if stored != target.data_path:
                configure_data_path(con, stored)
            refuse_a_foreign_database(con, target.display)  # another application's lake
            return con
        except ConfigError:
            con.close()
            raise
        except duckdb.Error as exc:
            con.close()
            error = open_error(exc, target)
            if not isinstance(error, WarehouseBusyError) or time.monotonic() >= deadline:
                # DuckDB's own error is chained only when it holds no password.
                raise error from (exc if redact(str(exc)) == str(exc) else None)
            if not told and notify is not None:
                from etl.warehouse import announce_wait

                announce_wait(str(error), wait_s, notify)
                told = True
            time.sleep(0.2)


def configure_data_path(con: duckdb.DuckDBPyConnection, data_path: str | None) -> None:
    """Give ``con`` the S3 secret of an ``s3://`` DATA_PATH (from the AWS variables, see
    :func:`etl.storage.configure_duckdb`), so that the lake's Parquet files are written and
    read on the same server the staging uses; nothing for a local folder or ``None``."""
    if data_path is not None and location(data_path).protocol in S3_PROTOCOLS:
        configure_duckdb(con, data_path)


def stored_data_path(con: duckdb.DuckDBPyConnection) -> str | None:
    """The DATA_PATH the attached lake's catalog records, if any."""
    found = con.execute(f"SELECT data_path FROM ducklake_settings('{ALIAS}')").fetchone()
    return str(found[0]) if found is not None and found[0] else None


def allow_data_path(con: duckdb.DuckDBPyConnection) -> None:
    """Let ``con`` keep reading the lake's data files after external access is turned off
    (``news-etl query``'s sandbox): allow exactly the catalog's DATA_PATH."""
    found = stored_data_path(con)
    if found is not None:
        path = found.replace("'", "''")
        con.execute(f"SET allowed_directories = ['{path}']")


def conflict_error(exc: BaseException) -> LakeCommitConflictError | None:
    """The retryable error for a DuckLake commit conflict, else ``None``."""
    if isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower():
        return LakeCommitConflictError(f"DuckLake commit conflict: {exc}")
    return None


def current_snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The snapshot id the connection's (current or next) transaction reads."""
    row = con.execute(f"SELECT id FROM ducklake_current_snapshot('{ALIAS}')").fetchone()
    assert row is not None
    return int(row[0])


def name_commit(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Name the open transaction's snapshot after ``run_id`` (its commit message)."""
    con.execute(f"CALL ducklake_set_commit_message('{ALIAS}', 'news-etl', ?)", [run_id])


def claim_commit(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Rewrite the commit token inside the open transaction: DuckLake checks conflicts per
    table, so any two load transactions that overlap in time conflict here and the later one
    retries after the earlier committed, settling against what it wrote."""
    con.execute(f"DELETE FROM {COMMIT_TOKEN}")
    con.execute(f"INSERT INTO {COMMIT_TOKEN} VALUES (?, current_timestamp)", [run_id])


def record_missing_snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> int | None:
    """:func:`record_snapshot` for a committed run whose process ended before it recorded its
    snapshot (killed between its COMMIT and that insert); ``None`` when the row is there, or
    no snapshot is named after the run."""
    row = con.execute("SELECT count(*) FROM etl_run_snapshot WHERE run_id = ?", [run_id])
    found = row.fetchone()
    if found is not None and found[0]:
        return None
    return record_snapshot(con, run_id)


def record_snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> int | None:
    """After a run's commit: add ``(run_id, snapshot_id)`` to ``etl_run_snapshot`` (insert
    only: it conflicts with nothing); the snapshot id, ``None`` if none is named after it."""
    row = con.execute(
        f"SELECT max(snapshot_id) FROM ducklake_snapshots('{ALIAS}') WHERE commit_message = ?",
        [run_id],
    ).fetchone()
    if row is None or row[0] is None:
        return None
    con.execute(
        "INSERT INTO etl_run_snapshot VALUES (?, ?, current_timestamp)", [run_id, int(row[0])]
    )
    return int(row[0])
