"""Keep a DuckLake warehouse compact: ``news-etl warehouse maintain``.

DuckLake never rewrites or removes a data file by itself. Every load adds its own small Parquet
files (about 30 a run, one or two per table it writes), a rebuilt day leaves the files it
replaced behind for time travel, and a load that was killed or lost a commit conflict leaves
files nothing in the catalog names (orphans). A year of daily runs is over 10,000 small files,
and every analyst query opens all of the ones it reads. :func:`maintain` runs DuckLake's own
maintenance functions, in this order:

1. ``ducklake_merge_adjacent_files``: each table's small files merged into fewer, larger ones.
   Time travel is unchanged: a row keeps the snapshots it belongs to.
2. ``ducklake_rewrite_data_files``: files of which many rows were deleted are rewritten without
   them.
3. With ``expire_after``: ``ducklake_expire_snapshots`` of the snapshots older than that (time
   travel to them ends; ``etl_run_snapshot`` keeps its rows as history). Off by default: the
   warehouse "as of a run" is a documented feature.
4. ``ducklake_cleanup_old_files`` (files the steps above, or earlier runs of this command,
   scheduled for deletion) and ``ducklake_delete_orphaned_files``, each only for files older
   than ``grace`` (default 24 hours): a reader that began before step 1 still finds the files it
   is reading, and a load that is writing its files right now never loses them. So the files
   one run of this command replaces are deleted by its next run, a day or more later.

It holds the warehouse's writer lock (a file catalog; a Postgres catalog takes none, and a
conflict with a concurrent load is the retryable ``LakeCommitConflictError``). The data read by
any query is the same before and after (tested table by table, and as of every snapshot). A
DuckDB-file warehouse needs none of this (DuckDB reuses freed blocks in place): the command
only runs ``CHECKPOINT`` there, folding its write-ahead log into the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import duckdb

from etl.errors import ConfigError
from etl.lake import ALIAS, stored_data_path
from etl.settings import Settings
from etl.storage import location
from etl.warehouse import warehouse_exists, writer

#: How old a file no snapshot needs must be before it is deleted (see the module docstring).
DEFAULT_GRACE = timedelta(hours=24)

_METADATA = f"__ducklake_metadata_{ALIAS}"


@dataclass(frozen=True)
class LakeFiles:
    """A DuckLake's files: those the current snapshot reads (``live``, from the catalog), every
    file in its data path (``stored``: also those only time travel needs, those waiting to be
    deleted and orphans) with their bytes (a listing of the folder or bucket), its snapshots."""

    live: int
    stored: int
    stored_bytes: int
    snapshots: int


@dataclass(frozen=True)
class Maintained:
    """What :func:`maintain` did: the lake's files before and after (``None`` for a DuckDB
    file), files merged into new ones, rewritten, snapshots expired, and files deleted because
    no snapshot needs them or no catalog entry names them."""

    warehouse: str
    grace: timedelta = DEFAULT_GRACE
    before: LakeFiles | None = None
    after: LakeFiles | None = None
    merged_files: int = 0
    created_files: int = 0
    rewritten_files: int = 0
    expired_snapshots: int = 0
    deleted_files: int = 0
    orphans_deleted: int = 0

    def summary(self) -> str:
        """One line: what was merged, rewritten, expired and deleted (a file: checkpointed)."""
        if self.before is None or self.after is None:
            return f"{self.warehouse}: a DuckDB file; checkpointed (freed space is reused in place)"
        hours = self.grace.total_seconds() / 3600
        # With a grace period, what this run replaced is younger than it and stays until a later
        # run; without one it went now (the note said "at the next run" either way: probe).
        when = (
            f"of those older than {hours:g} h (what this run replaced goes at the next run)"
            if hours > 0
            else "whatever their age (what this run replaced went too)"
        )
        return (
            f"merged {self.merged_files:,} files into {self.created_files:,} · rewrote "
            f"{self.rewritten_files:,} · expired {self.expired_snapshots:,} snapshots · deleted "
            f"{self.deleted_files:,} files no snapshot needs and {self.orphans_deleted:,} orphans, "
            f"{when}"
        )


def lake_files(con: duckdb.DuckDBPyConnection) -> LakeFiles:
    """The figures of :class:`LakeFiles` for the lake attached as ``warehouse``."""
    row = con.execute(
        f"SELECT (SELECT count(*) FROM {_METADATA}.ducklake_data_file WHERE end_snapshot IS NULL),"
        f" (SELECT count(*) FROM {_METADATA}.ducklake_snapshot)"
    ).fetchone()
    assert row is not None
    data_path = stored_data_path(con)
    files = location(data_path).files() if data_path is not None else []
    return LakeFiles(int(row[0]), len(files), sum(f.size for f in files), int(row[1]))


def maintain(
    settings: Settings, *, grace: timedelta = DEFAULT_GRACE, expire_after: timedelta | None = None
) -> Maintained:
    """Compact the warehouse of ``settings`` (see the module docstring); raises
    :class:`ConfigError` when there is no warehouse or a duration is negative."""
    target = settings.target
    if not warehouse_exists(target, settings.lock_timeout_s):
        raise ConfigError(f"no warehouse at {target.display}")
    if grace < timedelta(0) or (expire_after is not None and expire_after < timedelta(0)):
        raise ConfigError("--grace and --expire-after must not be negative")
    with writer(settings) as con:
        if not target.is_lake:
            con.execute("CHECKPOINT")
            return Maintained(target.display, grace)
        before = lake_files(con)
        merged = _calls(con, f"CALL ducklake_merge_adjacent_files('{ALIAS}')")
        rewritten = _calls(con, f"CALL ducklake_rewrite_data_files('{ALIAS}')")
        expired: list[tuple[object, ...]] = []
        if expire_after is not None:
            expired = _calls(
                con, f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => ?)", [expire_after]
            )
        deleted = _calls(
            con, f"CALL ducklake_cleanup_old_files('{ALIAS}', older_than => ?)", [grace]
        )
        orphans = _calls(
            con, f"CALL ducklake_delete_orphaned_files('{ALIAS}', older_than => ?)", [grace]
        )
        return Maintained(
            target.display,
            grace,
            before=before,
            after=lake_files(con),
            merged_files=sum(int(str(r[2])) for r in merged),
            created_files=sum(int(str(r[3])) for r in merged),
            rewritten_files=sum(int(str(r[2])) for r in rewritten),
            expired_snapshots=len(expired),
            deleted_files=len(deleted),
            orphans_deleted=len(orphans),
        )


def _calls(
    con: duckdb.DuckDBPyConnection, sql: str, ages: list[timedelta] | None = None
) -> list[tuple[object, ...]]:
    """Run one maintenance call in its own transaction; an age parameter becomes the moment
    that long ago (``now() - age``)."""
    if ages:
        sql = sql.replace("?", "now() - ?::INTERVAL")
    return [tuple(r) for r in con.execute(sql, ages or []).fetchall()]
