"""`make bench-queries WAREHOUSE=ducklake:…` works on a DuckLake (attached read-only), times the
same queries as on the DuckDB file it was copied from, and gets the same results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl import pipeline
from etl.lake_copy import copy_to_lake
from etl.sample import generate_sample
from etl.settings import load_settings
from etl.warehouse import reader

from .helpers import settings_for
from .test_benchmarks import _module


@pytest.mark.slow
def test_bench_queries_on_a_ducklake_copy_of_a_file_warehouse(tmp_path: Path) -> None:
    generate_sample(tmp_path / "landing")
    source = settings_for(tmp_path / "landing", tmp_path / "file", write_reports=False)
    pipeline.run(source)
    lake = f"ducklake:{tmp_path / 'lake' / 'catalog.ducklake'}"
    copy_to_lake(source, load_settings(warehouse=lake))
    bench = _module("bench_queries")

    figures = {}
    for name, warehouse in (("file", str(source.warehouse)), ("lake", lake)):
        out = tmp_path / f"{name}.json"
        # --limit: slowness is the benchmark's report, not this test's (see test_benchmarks).
        args = ["--warehouse", warehouse, "--repeat", "1", "--json", str(out), "--limit", "3600"]
        assert bench.main(args) == 0
        figures[name] = json.loads(out.read_text(encoding="utf-8"))

    file, lake_figures = figures["file"], figures["lake"]
    assert lake_figures["arguments"] == file["arguments"]  # picked from the same data
    rows = {t["name"]: t["rows"] for t in file["timings"]}
    assert {t["name"]: t["rows"] for t in lake_figures["timings"]} == rows
    assert lake_figures["counts"]["fact_article"] == file["counts"]["fact_article"] > 0
    assert lake_figures["counts"]["data_files_mb"] > 0
    # Read-only: the benchmark wrote no snapshot into the lake.
    con = reader(lake)
    try:
        snapshots = con.execute("SELECT count(*) FROM ducklake_snapshots('warehouse')").fetchall()
    finally:
        con.close()
    bench.main(["--warehouse", lake, "--repeat", "1"])
    con = reader(lake)
    try:
        assert con.execute("SELECT count(*) FROM ducklake_snapshots('warehouse')").fetchall() == (
            snapshots
        )
    finally:
        con.close()
