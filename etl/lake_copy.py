"""Move a DuckDB-file warehouse into a DuckLake: ``news-etl warehouse to-ducklake``.

The lake gets the schema from the same migrations (:func:`etl.warehouse.writer`), then every
table of the file is copied in one DuckLake transaction (one snapshot, named
``to-ducklake from <file>``), and each table is compared with :func:`etl.warehouse.table_checksum`
(row count and an order-independent hash of every row) before the command reports success. The
source is read under its writer lock, so no load changes it meanwhile; it is not modified. The
lake must be new (or hold no runs): copying into a loaded lake would mix two histories.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl import lake
from etl.errors import ConfigError, MigrationError
from etl.load.migrations import discover, schema_version
from etl.settings import Settings
from etl.warehouse import (
    connect,
    refuse_the_wrong_kind,
    table_checksum,
    transaction,
    writer,
    writer_lock,
)

#: Tables the copy leaves to the lake's own migrations (their rows differ only in when they
#: were written): the applied migrations.
OWN_TABLES = ("schema_migrations",)


@dataclass(frozen=True)
class CopiedTable:
    """One copied table: its row count, and whether its checksum equals the source's."""

    table: str
    rows: int
    equal: bool


def source_tables(file: Path) -> list[str]:
    """The base tables of the DuckDB file ``file`` that the copy moves, by name."""
    con = connect(file, read_only=True, wait_s=0)
    try:
        rows = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND NOT temporary ORDER BY table_name"
        ).fetchall()
    finally:
        con.close()
    return [str(r[0]) for r in rows if str(r[0]) not in OWN_TABLES]


@dataclass(frozen=True)
class LakeCopy:
    """What ``to-ducklake`` did: each table compared with the source, and whether the lake held
    the copy already (an earlier copy that committed, then was stopped: it is compared only)."""

    tables: list[CopiedTable]
    already: bool


def _same_runs(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the lake (``warehouse``) holds exactly the runs of the attached ``source``."""
    row = con.execute(
        "SELECT (SELECT count(*) FROM (SELECT run_id FROM warehouse.etl_run "
        "EXCEPT SELECT run_id FROM source.etl_run)) + (SELECT count(*) FROM (SELECT run_id "
        "FROM source.etl_run EXCEPT SELECT run_id FROM warehouse.etl_run))"
    ).fetchone()
    return row is not None and row[0] == 0


def copy_to_lake(source: Settings, target: Settings) -> LakeCopy:
    """Copy every table of ``source`` (a DuckDB-file warehouse) into the DuckLake ``target``;
    the per-table comparison. A lake that holds exactly the source's runs already (a copy that
    committed, then was stopped before its comparison: a repeat was refused, and no command
    checked the copy; probe) is compared, not copied again. Raises :class:`ConfigError` when the
    kinds are wrong or the lake holds other runs, :class:`MigrationError` when the file's schema
    is not the code's."""
    if source.target.is_lake or not target.target.is_lake:
        raise ConfigError("to-ducklake copies a DuckDB-file warehouse into a ducklake: URL")
    file = Path(source.target.location)
    if not file.exists():
        raise ConfigError(f"no warehouse at {file}")
    catalog = target.target.file
    if catalog is not None and catalog.exists() and catalog.samefile(file):
        # the source's own writer lock would be awaited for the whole lock timeout (probe)
        raise ConfigError(
            f"{target.target.display} is the source warehouse {file} itself: the target must "
            "be a new DuckLake catalog (another file, or ducklake:postgres:…)"
        )
    refuse_the_wrong_kind(target.target)  # at once, not after waiting for the source's lock
    latest = len(discover(source.migrations_dir))
    with writer_lock(source):
        probe = connect(file, read_only=True, wait_s=source.lock_timeout_s)
        try:
            version = schema_version(probe)
        finally:
            probe.close()
        if version != latest:
            raise MigrationError(
                f"{file} is at schema version {version}, this code at {latest}: run "
                f"`news-etl init --warehouse {file}` first"
            )
        tables = source_tables(file)
        with writer(target) as con:
            runs = con.execute("SELECT count(*) FROM etl_run").fetchone()
            path = str(file).replace("'", "''")
            con.execute(f"ATTACH '{path}' AS source (READ_ONLY)")
            try:
                if runs is not None and runs[0]:
                    if not _same_runs(con):
                        raise ConfigError(
                            f"{target.target.display} already holds {runs[0]} runs; copy into "
                            "a new lake"
                        )
                    # a copy that committed, then was stopped (while comparing, say): compare
                    return LakeCopy([_compare(con, table) for table in tables], already=True)
                # rolled back if stopped: the clean-up below then runs, and the cause is raised
                # (DETACH in the open transaction failed, hiding it)
                with transaction(con):
                    for table in tables:
                        con.execute(f'DELETE FROM "{table}"')
                        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM source."{table}"')
                    lake.name_commit(con, f"to-ducklake from {file}")
                return LakeCopy([_compare(con, table) for table in tables], already=False)
            finally:
                con.execute("USE warehouse")
                con.execute("DETACH source")


def _compare(con: duckdb.DuckDBPyConnection, table: str) -> CopiedTable:
    """Checksum ``table`` in the lake (``warehouse``) and in the attached ``source``."""
    con.execute("USE warehouse")
    copied = table_checksum(con, table)
    con.execute("USE source")
    original = table_checksum(con, table)
    con.execute("USE warehouse")
    return CopiedTable(table=table, rows=copied[0], equal=copied == original)
