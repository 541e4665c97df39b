"""A DuckLake whose data files are on S3 (``NEWS_ETL_DUCKLAKE_DATA_PATH=s3://…``): the lake
connection gets the S3 secret of :func:`etl.storage.configure_duckdb` from the AWS variables, so
the Parquet files go to the configured S3 server (moto's, ``tests/s3_server.py``), and a reader
that knows only the catalog finds them through the data path the catalog records.

The catalog is a DuckDB file here (no Postgres needed); the cluster test
(``tests/dags/test_cluster.py``) does the same with a Postgres catalog under Airflow.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest

from etl import pipeline
from etl.sample import generate_sample
from etl.settings import load_settings
from etl.warehouse import reader, table_checksum
from tests.integration.helpers import DATA_TABLES, checksums, settings_for
from tests.s3_server import S3Bucket, s3_bucket_fixture, s3_server_fixture  # noqa: F401


@pytest.mark.slow
def test_a_lake_with_its_data_on_s3_loads_and_reads_like_the_file(
    tmp_path: Path, s3_bucket: S3Bucket
) -> None:
    landing = tmp_path / "landing"
    (day,) = generate_sample(landing, days=1).dates
    lake = f"ducklake:{tmp_path / 'catalog.ducklake'}"
    settings = load_settings(
        landing=landing,
        warehouse=lake,
        staging_dir=tmp_path / "staging",
        ducklake_data_path=f"{s3_bucket.url}/lake/",
        write_reports=False,
        workers=1,
    )
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
