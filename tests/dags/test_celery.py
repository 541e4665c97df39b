"""Airflow on the Celery executor: real Postgres, Redis and two Celery workers on loopback.

One test, because a cluster costs tens of seconds to start; it starts one the way
`news-etl airflow start --executor celery --workers 2` does and goes through three phases:

(a) `airflow backfill create` of `news_daily` over three days: every task that ran, ran on one of
    the two Celery workers (the task instances' `hostname`, which each worker sets to its Celery
    node name), and the warehouse equals a serial CLI run over the same landing zone (table
    checksums; timestamps and run ids are not part of them).
(b) A one-day landing zone big enough that its single text task lasts seconds: once the REST API
    shows that task running, the worker running it is killed with SIGKILL (its process group and
    every descendant, the task's own process group included, as when a machine dies). The
    scheduler notices the missing heartbeats, the task is retried on the other worker, the run
    succeeds, and the warehouse equals a serial run of that zone.
(c) `news-etl airflow stop` (the CLI, from a shell with the cluster's `AIRFLOW_HOME`) leaves no
    process behind.

Every wait is bounded by a deadline; nothing asserts on durations (the wall time of (a) is
printed). Servers: `NEWS_ETL_TEST_CELERY_DB` (a Postgres URL: the test creates and drops a
database of its own on that server) and `NEWS_ETL_TEST_CELERY_BROKER` (a Redis URL); `.ci/run`
starts both (scripts/ci_postgres.sh, scripts/ci_redis.sh). Opt-in with `NEWS_ETL_TEST_CELERY=1`;
once opted in, a server that cannot be reached skips the test on a laptop and FAILS it in CI.
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
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from etl import pipeline
from etl.airflow_cluster import Cluster, celery_workers, cluster_environment, start_cluster
from etl.airflow_service import (
    ApiError,
    _alive,
    api_call,
    api_token,
    backfill_dag,
    processes_of,
    started_processes,
    stop_airflow,
    trigger_run,
)
from etl.sample import generate_sample
from tests.integration.helpers import checksums, settings_for
from tests.unit._corpora import in_ci

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("celery"),
    # Opt-in: it starts a whole Airflow cluster (minutes); .ci/run runs it with its servers.
    pytest.mark.skipif(
        os.environ.get("NEWS_ETL_TEST_CELERY") != "1",
        reason="starts Airflow on Celery with Postgres and Redis (~4 min): .ci/run sets "
        "NEWS_ETL_TEST_CELERY=1",
    ),
]
DEADLINE_S = 900
#: Heartbeats missing this long mark a task instance failed (and up for retry): Airflow's 300 s
#: default, shortened so the killed worker's task is retried within the test.
HEARTBEAT_TIMEOUT_S = 60
#: Articles of the big day in (b): one text task over all of them lasts seconds.
BIG_DAY_ARTICLES = 1500


def _server_missing(message: str) -> None:
    if in_ci():
        pytest.fail(message + ": CI must provide it (.ci/run starts it)", pytrace=False)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _database(server_url: str) -> Iterator[str]:
    """A fresh database on the Postgres of ``server_url``; its URL, dropped afterwards."""
    import psycopg

    parts = urlsplit(server_url)
    admin = urlunsplit(parts._replace(scheme="postgresql"))
    name = f"news_etl_celery_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as con:
            con.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        _server_missing(f"no Postgres at NEWS_ETL_TEST_CELERY_DB={server_url} ({exc})")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _servers() -> tuple[str, str]:
    db = os.environ.get("NEWS_ETL_TEST_CELERY_DB", "")
    broker = os.environ.get("NEWS_ETL_TEST_CELERY_BROKER", "")
    if not db or not broker:
        _server_missing("NEWS_ETL_TEST_CELERY_DB and NEWS_ETL_TEST_CELERY_BROKER are not both set")
    import redis

    try:
        redis.Redis.from_url(broker, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        _server_missing(f"no Redis at NEWS_ETL_TEST_CELERY_BROKER={broker} ({exc})")
    return db, broker


def _runs(url: str, token: str) -> list[dict[str, Any]]:
    return list(api_call(url, token, "GET", "/dags/news_daily/dagRuns?limit=100")["dag_runs"])


def _wait_runs(url: str, token: str, done: Any, what: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        runs = _runs(url, token)
        if done(runs):
            return runs
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}: {[(r['run_id'], r['state']) for r in runs]}")
        time.sleep(2)


def _task_instances(url: str, token: str, run_id: str) -> list[dict[str, Any]]:
    answer = api_call(url, token, "GET", f"/dags/news_daily/dagRuns/{run_id}/taskInstances")
    return list(answer["task_instances"])


def _finished(run: dict[str, Any]) -> bool:
    return run["state"] in ("success", "failed")


def _kill_tree(pgid: int) -> None:
    """SIGKILL a process group and every descendant of it (a task's own group included)."""
    targets = started_processes(pgid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    for pid, started in targets.items():
        if _alive(pid, started):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _backfill_on_celery(cluster: Cluster, tmp: Path, base: dict[str, str]) -> None:
    """(a) Three days through `airflow backfill create`, every task on a Celery worker."""
    landing = tmp / "landing-a"
    days = generate_sample(landing, days=3, start=date(2024, 3, 4)).dates
    settings = settings_for(landing, tmp / "airflow-a")
    conf = {"landing": str(landing), "warehouse": str(settings.warehouse)}
    url, token = cluster.url, api_token(cluster.url, cluster.user, cluster.password)
    started = time.monotonic()
    result = backfill_dag(
        settings, days[0].isoformat(), days[-1].isoformat(), conf=conf, base_env=base
    )
    assert result.runs == [d.isoformat() for d in days], result.output

    def backfilled(runs: list[dict[str, Any]]) -> bool:
        ours = [r for r in runs if r["run_type"] == "backfill"]
        return len(ours) == len(days) and all(_finished(r) for r in ours)

    runs = [
        r for r in _wait_runs(url, token, backfilled, "the backfill") if r["run_type"] == "backfill"
    ]
    print(f"\n(a) {len(days)}-day backfill on Celery: {time.monotonic() - started:.1f} s wall")
    assert {r["state"] for r in runs} == {"success"}, runs
    ran = 0
    for run in runs:
        for ti in _task_instances(url, token, run["dag_run_id"]):
            assert ti["state"] in ("success", "skipped"), ti
            if ti["state"] == "success":
                ran += 1
                assert ti["hostname"] in cluster.workers, (ti["task_id"], ti["hostname"])
    assert ran >= len(days) * 5  # plan, ingest, text, validate, load per day at least
    serial = settings_for(landing, tmp / "serial-a")
    pipeline.run(serial)
    assert checksums(settings.warehouse) == checksums(serial.warehouse)


def _worker_killed_mid_text(cluster: Cluster, tmp: Path) -> None:
    """(b) SIGKILL the worker running a long text task: retried on the other, same result."""
    landing = tmp / "landing-b"
    (day,) = generate_sample(
        landing, days=1, start=date(2024, 5, 1), articles_per_day=BIG_DAY_ARTICLES
    ).dates
    settings = settings_for(landing, tmp / "airflow-b")
    conf = {"landing": str(landing), "warehouse": str(settings.warehouse)}
    url, token = cluster.url, api_token(cluster.url, cluster.user, cluster.password)
    run_id = trigger_run(url, token, "news_daily", f"{day.isoformat()}T00:00:00Z", conf)
    path = f"/dags/news_daily/dagRuns/{run_id}/taskInstances/text/0"
    deadline = time.monotonic() + DEADLINE_S
    while True:
        assert time.monotonic() < deadline, "the text task never ran"
        try:
            ti = api_call(url, token, "GET", path)
        except ApiError as exc:  # 404 until the plan has expanded the mapped task
            assert exc.status == 404, exc
            time.sleep(0.3)
            continue
        if ti["state"] == "running" and ti["hostname"]:
            break
        assert ti["state"] not in ("success", "failed"), f"text ended before the kill: {ti}"
        time.sleep(0.3)
    victim = ti["hostname"]
    assert victim in cluster.workers, victim
    component = f"celery-worker-{cluster.workers.index(victim) + 1}"
    _kill_tree(cluster.groups[component])
    survivor = next(w for w in cluster.workers if w != victim)

    runs = _wait_runs(
        url,
        token,
        lambda rs: any(r["dag_run_id"] == run_id and _finished(r) for r in rs),
        "the run whose worker was killed",
    )
    (run,) = [r for r in runs if r["dag_run_id"] == run_id]
    assert run["state"] == "success", run
    tries = api_call(url, token, "GET", f"{path}/tries")["task_instances"]
    tries.sort(key=lambda t: t["try_number"])
    assert len(tries) >= 2, tries
    first, last = tries[0], tries[-1]
    assert first["hostname"] == victim and first["state"] != "success", first
    assert last["hostname"] == survivor and last["state"] == "success", last
    serial = settings_for(landing, tmp / "serial-b")
    pipeline.run(serial)
    assert checksums(settings.warehouse) == checksums(serial.warehouse)


def test_celery_cluster_backfill_worker_loss_and_stop(tmp_path: Path) -> None:
    server, broker = _servers()
    with _database(server) as db:
        home = tmp_path / "airflow-home"
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
        base.update(
            {
                "AIRFLOW_HOME": str(home),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT_S),
                "NEWS_ETL_AIRFLOW_DB": db,
                "NEWS_ETL_AIRFLOW_BROKER": broker,
                # One batch per day: (b)'s day is one text task of BIG_DAY_ARTICLES articles.
                "NEWS_ETL_BATCH_SIZE": "100000",
            }
        )
        # The environment's landing zone is empty: the scheduled run the unpaused DAG starts
        # for the latest day loads nothing; the test's runs name theirs in their conf.
        (tmp_path / "empty").mkdir()
        served = settings_for(
            tmp_path / "empty",
            tmp_path / "environment-wh",
            airflow_celery_workers=2,
            airflow_worker_concurrency=1,
        )
        cluster = start_cluster(served, port=_free_port(), base_env=base, echo=lambda _: None)
        try:
            assert len(cluster.workers) == 2 and len(set(cluster.workers)) == 2
            assert set(cluster.groups) == {
                "api-server",
                "scheduler",
                "dag-processor",
                "celery-worker-1",
                "celery-worker-2",
            }
            # The broker itself lists both workers (not only what start waited for).
            env = cluster_environment(served, int(cluster.url.rsplit(":", 1)[1]), base)
            assert celery_workers(env) == sorted(cluster.workers)
            _backfill_on_celery(cluster, tmp_path, base)
            _worker_killed_mid_text(cluster, tmp_path)
        finally:
            # (c) `news-etl airflow stop`, from a shell with the cluster's AIRFLOW_HOME.
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
        # Nothing started from this home is left, and the pid file is gone.
        assert processes_of(home) == []
        assert not (home / "cluster.pid").exists()
