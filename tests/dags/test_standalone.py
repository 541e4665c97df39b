"""A real Airflow (standalone: scheduler, dag processor, API server) drives news_daily.

One test, because starting Airflow costs tens of seconds: it starts standalone the way
`make airflow` does, triggers `news_daily` for three consecutive days through the REST API, then
runs `airflow backfill create --reprocess-behavior completed` over the same days *while* the CLI
rebuilds the same partitions (`news-etl backfill --mode all`) against the same warehouse. Both
must finish without a lock error reaching anyone, the Asset-scheduled `news_marts` must have run,
the warehouse must equal a single CLI run over the same files, and `make airflow-stop` must leave
no process behind. Every wait is bounded by a deadline; nothing asserts on durations.
"""

from __future__ import annotations

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
from etl.airflow_env import airflow_executable
from etl.airflow_service import (
    api_call,
    api_token,
    processes_of,
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
    # Opt-in for now: on a heavily loaded 2-core machine standalone on SQLite was seen failing
    # (metadata "database is locked"/HTTP 500 on trigger, Execution API timeouts in tasks).
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
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__DATABASE__")}
    env["AIRFLOW_HOME"] = str(home)
    env["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    return env


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


def _finished(runs: list[dict[str, Any]]) -> bool:
    return bool(runs) and all(r["state"] in ("success", "failed") for r in runs)


def test_standalone_daily_runs_backfill_and_cli_at_once(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "airflow-wh")
    home = tmp_path / "airflow-home"
    base = _base_env(home)
    port = _free_port()
    info = start_standalone(settings, port=port, base_env=base, echo=lambda _: None)
    try:
        url, token = info.url, api_token(info.url, info.user, info.password)
        for day in days:  # queued while the DAG is still paused, started when it is unpaused
            trigger_run(url, token, "news_daily", f"{day.isoformat()}T00:00:00Z")
        for dag_id in ("news_daily", "news_marts"):
            api_call(url, token, "PATCH", f"/dags/{dag_id}", {"is_paused": False})
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
