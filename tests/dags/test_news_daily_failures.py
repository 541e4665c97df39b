"""Every failed news_daily run ends in a failed ``etl_run`` row carrying the real error, and the
DAG run fails with it (issue 13 defect 2, issue 17 item 3)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl.settings import PROJECT_ROOT, load_settings
from etl.warehouse import writer
from tests.dags.conftest import load_dag
from tests.integration.helpers import query

pytestmark = pytest.mark.usefixtures("airflow_db")

DAY = date(2024, 3, 6)


def _run_dag(landing: Path, warehouse: Path) -> tuple[str, dict[str, str | None]]:
    dag = load_dag("news_daily")
    run = dag.test(
        logical_date=datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC),
        run_conf={"landing": str(landing), "warehouse": str(warehouse)},
    )
    states = {ti.task_id: ti.state for ti in run.get_task_instances() if ti.map_index < 1}
    return str(run.state), states


def _init(warehouse: Path) -> None:
    with writer(load_settings(warehouse=warehouse)):
        pass


def test_a_failed_plan_is_recorded_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_ETL_STAGING_DIR", str(tmp_path / "staging"))
    warehouse = tmp_path / "w" / "warehouse.duckdb"
    _init(warehouse)
    state, states = _run_dag(tmp_path / "no-such-landing", warehouse)
    assert state == "failed", states
    assert (states["plan"], states["record_failure"]) == ("failed", "failed")
    ((status, error, external),) = query(
        warehouse, "SELECT status, error, external_run_id FROM etl_run"
    )
    assert status == "failed"
    assert error.startswith("LandingZoneError: ") and "no-such-landing" in error
    assert external.startswith("news_daily/")


def _zone_without_suites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A landing zone of one article and settings whose schemas have the migrations but no
    expectation suites (the validate step fails); the landing zone and the warehouse path."""
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    shutil.copytree(PROJECT_ROOT / "schemas" / "migrations", schemas / "migrations")
    monkeypatch.setenv("NEWS_ETL_SCHEMAS_DIR", str(schemas))
    monkeypatch.setenv("NEWS_ETL_STAGING_DIR", str(tmp_path / "staging"))
    landing = tmp_path / "landing" / DAY.isoformat()
    landing.mkdir(parents=True)
    (landing / "a.txt").write_bytes(f" date {DAY} A story about lead.".encode())
    return landing, tmp_path / "w" / "warehouse.duckdb"


def test_a_failed_step_is_recorded_with_its_own_error_not_a_generic_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validate step fails (no expectation suites): the row says so, not "a task of the
    Airflow DAG run failed"."""
    landing, warehouse = _zone_without_suites(tmp_path, monkeypatch)
    _init(warehouse)
    state, states = _run_dag(landing.parent, warehouse)
    assert state == "failed", states
    assert states["validate"] == "failed" and states["record_failure"] == "failed"
    ((status, error, seen),) = query(warehouse, "SELECT status, error, files_seen FROM etl_run")
    assert status == "failed"
    assert "ConfigError" in error and "no expectation suites" in error, error
    assert error.startswith("validate: ")
    assert seen == 1


def test_a_first_run_that_fails_after_its_plan_is_recorded_in_a_new_warehouse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No warehouse yet: the failed validation is recorded in the warehouse the DAG makes for
    it, as a first ``news-etl run`` records it (it said ``no warehouse at ... to record it in``:
    probe N2)."""
    landing, warehouse = _zone_without_suites(tmp_path, monkeypatch)
    state, states = _run_dag(landing.parent, warehouse)
    assert state == "failed", states
    assert states["validate"] == "failed" and states["record_failure"] == "failed"
    ((status, error, seen),) = query(warehouse, "SELECT status, error, files_seen FROM etl_run")
    assert (status, seen) == ("failed", 1)
    assert error.startswith("validate: ConfigError: "), error
