"""A throwaway PostgreSQL server on loopback, for tests that need a real one (DuckLake catalogs).

:func:`start_server` runs Debian's ``initdb`` and ``pg_ctl`` (as the ``postgres`` user when the
tests run as root, like ``scripts/ci_postgres.sh``) on a free port, with its data and socket in a
temporary folder; :meth:`PgServer.stop` stops it and removes the folder. The session fixture
``pg_server`` (in ``tests/conftest.py`` style: import it where it is used) starts one server for
the whole session. When PostgreSQL is not installed or does not start, a test that needs it skips
on a developer's machine but FAILS when ``CI`` is set.
"""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.unit._corpora import in_ci


def _bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` that has ``pg_ctl``, if any."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: [int(x) for x in Path(p).parent.parent.name.split(".") if x.isdigit()],
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    """``args`` run as the ``postgres`` user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PgServer:
    """A running throwaway server: connect as ``user`` to ``127.0.0.1:port``."""

    bindir: Path
    root: Path
    port: int
    user: str

    @property
    def data(self) -> Path:
        """The cluster's data folder (also the folder of its Unix socket)."""
        return self.root / "data"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run ``sql`` with ``psql`` and return its unaligned output."""
        done = subprocess.run(
            _as_postgres(
                [
                    *(str(self.bindir / "psql"), "-h", "127.0.0.1", "-p", str(self.port)),
                    *("-U", self.user, "-d", dbname, "-v", "ON_ERROR_STOP=1", "-qAtc", sql),
                ]
            ),
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout

    def create_database(self, name: str) -> str:
        """Create the empty database ``name``; return its libpq connection string."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.libpq(name)

    def libpq(self, dbname: str) -> str:
        """The libpq key=value connection string of ``dbname`` on this server."""
        return f"dbname={dbname} host=127.0.0.1 port={self.port} user={self.user}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
                ),
                capture_output=True,
                check=False,
                timeout=60,
            )
        shutil.rmtree(self.root, ignore_errors=True)


def start_server() -> PgServer:
    """Start a server on a free loopback port; raise ``RuntimeError`` saying why it cannot."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl)")
    root = Path(tempfile.mkdtemp(prefix="news-etl-pg-"))
    user = "postgres" if os.geteuid() == 0 else getpass.getuser()
    server = PgServer(bindir=bindir, root=root, port=_free_port(), user=user)
    try:
        server.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(root, "postgres")
            shutil.chown(server.data, "postgres")
        init = [str(bindir / "initdb"), "-D", str(server.data), "-A", "trust", "-U", user]
        subprocess.run(_as_postgres(init), capture_output=True, check=True, timeout=120)
        options = f"-p {server.port} -k {server.data} -c listen_addresses=127.0.0.1"
        start = [str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(root / "server.log")]
        subprocess.run(
            _as_postgres([*start, "-w", "-o", options, "start"]),
            capture_output=True,
            check=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        detail = (
            exc.stderr.decode(errors="replace")[-500:]
            if hasattr(exc, "stderr") and exc.stderr
            else ""
        )
        server.stop()
        raise RuntimeError(f"PostgreSQL did not start: {exc} {detail}") from exc
    return server


def server_missing(why: str) -> None:
    """Skip the test, or fail it when ``CI`` is set (CI must provide PostgreSQL)."""
    message = f"no PostgreSQL server for the test: {why}"
    if in_ci():
        pytest.fail(message + ": CI must install Debian's postgresql", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One throwaway PostgreSQL for the session, stopped at its end."""
    try:
        server = start_server()
    except RuntimeError as exc:
        server_missing(str(exc))
        raise  # unreachable: server_missing skips or fails
    try:
        yield server
    finally:
        server.stop()
