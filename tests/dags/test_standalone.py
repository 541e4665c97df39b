"""A real Airflow (standalone: scheduler, dag processor, API server) drives news_daily.

One test, because starting Airflow costs tens of seconds: it starts standalone the way
`make airflow` does (the DAGs come up unpaused), triggers `news_daily` for three consecutive days
through the REST API, then runs `airflow backfill create --reprocess-behavior completed` over the
same days *while* the CLI rebuilds the same partitions (`news-etl backfill --mode all`) against
the same warehouse. Both must finish without a lock error reaching anyone; the runs load a
warehouse named in their conf, not the environment's, and the Asset-scheduled `news_marts` must
refresh that one; the task logs must carry the counts; the warehouse must equal a single CLI run
over the same files, and `make airflow-stop` must leave no process behind. Every wait is bounded
by a deadline; nothing asserts on durations.

Metadata database: `NEWS_ETL_TEST_STANDALONE_DB` (a Postgres URL; `.ci/run` passes the Postgres
it starts), else SQLite in the test's Airflow home. Standalone on SQLite has several processes
writing one file and can meet "database is locked" under load: CI runs this test on Postgres,
and the SQLite coverage is the single-process `dag.test()` and demo tests, which cannot race.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.airflow_env import DAG_IDS, airflow_executable
from etl.airflow_service import (
    api_call,
    api_token,
    dag_pause_states,
    processes_of,
    standalone_banner,
    standalone_environment,
    start_standalone,
    stop_standalone,
    trigger_run,
)
from etl.sample import generate_sample
from tests.integration.helpers import checksums, query, settings_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("standalone"),
    # Opt-in: it starts a whole Airflow (minutes); .ci/run runs it, on Postgres.
    pytest.mark.skipif(
        os.environ.get("NEWS_ETL_TEST_STANDALONE") != "1",
        reason="starts a real Airflow standalone (~3 min): .ci/run sets NEWS_ETL_TEST_STANDALONE=1",
    ),
]
DEADLINE_S = 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _base_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__")}
    env["AIRFLOW_HOME"] = str(home)
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    if os.environ.get("NEWS_ETL_TEST_STANDALONE_DB"):
        env["NEWS_ETL_AIRFLOW_DB"] = os.environ["NEWS_ETL_TEST_STANDALONE_DB"]
    return env


def _task_logs(home: Path, dag_id: str, task_id: str) -> list[str]:
    """The texts of every log file the task's attempts wrote."""
    folder = home / "logs" / f"dag_id={dag_id}"
    files = folder.glob(f"run_id=*/task_id={task_id}/**/*.log")
    return [path.read_text(encoding="utf-8") for path in files]


def _runs(url: str, token: str, dag_id: str) -> list[dict[str, Any]]:
    return list(api_call(url, token, "GET", f"/dags/{dag_id}/dagRuns?limit=100")["dag_runs"])


def _wait(url: str, token: str, dag_id: str, done: Any, what: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + DEADLINE_S
    while True:
        runs = _runs(url, token, dag_id)
        if done(runs):
            return runs
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}: {[(r['run_id'], r['state']) for r in runs]}")
        time.sleep(2)


def _wait_dags(url: str, token: str) -> dict[str, bool]:
    """The DAGs' pause states once the DAG processor has registered all of them."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        states = dag_pause_states(url, token)
        if len(states) == len(DAG_IDS):
            return states
        if time.monotonic() > deadline:
            pytest.fail(f"the DAGs were not all registered: {states}")
        time.sleep(2)


def _finished(runs: list[dict[str, Any]]) -> bool:
    return bool(runs) and all(r["state"] in ("success", "failed") for r in runs)


def test_standalone_daily_runs_backfill_and_cli_at_once(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "airflow-wh")
    # Airflow's environment names another warehouse: the runs load the one in their conf.
    served = settings_for(landing, tmp_path / "environment-wh")
    conf = {"landing": str(landing), "warehouse": str(settings.warehouse)}
    home = tmp_path / "airflow-home"
    base = _base_env(home)
    port = _free_port()
    info = start_standalone(served, port=port, base_env=base, echo=lambda _: None)
    try:
        url, token = info.url, api_token(info.url, info.user, info.password)
        # `make airflow` on a fresh home: the DAGs come up unpaused (news_maintenance, for a
        # DuckLake, paused), nobody unpauses them.
        paused = _wait_dags(url, token)
        assert paused == {"news_daily": False, "news_backfill": False, "news_marts": False,
                          "news_maintenance": True}  # fmt: skip
        banner = "\n".join(standalone_banner(info, served))  # what `make airflow` prints
        assert f"landing zone: {landing}" in banner
        assert f"warehouse:    {served.warehouse}" in banner
        assert (
            "news_daily (unpaused), news_backfill (unpaused), news_marts (unpaused), "
            "news_maintenance (paused)"
        ) in banner
        for day in days:
            trigger_run(url, token, "news_daily", f"{day.isoformat()}T00:00:00Z", conf)
        _wait(
            url,
            token,
            "news_daily",
            lambda rs: _finished(rs) and len([r for r in rs if r["run_type"] == "manual"]) == 3,
            "three daily runs",
        )
        env = standalone_environment(settings, port, base)
        backfill = subprocess.run(
            [
                airflow_executable(),
                "backfill",
                "create",
                "--dag-id",
                "news_daily",
                "--from-date",
                days[0].isoformat(),
                "--to-date",
                days[-1].isoformat(),
                "--reprocess-behavior",
                "completed",
                "--dag-run-conf",
                json.dumps(conf),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert backfill.returncode == 0, backfill.stdout + backfill.stderr
        # The CLI rebuilds the same days against the same warehouse while the backfill runs.
        cli = subprocess.run(
            [
                str(Path(sys.executable).parent / "news-etl"),
                "backfill",
                "--landing",
                str(landing),
                "--warehouse",
                str(settings.warehouse),
                "--start",
                days[0].isoformat(),
                "--end",
                days[-1].isoformat(),
                "--mode",
                "all",
            ],
            env={**env, "NEWS_ETL_STAGING_DIR": str(tmp_path / "cli-staging")},
            capture_output=True,
            text=True,
            check=False,
        )
        assert cli.returncode == 0, cli.stdout + cli.stderr
        assert "error" not in cli.stdout + cli.stderr
        runs = _wait(
            url,
            token,
            "news_daily",
            lambda rs: _finished(rs) and len([r for r in rs if r["run_type"] == "backfill"]) == 3,
            "the backfill",
        )
        assert {r["state"] for r in runs} == {"success"}, runs
        marts = _wait(url, token, "news_marts", _finished, "news_marts after the loads")
        assert {r["state"] for r in marts} == {"success"}
    finally:
        stop_standalone(home)
    assert processes_of(home) == []

    # Each task's log says what it did (the load's counts, the plan's partition and mode).
    loads = _task_logs(home, "news_daily", "load")
    assert loads and all("articles loaded" in text and "quarantined" in text for text in loads)
    plans = _task_logs(home, "news_daily", "plan")
    assert any(f"partition {days[0]}, mode rebuild" in text for text in plans)
    assert "marts of " + str(settings.warehouse) in "".join(
        _task_logs(home, "news_marts", "refresh")
    )
    # news_marts refreshed the warehouse the runs loaded, not the environment's.
    (environment_marts,) = query(served.warehouse, "SELECT count(*) FROM mart_daily_source")
    assert environment_marts == (0,)

    # The serial result: one CLI run over the same files.
    serial = settings_for(landing, tmp_path / "serial")
    pipeline.run(serial)
    assert checksums(settings.warehouse) == checksums(serial.warehouse)
    modes = query(
        settings.warehouse,
        "SELECT trigger, mode, count(*) FROM etl_run WHERE status = 'success' "
        "AND partition_date BETWEEN ? AND ? GROUP BY ALL ORDER BY ALL",
        [days[0], days[-1]],
    )
    assert ("airflow", "merge", 3) in modes
    assert ("airflow", "rebuild", 3) in modes
    assert ("cli-backfill", "rebuild", 3) in modes
    assert query(settings.warehouse, "SELECT count(*) FROM etl_run WHERE status <> 'success'") == [
        (0,)
    ]
    (mart_rows,) = query(settings.warehouse, "SELECT count(*) FROM mart_daily_source")
    assert mart_rows[0] > 0
    assert isinstance(days[0], date)
