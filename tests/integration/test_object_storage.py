"""Landing zones by URL: fsspec's in-memory filesystem and file:// go through the same code."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import fsspec

from etl import pipeline

from .helpers import query, settings_for

ARTICLE = " date 2024-03-04 Ports reopened on Monday, the agency said.\n\nTrade resumed."


def test_memory_filesystem_landing_zone(tmp_path: Path) -> None:
    url = f"memory://landing-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{url}/wire/2024-03-04/a story.txt", ARTICLE.encode())
    fs.pipe(
        f"{url}/wire/2024-03-04/b.txt.gz", gzip.compress(ARTICLE.replace("Ports", "Roads").encode())
    )
    fs.pipe(f"{url}/wire/copy.txt", ARTICLE.encode())
    fs.pipe(f"{url}/wire/empty.txt", b"")
    settings = settings_for(tmp_path / "unused", tmp_path).model_copy(update={"landing": url})
    summary = pipeline.run(settings)
    assert (summary.files_loaded, summary.files_duplicate, summary.files_quarantined) == (2, 1, 1)
    rows = query(
        settings.warehouse,
        "SELECT source_file, source_name, date_source FROM fact_article JOIN dim_source"
        " USING (source_id) ORDER BY 1",
    )
    assert rows == [
        ("wire/2024-03-04/a story.txt", "wire", "header"),
        ("wire/2024-03-04/b.txt.gz", "wire", "header"),
    ]
    ((landing,),) = query(settings.warehouse, "SELECT DISTINCT landing FROM ingest_ledger")
    assert landing == url
    again = pipeline.run(settings)
    assert (again.files_new, again.files_unchanged) == (0, 4)


def test_file_url_is_the_local_folder(tmp_path: Path) -> None:
    root = tmp_path / "landing zone"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE, encoding="utf-8")
    settings = settings_for(root, tmp_path).model_copy(update={"landing": (root).as_uri()})
    # model_copy skips validation: build it the way users do, from the URL string
    from etl.settings import load_settings

    settings = load_settings(
        landing=root.as_uri(), warehouse=settings.warehouse, staging_dir=tmp_path / "staging"
    )
    assert settings.landing == root
    assert pipeline.run(settings).articles_loaded == 1


def test_staging_on_a_store_duckdb_cannot_read_small(tmp_path: Path) -> None:
    """Staging on ``memory://`` (a store DuckDB has no reader for, like ``gs://``): the loader
    reads the staged Parquet through fsspec (etl.load.account._read_staged). The small twin of
    the slow test in test_s3_staging.py, so that mutation runs reach that reader."""
    landing = f"memory://landing-{uuid.uuid4().hex}"
    staging = f"memory://staging-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    fs.pipe(f"{landing}/wire/2024-03-04/a.txt", ARTICLE.encode())
    fs.pipe(f"{landing}/wire/2024-03-04/b.txt", ARTICLE.replace("Ports", "Roads").encode())
    fs.pipe(f"{landing}/wire/empty.txt", b"")
    from etl.settings import load_settings

    settings = load_settings(
        landing=tmp_path / "unused", warehouse=tmp_path / "w.duckdb", staging_dir=staging
    ).model_copy(update={"landing": landing})
    summary = pipeline.run(settings)
    assert (summary.files_loaded, summary.files_quarantined) == (2, 1)
    rows = query(
        settings.warehouse,
        "SELECT source_file, published_date::VARCHAR FROM fact_article ORDER BY 1",
    )
    assert rows == [
        ("wire/2024-03-04/a.txt", "2024-03-04"),
        ("wire/2024-03-04/b.txt", "2024-03-04"),
    ]
    ((reason,),) = query(settings.warehouse, "SELECT reason FROM quarantine")
    assert reason == "empty"
    assert fs.find(staging) == []  # removed after the load
