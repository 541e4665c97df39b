"""The project's Airflow environment: task logs at INFO (libraries' chatter quiet), DAGs unpaused
at creation, and parallelism sized from the machine instead of Airflow's 32."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from etl.airflow_env import QUIET_LOGGERS, airflow_environment, airflow_executable
from etl.settings import load_settings


def _airflow_config(env: dict[str, str], section: str, key: str) -> str:
    """What Airflow itself reads for ``section.key`` under ``env``."""
    out = subprocess.run(
        [airflow_executable(), "config", "get-value", section, key],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def test_task_loggers_at_info_and_library_noise_quiet(tmp_path: Path) -> None:
    env = airflow_environment(load_settings(), base={"AIRFLOW_HOME": str(tmp_path)})
    assert env["AIRFLOW__LOGGING__LOGGING_LEVEL"] == "INFO"
    levels = dict(pair.split("=") for pair in env["AIRFLOW__LOGGING__NAMESPACE_LEVELS"].split())
    assert levels == dict.fromkeys(QUIET_LOGGERS, "WARNING")
    assert "great_expectations" in levels
    assert env["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False"


def test_parallelism_is_sized_from_the_machine(tmp_path: Path) -> None:
    cpus = len(os.sched_getaffinity(0))
    base = {"AIRFLOW_HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")}
    env = airflow_environment(load_settings(), base=base)
    assert env["AIRFLOW__CORE__PARALLELISM"] == str(max(2, cpus))
    # The LocalExecutor starts `parallelism` workers: Airflow reads our value, not its 32.
    assert _airflow_config(env, "core", "parallelism") == str(max(2, cpus))

    env = airflow_environment(load_settings(airflow_parallelism=3), base=base)
    assert env["AIRFLOW__CORE__PARALLELISM"] == "3"
    assert _airflow_config(env, "core", "parallelism") == "3"


def test_the_folders_given_to_the_settings_reach_the_task_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("NEWS_ETL_REPORTS_DIR", "NEWS_ETL_DUCKLAKE_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)
    base = {"AIRFLOW_HOME": str(tmp_path)}
    given = load_settings(
        staging_dir=tmp_path / "staging",
        reports_dir=tmp_path / "reports",
        ducklake_data_path=tmp_path / "lake",
    )
    env = airflow_environment(given, base=base)
    assert env["NEWS_ETL_STAGING_DIR"] == str(tmp_path / "staging")
    assert env["NEWS_ETL_REPORTS_DIR"] == str(tmp_path / "reports")
    assert env["NEWS_ETL_DUCKLAKE_DATA_PATH"] == f"{tmp_path}/lake/"
    # Not given: left out, so each process keeps its own default.
    plain = airflow_environment(load_settings(), base=base)
    assert not {"NEWS_ETL_REPORTS_DIR", "NEWS_ETL_DUCKLAKE_DATA_PATH"} & set(plain)


def test_airflow_runs_in_utc_whatever_time_zone_the_shell_gives(tmp_path: Path) -> None:
    """Partitions are UTC days: under an inherited Europe/Berlin, `airflow dags test news_daily
    2024-03-05` loaded 2024-03-04 and a backfill lost its last day (probe T)."""
    base = {
        "AIRFLOW_HOME": str(tmp_path),
        "PATH": os.environ.get("PATH", ""),
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Europe/Berlin",
    }
    env = airflow_environment(load_settings(), base=base)
    assert _airflow_config(env, "core", "default_timezone") == "UTC"
