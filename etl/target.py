"""Where the warehouse lives: a DuckDB file, or a DuckLake (catalog in Postgres or in a file).

``NEWS_ETL_WAREHOUSE`` (``--warehouse``) is either a path (the single-file DuckDB warehouse, the
default) or a DuckLake URL:

* ``ducklake:postgres:dbname=news host=db.example port=5432 user=etl`` -- the catalog in
  PostgreSQL (libpq key=value words; a password is better given by ``PGPASSWORD`` or
  ``~/.pgpass`` than in the URL). Several writers on several machines may commit to it.
* ``ducklake:/path/catalog.ducklake`` -- the catalog in a DuckDB file, for tests and laptops.
  Like the single-file warehouse it has one writer at a time (DuckDB locks the catalog file), so
  the writer lock applies to it too.

:func:`parse_target` turns the setting into one :class:`WarehouseTarget`; code that needs a
local folder (the writer lock, the default staging and reports folders) asks it for
``local_dir``: the DuckDB file's folder, the catalog file's folder, or, for a Postgres catalog,
``warehouse/`` in the project (override the two folders with ``NEWS_ETL_STAGING_DIR`` and
``NEWS_ETL_REPORTS_DIR``). This module imports nothing heavy: settings validation uses it.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

#: The prefix of every DuckLake URL.
DUCKLAKE_PREFIX = "ducklake:"
_POSTGRES = "postgres:"
#: The folder for a Postgres-catalog DuckLake's local files (staging, reports): ``warehouse/``.
DEFAULT_LOCAL_DIR = Path(__file__).resolve().parent.parent / "warehouse"
#: A libpq value: single-quoted (with backslash escapes), or every character up to a space that
#: no backslash escapes (libpq reads ``password=a\\ b`` as ``a b``).
_LIBPQ_QUOTED = r"'(?:[^'\\]|\\.)*'"
_LIBPQ_BARE = r"(?:\\.?|[^\s\\])+"
_LIBPQ_VALUE = f"({_LIBPQ_QUOTED}|{_LIBPQ_BARE})"
#: libpq ``key=value`` words.
_LIBPQ_WORD = re.compile(r"\s*([A-Za-z_]+)\s*=\s*" + _LIBPQ_VALUE)
_OTHER_CATALOG = re.compile(r"^(sqlite|mysql|duckdb|md|motherduck):", re.I)
#: A libpq ``password`` word, wherever it stands (DuckDB repeats the whole connection string in
#: its errors); a quote that does not close masks the rest of its line.
_PASSWORD = re.compile(rf"(\bpassword\s*=\s*)(?:{_LIBPQ_QUOTED}|'.*|{_LIBPQ_BARE})", re.I)
#: A URL's scheme and what may be its authority (``scheme://user:password@host:port``), up to
#: the path, a space or the next URL's scheme (``…@h1,postgresql://v:q2@h2``); where it ends
#: otherwise depends on the scheme (:func:`_mask_url_password`).
_URL_AUTHORITY = re.compile(r"\b([a-zA-Z][\w+.-]*://)((?:(?![a-zA-Z][\w+.-]*://)[^/\s])*)")
#: Schemes whose user information runs to the ``/`` before the path (libpq's reading: a
#: PostgreSQL password may hold ``?`` and ``#``); in any other URL it ends at the query or the
#: fragment, as in RFC 3986 (``http://host:8080?mail=a@b.com`` has no user).
_LIBPQ_SCHEMES = ("postgres://", "postgresql://")


#: What :func:`redact` puts in place of a password.
MASK = "***"
#: A ``password=`` word whose value :func:`redact` masked.
_MASKED_PASSWORD = re.compile(r"\bpassword\s*=\s*" + re.escape(MASK) + r"(?=\s|$)", re.I)
#: The Postgres-catalog URLs with a password this process was given (its settings, ``--warehouse``),
#: by their masked form: what :func:`unmask` puts back.
_GIVEN: dict[str, str] = {}


def redact(text: str) -> str:
    """``text`` with the value of every libpq ``password=`` word, and the password of every
    URL's user (``postgresql://user:***@host``), masked as ``***``: a DuckLake URL may carry
    one, DuckDB's errors quote the URL, and a holder's command line may hold a URL."""
    return _PASSWORD.sub(r"\1" + MASK, _URL_AUTHORITY.sub(_mask_url_password, text))


def _mask_url_password(url: re.Match[str]) -> str:
    """The scheme and authority of ``url`` with the user's password masked: the user
    information ends at the authority's last ``@`` (a password may hold ``@``:
    ``postgresql://u:p@ss@host``) and the password begins after its first ``:`` (a user name
    may hold ``@``: Azure's ``etl@myserver:secret@myserver.postgres.database.azure.com``)."""
    scheme, authority = url.group(1), url.group(2)
    if scheme.lower() not in _LIBPQ_SCHEMES:
        authority = re.split(r"[?#]", authority, maxsplit=1)[0]
    userinfo, at, host = authority.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    if not (at and colon):
        return url.group(0)
    return f"{scheme}{user}:{MASK}@{host}" + url.group(2)[len(authority) :]


def has_masked_password(text: str) -> bool:
    """Whether ``text`` holds a ``password=***`` that :func:`redact` wrote."""
    return _MASKED_PASSWORD.search(text) is not None


def unmask(location: str) -> str:
    """The normalised Postgres-catalog URL ``location`` with its masked password put back.

    What the project stores or announces (a run's ``plan.json``, an Airflow Asset event's extra)
    names the warehouse with its password masked; the process that reads it back gets the
    password from a URL it was given itself: its settings or ``--warehouse`` (remembered by
    :func:`parse_target`) or ``NEWS_ETL_WAREHOUSE``, when that URL masks to the same text.
    ``location`` comes back unchanged when none does (connecting then refuses it, saying why);
    a URL without a masked password is returned as it is.
    """
    if not has_masked_password(location):
        return location
    if location not in _GIVEN:
        # Not from the settings, whose validation runs this (etl.settings.DIRECT_READS).
        given = os.environ.get("NEWS_ETL_WAREHOUSE", "")
        if given.startswith(DUCKLAKE_PREFIX) and not has_masked_password(given):
            with contextlib.suppress(ValueError):  # a bad setting says so where it is read
                parse_target(given)  # remembers it
    return _GIVEN.get(location, location)


@dataclass(frozen=True)
class WarehouseTarget:
    """One warehouse location (see the module docstring)."""

    kind: Literal["file", "ducklake"]
    #: The DuckDB file's absolute path, or the normalised DuckLake URL.
    location: str
    #: The folder for local files: the writer lock, default staging and reports folders.
    local_dir: Path
    #: For DuckLake: ``file`` (a DuckDB catalog file) or ``postgres``.
    catalog: Literal["file", "postgres"] | None = None
    #: DuckLake's DATA_PATH (a folder ending in ``/`` or an object-storage URL), if known.
    data_path: str | None = None

    @property
    def is_lake(self) -> bool:
        """Whether this is a DuckLake warehouse."""
        return self.kind == "ducklake"

    @property
    def file(self) -> Path | None:
        """The DuckDB file: the warehouse itself, or a DuckLake's catalog file; else ``None``."""
        if self.kind == "file":
            return Path(self.location)
        if self.catalog == "file":
            return Path(self.location[len(DUCKLAKE_PREFIX) :])
        return None

    @property
    def uses_lock(self) -> bool:
        """Whether writers queue on the file lock: every DuckDB file has one writer at a time
        (the warehouse file, or a DuckLake catalog file); a Postgres catalog takes concurrent
        writers, which commit optimistically."""
        return self.file is not None

    @property
    def lock_path(self) -> Path:
        """The writer lock file: next to the DuckDB file, else in the local folder."""
        file = self.file
        if file is not None:
            return file.with_name(file.name + ".lock")
        return self.local_dir / "ducklake.lock"

    @property
    def display(self) -> str:
        """The location for messages, with any ``password=`` value masked."""
        return redact(self.location)

    def exists(self) -> bool:
        """Whether the warehouse exists: its DuckDB file or catalog file; a Postgres catalog is
        assumed to (the database is created by its administrator; the catalog tables by the
        first writer)."""
        file = self.file
        return file.exists() if file is not None else True


def libpq_words(conninfo: str) -> dict[str, str]:
    """The ``key=value`` words of a libpq connection string; ``ValueError`` if it is not one."""
    words: dict[str, str] = {}
    position = 0
    text = conninfo.strip()
    while position < len(text):
        match = _LIBPQ_WORD.match(text, position)
        if match is None:
            raise ValueError(f"not a libpq key=value connection string: {conninfo!r}")
        words[match[1].lower()] = match[2]
        position = match.end()
        while position < len(text) and text[position].isspace():
            position += 1
    return words


def local_path(text: str | Path) -> Path:
    """``text`` as an absolute local path, ``~`` expanded; ``ValueError`` (a settings error)
    when ``~user`` names no user or no home can be found (it was "unexpected RuntimeError …
    a bug in news-etl"; probe)."""
    try:
        return Path(text).expanduser().absolute()
    except RuntimeError as exc:  # Path.expanduser: "Could not determine home directory."
        raise ValueError(f"{str(text)!r} cannot be expanded: {exc}") from exc


def _database_file(text: str, given: str) -> Path:
    """The absolute path of the database file ``text`` (of the setting ``given``); ``ValueError``
    when it names no file: empty (it was the current folder), ending in ``/`` (a folder: a
    writer created a file of that name without the slash), or an existing folder."""
    if not text.strip():
        raise ValueError(
            "the warehouse is empty: give a DuckDB file (such as warehouse/news.duckdb) or a "
            "ducklake: URL"
        )
    path = local_path(text)
    if text.endswith(("/", os.sep)) or path.is_dir():
        raise ValueError(
            f"the warehouse {given!r} names a folder, not a database file: give a file in it, "
            f"such as {str(path / 'news.duckdb')!r}"
        )
    try:
        mode = path.stat().st_mode
    except OSError:
        return path  # not there yet (created by the first writer), or left to its open to judge
    if not stat.S_ISREG(mode):  # a FIFO: every command, readers too, hung on its open (probe)
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "not a regular file"
        raise ValueError(f"the warehouse {given!r} is {kind}, not a database file")
    return path


def parse_target(text: str, data_path: str | None = None) -> WarehouseTarget:
    """The :class:`WarehouseTarget` of a ``NEWS_ETL_WAREHOUSE`` value; ``ValueError`` (a
    settings error) for a DuckLake URL this project does not support."""
    if not text.startswith(DUCKLAKE_PREFIX):
        path = _database_file(text, text)
        return WarehouseTarget(kind="file", location=str(path), local_dir=path.parent)
    rest = text[len(DUCKLAKE_PREFIX) :].strip()
    if rest.startswith(_POSTGRES):
        conninfo = rest[len(_POSTGRES) :].strip()
        words = libpq_words(conninfo)
        if "dbname" not in words:
            raise ValueError(f"DuckLake Postgres catalog without dbname=: {text!r}")
        normalised = " ".join(f"{key}={value}" for key, value in words.items())
        location = f"{DUCKLAKE_PREFIX}{_POSTGRES}{normalised}"
        if has_masked_password(location):
            location = unmask(location)
        elif "password" in words:
            _GIVEN[redact(location)] = location
        return WarehouseTarget(
            kind="ducklake",
            location=location,
            local_dir=DEFAULT_LOCAL_DIR,
            catalog="postgres",
            data_path=data_path,
        )
    if not rest or _OTHER_CATALOG.match(rest):
        raise ValueError(
            f"unsupported DuckLake catalog in {text!r}: use ducklake:postgres:dbname=... or "
            "ducklake:/path/catalog.ducklake"
        )
    catalog = _database_file(rest, text)
    return WarehouseTarget(
        kind="ducklake",
        location=f"{DUCKLAKE_PREFIX}{catalog}",
        local_dir=catalog.parent,
        catalog="file",
        data_path=data_path or str(catalog.with_name(catalog.name + ".files")) + "/",
    )
