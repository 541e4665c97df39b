"""The whole cluster end to end (issue 16, part 4): a 6-day backfill of `news_daily` on the
Celery executor with two workers, its staging on an S3 server, committing to a DuckLake whose
catalog is in Postgres and whose data files are on the same S3 server.

The cluster starts the way `news-etl airflow start --executor celery --workers 2` does
(helpers shared with test_celery.py: tests/dags/celery_cluster.py), with
`NEWS_ETL_STAGING_DIR=s3://<bucket>/staging`, `NEWS_ETL_WAREHOUSE=ducklake:postgres:…` and
`NEWS_ETL_DUCKLAKE_DATA_PATH=s3://<bucket>/lake/`; the S3 server is moto's (tests/s3_server.py),
reached by every Airflow process and worker only through the AWS variables of their environment.
`airflow backfill create` over the six days runs each day's tasks on the workers; loads of
different days commit to the lake concurrently (DuckLake's optimistic commits, conflicts retried).

Afterwards every fact and dimension table of the lake (and the other tables a load fills: texts,
daily sums, stories, boilerplate, ledger, quarantine) equals a serial CLI run
(`pipeline.run`) of the same landing zone into a single DuckDB file with local staging:
`etl.warehouse.table_checksum` of each table, run ids, run dates and timestamps aside. The one
fact table left out is `fact_check_result`: one row per check per run, and six runs are not one.
The backfill's wall time is printed (nothing asserts on durations).

Servers: `NEWS_ETL_TEST_CLUSTER_DB` (a Postgres URL: the test creates and drops two databases of
its own there, Airflow's metadata and the DuckLake catalog) and `NEWS_ETL_TEST_CLUSTER_BROKER` (a
Redis URL); `.ci/run` starts both. Opt-in with `NEWS_ETL_TEST_CLUSTER=1`; once opted in, a server
that cannot be reached skips the test on a laptop and FAILS it in CI (moto_server too).
"""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import duckdb
import pytest

from etl import pipeline
from etl.airflow_cluster import Cluster
from etl.airflow_service import api_token, backfill_dag
from etl.sample import generate_sample
from etl.settings import Settings, load_settings
from etl.warehouse import reader, table_checksum
from tests.dags.celery_cluster import (
    base_environment,
    database,
    finished,
    libpq,
    running_cluster,
    servers,
    task_instances,
    wait_marts,
    wait_runs,
)
from tests.integration.helpers import settings_for
from tests.s3_server import S3Bucket, s3_bucket_fixture, s3_server_fixture  # noqa: F401

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("celery"),
    # Opt-in: it starts a whole Airflow cluster (minutes); .ci/run runs it with its servers.
    pytest.mark.skipif(
        os.environ.get("NEWS_ETL_TEST_CLUSTER") != "1",
        reason="starts Airflow on Celery with Postgres, Redis and an S3 server (~5 min): "
        ".ci/run sets NEWS_ETL_TEST_CLUSTER=1",
    ),
]
DAYS = 6
#: Tables a load fills that are compared besides the fact and dimension tables.
OTHER_TABLES = (
    "article_text",
    "agg_daily_term",
    "story_member",
    "story_lsh",
    "boilerplate_line",
    "boilerplate_term",
    "ingest_ledger",
    "quarantine",
)
#: One row per check per run: six daily runs and one serial run cannot have the same rows.
PER_RUN = ("fact_check_result",)
#: Columns that describe the run that wrote a row, not its content.
RUN_COLUMNS = ("partition_date",)


def _compared_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every fact and dimension table of the serial warehouse, plus :data:`OTHER_TABLES`."""
    names = [str(t) for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    star = [t for t in names if t.startswith(("fact_", "dim_")) and t not in PER_RUN]
    assert {"fact_article", "fact_article_term", "dim_term", "dim_source"} <= set(star)
    return sorted(star) + list(OTHER_TABLES)


def _content_checksums(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, Any]:
    """:func:`table_checksum` of each table over its columns, run ids, run dates and
    timestamps aside (a temporary view of the other columns)."""
    found: dict[str, Any] = {}
    for table in tables:
        columns = con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = current_database() AND table_name = ? ORDER BY column_index",
            [table],
        ).fetchall()
        kept = [
            f'"{name}"'
            for name, kind in columns
            if "run_id" not in name and name not in RUN_COLUMNS and not kind.startswith("TIMESTAMP")
        ]
        assert kept, table
        view = f"content_{table}"
        con.execute(
            f'CREATE OR REPLACE TEMP VIEW {view} AS SELECT {", ".join(kept)} FROM "{table}"'
        )
        found[table] = (kept, table_checksum(con, view))
    return found


def _lake_settings(landing: Path, tmp: Path, lake: str, bucket: S3Bucket) -> Settings:
    """The cluster's environment: landing, the lake, staging on S3, two workers of one slot."""
    return load_settings(
        landing=landing,
        warehouse=lake,
        staging_dir=f"{bucket.url}/staging",
        reports_dir=tmp / "reports",
        ducklake_data_path=f"{bucket.url}/lake/",
        airflow_celery_workers=2,
        airflow_worker_concurrency=1,
    )


def _backfill(cluster: Cluster, served: Settings, base: dict[str, str], days: list[date]) -> None:
    """`airflow backfill create` over ``days``; every run succeeds, every task on a worker."""
    conf = {"landing": str(served.landing), "warehouse": str(served.warehouse)}
    url, token = cluster.url, api_token(cluster.url, cluster.user, cluster.password)
    started = time.monotonic()
    result = backfill_dag(
        served, days[0].isoformat(), days[-1].isoformat(), conf=conf, base_env=base
    )
    assert result.runs == [d.isoformat() for d in days], result.output

    def backfilled(found: list[dict[str, Any]]) -> bool:
        ours = [r for r in found if r["run_type"] == "backfill"]
        return len(ours) == len(days) and all(finished(r) for r in ours)

    runs = [r for r in wait_runs(url, token, backfilled, "the backfill")
            if r["run_type"] == "backfill"]  # fmt: skip
    wall = time.monotonic() - started
    print(f"\n{len(days)}-day backfill on Celery (2 workers) + S3 staging + DuckLake: {wall:.1f} s")
    assert {r["state"] for r in runs} == {"success"}, runs
    ran = 0
    for run in runs:
        for ti in task_instances(url, token, run["dag_run_id"]):
            assert ti["state"] in ("success", "skipped"), ti
            if ti["state"] == "success":
                ran += 1
                assert ti["hostname"] in cluster.workers, (ti["task_id"], ti["hostname"])
    assert ran >= len(days) * 5  # plan, ingest, text, validate, load per day at least
    # The loads' Asset events refresh the lake's marts: over before the cluster stops.
    marts = wait_marts(url, token, "news_marts after the backfill")
    assert {r["state"] for r in marts} == {"success"}, marts


def test_six_day_backfill_on_celery_s3_and_ducklake_equals_a_serial_run(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    server, broker = servers("NEWS_ETL_TEST_CLUSTER_DB", "NEWS_ETL_TEST_CLUSTER_BROKER")
    landing = tmp_path / "landing"
    days = generate_sample(landing, days=DAYS, start=date(2024, 3, 4)).dates
    assert len(days) == DAYS
    with database(server) as db, database(server, prefix="news_etl_lake") as catalog:
        lake = "ducklake:postgres:" + libpq(catalog)
        # The environment's landing zone is empty: the scheduled run the unpaused DAG starts
        # for the latest day loads nothing; the backfill's runs name the landing in their conf.
        (tmp_path / "empty").mkdir()
        served = _lake_settings(tmp_path / "empty", tmp_path, lake, s3_bucket)
        # The AWS variables (set by the s3_bucket fixture) reach every Airflow process and
        # worker through this environment; the lake's data path too.
        base = base_environment(
            tmp_path / "airflow-home",
            db,
            broker,
            NEWS_ETL_DUCKLAKE_DATA_PATH=str(served.ducklake_data_path),
        )
        assert base["AWS_ENDPOINT_URL"] == s3_bucket.endpoint
        with running_cluster(served, base) as cluster:
            assert len(cluster.workers) == 2
            landed = load_settings(
                landing=landing,
                warehouse=lake,
                staging_dir=served.staging_dir,
                ducklake_data_path=served.ducklake_data_path,
            )
            _backfill(cluster, landed, base, days)

        serial = settings_for(landing, tmp_path / "serial")
        pipeline.run(serial)
        file_con = duckdb.connect(str(serial.warehouse), read_only=True)
        try:
            tables = _compared_tables(file_con)
            expected = _content_checksums(file_con, tables)
        finally:
            file_con.close()
        # A reader that knows only the catalog: the data path (on S3) comes from it.
        lake_con = reader(lake)
        try:
            actual = _content_checksums(lake_con, tables)
            loaded = lake_con.execute(
                "SELECT count(*) FROM etl_run WHERE status = 'success' AND articles_loaded > 0"
            ).fetchone()
        finally:
            lake_con.close()

    for table in tables:
        assert actual[table] == expected[table], table
    assert expected["fact_article"][1][0] > 0
    assert loaded == (DAYS,)  # one run per day wrote articles
    # The lake's Parquet files are on the S3 server; the runs' staging there is gone.
    client = boto3.client("s3", endpoint_url=s3_bucket.endpoint, region_name="us-east-1")
    keys = [
        o["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=s3_bucket.name)
        for o in page.get("Contents", [])
    ]
    assert any(k.startswith("lake/") and k.endswith(".parquet") for k in keys), keys[:10]
    assert [k for k in keys if k.startswith("staging/")] == []
