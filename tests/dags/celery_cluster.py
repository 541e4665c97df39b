"""Shared helpers of the tests that start a whole Airflow cluster on the Celery executor
(``test_celery.py``, ``test_cluster.py``): the servers they need, a throwaway metadata database,
the cluster's start and stop, and waiting on its runs through the REST API.

Servers come from the environment (a Postgres URL and a Redis URL, which ``.ci/run`` starts);
once a test has opted in, a server that is missing or does not answer skips it on a laptop and
FAILS it in CI (``CI`` set). Every wait is bounded by :data:`DEADLINE_S`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from etl.airflow_cluster import Cluster, start_cluster
from etl.airflow_service import (
    _alive,
    api_call,
    processes_of,
    started_processes,
    stop_airflow,
)
from etl.settings import Settings
from tests.unit._corpora import in_ci

#: The longest any one wait of a cluster test lasts.
DEADLINE_S = 900


def server_missing(message: str) -> None:
    """Skip the test for a missing server, or fail it in CI (which must provide it)."""
    if in_ci():
        pytest.fail(message + ": CI must provide it (.ci/run starts it)", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def servers(db_var: str, broker_var: str) -> tuple[str, str]:
    """The Postgres URL in ``$db_var`` and the Redis URL in ``$broker_var``, Redis answering
    (an unreachable Postgres is found by :func:`database`)."""
    db = os.environ.get(db_var, "")
    broker = os.environ.get(broker_var, "")
    if not db or not broker:
        server_missing(f"{db_var} and {broker_var} are not both set")
    import redis

    try:
        redis.Redis.from_url(broker, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        server_missing(f"no Redis at {broker_var}={broker} ({exc})")
    return db, broker


@contextlib.contextmanager
def database(server_url: str, prefix: str = "news_etl_celery") -> Iterator[str]:
    """A fresh database on the Postgres of ``server_url`` (a SQLAlchemy or libpq URL); its
    URL in the same scheme, dropped afterwards."""
    import psycopg

    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as con:
            con.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        server_missing(f"no Postgres at {server_url} ({exc})")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def libpq(url: str) -> str:
    """The libpq ``key=value`` words of a Postgres URL (what a DuckLake catalog URL takes)."""
    parts = urlsplit(url)
    words = {
        "dbname": parts.path.lstrip("/"),
        "host": parts.hostname,
        "port": parts.port,
        "user": parts.username,
        "password": parts.password,
    }
    return " ".join(f"{key}={value}" for key, value in words.items() if value)


def base_environment(home: Path, db: str, broker: str, **extra: str) -> dict[str, str]:
    """This process's environment without ``AIRFLOW__*`` variables, with the cluster's home,
    metadata database and broker, plus ``extra``."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    base.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "NEWS_ETL_AIRFLOW_DB": db,
            "NEWS_ETL_AIRFLOW_BROKER": broker,
            **extra,
        }
    )
    return base


@contextlib.contextmanager
def running_cluster(served: Settings, base: Mapping[str, str]) -> Iterator[Cluster]:
    """Start the cluster ``news-etl airflow start --executor celery`` starts (``served``: its
    settings, ``base``: its environment, with ``AIRFLOW_HOME``), yield it, then stop it with
    ``news-etl airflow stop`` from a shell with the same ``AIRFLOW_HOME``; the stop must
    succeed and leave no process started from that home, and no pid file."""
    home = Path(base["AIRFLOW_HOME"])
    cluster = start_cluster(served, port=free_port(), base_env=base, echo=lambda _: None)
    try:
        yield cluster
    finally:
        try:
            stop = subprocess.run(
                [str(Path(sys.executable).parent / "news-etl"), "airflow", "stop"],
                env={**base, "AIRFLOW_HOME": str(home)},
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        finally:
            stop_airflow(home)  # a safety net when the command failed; else nothing to do
    assert stop.returncode == 0, stop.stdout + stop.stderr
    assert processes_of(home) == []
    assert not (home / "cluster.pid").exists()


def runs(url: str, token: str, dag_id: str = "news_daily") -> list[dict[str, Any]]:
    """The DAG's runs, as the REST API lists them."""
    return list(api_call(url, token, "GET", f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"])


def wait_runs(
    url: str, token: str, done: Callable[[list[dict[str, Any]]], bool], what: str
) -> list[dict[str, Any]]:
    """Poll ``news_daily``'s runs until ``done`` says so; fail after :data:`DEADLINE_S`."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        found = runs(url, token)
        if done(found):
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}: {[(r['run_id'], r['state']) for r in found]}")
        time.sleep(2)


def wait_marts(url: str, token: str, what: str) -> list[dict[str, Any]]:
    """Wait until ``news_marts`` has refreshed after every load that published: no Asset event
    still queued for it and each of its runs ended (at least one). Its refresh writes the
    warehouse the loads wrote, so a reader opening that DuckDB file before then can meet the
    refresh's writer lock (a `news_daily` run is over before the run it triggered has begun).
    Call once the publishing runs have ended: their events are queued by then."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        queued = api_call(url, token, "GET", "/dags/news_marts/assets/queuedEvents")
        found = runs(url, token, "news_marts")
        if not queued["queued_events"] and found and all(finished(r) for r in found):
            return found
        if time.monotonic() > deadline:
            states = [(r["run_id"], r["state"]) for r in found]
            pytest.fail(f"gave up waiting for {what}: {states}, queued {queued['queued_events']}")
        time.sleep(2)


def task_instances(url: str, token: str, run_id: str) -> list[dict[str, Any]]:
    """The task instances of one ``news_daily`` run."""
    answer = api_call(url, token, "GET", f"/dags/news_daily/dagRuns/{run_id}/taskInstances")
    return list(answer["task_instances"])


def finished(run: dict[str, Any]) -> bool:
    """Whether a DAG run has ended."""
    return run["state"] in ("success", "failed")


def kill_tree(pgid: int) -> None:
    """SIGKILL a process group and every descendant of it (a task's own group included)."""
    targets = started_processes(pgid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    for pid, started in targets.items():
        if _alive(pid, started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
