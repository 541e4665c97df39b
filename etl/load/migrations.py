"""Numbered, append-only SQL migrations of the warehouse schema.

Files are named ``NNNN_description.sql`` and applied in order, the pending ones in one
transaction, and recorded in ``schema_migrations`` with a checksum of the whole file, comments
included. Editing a
migration that a warehouse has already applied, even its header comment, is refused: schema
changes are always a new file, and an applied migration keeps its number for ever (only a
migration no warehouse has applied yet may be renumbered, e.g. when two branches pick the same
number).

A DuckLake warehouse takes the same files: each statement goes through
:func:`etl.lake.adapt_statement`, the one place that knows what DuckLake refuses.

Sixteen migrations were nevertheless edited on ``main`` after earlier texts of them had been
released (sessions 1–35; a probe found warehouses of two released versions that no later
news-etl would open). ``schemas/migrations/checksums.json`` lists every text each migration
had (``superseded``) next to the one it has now (``applied``, pinned by a test so that no text
changes again). A warehouse that applied a superseded text is accepted: its tables are the
same (the edits changed comments, macros and views, and the order rows were stored in; one
changed rows, undone: :data:`_ROWS_OF_SUPERSEDED`), and :func:`migrate` brings its definitions
to the current ones by running again, in order, every view, macro and comment statement from
the first such migration on, before any pending migration.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.errors import MigrationError

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
#: Statements that only (re)define how stored rows are read: views, macros and comments.
_DEFINITION = re.compile(
    r"(?:CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:VIEW|MACRO|FUNCTION)"
    r"|DROP\s+(?:VIEW|MACRO|FUNCTION)|COMMENT\s+ON)\b",
    re.I,
)

#: What to run when a warehouse applied a superseded text of a migration (version) that
#: changed stored rows unlike its current text. Only 0022: its first text (edb72a2) set
#: ``article_ids = [article_id]`` on every ledger row then present, so a multi-record file's
#: row listed one of its articles and a ``--replace`` of its day kept only that one; the current
#: text leaves such rows NULL (the path rule reads the file's day again). Of the other
#: superseded texts only 0007's differs in rows, by their order alone (review, session 41).
_ROWS_OF_SUPERSEDED = {
    # Every one-article list of a content a run before 0022 recorded: the rows it set, and the
    # rows of later copies of the same bytes, which took their list from such a row (chosen by
    # content and run, not by time: review). A true one-article list set NULL reads the same.
    22: "UPDATE ingest_ledger SET article_ids = NULL WHERE article_ids = [article_id] "
    "AND sha256 IN (SELECT sha256 FROM ingest_ledger WHERE first_run_id IN "
    "(SELECT run_id FROM etl_run WHERE schema_version < 22))",
}

#: A definition that fails when its name exists: run again, it replaces it.
_REPLACEABLE = re.compile(
    r"CREATE\s+(?!OR\s+REPLACE\b)((?:TEMP(?:ORARY)?\s+)?(?:VIEW|MACRO|FUNCTION))\b", re.I
)

#: Tables of run records, one row per run (or per run's check): a rebuild of a day writes new
#: rows for its own run and leaves the old runs' rows as they were, so a column added to them
#: changes no day's rows and makes no day stale.
RUN_RECORD_TABLES = ("etl_run", "etl_run_stage", "fact_check_result")
_RUN_RECORD_COLUMN = re.compile(
    r"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:" + "|".join(RUN_RECORD_TABLES) + r")"
    r"\s+ADD\s+(?:COLUMN\s+)?(?!.*\bDEFAULT\b)",
    re.I | re.S,
)


def _reads_only(statement: str) -> bool:
    """Whether one statement leaves the rows a run writes into a day's partitions as they are."""
    body = _LEADING_COMMENTS.sub("", statement, count=1)
    return bool(_DEFINITION.match(body) or _RUN_RECORD_COLUMN.match(body))


@dataclass(frozen=True)
class Migration:
    """One migration file."""

    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's SQL text."""
        return hashlib.sha256(self.sql.encode()).hexdigest()

    @property
    def changes_stored_rows(self) -> bool:
        """Whether the rows a run writes may differ under this migration.

        ``False`` for a migration made only of view, macro and comment statements (it changes
        how the stored rows are read, not the rows) and of new columns without a default on
        :data:`RUN_RECORD_TABLES` (old runs' records keep NULL there whether or not a day is
        rebuilt): days loaded before it are not stale. Anything else (a table, another column,
        an update, an index) counts as a change.
        """
        statements = duckdb.connect().extract_statements(self.sql)
        return not all(_reads_only(s.query) for s in statements)


def discover(migrations_dir: Path) -> list[Migration]:
    """Every migration under ``migrations_dir``, in version order, with gaps and clashes refused."""
    if not migrations_dir.is_dir():
        raise MigrationError(f"no migrations folder at {migrations_dir}")
    found: list[Migration] = []
    for path in sorted(migrations_dir.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file {path.name} is not named NNNN_description.sql")
        found.append(Migration(int(match[1]), match[2], path.read_text(encoding="utf-8")))
    if not found:  # a run made a warehouse of no tables, failing at its load (probe V)
        raise MigrationError(f"no migrations in {migrations_dir} (NNNN_description.sql files)")
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"migrations must be numbered 1..N without gaps, found {versions}")
    return found


def rows_version(migrations: list[Migration]) -> int:
    """The latest migration that changes the rows a run writes (see
    :attr:`Migration.changes_stored_rows`): a day loaded by a run of an older schema is stale."""
    return max((m.version for m in migrations if m.changes_stored_rows), default=0)


def applied(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Version → checksum of the migrations already applied to this warehouse (none when it
    has no ``schema_migrations`` yet: a new one)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()"
        " AND schema_name = 'main' AND table_name = 'schema_migrations' AND NOT temporary"
    ).fetchone()
    if exists is None or not exists[0]:
        return {}
    rows = con.execute("SELECT version, checksum FROM schema_migrations").fetchall()
    return {int(version): str(checksum) for version, checksum in rows}


def _registry(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``schema_migrations`` if it is not there: inside the migrations' transaction, so
    that a new warehouse whose first migrations fail (or are stopped) holds nothing, not an
    empty registry, a warehouse "at schema 0" that status could not read (review R1)."""
    _run(
        con,
        """CREATE TABLE IF NOT EXISTS schema_migrations (
               version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,
               applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)""",
    )


#: The registry of migration texts (see the module docstring), next to the migrations.
CHECKSUMS_FILE = "checksums.json"


def superseded(migrations_dir: Path) -> dict[int, set[str]]:
    """Version → checksums of the earlier texts of that migration that a released news-etl
    applied (:data:`CHECKSUMS_FILE`); empty when the folder has no registry."""
    path = migrations_dir / CHECKSUMS_FILE
    if not path.is_file():
        return {}
    registry = json.loads(path.read_text(encoding="utf-8"))
    return {int(v): set(sums) for v, sums in registry.get("superseded", {}).items()}


def migrate(con: duckdb.DuckDBPyConnection, migrations_dir: Path) -> list[int]:
    """Apply every pending migration; return the versions applied now. A migration applied
    with a superseded text brings the definitions up to date (see the module docstring)."""
    migrations = discover(migrations_dir)
    done = applied(con)
    # First: a warehouse of a newer news-etl says so, whatever else differs (a rollback).
    unknown = set(done) - {m.version for m in migrations}
    if unknown:
        raise MigrationError(
            f"the warehouse has migrations {sorted(unknown)} that this code does not know: "
            "it was built by a newer news-etl"
        )
    earlier = superseded(migrations_dir)
    outdated: list[Migration] = []
    for migration in migrations:
        if migration.version in done and done[migration.version] != migration.checksum:
            if done[migration.version] in earlier.get(migration.version, set()):
                outdated.append(migration)
                continue
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} was changed after it was "
                "applied; add a new migration instead of editing an old one"
            )
    if outdated:  # first, so that pending migrations find what the current texts define
        _redefine(con, [m for m in migrations if m.version in done], outdated)
    pending = [m for m in migrations if m.version not in done]
    if not pending:
        return []
    # One transaction for them all: a warehouse is at its schema before or after, never
    # between. Each committed apart, an init stopped by Ctrl-C left a new warehouse at schema 2
    # of 41, which status then failed to read (probe W3, session 46).
    con.execute("BEGIN TRANSACTION")
    try:
        _registry(con)
        for migration in pending:
            try:
                _run(con, migration.sql)
                con.execute(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)",
                    [migration.version, migration.name, migration.checksum],
                )
            except duckdb.Error as exc:
                raise MigrationError(
                    f"migration {migration.version:04d}_{migration.name} failed: {exc}"
                ) from exc
        try:
            con.execute("COMMIT")
        except duckdb.Error as exc:  # a DuckLake conflict: another writer migrated it first
            raise MigrationError(
                f"migrations {pending[0].version}..{pending[-1].version} failed to commit: {exc}"
            ) from exc
    except BaseException:
        # A failed COMMIT has already ended the transaction.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    return [m.version for m in pending]


def _redefine(
    con: duckdb.DuckDBPyConnection, migrations: list[Migration], outdated: list[Migration]
) -> None:
    """Run again every view, macro and comment statement of ``migrations`` (those the warehouse
    has applied) from the first of ``outdated`` on, in order (a ``CREATE`` as ``CREATE OR
    REPLACE``), so that its definitions are those a new warehouse of its version has, before a
    pending migration builds on them (a pending 0017 needed ``python_lower``, which only the
    current 0014 defines: review, session 41); undo what a superseded text did to stored rows
    (:data:`_ROWS_OF_SUPERSEDED`); then record the current texts of ``outdated``."""
    first = min(m.version for m in outdated)
    con.execute("BEGIN TRANSACTION")
    try:
        for migration in migrations:
            if migration.version < first:
                continue
            for statement in con.extract_statements(migration.sql):
                body = _LEADING_COMMENTS.sub("", statement.query, count=1)
                if not _DEFINITION.match(body):
                    continue
                _run(con, _REPLACEABLE.sub(r"CREATE OR REPLACE \1", body, count=1))
        for migration in outdated:
            if migration.version in _ROWS_OF_SUPERSEDED:
                con.execute(_ROWS_OF_SUPERSEDED[migration.version])
        for migration in outdated:
            con.execute(
                "UPDATE schema_migrations SET checksum = ? WHERE version = ?",
                [migration.checksum, migration.version],
            )
        con.execute("COMMIT")
    except duckdb.Error as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        names = ", ".join(f"{m.version:04d}_{m.name}" for m in outdated)
        raise MigrationError(
            f"bringing the definitions of {names} up to date failed: {exc}"
        ) from exc


def _run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Execute a migration's ``sql``: as written on a DuckDB file, adapted on a DuckLake."""
    from etl import lake

    if lake.is_lake(con):
        lake.execute_migration(con, sql)
    else:
        con.execute(sql)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this warehouse (0 for an empty database)."""
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not row or not row[0]:
        return 0
    top = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(top[0]) if top else 0
