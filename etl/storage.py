"""Locations: a folder or file on local disk or in object storage, behind one small interface.

A location is given as a plain path, a ``file://`` URL (both local) or an fsspec URL
(``s3://bucket/prefix``, ``gs://…``, ``memory://…``). :func:`location` parses it; a
:class:`Location` joins names, reads, writes, lists and removes through fsspec (s3fs for ``s3``),
and :func:`configure_duckdb` gives a DuckDB connection access to the same place.

* **Writes.** Locally a file is written to ``<name>.tmp`` and renamed into place, so a reader
  never sees half a file. Object stores have atomic PUTs: the object is written to its final key
  in one request (a reader sees the old object, or none, or the whole new one).
* **Credentials** come only from the environment, never from code: s3fs and DuckDB both read the
  usual AWS variables (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_SESSION_TOKEN``,
  ``AWS_REGION``/``AWS_DEFAULT_REGION``), and ``AWS_ENDPOINT_URL_S3``/``AWS_ENDPOINT_URL``
  point both at an S3-compatible server (MinIO, moto, Ceph …).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import duckdb

from etl.errors import ObjectStoreUnavailableError, StagingUnavailableError

__all__ = [
    "S3_PROTOCOLS",
    "Entry",
    "Location",
    "configure_duckdb",
    "location",
    "reaching_with_duckdb",
    "s3_secret_sql",
    "unreachable_error",
]

#: Protocols DuckDB's httpfs extension reads with an S3 secret (``s3a``/``s3n`` are aliases).
S3_PROTOCOLS = ("s3", "s3a", "s3n")


@dataclass(frozen=True)
class Entry:
    """One file found below a location: where it is, its size and when it last changed."""

    location: Location
    size: int
    modified: float | None  # seconds since the epoch; None when the store does not say


def _endpoint(env: Mapping[str, str]) -> str | None:
    """The S3 endpoint URL the AWS variables name (the S3-specific one first), if any."""
    return env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None


def _region(env: Mapping[str, str]) -> str | None:
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None


def _modified(info: Mapping[str, Any]) -> float | None:
    """When an fsspec entry last changed, whatever the filesystem calls it."""
    for key in ("mtime", "LastModified", "last_modified", "updated", "created"):
        value = info.get(key)
        if value is None:
            continue
        if hasattr(value, "timestamp"):
            return float(value.timestamp())
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return None


def _transient_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the store could not be reached", whatever client raised them."""
    found: list[type[BaseException]] = [ConnectionError, TimeoutError]
    try:
        from botocore import exceptions as boto
    except ImportError:  # pragma: no cover - s3fs brings botocore
        return tuple(found)
    return (*found, boto.ConnectionError, boto.ReadTimeoutError)


@contextlib.contextmanager
def _reaching(what: str) -> Iterator[None]:
    """Turn a failure to reach an object store into :class:`StagingUnavailableError`
    (retryable); every other error (a missing key, a refused permission) stays as it is."""
    try:
        yield
    except _transient_errors() as exc:
        raise StagingUnavailableError(f"cannot reach {what}: {exc}") from exc


#: DuckDB's httpfs (1.5.5, on curl) when it could not reach a server: curl's reason, then
#: ``error for HTTP <METHOD> to '<url>'``, at the start of an ``IOException``'s message. These
#: are curl's words for a refused or dropped connection, a timeout and a name that did not
#: resolve (a DNS blip; botocore's ``EndpointConnectionError`` for it is retried the same way).
_NOT_REACHED = re.compile(
    r"(?:IO Error: )?(?:Could not connect to server|Couldn't connect to server|Timeout was reached"
    r"|Could not resolve hostname|Couldn't resolve host name|Failed sending data to the peer"
    r"|Failure when receiving data from the peer|Server returned nothing \(no headers, no data\)"
    r"|Transferred a partial file) error for HTTP [A-Z]+ to '"
)
#: The status of an answer, in either of httpfs's forms: ``Request returned HTTP 503 for HTTP
#: HEAD to '…'`` and ``HTTP GET error reading '…' in region '…' (HTTP 503 Service Unavailable)``.
_ANSWERED = re.compile(
    r"(?:HTTP Error: )?(?:Request returned HTTP (?P<returned>\d{3}) for HTTP [A-Z]+ to '"
    r"|HTTP [A-Z]+ error reading '[^']*'[^(]*\(HTTP (?P<reading>\d{3})\b)"
)
#: Answers that mean "not now" (S3's SlowDown is a 503); any other (403, 404 …) means "no".
_NOT_NOW = frozenset({408, 429, 500, 502, 503, 504})


def unreachable_error(exc: BaseException) -> ObjectStoreUnavailableError | None:
    """The retryable error for a DuckDB statement that could not reach an object store (see
    :data:`_NOT_REACHED` and :data:`_NOT_NOW`), else ``None``: a missing key, a refused
    permission or any other DuckDB error is not a reason to wait."""
    if not isinstance(exc, (duckdb.IOException, duckdb.HTTPException)):
        return None
    message = str(exc)
    answered = _ANSWERED.match(message)
    if isinstance(exc, duckdb.HTTPException) and answered is not None:
        status = int(answered["returned"] or answered["reading"])
        reached = status not in _NOT_NOW
    else:
        reached = _NOT_REACHED.match(message) is None
    if reached:
        return None
    first = message.split("\n", 1)[0]
    return ObjectStoreUnavailableError(f"cannot reach the object store: {first}")


@contextlib.contextmanager
def reaching_with_duckdb() -> Iterator[None]:
    """Turn a DuckDB statement's failure to reach an object store into
    :class:`ObjectStoreUnavailableError` (retryable, see :func:`unreachable_error`); every other
    error stays as it is."""
    try:
        yield
    except duckdb.Error as exc:
        unreachable = unreachable_error(exc)
        if unreachable is None:
            raise
        raise unreachable from exc


@dataclass(frozen=True)
class Location:
    """A folder or file: local (``protocol == "file"``, ``path`` absolute) or in an fsspec
    filesystem (``path`` as fsspec names it, e.g. ``bucket/prefix`` for ``s3``)."""

    protocol: str
    path: str

    @property
    def is_local(self) -> bool:
        """Whether this is a path on this machine's file system."""
        return self.protocol == "file"

    @property
    def is_process_local(self) -> bool:
        """Whether only this process sees it (fsspec's ``memory://``): a child process writing
        there writes to its own copy."""
        return self.protocol == "memory"

    @property
    def url(self) -> str:
        """The string that names this location everywhere (XCom, ``plan.json``, DuckDB): the
        plain path when local, else ``<protocol>://<path>``."""
        if self.is_local:
            return self.path
        return f"{self.protocol}://{self.path.lstrip('/')}"

    def __str__(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        """The last component of the path."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def local_path(self) -> Path:
        """The local path; a :class:`ValueError` for a remote location."""
        if not self.is_local:
            raise ValueError(f"{self.url} is not a local path")
        return Path(self.path)

    def __truediv__(self, name: str) -> Location:
        """The location ``name`` below this one (``name`` may hold ``/``)."""
        return Location(self.protocol, f"{self.path.rstrip('/')}/{name.strip('/')}")

    @cached_property
    def fs(self) -> Any:
        """The fsspec filesystem of this location (s3fs for ``s3``; the endpoint from the AWS
        variables, so that s3fs and DuckDB talk to the same server)."""
        import fsspec

        options: dict[str, Any] = {}
        if self.protocol in S3_PROTOCOLS:
            client: dict[str, Any] = {}
            endpoint, region = _endpoint(os.environ), _region(os.environ)
            if endpoint:
                client["endpoint_url"] = endpoint
            if region:
                client["region_name"] = region
            options["client_kwargs"] = client
            # Other processes write and delete the same keys: never answer from a listing
            # this process cached earlier.
            options["use_listings_cache"] = False
        return fsspec.filesystem(self.protocol, **options)

    # Reading and writing whole files.

    def exists(self) -> bool:
        """Whether a file or folder is there (on object storage: any object at or below it)."""
        if self.is_local:
            return Path(self.path).exists()
        with _reaching(self.url):
            return bool(self.fs.exists(self.path))

    def is_dir(self) -> bool:
        """Whether this is a folder (on object storage: a prefix with objects below it)."""
        if self.is_local:
            return Path(self.path).is_dir()
        with _reaching(self.url):
            return bool(self.fs.isdir(self.path))

    def read_bytes(self) -> bytes:
        """The whole file; :class:`FileNotFoundError` when it is missing."""
        if self.is_local:
            return self.local_path.read_bytes()
        with _reaching(self.url):
            data: bytes = self.fs.cat_file(self.path)
        return data

    def read_text(self) -> str:
        """The whole file as UTF-8 text."""
        return self.read_bytes().decode("utf-8")

    def write_bytes(self, data: bytes) -> None:
        """Write the whole file so that readers see the old content or the new, never half:
        locally through ``<name>.tmp`` and a rename, on object storage in one PUT."""
        if self.is_local:
            target = self.local_path
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
            return
        with _reaching(self.url):
            self.fs.pipe_file(self.path, data)

    def write_text(self, text: str) -> None:
        """Write ``text`` as UTF-8, like :meth:`write_bytes`."""
        self.write_bytes(text.encode("utf-8"))

    def touch(self) -> None:
        """Create an empty marker file (folders as needed)."""
        self.write_bytes(b"")

    # Folders.

    def children(self) -> list[Location]:
        """The folders directly below this one, sorted by name (none when it does not exist)."""
        if self.is_local:
            if not Path(self.path).is_dir():
                return []
            names = sorted(e.name for e in os.scandir(self.path) if e.is_dir())
            return [self / n for n in names]
        try:
            with _reaching(self.url):
                entries = self.fs.ls(self.path, detail=True, refresh=True)
        except FileNotFoundError:
            return []
        found = sorted(str(e["name"]).rstrip("/") for e in entries if e["type"] == "directory")
        return [Location(self.protocol, name) for name in found]

    def files(self) -> list[Entry]:
        """Every file at any depth below this folder, with its size and last change."""
        if self.is_local:
            out = []
            for path in Path(self.path).rglob("*"):
                try:
                    stat = path.stat()
                except OSError:
                    continue  # removed meanwhile
                if path.is_file():
                    out.append(Entry(Location("file", str(path)), stat.st_size, stat.st_mtime))
            return out
        try:
            with _reaching(self.url):
                found = self.fs.find(self.path, detail=True)
        except FileNotFoundError:
            return []
        return [
            Entry(Location(self.protocol, str(name)), int(info.get("size") or 0), _modified(info))
            for name, info in found.items()
            if info.get("type", "file") == "file"
        ]

    def remove(self) -> None:
        """Delete this file or folder with everything below it; nothing if it is not there."""
        if self.is_local:
            path = Path(self.path)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(self.path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            return
        with contextlib.suppress(FileNotFoundError), _reaching(self.url):
            self.fs.rm(self.path, recursive=True)
        self.fs.invalidate_cache()


def location(value: str | Path | Location) -> Location:
    """Parse a plain path, a ``file://`` URL or an fsspec URL (``s3://bucket/prefix``) into a
    :class:`Location`; local paths become absolute, trailing slashes go."""
    if isinstance(value, Location):
        return value
    text = str(value)
    if text.startswith("file://"):
        return Location("file", str(Path(unquote(urlsplit(text).path)).absolute()))
    if "://" not in text:
        return Location("file", str(Path(text).expanduser().absolute()))
    protocol, _, rest = text.partition("://")
    protocol = protocol.lower()
    if not protocol.isidentifier() or not rest.strip("/"):
        raise ValueError(f"not a storage URL: {text!r}")
    path = rest.rstrip("/")
    return Location(protocol, "/" + path.lstrip("/") if protocol == "memory" else path)


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def s3_secret_sql(name: str, scope: str, env: Mapping[str, str]) -> str:
    """The ``CREATE OR REPLACE SECRET`` statement of an S3 secret scoped to ``scope``, built
    from the AWS variables in ``env`` (credentials, session token, region, endpoint)."""
    options = ["TYPE s3"]
    if env.get("AWS_ACCESS_KEY_ID"):
        options.append(f"KEY_ID {_quote(env['AWS_ACCESS_KEY_ID'])}")
        options.append(f"SECRET {_quote(env.get('AWS_SECRET_ACCESS_KEY', ''))}")
        if env.get("AWS_SESSION_TOKEN"):
            options.append(f"SESSION_TOKEN {_quote(env['AWS_SESSION_TOKEN'])}")
    else:  # no keys in the environment: DuckDB's own AWS credential chain (profiles, roles)
        options.append("PROVIDER credential_chain")
    region = _region(env)
    if region:
        options.append(f"REGION {_quote(region)}")
    endpoint = _endpoint(env)
    if endpoint:
        parts = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        options.append(f"ENDPOINT {_quote(parts.netloc)}")
        options.append("URL_STYLE 'path'")
        options.append(f"USE_SSL {'true' if parts.scheme == 'https' else 'false'}")
    options.append(f"SCOPE {_quote(scope)}")
    return f"CREATE OR REPLACE TEMPORARY SECRET {name} ({', '.join(options)})"


#: DuckDB's settings that loading httpfs fills from the AWS variables of the environment.
CREDENTIAL_SETTINGS = ("s3_access_key_id", "s3_secret_access_key", "s3_session_token")


def configure_duckdb(con: duckdb.DuckDBPyConnection, where: str | Path | Location) -> None:
    """Give DuckDB connection ``con`` access to ``where`` (a path or URL, see :func:`location`),
    so that ``read_parquet``, ``COPY`` or a DuckLake ``DATA_PATH`` can use its URL.

    A local location needs nothing. For ``s3://`` the httpfs extension is loaded from its
    offline wheel (``duckdb-extension-httpfs``; without keys, the credential chain's ``aws``
    too) and a temporary secret scoped to the bucket is created from the AWS variables of this
    process's environment (see :func:`s3_secret_sql`), which no setting then repeats;
    calling it again (another bucket, changed variables) replaces that bucket's secret. Other
    protocols are a :class:`ValueError`: DuckDB cannot read them with these credentials.
    """
    loc = location(where)
    if loc.is_local:
        return
    if loc.protocol not in S3_PROTOCOLS:
        raise ValueError(f"DuckDB cannot read {loc.url}: only local paths and s3:// are supported")
    from etl.extensions import load_extension

    load_extension(con, "httpfs")
    if not os.environ.get("AWS_ACCESS_KEY_ID"):
        # The credential chain is the aws extension's: loaded from its wheel, as httpfs is
        # (DuckDB downloaded it at run time, which failed offline: probe).
        load_extension(con, "aws")
    bucket = loc.path.split("/", 1)[0]
    name = "news_etl_s3_" + "".join(c if c.isalnum() else "_" for c in bucket)
    con.execute(s3_secret_sql(name, f"{loc.protocol}://{bucket}", os.environ))
    # Loading httpfs copies the AWS variables into DuckDB's s3_* settings, which any query
    # reads (current_setting('s3_secret_access_key'), duckdb_settings(): probe); the secret
    # above holds them now, and duckdb_secrets() shows them redacted.
    for setting in CREDENTIAL_SETTINGS:
        con.execute(f"SET {setting} = ''")
