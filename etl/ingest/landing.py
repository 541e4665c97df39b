"""Listing a landing zone: which raw files exist, their size, mtime, folder date and source."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etl.errors import LandingZoneError

_DATE_DIR = re.compile(r"\A(?:dt=)?(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)


@dataclass(frozen=True)
class LandingFile:
    """One file found in a landing zone."""

    path: str  # POSIX path relative to the landing zone root
    size: int
    mtime_ns: int
    path_date: date | None  # from a ``YYYY-MM-DD/`` or ``dt=YYYY-MM-DD/`` folder
    outside: bool = False  # a symlink that resolves outside the landing zone


def folder_date(relative_path: str) -> date | None:
    """The date of the innermost ``YYYY-MM-DD`` or ``dt=YYYY-MM-DD`` folder in the path, if any."""
    for part in reversed(relative_path.split("/")[:-1]):
        match = _DATE_DIR.match(part)
        if match:
            try:
                return date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
    return None


def source_name(relative_path: str, landing_root: Path) -> str:
    """The feed of a file: its first folder that is not a date folder, else the zone's name."""
    for part in relative_path.split("/")[:-1]:
        if not _DATE_DIR.match(part):
            return part
    return landing_root.name or str(landing_root)


def list_landing(root: Path) -> list[LandingFile]:
    """Every regular file below ``root`` (hidden files and folders skipped), sorted by path.

    Symlinks are followed only for the answer to "where does it point": one that resolves outside
    the landing zone is listed with ``outside=True`` so the ingest stage can quarantine it.
    """
    if not root.is_dir():
        raise LandingZoneError(f"landing zone {root} does not exist or is not a folder")
    real_root = root.resolve()
    found: list[LandingFile] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if name.startswith("."):
                continue
            full = Path(dirpath) / name
            relative = full.relative_to(root).as_posix()
            outside = False
            if full.is_symlink():
                target = full.resolve()
                outside = not target.is_relative_to(real_root)
                if not outside and not target.is_file():
                    continue
            try:
                stat = full.stat() if not outside else full.lstat()
            except OSError:
                continue  # vanished between listing and stat
            found.append(
                LandingFile(
                    relative, stat.st_size, stat.st_mtime_ns, folder_date(relative), outside
                )
            )
    found.sort(key=lambda f: f.path)
    return found
