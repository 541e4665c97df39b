"""Listing a landing zone: which raw files exist, their size, mtime, folder date and source.

A landing zone is a local folder or an object-storage URL (``s3://``, ``gs://``, ``memory://`` …)
read through fsspec; ``file://`` URLs are local folders. Both give the same :class:`LandingFile`
rows, and :func:`open_landing_file` reads either.
"""

from __future__ import annotations

import errno
import os
import re
import stat as stat_module
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import unquote, urlsplit

from etl.errors import LandingZoneError

_DATE_DIR = re.compile(r"\A(?:dt=)?(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)


class NotRegularFileError(OSError):
    """The path is a FIFO, socket, device or folder, not a regular file; ``kind`` says which."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"a {kind}, not a regular file")
        self.kind = kind


@dataclass(frozen=True)
class LandingFile:
    """One file found in a landing zone."""

    path: str  # POSIX path relative to the landing zone root
    size: int
    mtime_ns: int
    path_date: date | None  # from a ``YYYY-MM-DD/`` or ``dt=YYYY-MM-DD/`` folder
    outside: bool = False  # a symlink that resolves outside the landing zone
    special: str | None = None  # not a regular file ("FIFO", "socket", ...): never opened
    bad_name: bool = False  # not a UTF-8 path: ``path`` shows those bytes as \xNN; never opened
    #: a symlink to nothing or into a loop: where it points (:func:`broken_link`); never opened
    broken: str | None = None
    #: a folder (``special="folder"``) whose listing failed: the system's error; never entered
    unlisted: str | None = None


def broken_link(link: Path, loop: bool) -> str:
    """What a symlink to nothing (``loop``: one that leads back to itself) is: where it points."""
    target = str(link.readlink())
    if loop:
        return f"a symlink to {target!r} that leads back to itself (a loop)"
    return f"a symlink to {target!r}, which does not exist"


#: How many times its size a ``.gz`` file is counted at least when batches are planned: news
#: text compresses about three to eight to one (the ingest stage still refuses a file that
#: decompresses to more than the file-size limit).
GZIP_EXPANSION = 4


def is_gzip(path: str) -> bool:
    """Whether the file at ``path`` is named as gzip (``.gz``): the plan counts and the format
    is found by the name; the reader decompresses a file that starts with gzip's magic bytes."""
    return path.lower().endswith(".gz")


def planned_bytes(file: LandingFile, inflated: int | None = None) -> int:
    """The bytes ``file`` is counted at when batches are planned: a ``.gz`` file at the size its
    gzip trailer gives (``inflated``, :func:`gzip_sizes`), and at least :data:`GZIP_EXPANSION`
    times its own size (a trailer holds the size modulo 2**32, and of the last member only)."""
    if not is_gzip(file.path):
        return file.size
    return max(file.size * GZIP_EXPANSION, inflated or 0)


def gzip_sizes(landing: str | Path, files: Sequence[LandingFile]) -> dict[str, int]:
    """The uncompressed size each readable ``.gz`` file of ``files`` gives in its trailer (the
    last four bytes, little-endian), by path: one small read per file. News text compresses
    far more than :data:`GZIP_EXPANSION` to one (9.7 MB of JSONL into 58 KB): counted at four
    times their size, dozens of such files made one batch whose text needed gigabytes. A file
    that cannot be read here is left out (the ingest stage says why it cannot be read)."""
    sizes: dict[str, int] = {}
    for file in files:
        unread = file.special or file.bad_name or file.outside  # ingest never opens these
        if unread or not is_gzip(file.path) or file.size < 18:
            continue  # 18 bytes: gzip's smallest member (header and trailer)
        try:
            sizes[file.path] = int.from_bytes(_tail(landing, file.path, 4), "little")
        except Exception:  # gone, unreadable, a store's error: counted four times its size
            continue
    return sizes


def _tail(landing: str | Path, path: str, n: int) -> bytes:
    """The last ``n`` bytes of the file at ``path`` below ``landing``."""
    if is_remote(landing):
        from etl.storage import location

        where = location(str(landing)) / path
        data: bytes = where.fs.cat_file(where.path, start=-n)
        return data
    with (local_root(landing) / path).open("rb") as handle:
        handle.seek(-n, os.SEEK_END)
        return handle.read(n)


def batches_of(
    files: Sequence[LandingFile],
    max_files: int,
    max_bytes: int,
    inflated: dict[str, int] | None = None,
) -> list[list[LandingFile]]:
    """``files`` in order, cut into batches of at most ``max_files`` files and ``max_bytes``
    bytes (:func:`planned_bytes`, with the gzip trailers' sizes in ``inflated``); a file of more
    than ``max_bytes`` is a batch alone. A batch's memory in the text stage grows with its text,
    not with its number of files: a landing zone of a few large JSONL dumps would otherwise be
    one batch, in one process, however many workers the run has."""
    out: list[list[LandingFile]] = []
    batch: list[LandingFile] = []
    size = 0
    sizes = inflated or {}
    for file in files:
        weight = planned_bytes(file, sizes.get(file.path))
        if batch and (len(batch) == max_files or size + weight > max_bytes):
            out.append(batch)
            batch, size = [], 0
        batch.append(file)
        size += weight
    if batch:
        out.append(batch)
    return out


def special_kind(mode: int) -> str | None:
    """What a file of ``st_mode`` ``mode`` is when it is not a regular file, else ``None``."""
    if stat_module.S_ISREG(mode):
        return None
    kinds = (
        (stat_module.S_ISFIFO, "FIFO (named pipe)"),
        (stat_module.S_ISSOCK, "socket"),
        (stat_module.S_ISCHR, "character device"),
        (stat_module.S_ISBLK, "block device"),
        (stat_module.S_ISDIR, "folder"),
    )
    return next((name for test, name in kinds if test(mode)), "special file")


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


def folder_date_sql(path: str) -> str:
    """:func:`folder_date` in DuckDB SQL over the path expression ``path``: a DATE or NULL."""
    innermost = rf"regexp_extract({path}, '^(?:.*/)?(?:dt=)?(\d{{4}}-\d{{2}}-\d{{2}})/', 1)"
    return (
        f"CASE WHEN left({innermost}, 4) NOT IN ('', '0000') "  # year 0 is no date in Python
        f"THEN try_strptime({innermost}, '%Y-%m-%d')::DATE END"
    )


def is_remote(landing: str | Path) -> bool:
    """True for a landing zone given as a URL other than ``file://``."""
    text = str(landing)
    return "://" in text and not text.startswith("file://")


def local_root(landing: str | Path) -> Path:
    """The local folder of a landing zone given as a path or a ``file://`` URL."""
    text = str(landing)
    if text.startswith("file://"):
        return Path(unquote(urlsplit(text).path))
    return Path(landing)


def zone_name(landing: str | Path) -> str:
    """The last path component of the landing zone (its default source name)."""
    text = str(landing)
    return text.rstrip("/").rsplit("/", 1)[-1] or text


def source_name(relative_path: str, landing_root: str | Path) -> str:
    """The feed of a file: its first folder that is not a date folder, else the zone's name."""
    for part in relative_path.split("/")[:-1]:
        if not _DATE_DIR.match(part):
            return part
    return zone_name(landing_root)


def _fs(landing: str) -> tuple[Any, str]:
    import fsspec

    fs, root = fsspec.core.url_to_fs(landing)
    # equivalent as rstrip(None) (seed 1224): fsspec's file systems (local, memory, s3, gcs)
    # strip a trailing "/" from the path themselves; this strip guards one that would not
    return fs, str(root).rstrip("/")  # pragma: no mutate


def _mtime_ns(info: dict[str, Any]) -> int:
    for key in ("mtime", "LastModified", "updated", "created", "last_modified"):
        value = info.get(key)
        if value is None:
            continue
        if hasattr(value, "timestamp"):
            return int(value.timestamp() * 1_000_000_000)
        try:
            return int(float(value) * 1_000_000_000)
        except (TypeError, ValueError):
            continue
    return 0


def _list_remote(landing: str) -> list[LandingFile]:
    fs, root = _fs(landing)
    try:
        if not fs.isdir(root):
            raise LandingZoneError(f"landing zone {landing} does not exist or is not a folder")
        entries = fs.find(root, detail=True)
    except OSError as exc:
        raise LandingZoneError(f"cannot list landing zone {landing}: {exc}") from exc
    found: list[LandingFile] = []
    for name, info in entries.items():
        relative = str(name).rstrip("/")[len(root) :].lstrip("/")
        if not relative or any(part.startswith(".") for part in relative.split("/")):
            continue
        if info.get("type", "file") != "file":
            continue
        size = int(info.get("size") or 0)
        found.append(LandingFile(relative, size, _mtime_ns(info), folder_date(relative)))
    found.sort(key=lambda f: f.path)
    return found


def open_landing_file(landing: str | Path, relative_path: str) -> IO[bytes]:
    """Open one landing file for binary reading, locally or through fsspec."""
    if is_remote(landing):
        fs, root = _fs(str(landing))
        handle: IO[bytes] = fs.open(f"{root}/{relative_path}", "rb")
        return handle
    # Non-blocking, so that a file swapped for a FIFO after listing cannot hang the open; the
    # caller checks what was opened (see etl.ingest.rawfile).
    fd = os.open(local_root(landing) / relative_path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    kind = special_kind(os.fstat(fd).st_mode)
    if kind is not None:
        os.close(fd)
        raise NotRegularFileError(kind)
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


class Readable(Protocol):
    """A binary stream (a file, a gzip stream)."""

    def read(self, size: int = -1, /) -> bytes: ...


#: The most :func:`read_at_most` asks a stream for at once.
_READ_PIECE = 8 * 1024 * 1024


def read_at_most(handle: Readable, limit: int) -> bytes:
    """The first ``limit + 1`` bytes of ``handle`` at most (one more than ``limit``: the file
    is larger), read in pieces: a buffered ``read(limit + 1)`` allocates its whole size first,
    and a limit of 100 GB (NEWS_ETL_MAX_FILE_BYTES as "no limit") failed every file with a
    MemoryError (probe, session 40)."""
    pieces: list[bytes] = []
    left = limit + 1
    while left > 0:
        piece = handle.read(min(left, _READ_PIECE))
        if not piece:
            break
        pieces.append(piece)
        left -= len(piece)
    return b"".join(pieces)


def _is_utf8(name: str) -> bool:
    """Whether a name read from the file system is valid UTF-8 (Python shows the bytes of
    one that is not as lone surrogates, which no UTF-8 table or file can hold)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _shown_name(name: str) -> str:
    """A name that is not UTF-8 as it can be stored and shown: each byte that is not UTF-8
    written ``\\xNN``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _is_link(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a symlink (as ``os.walk`` asks: an error answers no)."""
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _listed_folder(folder: str) -> tuple[list[os.DirEntry[str]], list[os.DirEntry[str]]]:
    """The entries of ``folder`` that are not hidden, as ``os.walk`` sorts them: its sub-folders
    (a link to a folder too), by name, and the rest; an :class:`OSError` for a folder whose
    listing fails (``os.walk`` skips it without a word: :func:`list_landing` lists it, to be
    refused; one that cannot be searched or whose path is too long stops the listing before).
    One ``scandir`` answers the kind of each entry and whether a file is a link without a
    system call per file (``os.walk`` with ``pathlib`` took ~30 us a file: 3 s of a
    100,000-file plan)."""
    folders: list[os.DirEntry[str]] = []
    others: list[os.DirEntry[str]] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:  # e.g. a link into a loop: listed as a file, as os.walk does
                is_dir = False
            (folders if is_dir else others).append(entry)
    folders.sort(key=lambda entry: entry.name)
    return folders, others


def _unlisted_folder(folder: str, prefix: str, error: OSError) -> LandingFile | None:
    """The folder ``folder`` (``prefix``: its path in the zone, with a trailing ``/``) whose
    listing failed with ``error``, as one entry (``special="folder"``, ``unlisted``: the
    system's error), so that ingest refuses it with a reason instead of the run not seeing its
    files without a word (up to session 54); ``None`` for a folder that is gone, or no longer
    a folder, since its parent was listed (skipped, as a file that vanished is)."""
    if isinstance(error, FileNotFoundError | NotADirectoryError):
        return None
    try:
        stat = os.lstat(folder)
    except OSError:
        return None
    relative = prefix.rstrip("/")
    bad_name = not _is_utf8(relative)
    if bad_name:  # shown as for a file (see list_landing); refused as a bad name first
        relative = _shown_name(relative)
    return LandingFile(
        relative,
        stat.st_size,
        stat.st_mtime_ns,
        folder_date(prefix),
        special="folder",
        bad_name=bad_name,
        unlisted=_system_error(error),
    )


def _system_error(error: OSError) -> str:
    """What the system said (``Permission denied``), without the path or the error number."""
    return error.strerror or type(error).__name__


def _linked_folders_outside(
    links: list[os.DirEntry[str]], prefix: str, real_root: Path
) -> list[LandingFile]:
    """The ``links`` to folders of a folder (``prefix``: its path in the zone, with a trailing
    ``/``) that lead outside the landing zone, each listed once as a folder (``outside``,
    ``special="folder"``: never entered, so ingest quarantines it instead of the run skipping
    its files without a word). A linked folder is never entered; one that leads inside the zone
    is another name for files listed under their own paths."""
    out: list[LandingFile] = []
    for entry in links:
        link = Path(entry.path)
        try:
            target = link.resolve()
        except (RuntimeError, OSError):  # cannot happen for a folder the listing saw; be safe
            continue
        if target.is_relative_to(real_root):
            continue
        relative = prefix + entry.name
        bad_name = not _is_utf8(relative)
        if bad_name:  # shown as for a file (see list_landing); refused as outside first
            relative = _shown_name(relative)
        stat = link.lstat()
        out.append(
            LandingFile(
                relative,
                stat.st_size,
                stat.st_mtime_ns,
                folder_date(relative + "/"),
                outside=True,
                special="folder",
                bad_name=bad_name,
            )
        )
    return out


def _listed_file(
    entry: os.DirEntry[str], prefix: str, day: date | None, real_root: Path
) -> LandingFile | None:
    """The :class:`LandingFile` of one entry that is not a folder (``prefix`` and ``day``: its
    folder's path in the zone and date); ``None`` for one to skip (a link to a folder inside
    the zone, a file that vanished since the listing)."""
    relative = prefix + entry.name
    if not _is_utf8(relative):  # listed by a name it can be stored under, never opened
        stat = entry.stat(follow_symlinks=False)
        return LandingFile(_shown_name(relative), stat.st_size, stat.st_mtime_ns, None,
                           bad_name=True)  # fmt: skip
    outside, broken, link = False, None, _is_link(entry)
    if link:
        full = Path(entry.path)
        try:
            target: Path | None = full.resolve()
        except (RuntimeError, OSError):  # a loop (Python < 3.13 raises RuntimeError)
            target = None
        outside = target is not None and not target.is_relative_to(real_root)
        if target is not None and not outside and target.is_dir():
            return None
    try:
        stat = entry.stat(follow_symlinks=not outside)
    except OSError as exc:
        # asked of the file system, not of the listing: a file that vanished since (or whose
        # folder went) is skipped, one that cannot be reached (a folder that cannot be searched,
        # a path longer than the system allows) stops the listing with its error, as before
        if not Path(entry.path).is_symlink():
            return None  # vanished between listing and stat
        # a symlink to nothing or a loop: listed (its own size and time), so that ingest
        # refuses it (broken_link) instead of skipping a file the producer meant to send
        stat = entry.stat(follow_symlinks=False)
        broken = broken_link(Path(entry.path), exc.errno == errno.ELOOP)
    special = None if outside or broken else special_kind(stat.st_mode)
    return LandingFile(relative, stat.st_size, stat.st_mtime_ns, day, outside, special,
                       broken=broken)  # fmt: skip


def list_landing(landing: str | Path) -> list[LandingFile]:
    """Every file below ``root`` (hidden files and folders skipped), sorted by path.

    Symlinks are followed only for the answer to "where does it point": one that resolves outside
    the landing zone is listed with ``outside=True`` so the ingest stage can quarantine it (a
    linked folder too, once, with ``special="folder"``: its files are never listed); one
    that points at nothing, or into a loop, is listed too, with ``broken`` saying where it
    points, so that ingest refuses it without opening it (``broken_link``).
    A path that is not UTF-8 is listed with ``bad_name`` set, under a name that shows its
    non-UTF-8 bytes as ``\\xNN``, so that ingest quarantines it without opening it. A
    FIFO, socket or device (found by ``stat``, never opened: opening a FIFO blocks) is listed
    with ``special`` set, so the ingest stage quarantines it with that reason. A folder whose
    listing fails (its permissions) is listed once, with ``unlisted`` set (the system's error),
    so that ingest refuses it; a zone that cannot be listed at all is a
    :class:`~etl.errors.LandingZoneError`.
    """
    if is_remote(landing):
        return _list_remote(str(landing))
    root = local_root(landing)
    if not root.is_dir():
        raise LandingZoneError(f"landing zone {root} does not exist or is not a folder")
    real_root = root.resolve()
    found: list[LandingFile] = []
    # The folders still to list, each with its path in the zone. A link to a folder is never
    # entered (as os.walk does by default): _linked_folders_outside lists it once.
    pending: list[tuple[str, str]] = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            folders, others = _listed_folder(folder)
        except OSError as exc:
            if not prefix:
                why = _system_error(exc)
                raise LandingZoneError(f"landing zone {root} cannot be listed: {why}") from exc
            unlisted = _unlisted_folder(folder, prefix, exc)
            if unlisted is not None:
                found.append(unlisted)
            continue
        # pathlib asks each folder's own lstat (a few per zone): a folder that cannot be
        # reached raises here, where os.walk's listing with pathlib raised, instead of being
        # skipped as one whose listing fails (review R2)
        is_link = [Path(f.path).is_symlink() for f in folders]
        found.extend(_linked_folders_outside(
            [f for f, link in zip(folders, is_link, strict=True) if link], prefix, real_root
        ))  # fmt: skip
        # popped in name order, depth first: os.walk's order, which rows with the same path
        # (a name shown with \xNN and a name written so) keep through the sort by path
        pending += [
            (f.path, f"{prefix}{f.name}/")
            for f, link in reversed(list(zip(folders, is_link, strict=True)))
            if not link
        ]
        day = folder_date(prefix)  # the folder's date: every file in it has the same
        for entry in others:
            file = _listed_file(entry, prefix, day, real_root)
            if file is not None:
                found.append(file)
    found.sort(key=lambda f: f.path)
    return found
