"""Staging on object storage: ``NEWS_ETL_STAGING_DIR=s3://bucket/prefix`` against moto's S3
server on loopback (``tests/s3_server.py``); the code under test finds the server and the fake
credentials only through the AWS variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import fsspec
import pytest

from etl import leftovers, pipeline
from etl.errors import StagingError
from etl.load.staging import RunStaging
from etl.sample import generate_sample
from etl.settings import load_settings
from tests.integration.helpers import checksums, query
from tests.s3_server import S3Bucket, s3_bucket_fixture, s3_server_fixture  # noqa: F401

NEWS_ETL = str(Path(sys.executable).parent / "news-etl")
COMPARE = Path(__file__).resolve().parents[2] / "scripts" / "compare_warehouses.py"


def _keys(bucket: S3Bucket, prefix: str = "") -> list[str]:
    """Every object key in the bucket (under ``prefix``), straight from the server."""
    client = boto3.client("s3", endpoint_url=bucket.endpoint, region_name="us-east-1")
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket.name, Prefix=prefix)
    return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))


def _same_warehouses(a: Path, b: Path) -> None:
    """Every table equal (timestamps, run ids and durations aside), by the project's script."""
    out = subprocess.run(
        [sys.executable, str(COMPARE), str(a), str(b)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr


def _cli_run(landing: Path, warehouse: Path, staging: str) -> None:
    """``news-etl run`` of the whole zone with ``NEWS_ETL_STAGING_DIR=staging``; two workers:
    the batches (10 files each) are ingested and tokenized in forked processes, which write to
    the staging themselves."""
    env = {**os.environ, "NEWS_ETL_STAGING_DIR": staging, "NEWS_ETL_WORKERS": "2"}
    env["NEWS_ETL_BATCH_SIZE"] = "10"
    args = ["run", "--landing", str(landing), "--warehouse", str(warehouse)]
    done = subprocess.run([NEWS_ETL, *args], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_cli_run_staged_on_s3_equals_a_run_staged_locally(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    landing = tmp_path / "landing"
    manifest = generate_sample(landing)
    warehouse = tmp_path / "s3" / "warehouse.duckdb"
    _cli_run(landing, warehouse, f"{s3_bucket.url}/staging")
    assert not (tmp_path / "s3" / "staging").exists()  # nothing staged beside the warehouse
    assert _keys(s3_bucket) == []  # the run's staging is removed after its load

    local = tmp_path / "local" / "warehouse.duckdb"
    _cli_run(landing, local, str(tmp_path / "local" / "staging"))
    assert checksums(warehouse) == checksums(local)
    _same_warehouses(warehouse, local)
    ((articles,),) = query(warehouse, "SELECT count(*) FROM fact_article")
    assert articles == manifest.expected_articles
    ((checks,),) = query(warehouse, "SELECT count(*) FROM fact_check_result")
    assert checks > 0
    reports = list((tmp_path / "s3" / "reports").glob("*/data_docs/index.html"))
    assert len(reports) == 1  # Data Docs built locally from the GX results staged on S3


@pytest.mark.slow
def test_the_plan_holds_the_url_and_kept_staging_stays_on_s3(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    root = f"{s3_bucket.url}/runs/"  # a trailing slash is dropped
    settings = load_settings(
        landing=landing,
        warehouse=tmp_path / "warehouse.duckdb",
        staging_dir=root,
        keep_staging=True,
        workers=1,
    )
    assert settings.staging_root == f"{s3_bucket.url}/runs"
    plan = pipeline.plan_run(settings)
    assert plan.staging_dir == f"{s3_bucket.url}/runs/{plan.run_id}"
    assert plan.in_process is False  # object storage has no owner lock
    key = f"runs/{plan.run_id}/plan.json"
    assert key in _keys(s3_bucket)
    stored = json.loads(RunStaging(plan.staging_dir).plan_path.read_text())
    assert stored["staging_dir"] == plan.staging_dir
    assert stored["settings"]["staging_dir"] == f"{s3_bucket.url}/runs"
    # No local staging path anywhere in the plan: the only local paths are the landing zone,
    # the warehouse and the schemas.
    text = json.dumps(stored)
    assert str(tmp_path / "staging") not in text and "/staging" not in text

    pipeline.process_batch(plan.staging_dir, 0)
    pipeline.validate_run(plan.staging_dir)
    summary = pipeline.load_run(plan.staging_dir)
    assert summary.articles_loaded > 0
    kept = _keys(s3_bucket, f"runs/{plan.run_id}/")
    assert f"runs/{plan.run_id}/{leftovers.KEPT}" in kept
    assert f"runs/{plan.run_id}/batch-0000/articles.parquet" in kept
    assert any("/gx-results/" in k for k in kept)
    # A kept folder is never reclaimed, however old.
    assert leftovers.find_abandoned(settings.staging_root, idle_after_s=0) == []


def test_failure_notes_and_gx_results_round_trip_on_s3(tmp_path: Path, s3_bucket: S3Bucket) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    settings = load_settings(
        landing=landing, warehouse=tmp_path / "w.duckdb", staging_dir=f"{s3_bucket.url}/staging"
    )
    with pipeline.writer(settings):
        pass  # the warehouse exists, so the failure can be recorded
    plan = pipeline.plan_run(settings)
    staging = plan.staging()

    result = {"batch_identifier": "b", "result": {"success": False, "suite_name": "article"}}
    staging.write_gx_result("001-article", result)
    staging.write_gx_result("000-raw_file", {"batch_identifier": "a", "result": {}})
    assert [r["batch_identifier"] for r in staging.read_gx_results()] == ["a", "b"]
    assert staging.read_gx_results()[1] == result
    staging.clear_gx_results()
    assert staging.read_gx_results() == []
    assert not any("gx-results" in k for k in _keys(s3_bucket))

    pipeline.note_failure(plan.staging_dir, "text-0", ValueError("the tokenizer broke"))
    assert f"staging/{plan.run_id}/failures/text-0.json" in _keys(s3_bucket)
    notes = pipeline.noted_failures(plan.staging_dir)
    assert [(n["step"], n["error"]) for n in notes] == [
        ("text-0", "ValueError: the tokenizer broke")
    ]
    error = pipeline.record_failure(plan.staging_dir)
    assert error == "text-0: ValueError: the tokenizer broke"
    rows = query(settings.warehouse, "SELECT status, error FROM etl_run WHERE run_id = ?",
                 [plan.run_id])  # fmt: skip
    assert rows == [("failed", error)]

    with pytest.raises(StagingError, match="missing"):
        staging.read("articles", 0)  # the text step never ran


@pytest.mark.slow
def test_abandoned_runs_on_s3_are_found_by_age_and_removed(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    settings = load_settings(
        landing=landing,
        warehouse=tmp_path / "warehouse.duckdb",
        staging_dir=f"{s3_bucket.url}/staging",
        reports_dir=tmp_path / "reports",
    )
    with pipeline.writer(settings):
        pass
    plan = pipeline.plan_run(settings)  # then "killed": nothing more happens
    assert leftovers.find_abandoned(settings.staging_root, idle_after_s=3600) == []
    (found,) = leftovers.find_abandoned(settings.staging_root, idle_after_s=0)
    assert found.run_id == plan.run_id
    assert found.plan is not None and found.plan["run_id"] == plan.run_id
    assert found.size_bytes > 0
    docs_tmp = tmp_path / "reports" / plan.run_id / leftovers.DOCS_TMP
    docs_tmp.mkdir(parents=True)

    idle = settings.model_copy(update={"abandoned_after_s": 0.0})
    (message,) = pipeline.reclaim_leftovers(idle)
    assert plan.run_id in message and "abandoned" in message
    assert _keys(s3_bucket) == []
    assert not docs_tmp.exists()
    ((status,),) = query(settings.warehouse, "SELECT status FROM etl_run WHERE run_id = ?",
                         [plan.run_id])  # fmt: skip
    assert status == "abandoned"


@pytest.mark.slow
def test_staging_on_a_store_duckdb_cannot_read_loads_through_fsspec(tmp_path: Path) -> None:
    """``memory://`` stands for the stores DuckDB has no reader for (``gs://`` …): the stages
    write there and the loader reads the Parquet through fsspec; one process, as the memory
    filesystem is per process."""
    landing = tmp_path / "landing"
    generate_sample(landing)
    root = f"memory://staging-{tmp_path.name}"
    remote = load_settings(
        landing=landing,
        warehouse=tmp_path / "m" / "w.duckdb",
        staging_dir=root,
        workers=1,
        batch_size=10,
    )
    summary = pipeline.run(remote)
    assert summary.articles_loaded > 0
    assert not (tmp_path / "m" / "staging").exists()
    local = load_settings(
        landing=landing,
        warehouse=tmp_path / "l" / "w.duckdb",
        staging_dir=tmp_path / "l" / "staging",
        workers=1,
        batch_size=10,
    )
    pipeline.run(local)
    assert checksums(remote.warehouse) == checksums(local.warehouse)
    assert fsspec.filesystem("memory").find(root) == []  # removed after the load
