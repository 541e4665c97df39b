"""news_daily runs end to end through Airflow's dag.test() and matches the CLI path exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from etl import pipeline
from etl.sample import generate_sample
from tests.dags.conftest import load_dag
from tests.integration.helpers import checksums, query, settings_for

pytestmark = pytest.mark.usefixtures("airflow_db")


def _run_dag(day: date, landing: Path, warehouse: Path) -> str:
    dag = load_dag("news_daily")
    run = dag.test(
        logical_date=datetime(day.year, day.month, day.day, tzinfo=UTC),
        run_conf={"landing": str(landing), "warehouse": str(warehouse)},
    )
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states
    assert states[("record_failure", -1)] == "skipped"
    return str(run.run_id)


def test_daily_dag_over_the_sample_equals_the_cli_runs(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    manifest = generate_sample(landing)
    assert len(manifest.dates) >= 3
    dag_warehouse = tmp_path / "dag" / "warehouse.duckdb"
    run_ids = [_run_dag(day, landing, dag_warehouse) for day in manifest.dates]

    # The same days through the CLI path, into another warehouse.
    cli = settings_for(landing, tmp_path / "cli")
    for day in manifest.dates:
        pipeline.run(cli, partition_date=day)

    assert checksums(dag_warehouse) == checksums(cli.warehouse)
    runs = query(
        dag_warehouse,
        "SELECT trigger, external_run_id, status, partition_date FROM etl_run ORDER BY 4",
    )
    assert [r[0] for r in runs] == ["airflow"] * len(manifest.dates)
    assert [r[2] for r in runs] == ["success"] * len(manifest.dates)
    assert [r[1] for r in runs] == [f"news_daily/{rid}" for rid in run_ids]
    assert [r[3] for r in runs] == list(manifest.dates)
    ((articles,),) = query(dag_warehouse, "SELECT count(*) FROM fact_article")
    assert articles == manifest.expected_articles
    reasons = query(dag_warehouse, "SELECT reason FROM quarantine")
    assert [r for (r,) in reasons] == ["empty"]

    # A second run of a day finds everything in the ledger and changes nothing.
    before = checksums(dag_warehouse)
    _run_dag(manifest.dates[0], landing, dag_warehouse)
    assert checksums(dag_warehouse) == before
