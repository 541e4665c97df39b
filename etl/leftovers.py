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
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import BaseFileLock, FileLock

OWNER_LOCK = ".owner.lock"
#: Written into a staging folder kept on purpose (``NEWS_ETL_KEEP_STAGING``) after its load.
KEPT = ".kept"
DOCS_TMP = "data_docs.tmp"


@dataclass(frozen=True)
class Abandoned:
    """A staging folder no live run owns."""

    run_id: str
    staging: Path
    plan: dict[str, Any] | None  # the run's plan.json, when it got that far
    size_bytes: int


def own(staging: Path) -> BaseFileLock:
    """Take the owner lock of a run's staging folder (created if needed); release it at the end.

    Raises ``filelock.Timeout`` if another process owns the folder.
    """
    staging.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(staging / OWNER_LOCK), timeout=0)
    lock.acquire()
    return lock


def is_owned(staging: Path) -> bool:
    """Whether a live process holds the owner lock of ``staging`` (probed without waiting)."""
    try:
        fd = os.open(staging / OWNER_LOCK, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the probe's own lock
    return False


def _size_and_age(folder: Path, now: float) -> tuple[int, float]:
    """Total bytes below ``folder`` and seconds since anything in it last changed."""
    size, newest = 0, folder.stat().st_mtime
    for path in folder.rglob("*"):
        try:
            stat = path.stat()
        except OSError:
            continue
        newest = max(newest, stat.st_mtime)
        size += stat.st_size if path.is_file() else 0
    return size, now - newest


def _plan(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def find_abandoned(staging_root: Path, idle_after_s: float) -> list[Abandoned]:
    """Staging folders under ``staging_root`` whose run is over without having cleaned up."""
    if not staging_root.is_dir():
        return []
    now = time.time()
    found: list[Abandoned] = []
    for folder in sorted(p for p in staging_root.iterdir() if p.is_dir()):
        if is_owned(folder) or (folder / KEPT).exists():
            continue
        plan = _plan(folder)
        try:
            size, idle = _size_and_age(folder, now)
        except OSError:
            continue  # removed meanwhile
        one_process = (folder / OWNER_LOCK).exists()
        if one_process or idle >= idle_after_s:
            found.append(Abandoned(folder.name, folder, plan, size))
    return found


def remove(item: Abandoned, reports_root: Path) -> None:
    """Delete an abandoned run's staging folder and its half-built Data Docs."""
    shutil.rmtree(reports_root / item.run_id / DOCS_TMP, ignore_errors=True)
    shutil.rmtree(item.staging, ignore_errors=True)
