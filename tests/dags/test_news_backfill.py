"""news_backfill through Airflow's dag.test(): stale mode rebuilds exactly the stale days."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.sample import generate_sample
from tests.dags.conftest import load_dag
from tests.integration.helpers import checksums, query, settings_for

pytestmark = pytest.mark.usefixtures("airflow_db")


def test_stale_mode_rebuilds_only_partitions_built_by_another_version(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    for day in days:
        pipeline.run(settings, partition_date=day)
    original = checksums(settings.warehouse)
    con = duckdb.connect(str(settings.warehouse))
    try:  # day 2 was built by an older text version, day 3's run by an older schema
        con.execute(
            "UPDATE fact_article SET text_version = 'text-0' WHERE source_file LIKE ?",
            [f"%{days[1].isoformat()}/%"],
        )
        con.execute("UPDATE etl_run SET schema_version = 1 WHERE partition_date = ?", [days[2]])
    finally:
        con.close()

    dag = load_dag("news_backfill")
    conf = {
        "start": days[0].isoformat(),
        "end": days[-1].isoformat(),
        "mode": "stale",
        "landing": str(landing),
        "warehouse": str(settings.warehouse),
    }
    run = dag.test(logical_date=datetime.now(UTC), run_conf=conf)
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states
    assert states[("publish", -1)] == "success"

    rebuilt = query(
        settings.warehouse,
        "SELECT partition_date FROM etl_run WHERE trigger = 'airflow-backfill' ORDER BY 1",
    )
    assert [d for (d,) in rebuilt] == days[1:]
    assert checksums(settings.warehouse) == original  # text-0 rows rebuilt with the current code

    # Nothing is stale any more: a second stale backfill rebuilds nothing and announces nothing.
    again = dag.test(logical_date=datetime.now(UTC), run_conf=conf)
    states = {(ti.task_id, ti.map_index): ti.state for ti in again.get_task_instances()}
    assert again.state == "success", states
    assert states[("publish", -1)] == "skipped"
