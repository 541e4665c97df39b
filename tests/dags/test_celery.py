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

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.airflow_cluster import Cluster, celery_workers, cluster_environment
from etl.airflow_service import ApiError, api_call, api_token, backfill_dag, trigger_run
from etl.sample import generate_sample
from tests.dags.celery_cluster import (
    DEADLINE_S,
    base_environment,
    database,
    finished,
    kill_tree,
    running_cluster,
    servers,
    task_instances,
    wait_marts,
    wait_runs,
)
from tests.integration.helpers import checksums, settings_for

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
#: Heartbeats missing this long mark a task instance failed (and up for retry): Airflow's 300 s
#: default, shortened so the killed worker's task is retried within the test.
HEARTBEAT_TIMEOUT_S = 60
#: Articles of the big day in (b): one text task over all of them lasts seconds.
BIG_DAY_ARTICLES = 1500


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
        return len(ours) == len(days) and all(finished(r) for r in ours)

    runs = [
        r for r in wait_runs(url, token, backfilled, "the backfill") if r["run_type"] == "backfill"
    ]
    print(f"\n(a) {len(days)}-day backfill on Celery: {time.monotonic() - started:.1f} s wall")
    assert {r["state"] for r in runs} == {"success"}, runs
    ran = 0
    for run in runs:
        for ti in task_instances(url, token, run["dag_run_id"]):
            assert ti["state"] in ("success", "skipped"), ti
            if ti["state"] == "success":
                ran += 1
                assert ti["hostname"] in cluster.workers, (ti["task_id"], ti["hostname"])
    assert ran >= len(days) * 5  # plan, ingest, text, validate, load per day at least
    marts = wait_marts(url, token, "news_marts after the backfill")
    assert {r["state"] for r in marts} == {"success"}, marts
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
    kill_tree(cluster.groups[component])
    survivor = next(w for w in cluster.workers if w != victim)

    runs = wait_runs(
        url,
        token,
        lambda rs: any(r["dag_run_id"] == run_id and finished(r) for r in rs),
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
    marts = wait_marts(url, token, "news_marts after the run")
    assert {r["state"] for r in marts} == {"success"}, marts
    serial = settings_for(landing, tmp / "serial-b")
    pipeline.run(serial)
    assert checksums(settings.warehouse) == checksums(serial.warehouse)


def test_celery_cluster_backfill_worker_loss_and_stop(tmp_path: Path) -> None:
    server, broker = servers("NEWS_ETL_TEST_CELERY_DB", "NEWS_ETL_TEST_CELERY_BROKER")
    with database(server) as db:
        base = base_environment(
            tmp_path / "airflow-home",
            db,
            broker,
            AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT_S),
            # One batch per day: (b)'s day is one text task of BIG_DAY_ARTICLES articles.
            NEWS_ETL_BATCH_SIZE="100000",
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
        # (c) on leaving: `news-etl airflow stop` (the CLI, from a shell with the cluster's
        # AIRFLOW_HOME) leaves no process behind and removes the pid file.
        with running_cluster(served, base) as cluster:
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
