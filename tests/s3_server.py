"""An S3-compatible server on loopback for the tests: moto's server mode (``moto_server``, from
the ``moto[server]`` package in the lock), started once per session in its own process on a free
port and stopped at the end.

Tests import the fixtures they use (``from tests.s3_server import s3_bucket_fixture,
s3_server_fixture``), which pytest knows as ``s3_bucket`` and ``s3_server``. The
code under test learns where the server is and which (fake) credentials to use only through the
usual AWS variables, set by :func:`s3_bucket` with ``monkeypatch``; nothing is passed in code.
When ``moto_server`` cannot be found or started, the tests skip on a developer's machine and
FAIL when ``CI`` is set (as for the corpora, ``tests/unit/_corpora.py``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from tests.unit._corpora import in_ci

#: Fake credentials: moto accepts any.
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing-key",
    "AWS_SECRET_ACCESS_KEY": "testing-secret",
    "AWS_SESSION_TOKEN": "testing-session",
    "AWS_REGION": "us-east-1",
}


@dataclass(frozen=True)
class S3Server:
    """A running S3 server: its endpoint URL."""

    endpoint: str


@dataclass(frozen=True)
class S3Bucket:
    """A fresh bucket on the test server, with the AWS variables that reach it."""

    name: str
    endpoint: str
    env: dict[str, str]

    @property
    def url(self) -> str:
        """``s3://<bucket>``."""
        return f"s3://{self.name}"


def _unavailable(message: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{message}: CI must have an S3 test server", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _moto_server() -> str | None:
    beside = Path(sys.executable).with_name("moto_server")
    return str(beside) if beside.exists() else shutil.which("moto_server")


def _wait_ready(endpoint: str, process: subprocess.Popen[bytes], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                return True
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    return False


@pytest.fixture(name="s3_server", scope="session")
def s3_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """``moto_server`` on 127.0.0.1 and a free port, for the whole session."""
    command = _moto_server()
    if command is None:
        _unavailable("moto_server not found (install the dev dependencies: moto[server])")
    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [command, "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        if not _wait_ready(endpoint, process, timeout_s=30):
            _unavailable(f"moto_server did not start: {log.read_text(errors='replace')[-2000:]}")
        yield S3Server(endpoint)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(name="s3_bucket")
def s3_bucket_fixture(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """A new, empty bucket; the AWS variables (endpoint, fake credentials, region) are set in
    this process's environment for the test, and inherited by processes it starts."""
    import boto3

    env = {**FAKE_ENV, "AWS_ENDPOINT_URL": s3_server.endpoint}
    for key in ("AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    name = f"news-etl-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_server.endpoint, region_name="us-east-1").create_bucket(
        Bucket=name
    )
    return S3Bucket(name, s3_server.endpoint, env)
