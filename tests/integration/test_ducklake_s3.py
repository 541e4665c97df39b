"""A DuckLake whose data files are on S3 (``NEWS_ETL_DUCKLAKE_DATA_PATH=s3://…``): the lake
connection gets the S3 secret of :func:`etl.storage.configure_duckdb` from the AWS variables, so
the Parquet files go to the configured S3 server (moto's, ``tests/s3_server.py``), and a reader
that knows only the catalog finds them through the data path the catalog records.

The catalog is a DuckDB file here (no Postgres needed); the cluster test
(``tests/dags/test_cluster.py``) does the same with a Postgres catalog under Airflow.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from etl import pipeline
from etl.errors import ObjectStoreUnavailableError, is_retryable
from etl.sample import generate_sample
from etl.settings import Settings, load_settings
from etl.warehouse import reader, table_checksum
from tests.integration.helpers import DATA_TABLES, checksums, settings_for
from tests.s3_server import S3Bucket, s3_bucket_fixture, s3_server_fixture  # noqa: F401

NEWS_ETL = str(Path(sys.executable).parent / "news-etl")


@pytest.fixture(autouse=True)
def _empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run with an empty home folder: an extension DuckDB once cached in ``~/.duckdb`` must not
    stand in for the wheels the project loads (a reader's ATTACH autoloaded httpfs from that
    cache, and offline, on a machine without it, failed: session 52)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))


def _lake_on_s3(tmp: Path, landing: Path, bucket: S3Bucket) -> tuple[str, Settings]:
    """A DuckLake with a DuckDB-file catalog in ``tmp`` and its data files in the bucket."""
    lake = f"ducklake:{tmp / 'catalog.ducklake'}"
    settings = load_settings(
        landing=landing,
        warehouse=lake,
        staging_dir=tmp / "staging",
        ducklake_data_path=f"{bucket.url}/lake/",
        write_reports=False,
        workers=1,
    )
    return lake, settings


@pytest.mark.slow
def test_a_lake_with_its_data_on_s3_loads_and_reads_like_the_file(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    landing = tmp_path / "landing"
    (day,) = generate_sample(landing, days=1).dates
    lake, settings = _lake_on_s3(tmp_path, landing, s3_bucket)
    pipeline.run(settings, partition_date=day)
    file = settings_for(landing, tmp_path / "file", workers=1)
    pipeline.run(file, partition_date=day)

    client = boto3.client("s3", endpoint_url=s3_bucket.endpoint, region_name="us-east-1")
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=s3_bucket.name).get("Contents", [])]
    assert any(k.startswith("lake/") and k.endswith(".parquet") for k in keys), keys
    assert not (tmp_path / "catalog.ducklake.files").exists()  # nothing written locally

    # A reader that names only the catalog: the S3 data path comes from the catalog.
    con = reader(lake)
    try:
        stored = con.execute("SELECT data_path FROM ducklake_settings('warehouse')").fetchall()
        read = {table: table_checksum(con, table) for table in DATA_TABLES}
    finally:
        con.close()
    assert stored == [(f"{s3_bucket.url}/lake/",)]
    assert read == checksums(file.warehouse)
    assert read["fact_article"][0] > 0


@pytest.mark.slow
def test_a_load_whose_object_store_went_away_is_retried_and_then_commits(
    tmp_path: Path, s3_bucket: S3Bucket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lake's S3 server is unreachable while a run loads (the Airflow load task): the step
    fails with the retryable ObjectStoreUnavailableError and commits nothing; its retry, once
    the server is back, commits the run as if nothing had happened. Commands that read the lake
    meanwhile exit 75 (try again later), not 2."""
    landing = tmp_path / "landing"
    first, second = generate_sample(landing, days=2).dates
    lake, settings = _lake_on_s3(tmp_path, landing, s3_bucket)
    pipeline.run(settings, partition_date=first)
    plan = pipeline.plan_run(settings, partition_date=second)
    for batch in range(plan.n_batches):
        pipeline.process_batch(plan.staging_dir, batch)
    pipeline.validate_run(plan.staging_dir)

    with socket.socket() as sock:  # a port nothing listens on once the socket is closed
        sock.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", gone)
    with pytest.raises(ObjectStoreUnavailableError, match="cannot reach the object store") as info:
        pipeline.load_run(plan.staging_dir)
    assert is_retryable(info.value)
    (note,) = pipeline.noted_failures(plan.staging_dir)
    assert note["step"] == "load" and note["error"].startswith("ObjectStoreUnavailableError: ")
    summary = subprocess.run(
        [NEWS_ETL, "summary", "--warehouse", lake],
        env={**os.environ, "AWS_ENDPOINT_URL": gone},
        capture_output=True,
        text=True,
        check=False,
    )
    assert summary.returncode == 75, summary.stdout + summary.stderr
    assert "cannot reach the object store" in summary.stderr

    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_bucket.endpoint)  # the server is back: the retry
    assert pipeline.load_run(plan.staging_dir).articles_loaded > 0

    file = settings_for(landing, tmp_path / "file", workers=1)
    for day in (first, second):
        pipeline.run(file, partition_date=day)
    con = reader(lake)
    try:
        read = {table: table_checksum(con, table) for table in DATA_TABLES}
        runs = con.execute("SELECT status, count(*) FROM etl_run GROUP BY 1").fetchall()
    finally:
        con.close()
    assert read == checksums(file.warehouse)
    assert runs == [("success", 2)]


@pytest.mark.slow
def test_maintain_compacts_a_lake_whose_data_is_on_s3(tmp_path: Path, s3_bucket: S3Bucket) -> None:
    """`warehouse maintain` on a lake whose files are in a bucket: the files are listed and
    deleted there (s3fs for the figures, DuckDB's httpfs for the deletions), and every table
    reads the same after."""
    from datetime import timedelta

    from etl.maintenance import maintain

    landing = tmp_path / "landing"
    days = generate_sample(landing, days=2).dates
    lake, settings = _lake_on_s3(tmp_path, landing, s3_bucket)
    for day in days:
        pipeline.run(settings, partition_date=day)
    tables = (*DATA_TABLES, "ingest_ledger", "etl_run")
    con = reader(lake)
    try:
        before = {table: table_checksum(con, table) for table in tables}
    finally:
        con.close()
    client = boto3.client("s3", endpoint_url=s3_bucket.endpoint, region_name="us-east-1")

    def keys() -> dict[str, int]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket.name)
        return {o["Key"]: o["Size"] for page in pages for o in page.get("Contents", [])}

    stored = keys()
    done = maintain(settings, grace=timedelta(0))
    assert done.before is not None and done.after is not None
    assert (done.before.stored, done.before.stored_bytes) == (len(stored), sum(stored.values()))
    assert done.after.live < done.before.live
    assert done.deleted_files > 0
    after = keys()
    assert (done.after.stored, done.after.stored_bytes) == (len(after), sum(after.values()))
    assert len(after) < len(stored)
    con = reader(lake)
    try:
        assert {table: table_checksum(con, table) for table in tables} == before
    finally:
        con.close()
    # A writer not told the data path (`warehouse maintain --warehouse 'ducklake:…'` alone)
    # takes the lake's: it left an empty `catalog.ducklake.files/` beside the catalog, the
    # folder a new lake would have used (probe P, session 39).
    told_nothing = load_settings(
        landing=landing, warehouse=lake, staging_dir=tmp_path / "staging", workers=1
    )
    maintain(told_nothing, grace=timedelta(0))
    assert not (tmp_path / "catalog.ducklake.files").exists()
