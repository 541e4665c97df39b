"""news_daily with its staging on S3 (moto's server on loopback, tests/s3_server.py): every task
hands the next one the staging URL, never a local path, and the day loads exactly as the CLI
loads it with local staging."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from etl import pipeline
from etl.sample import generate_sample
from tests.dags.conftest import load_dag
from tests.integration.helpers import checksums, query, settings_for
from tests.s3_server import S3Bucket, s3_bucket_fixture, s3_server_fixture  # noqa: F401

pytestmark = [pytest.mark.usefixtures("airflow_db"), pytest.mark.slow]


def _xcoms(dag_id: str, run_id: str) -> dict[tuple[str, int, str], Any]:
    """Every XCom the run's tasks pushed, by (task, map index, key), as stored."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.query(XComModel).filter_by(dag_id=dag_id, run_id=run_id).all()
        return {(row.task_id, row.map_index, row.key): row.value for row in rows}


def test_daily_dag_stages_on_s3_and_equals_the_cli_run(
    tmp_path: Path, s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    staging = f"{s3_bucket.url}/airflow-staging"
    monkeypatch.setenv("NEWS_ETL_STAGING_DIR", staging)
    monkeypatch.setenv("NEWS_ETL_BATCH_SIZE", "10")  # several mapped ingest/text tasks
    landing = tmp_path / "landing"
    manifest = generate_sample(landing)
    day = manifest.dates[0]
    warehouse = tmp_path / "dag" / "warehouse.duckdb"

    dag = load_dag("news_daily")
    run = dag.test(
        logical_date=datetime(day.year, day.month, day.day, tzinfo=UTC),
        run_conf={"landing": str(landing), "warehouse": str(warehouse)},
    )
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states
    assert states[("record_failure", -1)] == "skipped"

    xcoms = _xcoms("news_daily", str(run.run_id))
    returned = {
        (task, index): v for (task, index, key), v in xcoms.items() if key == "return_value"
    }
    batches = returned[("plan", -1)]
    assert len(batches) >= 2
    (run_dir,) = {b["staging_dir"] for b in batches}
    assert run_dir.startswith(f"{staging}/")
    handed = [v for (task, _), v in returned.items() if task in ("ingest", "text", "validate")]
    assert len(handed) == 2 * len(batches) + 1
    assert {v["staging_dir"] for v in handed} == {run_dir}
    named = {v for (_, _, key), v in xcoms.items() if key == "staging_dir"}
    assert named == {run_dir}
    # Nothing any task pushed names a local folder.
    text = json.dumps(list(xcoms.values()))
    assert str(tmp_path) not in text and "/staging" not in text
    assert not (tmp_path / "dag" / "staging").exists()
    client = boto3.client("s3", endpoint_url=s3_bucket.endpoint, region_name="us-east-1")
    assert client.list_objects_v2(Bucket=s3_bucket.name).get("KeyCount") == 0  # removed

    cli = settings_for(landing, tmp_path / "cli", batch_size=10)
    pipeline.run(cli, partition_date=day)
    assert checksums(warehouse) == checksums(cli.warehouse)
    ((status, articles),) = query(warehouse, "SELECT status, articles_loaded FROM etl_run")
    assert status == "success" and articles > 0
