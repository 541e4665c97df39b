"""What killed runs leave behind: staging folders and half-built Data Docs, found and removed.

A run stages its work in ``<staging_root>/<run_id>/`` and builds its GX Data Docs in
``<reports>/<run_id>/data_docs.tmp`` before moving them into place; a run that is killed
(SIGKILL, a lost machine) leaves both, and no ``etl_run`` row. Each new run looks for them first
(:func:`find_abandoned`); the pipeline records such a run as ``abandoned`` and removes its files.

Whether a staging folder is still in use is decided by a lock, never by guessing:

* a run done in one process (``news-etl run``, backfills, the demo) holds an exclusive lock on
  ``<staging folder>/.owner.lock`` from before its plan is written until it ends; the kernel
  drops the lock when the process dies, however it dies, so an unlocked folder of such a run
  is abandoned;
* a run split over processes (Airflow's tasks) holds no lock between its steps, so its folder
  counts as abandoned only once nothing in it has changed for ``abandoned_after_s`` seconds;
* a folder kept on purpose after its load (``NEWS_ETL_KEEP_STAGING``) is marked ``.kept``.

**Staging on object storage** (``s3://…``, see :mod:`etl.storage`) has no lock a dead process
gives back, so there no run holds an owner lock: every run's folder (one-process runs included)
counts as abandoned only once none of its objects has changed for ``abandoned_after_s`` seconds
(object stores keep each object's last-modified time). A run that writes nothing for that long
(6 hours by default) would be taken for dead: raise the setting for runs that can. Data Docs
stay local (``reports_dir``), so their half-built folders are removed as before.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from filelock import BaseFileLock, FileLock

from etl.errors import NewsEtlError
from etl.storage import Location, location
from etl.target import WarehouseTarget, parse_target, redact

OWNER_LOCK = ".owner.lock"
#: A run's plan (:class:`etl.load.staging.RunStaging`), the folder of its steps' failure notes
#: (:func:`etl.pipeline.note_failure`) and the file naming whose verdicts a replay saved there
#: (:mod:`etl.load.replay`).
PLAN_FILE = "plan.json"
FAILURES_DIR = "failures"
REPLAY_SAVED_FOR = "replay_forgotten.json"
#: Written into a staging folder kept on purpose (``NEWS_ETL_KEEP_STAGING``) after its load.
KEPT = ".kept"
DOCS_TMP = "data_docs.tmp"


@dataclass(frozen=True)
class Abandoned:
    """A staging folder no live run owns."""

    run_id: str
    staging: Location
    plan: dict[str, Any] | None  # the run's plan.json, when it got that far
    size_bytes: int


def own(staging: str | Path | Location) -> BaseFileLock | None:
    """Take the owner lock of a run's local staging folder (created if needed); release it at
    the end. ``None`` for staging on object storage, which has no such lock (module docstring).

    Raises ``filelock.Timeout`` if another process owns the folder.
    """
    where = location(staging)
    if not where.is_local:
        return None
    folder = where.local_path
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / OWNER_LOCK), timeout=0)
    lock.acquire()
    return lock


def is_owned(staging: str | Path | Location) -> bool:
    """Whether a live process holds the owner lock of ``staging`` (probed without waiting);
    always ``False`` on object storage."""
    from etl.output import flock_held

    where = location(staging)
    return where.is_local and flock_held(where.local_path / OWNER_LOCK) is True


def _size_and_age(folder: Location, now: float) -> tuple[int, float]:
    """Total bytes below ``folder`` and seconds since anything in it last changed."""
    if not folder.is_local:
        entries = folder.files()
        newest = max((e.modified or 0.0 for e in entries), default=0.0)
        return sum(e.size for e in entries), now - newest
    root = folder.local_path
    size, newest = 0, root.stat().st_mtime
    for path in root.rglob("*"):
        try:
            stat = path.stat()
        except OSError:
            continue
        newest = max(newest, stat.st_mtime)
        size += stat.st_size if path.is_file() else 0
    return size, now - newest


def _plan(folder: Location) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / PLAN_FILE).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


#: What a run writes into its staging folder before anything else: the owner lock (a run in
#: one process, first of all), its plan, a replay's forgotten verdicts, a step's failure note.
RUN_MARKS = (OWNER_LOCK, PLAN_FILE, REPLAY_SAVED_FOR, FAILURES_DIR)


def is_a_runs(folder: Location) -> bool:
    """Whether ``folder`` is a run's staging folder: it holds one of :data:`RUN_MARKS`. Any
    other folder under the staging root is not this project's to remove: with the staging
    setting naming the landing zone (or left empty: the working folder), its day folders, raw
    files and all, were taken for abandoned runs and deleted (probe)."""
    return any((folder / mark).exists() for mark in RUN_MARKS)


def find_abandoned(staging_root: str | Path | Location, idle_after_s: float) -> list[Abandoned]:
    """Staging folders under ``staging_root`` (a folder or an object-storage URL) whose run is
    over without having cleaned up."""
    now = time.time()
    found: list[Abandoned] = []
    for folder in location(staging_root).children():
        if not is_a_runs(folder) or is_owned(folder) or (folder / KEPT).exists():
            continue
        plan = _plan(folder)
        try:
            size, idle = _size_and_age(folder, now)
        except OSError:
            continue  # removed meanwhile
        one_process = folder.is_local and (folder / OWNER_LOCK).exists()
        if one_process or idle >= idle_after_s:
            found.append(Abandoned(folder.name, folder, plan, size))
    return found


def remove(item: Abandoned, reports_root: Path) -> bool:
    """Delete an abandoned run's staging folder and its half-built Data Docs (always local);
    whether there were such Data Docs."""
    docs = reports_root / item.run_id / DOCS_TMP
    had_docs = docs.exists()
    shutil.rmtree(docs, ignore_errors=True)
    item.staging.remove()
    return had_docs


def files_planned(batches: list[list[Any]]) -> int:
    """The new files a plan gave its run to read: those of its ``batches``."""
    return sum(len(batch) for batch in batches)


def same_warehouse(plan: dict[str, Any] | None, target: WarehouseTarget) -> bool:
    """Whether a leftover run's plan loaded into the warehouse ``target`` (a plan-less folder,
    killed before it planned, holds nothing to record or keep: any run may remove it). Runs
    into other warehouses may share a staging root (an Airflow run whose ``warehouse`` param
    differs): their leftovers are theirs to record, not this warehouse's."""
    if plan is None:
        return True
    try:  # as one notion (etl.target): a DuckDB file, a DuckLake catalog file, a Postgres one
        theirs = parse_target(str(plan.get("settings", {}).get("warehouse", "")))
    except (ValueError, NewsEtlError):
        return False
    if theirs.kind != target.kind:
        return False
    if theirs.file is not None and target.file is not None:
        return theirs.file.resolve() == target.file.resolve()
    return redact(theirs.location) == redact(target.location)


def noted_failures(staging_dir: str | Path | Location) -> list[dict[str, str]]:
    """The failures the run's steps noted (``etl.pipeline.note_failure``), earliest first."""
    files = (location(staging_dir) / FAILURES_DIR).files()
    notes = [json.loads(f.location.read_text()) for f in files if f.location.name.endswith(".json")]
    return sorted(notes, key=lambda n: (n["at"], n["step"]))


def _last_failure(folder: Location) -> str | None:
    """``step: error`` of the last failure ``folder``'s run noted, or None (none, or unreadable:
    ``status`` then says what it can without it)."""
    try:
        notes = noted_failures(folder)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return f"{notes[-1]['step']}: {notes[-1]['error']}" if notes else None


class Liveness(StrEnum):
    """Whether the run of an unrecorded staging folder still runs, as its owner lock tells."""

    RUNNING = "running"  # a live process holds its owner lock
    STOPPED = "stopped"  # a one-process run whose owner lock is free: its process died
    UNKNOWN = "unknown"  # no owner lock (an Airflow run, split over processes): cannot tell


@dataclass(frozen=True)
class Unfinished:
    """The staging folder of a run that has not cleaned up, as ``status`` shows it."""

    run_id: str
    plan: dict[str, Any] | None  # the run's plan.json, when it got that far
    liveness: Liveness
    failure: str | None = None  # ``step: error`` of the last failure it noted, if any


def _liveness(folder: Location) -> Liveness:
    """How ``folder``'s owner lock stands (probed without waiting, created never)."""
    if is_owned(folder):
        return Liveness.RUNNING
    return Liveness.STOPPED if (folder / OWNER_LOCK).exists() else Liveness.UNKNOWN


def unfinished(staging_root: str | Path | Location, target: WarehouseTarget) -> list[Unfinished]:
    """The run staging folders into ``target`` under a local ``staging_root`` (not those kept on
    purpose), with whether their run still runs; for ``status``, so read-only and cheap: one
    listing of the root and a few looks into each run's folder (its plan read, its files never
    walked), nothing created, no lock taken but the owner lock's probe. Staging on object
    storage is not looked at (a look there goes over the network): none."""
    root = location(staging_root)
    if not root.is_local:
        return []
    found: list[Unfinished] = []
    try:
        folders = root.children()
    except OSError:  # unreadable: status says what it can without it
        return []
    for folder in folders:
        try:
            if not is_a_runs(folder) or (folder / KEPT).exists():
                continue
            plan = _plan(folder)
            if same_warehouse(plan, target):
                found.append(
                    Unfinished(folder.name, plan, _liveness(folder), _last_failure(folder))
                )
        except OSError:  # removed meanwhile, or not ours to read
            continue
    return found
