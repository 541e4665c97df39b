"""A real Airflow to open: ``airflow standalone`` on loopback, started and stopped cleanly.

``make airflow`` calls :func:`start_standalone`: it prepares the metadata database and the
warehouse pool, creates the warehouse file once (so no task ever races to create it), starts
``airflow standalone`` in its own process group bound to 127.0.0.1, waits until the API answers
and the scheduler is healthy, and returns the admin password. ``make airflow-stop`` calls
:func:`stop_standalone`, which signals the whole process group (standalone does not pass SIGTERM
on to its children) and then kills whatever is left that runs with this ``AIRFLOW_HOME``.

The small REST helpers (:func:`api_token`, :func:`trigger_run`, ...) use the public API v2 with a
bearer token from ``POST /auth/token``; nothing here imports Airflow.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.airflow_env import airflow_environment, airflow_executable, prepare_airflow
from etl.errors import ConfigError
from etl.settings import Settings
from etl.warehouse import writer

ADMIN_USER = "admin"


@dataclass(frozen=True)
class Standalone:
    """A running ``airflow standalone``."""

    pid: int
    url: str
    user: str
    password: str
    home: Path
    log: Path


def standalone_environment(
    settings: Settings, port: int, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Our Airflow environment plus what standalone needs to serve on 127.0.0.1:``port``."""
    env = airflow_environment(settings, base)
    url = f"http://127.0.0.1:{port}"
    # standalone starts its components as `airflow ...` subprocesses found on PATH.
    bin_dir = str(Path(airflow_executable()).parent)
    env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", "")])
    env["AIRFLOW__API__HOST"] = "127.0.0.1"
    env["AIRFLOW__API__PORT"] = str(port)
    env["AIRFLOW__API__BASE_URL"] = url
    env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"{url}/execution/"
    env.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", f"{ADMIN_USER}:admin")
    env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")
    return env


def _pid_file(home: Path) -> Path:
    return home / "standalone.pid"


def admin_password(home: Path, user: str = ADMIN_USER) -> str:
    """The password the simple auth manager generated for ``user``."""
    path = home / "simple_auth_manager_passwords.json.generated"
    if not path.exists():
        raise ConfigError(f"no generated password file at {path}")
    return str(json.loads(path.read_text(encoding="utf-8"))[user])


def _get_json(url: str, token: str | None = None, timeout: float = 10) -> Any:
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _healthy(url: str) -> bool:
    try:
        health = _get_json(f"{url}/api/v2/monitor/health", timeout=3)
    except (OSError, ValueError):
        return False
    return all(
        (health.get(part) or {}).get("status") == "healthy"
        for part in ("metadatabase", "scheduler", "dag_processor")
    )


def start_standalone(
    settings: Settings,
    *,
    port: int = 8080,
    base_env: Mapping[str, str] | None = None,
    timeout_s: float = 180,
    echo: Callable[[str], None] = print,
) -> Standalone:
    """Prepare, start ``airflow standalone`` in its own process group and wait until healthy."""
    env = standalone_environment(settings, port, base_env)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    pid_file = _pid_file(home)
    if pid_file.exists():
        raise ConfigError(f"Airflow already runs from {home} (pid file {pid_file}); stop it first")
    echo(f"preparing Airflow metadata and the pool in {home} ...")
    prepare_airflow(env)
    with writer(settings):
        pass  # the set-up step creates the warehouse file once and migrates it
    log = home / "standalone.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [airflow_executable(), "standalone"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, stopped as a whole
        )
    pid_file.write_text(str(proc.pid), encoding="utf-8")
    url = env["AIRFLOW__API__BASE_URL"]
    echo(f"starting airflow standalone (pid {proc.pid}, log {log}) ...")
    deadline = time.monotonic() + timeout_s
    while not _healthy(url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_standalone(home)
            raise ConfigError(f"airflow standalone did not become healthy; see {log}")
        time.sleep(1)
    while True:
        try:
            password = admin_password(home)
            break
        except ConfigError:
            if time.monotonic() > deadline:
                stop_standalone(home)
                raise
            time.sleep(0.5)
    return Standalone(proc.pid, url, ADMIN_USER, password, home, log)


def processes_of(home: Path) -> list[int]:
    """Process ids (other than this one) whose environment has ``AIRFLOW_HOME=home``."""
    needle = f"AIRFLOW_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_standalone(home: Path, *, grace_s: float = 30) -> int:
    """Stop the standalone started from ``home`` and every process it left; return how many."""
    pid_file = _pid_file(home)
    stopped = 0
    if pid_file.exists():
        pgid = int(pid_file.read_text(encoding="utf-8").strip())
        if _group_alive(pgid):
            stopped += 1
            os.killpg(pgid, signal.SIGTERM)
            deadline = time.monotonic() + grace_s
            while _group_alive(pgid) and time.monotonic() < deadline:
                time.sleep(0.5)
            if _group_alive(pgid):
                os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pgid, os.WNOHANG)  # reap it when this process started it
        pid_file.unlink(missing_ok=True)
    # Anything that escaped the group (a task supervisor that called setsid) still carries our home.
    for pid in processes_of(home):
        stopped += 1
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return stopped


#: REST calls answered with a server error are tried this many times, with backoff.
API_ATTEMPTS = 6


class ApiError(ConfigError):
    """The Airflow REST API refused a call (``status`` is the HTTP status)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def api_token(url: str, user: str, password: str) -> str:
    """A bearer token for the REST API."""
    body = json.dumps({"username": user, "password": password}).encode()
    request = urllib.request.Request(
        f"{url}/auth/token", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["access_token"])


def api_call(
    url: str, token: str, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """One REST API v2 call; returns the decoded JSON answer."""
    request = urllib.request.Request(
        f"{url}/api/v2{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    delay = 0.5
    for attempt in range(API_ATTEMPTS):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            detail = f"{method} {path}: HTTP {exc.code}: {exc.read()[:500]!r}"
            # A 5xx is the server's trouble (with SQLite metadata: "database is locked" while
            # the scheduler writes): wait and try again. A 4xx is ours: report it at once.
            if exc.code < 500:
                raise ApiError(exc.code, detail) from exc
            if attempt == API_ATTEMPTS - 1:
                raise ApiError(exc.code, detail + f" (after {API_ATTEMPTS} attempts)") from exc
        time.sleep(delay)
        delay = min(delay * 2, 8.0)
    raise AssertionError("unreachable")  # pragma: no cover


def trigger_run(
    url: str, token: str, dag_id: str, logical_date: str, conf: dict[str, Any] | None = None
) -> str:
    """Trigger ``dag_id`` for ``logical_date`` (ISO timestamp); return the new run's id."""
    run_id = f"manual__{logical_date}"
    try:
        answer = api_call(
            url,
            token,
            "POST",
            f"/dags/{dag_id}/dagRuns",
            # An explicit id: Airflow derives the default from the trigger time, which clashes
            # when several days are triggered within the same instant.
            {"dag_run_id": run_id, "logical_date": logical_date, "conf": conf or {}},
        )
    except ApiError as exc:
        if exc.status != 409:  # 409: a retried POST whose first attempt did create the run
            raise
        return run_id
    return str(answer["dag_run_id"])
