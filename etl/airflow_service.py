"""A real Airflow to open: ``airflow standalone`` on loopback, started and stopped cleanly.

``make airflow`` calls :func:`start_standalone`: it prepares the metadata database and the
warehouse pool, creates the warehouse file once (so no task ever races to create it), starts
``airflow standalone`` in its own process group bound to 127.0.0.1, waits until the API answers
and the scheduler is healthy, and returns the admin password. ``make airflow-stop`` calls
:func:`stop_standalone`, which signals exactly the processes ``start`` launched: the whole process
group (standalone does not pass SIGTERM on to its children) and their descendants, never the
caller or its parents.

The small REST helpers (:func:`api_token`, :func:`trigger_run`, ...) use the public API v2 with a
bearer token from ``POST /auth/token``; nothing here imports Airflow.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from etl.airflow_env import (
    DAG_IDS,
    airflow_environment,
    airflow_executable,
    prepare_airflow,
    run_airflow,
)
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


def refuse_second_start(home: Path) -> None:
    """Raise :class:`ConfigError` when an Airflow started from ``home`` is recorded as running."""
    for name in PID_FILES:
        if (home / name).exists():
            raise ConfigError(
                f"Airflow already runs from {home} (pid file {home / name}); stop it first "
                "(news-etl airflow stop)"
            )


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
    refuse_second_start(home)
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
    """Process ids (other than this one) whose environment has ``AIRFLOW_HOME=home``.

    A read-only listing (the tests check that nothing is left after a stop); never a list of
    processes to kill: the caller of ``make airflow-stop`` has the same ``AIRFLOW_HOME``.
    """
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


def _stat(pid: int) -> tuple[int, int, int] | None:
    """``(parent pid, process group, start time)`` of ``pid`` from ``/proc``; ``None`` once it
    is gone. The start time tells a process from a later one that got the same pid."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses: split after the last.
    fields = text[text.rindex(")") + 2 :].split()
    if fields[0] in ("Z", "X"):  # exited, only not yet reaped by its parent
        return None
    return int(fields[1]), int(fields[2]), int(fields[19])


def _ancestors(pid: int) -> set[int]:
    """``pid`` and every process above it: never to be signalled by a stop."""
    found = set()
    while pid > 0 and pid not in found:
        found.add(pid)
        stat = _stat(pid)
        if stat is None:
            break
        pid = stat[0]
    return found


def started_processes(pgid: int) -> dict[int, int]:
    """The processes ``start`` launched, by pid with their start time: the members of its process
    group and every descendant of them (a task supervisor that called ``setsid`` has left the
    group but not the tree), never this process or its ancestors."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                stats[int(entry.name)] = stat
    found = {pid for pid, (_, group, _) in stats.items() if group == pgid}
    grew = True
    while grew:
        more = {pid for pid, (parent, _, _) in stats.items() if parent in found} - found
        found |= more
        grew = bool(more)
    mine = _ancestors(os.getpid())
    return {pid: stats[pid][2] for pid in found - mine}


def _alive(pid: int, started: int) -> bool:
    """Whether the process ``pid`` that started at ``started`` still runs."""
    stat = _stat(pid)
    return stat is not None and stat[2] == started


def _group_alive(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs (exited ones awaiting their reaper aside)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pgid, os.WNOHANG)  # reap the group's leader when this process started it
    return any(
        stat is not None and stat[1] == pgid
        for stat in (_stat(int(e.name)) for e in Path("/proc").iterdir() if e.name.isdigit())
    )


def _signal(targets: dict[int, int], sig: signal.Signals) -> None:
    mine = _ancestors(os.getpid())
    for pid, started in targets.items():
        if pid not in mine and _alive(pid, started):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)


#: The files in the Airflow home that record the process groups ``start`` launched, one group
#: per line (its number first): ``airflow standalone``'s, and the Celery cluster's components'.
PID_FILES = ("standalone.pid", "cluster.pid")


def recorded_groups(pid_file: Path) -> list[int]:
    """The process groups recorded in ``pid_file`` (one per line, the number first)."""
    lines = pid_file.read_text(encoding="utf-8").splitlines()
    return [int(line.split()[0]) for line in lines if line.strip()]


def stop_airflow(home: Path, *, grace_s: float = 30) -> int:
    """Stop the Airflow started from ``home`` (standalone or the Celery cluster) and every process
    it started; return how many processes were signalled.

    Exactly the processes ``start`` launched are signalled: the process groups recorded in the
    pid files (:data:`PID_FILES`) and their descendants, SIGTERM first, SIGKILL after
    ``grace_s``. Nothing is chosen by its environment, so the caller (whose ``AIRFLOW_HOME`` is
    the same) and its parents are never touched; a recorded number that now names the caller's
    own group (a stale file) is skipped. Without a pid file nothing runs from ``home`` and
    nothing is done.
    """
    files = [home / name for name in PID_FILES if (home / name).exists()]
    if not files:
        return 0
    mine = {stat[1] for pid in _ancestors(os.getpid()) if (stat := _stat(pid)) is not None}
    groups = [g for f in files for g in recorded_groups(f) if g not in mine]
    targets: dict[int, int] = {}
    for pgid in groups:
        targets.update(started_processes(pgid))
    for pgid in groups:
        if _group_alive(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
    _signal(targets, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and (
        any(_group_alive(g) for g in groups) or any(_alive(p, t) for p, t in targets.items())
    ):
        time.sleep(0.5)
        for pgid in groups:  # children spawned while the groups shut down
            targets.update(started_processes(pgid))
    for pgid in groups:
        if _group_alive(pgid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
    _signal(targets, signal.SIGKILL)
    for pgid in groups:
        _group_alive(pgid)  # reaps the leader when this process started it
    for pid_file in files:
        pid_file.unlink(missing_ok=True)
    return len(targets)


def stop_standalone(home: Path, *, grace_s: float = 30) -> int:
    """Stop what ``start`` launched from ``home`` (:func:`stop_airflow`)."""
    return stop_airflow(home, grace_s=grace_s)


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


def dag_pause_states(url: str, token: str) -> dict[str, bool]:
    """Whether each of the project's DAGs is paused, as the running Airflow sees it."""
    answer = api_call(url, token, "GET", "/dags?dag_id_pattern=news_&limit=100")
    return {d["dag_id"]: bool(d["is_paused"]) for d in answer["dags"] if d["dag_id"] in DAG_IDS}


def days_with_runs(url: str, token: str, dag_id: str = "news_daily") -> list[str]:
    """The logical dates (YYYY-MM-DD) that already have a run of ``dag_id``, oldest first."""
    answer = api_call(url, token, "GET", f"/dags/{dag_id}/dagRuns?limit=100&order_by=logical_date")
    return sorted({r["logical_date"][:10] for r in answer["dag_runs"] if r.get("logical_date")})


def standalone_banner(info: Standalone, settings: Settings) -> list[str]:
    """What ``make airflow`` prints once Airflow is up: where it is, what it serves, the DAGs'
    state and what a trigger of an already-loaded day needs."""
    try:
        token = api_token(info.url, info.user, info.password)
        paused = dag_pause_states(info.url, token)
        loaded = days_with_runs(info.url, token)
    except (OSError, ValueError, KeyError, ConfigError) as exc:  # the banner never fails a start
        paused, loaded = {}, []
        problem = f"  (the DAGs' state could not be read from the REST API: {exc})"
    else:
        problem = ""
    lines = [
        f"Airflow is up at {info.url}  (pid {info.pid}, log {info.log})",
        f"  user: {info.user}   password: {info.password}",
        f"  landing zone: {settings.landing}",
        f"  warehouse:    {settings.target.display}",
        "  DAGs: "
        + ", ".join(
            f"{dag_id} ({'paused' if paused[dag_id] else 'unpaused'})"
            if dag_id in paused
            else f"{dag_id} ({'state unknown' if problem else 'not parsed yet'})"
            for dag_id in DAG_IDS
        )
        + problem,
    ]
    workers = getattr(info, "workers", ())  # a Celery cluster (etl.airflow_cluster.Cluster)
    if workers:
        lines.insert(
            1, f"  executor: CeleryExecutor, {len(workers)} worker(s): {', '.join(workers)}"
        )
    if paused.get("news_daily") is False:
        lines.append(
            "  news_daily runs each day after it ends (00:00 UTC) for that day; unpaused, it "
            "runs the latest complete day at once (catchup is off: no older days)."
        )
    if loaded:
        shown = ", ".join(loaded) if len(loaded) <= 6 else f"{loaded[0]} .. {loaded[-1]}"
        # The first span of consecutive days only: a backfill makes a run for every day of its
        # range, and from the first day with a run to the last (the demo's 2024 days, then
        # yesterday's scheduled run) it made about a thousand (probe).
        first, last = _first_span(loaded)
        lines += [
            f"  news_daily already has runs for {shown} (e.g. the demo's sample days). A day's",
            "  logical date can have one run only: trigger such a day with another logical "
            "date, or rerun a span of days (a run for each day from --from-date to --to-date) "
            "with, for the first span,",
            f"    airflow backfill create --dag-id news_daily --from-date {first} "
            f"--to-date {last} --reprocess-behavior completed",
        ]
    lines.append("  stop it with: make airflow-stop")
    return lines


def _first_span(days: list[str]) -> tuple[str, str]:
    """The first and last day of the first span of consecutive days of sorted ISO ``days``."""
    end = 0
    while end + 1 < len(days) and date.fromisoformat(days[end + 1]) - date.fromisoformat(
        days[end]
    ) == timedelta(days=1):
        end += 1
    return days[0], days[end]


@dataclass(frozen=True)
class BackfillResult:
    """What ``airflow backfill create`` selected (``runs``: logical dates) and said."""

    runs: list[str]
    output: str
    explanation: str | None


def backfill_dag(
    settings: Settings,
    start: str,
    end: str,
    *,
    dag_id: str = "news_daily",
    reprocess_behavior: str = "none",
    dry_run: bool = False,
    conf: Mapping[str, Any] | None = None,
    base_env: Mapping[str, str] | None = None,
) -> BackfillResult:
    """``airflow backfill create`` over ``start`` .. ``end`` in the project's Airflow; when it
    selects no run, ``explanation`` says why (Airflow's dry run prints an empty list).

    The runs are created for the scheduler to execute; a dry run only lists them. Airflow lists
    the runs only in a dry run, so a real one is preceded by a dry run (which also spares
    creating an empty backfill).
    """
    args = ["backfill", "create", "--dag-id", dag_id, "--from-date", start, "--to-date", end]
    args += ["--reprocess-behavior", reprocess_behavior]
    if conf:
        args += ["--dag-run-conf", json.dumps(dict(conf))]
    env = airflow_environment(settings, base_env)
    output = run_airflow([*args, "--dry-run"], env)
    _, _, listed = output.partition("Runs to be attempted:")
    # Airflow prints a table with one row per run: "| 2024-03-05 00:00:00+00:00 | ...".
    runs = re.findall(r"^\|\s*(\d{4}-\d{2}-\d{2})[ T]", listed, flags=re.MULTILINE)
    explanation = unlisted_days(start, end, runs, dag_id, reprocess_behavior)
    if runs and not dry_run:
        output = run_airflow(args, env)
    return BackfillResult(sorted(runs), output, explanation)


def unlisted_days(
    start: str,
    end: str,
    runs: list[str],
    dag_id: str,
    reprocess_behavior: str,
    today: date | None = None,
) -> str | None:
    """Why the days from ``start`` to ``end`` that Airflow did not select (``runs`` are those
    it did) have no run; ``None`` when it selected every day. A day not over yet (UTC) has no
    run to make: a run loads its day once the day has ended. Of an earlier day it says what
    Airflow skips (a day with a run, e.g. the demo's sample days), not that the day has one: it
    cannot know (with a non-UTC default time zone, a day was said to have a run it did not have:
    probe T, session 46). Up to session 39 a day not over yet was said to have a run already,
    and a range whose last day was today lost that day without a word (probe N)."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    today = today or datetime.now(UTC).date()
    listed = set(runs)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    missing = [d for d in days if d.isoformat() not in listed]
    if not missing:
        return None
    parts = []
    ended = [d for d in missing if d < today]
    if ended:
        why = {
            "none": f"--reprocess-behavior none skips a day that has a {dag_id} run already "
            "(--reprocess-behavior completed runs them again; failed, those whose run failed)",
            "failed": f"--reprocess-behavior failed skips a day whose {dag_id} run did not fail "
            "(--reprocess-behavior completed runs them again)",
        }.get(reprocess_behavior, f"it skips a day that is not schedulable for {dag_id}")
        parts.append(f"{_days(ended)}: Airflow did not select them; {why}")
    if len(ended) < len(missing):
        parts.append(
            f"{_days(missing[len(ended) :])} not over yet (UTC): a {dag_id} run loads its day "
            "once the day has ended"
        )
    head = "no run selected" if not runs else "not selected"
    return f"{head}: " + "; ".join(parts)


def _days(days: list[date]) -> str:
    """``days`` named: each of up to six, else their count and the first and last."""
    if len(days) <= 6:
        return ", ".join(d.isoformat() for d in days)
    return f"{len(days)} days between {days[0]} and {days[-1]}"
