"""news_maintenance through Airflow's dag.test(): it compacts the DuckLake its param names and
logs what it did; with no warehouse yet it is skipped and says why; a DuckDB file is only
checkpointed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.sample import generate_sample
from etl.settings import load_settings
from etl.warehouse import reader, table_checksum
from tests.dags.conftest import load_dag

pytestmark = pytest.mark.usefixtures("airflow_db")


def _maintain(conf: dict[str, Any], caplog: pytest.LogCaptureFixture) -> tuple[str, str]:
    dag = load_dag("news_maintenance")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="airflow.task"):
        run = dag.test(logical_date=datetime.now(UTC), run_conf=conf)
    (ti,) = run.get_task_instances()
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "airflow.task")
    return str(ti.state), logged


def _live_files(lake: str) -> int:
    """The data files the lake's current snapshot reads (it holds articles)."""
    con = reader(lake)
    try:
        ((n,),) = con.execute(
            "SELECT count(*) FROM __ducklake_metadata_warehouse.ducklake_data_file"
            " WHERE end_snapshot IS NULL"
        ).fetchall()
        assert table_checksum(con, "fact_article")[0] > 0
    finally:
        con.close()
    return int(n)


def test_maintenance_compacts_the_lake_and_skips_without_a_warehouse(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing, days=2).dates
    lake = f"ducklake:{tmp_path / 'lake' / 'catalog.ducklake'}"
    settings = load_settings(landing=landing, warehouse=lake, staging_dir=tmp_path / "staging",
                             write_reports=False, workers=1)  # fmt: skip
    for day in days:
        pipeline.run(settings, partition_date=day)
    before = _live_files(lake)

    state, logged = _maintain({"warehouse": lake, "grace_hours": 0}, caplog)
    assert state == "success", logged
    after = _live_files(lake)
    assert 0 < after < before
    assert f"maintain: {lake}: data files read {before:,} -> {after:,}," in logged
    assert "orphans, whatever their age (what this run replaced went too)" in logged

    missing = f"ducklake:{tmp_path / 'none' / 'catalog.ducklake'}"
    state, logged = _maintain({"warehouse": missing}, caplog)
    assert state == "skipped"
    assert f"maintain skipped: no warehouse at {missing} yet: nothing to maintain" in logged
    assert not (tmp_path / "none").exists()

    file = tmp_path / "w.duckdb"
    pipeline.run(load_settings(landing=landing, warehouse=file, staging_dir=tmp_path / "fs",
                               write_reports=False, workers=1))  # fmt: skip
    state, logged = _maintain({"warehouse": str(file)}, caplog)
    assert state == "success", logged
    assert f"maintain: {file}: a DuckDB file; checkpointed" in logged
