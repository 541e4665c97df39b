"""Reading one landing file safely: size limit, change detection, gzip with a decompressed limit."""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path

from etl.ingest.landing import (
    LandingFile,
    NotRegularFileError,
    broken_link,
    is_remote,
    local_root,
    open_landing_file,
    read_at_most,
)

GZIP_MAGIC = b"\x1f\x8b"


class RawFileError(Exception):
    """The file cannot be read as it is; ``reason`` is the quarantine code."""

    def __init__(self, reason: str, detail: str, sha256: str | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.sha256 = sha256


@dataclass(frozen=True)
class RawFile:
    """The bytes of one file as read, their hash, and the decompressed payload."""

    sha256: str  # of the bytes in the landing zone (compressed, for .gz)
    size: int
    data: bytes  # what the adapters read (decompressed when gzip)
    compressed: bool


def _read_limited(landing: str | Path, file: LandingFile, limit: int) -> bytes:
    with open_landing_file(landing, file.path) as handle:
        raw = read_at_most(handle, limit)
    if len(raw) > limit:
        raise RawFileError("too_large", f"more than {limit} bytes (limit); not read further")
    return raw


def _stat(landing: str | Path, file: LandingFile) -> tuple[int, int] | None:
    if is_remote(landing):
        return None
    stat = (local_root(landing) / file.path).stat()
    return stat.st_size, stat.st_mtime_ns


def _unreadable_detail(landing: str | Path, file: LandingFile, exc: OSError) -> str:
    """Why a file could not be read; for a local symlink that broke after the listing (the
    listing refuses one broken before, :attr:`LandingFile.broken`), where it points."""
    if not is_remote(landing):
        path = local_root(landing) / file.path
        if path.is_symlink() and not path.exists():
            return broken_link(path, exc.errno == errno.ELOOP)
    return f"cannot read: {exc}"


def gunzip_limited(raw: bytes, limit: int) -> bytes:
    """Decompress gzip ``raw``, refusing more than ``limit`` decompressed bytes (gzip bombs)."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            data = read_at_most(stream, limit)
    except (OSError, EOFError, zlib.error) as exc:
        raise RawFileError("bad_gzip", f"not a valid gzip stream: {exc}") from exc
    if len(data) > limit:
        raise RawFileError(
            "too_large", f"decompresses to more than {limit} bytes (limit); a gzip bomb?"
        )
    return data


def read_raw(landing: str | Path, file: LandingFile, limit: int) -> RawFile:
    """Read ``file`` (at most ``limit`` bytes, compressed or not) and hash it.

    A local file whose size or mtime moved while it was read is read again; if the second read
    hashes differently it is refused (``changed_while_reading``) and left for the next run.
    """
    try:
        raw = _read_limited(landing, file, limit)
        after = _stat(landing, file)
        sha256 = hashlib.sha256(raw).hexdigest()
        if after is not None and after != (file.size, file.mtime_ns):
            again = _read_limited(landing, file, limit)
            if hashlib.sha256(again).hexdigest() != sha256:
                raise RawFileError(
                    "changed_while_reading",
                    "the file changed while it was being read (its hash differs between two "
                    "reads); it is read again on the next run",
                )
    except NotRegularFileError as exc:
        raise RawFileError("not_regular", f"{exc}: never opened for reading") from exc
    except OSError as exc:
        raise RawFileError("unreadable", _unreadable_detail(landing, file, exc)) from exc
    if raw.startswith(GZIP_MAGIC):
        try:
            data = gunzip_limited(raw, limit)
        except RawFileError as exc:
            exc.sha256 = sha256
            raise
        return RawFile(sha256, len(raw), data, True)
    return RawFile(sha256, len(raw), raw, False)
