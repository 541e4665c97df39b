"""`make demo` leaves Airflow as the README says: the DAGs registered and unpaused, but for
`news_maintenance` (paused: it is for a DuckLake warehouse)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from etl.airflow_env import DAG_IDS, airflow_environment, airflow_executable
from etl.demo import run_demo
from tests.integration.helpers import settings_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("demo")]


def test_demo_leaves_the_dags_unpaused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo's own Airflow home and SQLite metadata, not the test session's database.
    for key in [k for k in os.environ if k.startswith("AIRFLOW__DATABASE__")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "home"))
    settings = settings_for(tmp_path / "landing", tmp_path / "w")
    lines: list[str] = []
    result = run_demo(settings, echo=lines.append)
    assert result.summary is not None
    # news_marts ran after the loads: the boilerplate lines are current, the marts filled.
    assert result.summary.boilerplate_note is None
    assert "airflow dags test news_marts ..." in lines

    env = airflow_environment(settings)
    listed = subprocess.run(
        [airflow_executable(), "dags", "list", "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (table,) = [line for line in listed.stdout.splitlines() if line.startswith("[{")]
    paused = {d["dag_id"]: str(d["is_paused"]) for d in json.loads(table)}
    assert paused == {
        "news_daily": "False",
        "news_backfill": "False",
        "news_marts": "False",
        "news_maintenance": "True",  # for a DuckLake: an operator unpauses it
    }, paused
    assert set(paused) == set(DAG_IDS)
    said = "\n".join(lines)
    assert "unpaused" in said and "--reprocess-behavior completed" in said
