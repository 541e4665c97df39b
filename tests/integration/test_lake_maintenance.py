"""``news-etl warehouse maintain`` (etl/maintenance.py) on a DuckLake with a DuckDB-file catalog:
fewer files, the same answers now and as of every snapshot, only unneeded files deleted and only
after the grace period, orphans of a killed load removed, and loads that go on as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl import pipeline
from etl.errors import ConfigError
from etl.maintenance import maintain
from etl.sample import generate_sample
from etl.settings import Settings, load_settings
from etl.warehouse import reader, table_checksum

from .helpers import checksums, paused_cli, query

NEWS_ETL = str(Path(sys.executable).parent / "news-etl")
#: Every table a load writes, and the run record (its rows do not depend on the files).
TABLES = (
    "dim_date", "dim_source", "dim_term", "dim_stem", "dim_language", "dim_story", "fact_article",
    "fact_article_term", "article_text", "agg_daily_term", "story_member", "story_lsh",
    "ingest_ledger", "quarantine", "etl_run", "fact_check_result",
)  # fmt: skip
LEDGER = "SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id FROM ingest_ledger"
#: The tables read as of each snapshot.
TRAVELLED = ("fact_article", "fact_article_term", "agg_daily_term", "ingest_ledger")


def _lake(tmp: Path, landing: Path) -> Settings:
    return load_settings(
        landing=landing,
        warehouse=f"ducklake:{tmp / 'lake' / 'catalog.ducklake'}",
        staging_dir=tmp / "staging",
        write_reports=False,
        workers=1,
    )


def _file(tmp: Path, landing: Path) -> Settings:
    return load_settings(landing=landing, warehouse=tmp / "w.duckdb", staging_dir=tmp / "staging",
                         write_reports=False, workers=1)  # fmt: skip


def _state(settings: Settings) -> tuple[dict[str, Any], dict[tuple[int, str], Any]]:
    """Every table's checksum now, and the time-travelled tables' checksums at every snapshot."""
    con = reader(str(settings.target.location))
    try:
        now = {table: table_checksum(con, table) for table in TABLES}
        listed = "SELECT snapshot_id FROM ducklake_snapshots('warehouse') ORDER BY 1"
        snapshots = [r[0] for r in con.execute(listed).fetchall()]
        travelled = {}
        for snapshot in snapshots:
            for table in TRAVELLED:
                try:
                    row = con.execute(
                        f"SELECT count(*), sum(hash(t)) FROM {table} AS t"
                        f" AT (VERSION => {snapshot})"
                    ).fetchone()
                except duckdb.CatalogException:
                    continue  # the table did not exist yet at that snapshot
                travelled[(snapshot, table)] = row
    finally:
        con.close()
    return now, travelled


def _on_disk(settings: Settings) -> set[str]:
    return {str(p) for p in (settings.target.file.with_suffix(".ducklake.files")).rglob("*")
            if p.is_file()}  # type: ignore[union-attr]  # fmt: skip


def _named_by_catalog(settings: Settings) -> set[str]:
    """Every file the catalog names (data and delete files, of every snapshot), read straight
    from its metadata tables: a relative file path is below its table's folder, a relative
    table folder below its schema's, a relative schema folder below the data path."""
    meta = "__ducklake_metadata_warehouse"
    con = reader(str(settings.target.location))
    try:
        rows = con.execute(
            f"""
            WITH files AS (
                SELECT table_id, path, path_is_relative FROM {meta}.ducklake_data_file
                UNION ALL
                SELECT table_id, path, path_is_relative FROM {meta}.ducklake_delete_file
            ), tables AS (
                SELECT DISTINCT table_id, schema_id, path, path_is_relative
                FROM {meta}.ducklake_table
            ), schemas AS (
                SELECT DISTINCT schema_id, path, path_is_relative FROM {meta}.ducklake_schema
            )
            SELECT f.path, f.path_is_relative, t.path, t.path_is_relative, s.path,
                   s.path_is_relative
            FROM files f JOIN tables t USING (table_id) JOIN schemas s USING (schema_id)
            """
        ).fetchall()
        (base,) = con.execute("SELECT data_path FROM ducklake_settings('warehouse')").fetchone()  # type: ignore[misc]
    finally:
        con.close()
    named = set()
    for file, file_rel, table, table_rel, schema, schema_rel in rows:
        path = file
        if file_rel:
            path = table + path
            if table_rel:
                path = schema + path
                if schema_rel:
                    path = base + path
        named.add(str(Path(path)))
    return named


def _scheduled(settings: Settings) -> set[str]:
    """The files DuckLake has scheduled for deletion (replaced, not yet deleted): its dry run."""
    con = reader(str(settings.target.location))
    try:
        rows = con.execute(
            "CALL ducklake_cleanup_old_files('warehouse', dry_run => true, cleanup_all => true)"
        ).fetchall()
    finally:
        con.close()
    return {str(Path(r[0])) for r in rows}


def _live_files(settings: Settings) -> int:
    con = reader(str(settings.target.location))
    try:
        ((n,),) = con.execute(
            "SELECT count(*) FROM __ducklake_metadata_warehouse.ducklake_data_file"
            " WHERE end_snapshot IS NULL"
        ).fetchall()
    finally:
        con.close()
    return int(n)


def test_maintain_merges_files_keeps_every_answer_and_deletes_only_after_the_grace(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = _lake(tmp_path, landing)
    file = _file(tmp_path / "file", landing)
    for day in days[:2]:
        pipeline.run(settings, partition_date=day)
        pipeline.run(file, partition_date=day)
    pipeline.run(settings, partition_date=days[0], mode="replace")  # a rebuilt day
    pipeline.run(file, partition_date=days[0], mode="replace")
    before_state = _state(settings)
    before_files = _on_disk(settings)
    live_before = _live_files(settings)

    done = maintain(settings)  # the default grace: nothing young is deleted
    assert done.before is not None and done.after is not None
    assert done.before.live == live_before
    assert done.after.live == _live_files(settings) < live_before
    assert done.merged_files > done.created_files > 0
    assert (done.deleted_files, done.orphans_deleted, done.expired_snapshots) == (0, 0, 0)
    assert before_files <= _on_disk(settings)  # every file still there, the merged ones added
    assert _on_disk(settings) == _named_by_catalog(settings) | _scheduled(settings)
    assert done.after.stored == len(_on_disk(settings))
    assert done.after.stored_bytes == sum(Path(p).stat().st_size for p in _on_disk(settings))
    now, travelled = _state(settings)
    assert now == before_state[0]
    assert travelled.items() >= before_state[1].items()  # as of every earlier snapshot too

    # With no grace, the files no snapshot needs are deleted: what remains is what the catalog
    # names, and every answer is still the same.
    done = maintain(settings, grace=timedelta(0))
    assert done.deleted_files > 0
    assert _on_disk(settings) == _named_by_catalog(settings)
    assert _scheduled(settings) == set()
    assert len(_on_disk(settings)) == done.after.stored < done.before.stored  # type: ignore[union-attr]
    now, travelled = _state(settings)
    assert now == before_state[0]
    assert travelled.items() >= before_state[1].items()

    # Loads go on as before: the last day into both, and the lake equals the DuckDB file.
    pipeline.run(settings, partition_date=days[2])
    pipeline.run(file, partition_date=days[2])
    # (the run record, the ledger and the quarantine hold run ids: only the ledger's facts)
    star = tuple(t for t in TABLES if t not in ("etl_run", "fact_check_result", "quarantine",
                                                "ingest_ledger"))  # fmt: skip
    lake = reader(str(settings.target.location))
    try:
        lake_star = {t: table_checksum(lake, t) for t in star}
        lake_ledger = sorted(lake.execute(LEDGER).fetchall())
    finally:
        lake.close()
    assert lake_star == checksums(file.warehouse, star)
    assert lake_ledger == sorted(query(file.warehouse, LEDGER))


def test_expiring_snapshots_ends_time_travel_and_frees_their_files(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing, days=2).dates
    settings = _lake(tmp_path, landing)
    for day in days:
        pipeline.run(settings, partition_date=day)
    pipeline.run(settings, partition_date=days[0], mode="replace")
    now_before, _ = _state(settings)

    kept = maintain(settings, grace=timedelta(0), expire_after=timedelta(days=1))
    assert kept.expired_snapshots == 0  # every snapshot is younger than a day
    done = maintain(settings, grace=timedelta(0), expire_after=timedelta(0))
    assert done.before is not None and done.after is not None
    assert done.expired_snapshots == done.before.snapshots - 1  # all but the current one
    assert done.after.snapshots == 1
    now, travelled = _state(settings)
    assert now == now_before
    assert len({snapshot for snapshot, _ in travelled}) == 1  # only the current one is left
    assert _on_disk(settings) == _named_by_catalog(settings)


def test_orphans_of_a_killed_load_are_deleted_once_older_than_the_grace(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    settings = _lake(tmp_path, landing)
    env = {**os.environ, "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
           "NEWS_ETL_WRITE_REPORTS": "false", "NEWS_ETL_WORKERS": "1"}  # fmt: skip
    lake = str(settings.target.location)
    subprocess.run([NEWS_ETL, "init", "--warehouse", lake], env=env, check=True, timeout=300)
    named = _named_by_catalog(settings)
    marker = tmp_path / "paused"
    proc = subprocess.Popen(
        [*paused_cli(marker), "run", "--landing", str(landing), "--warehouse", lake],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(int(marker.read_text(encoding="utf-8")), signal.SIGKILL)  # every row written
    proc.communicate(timeout=60)
    orphans = _on_disk(settings) - _named_by_catalog(settings)
    assert len(orphans) > 5  # the killed load's Parquet files, which no catalog entry names
    assert _named_by_catalog(settings) == named

    young = maintain(settings)
    assert young.orphans_deleted == 0 and orphans <= _on_disk(settings)
    old = time.time() - 25 * 3600  # as if they were a day and an hour old
    for path in orphans:
        os.utime(path, (old, old))
    cli = subprocess.run(
        [NEWS_ETL, "warehouse", "maintain", "--warehouse", lake],
        env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert f"and {len(orphans)} orphans, of those older than 24 h" in cli.stdout
    assert not orphans & _on_disk(settings)
    # what is left: the files the catalog names, and those the first maintain replaced
    assert _scheduled(settings)
    assert _on_disk(settings) == _named_by_catalog(settings) | _scheduled(settings)
    lines = {line[:26].strip(): line[26:].split() for line in cli.stdout.splitlines()[2:6]}
    files_before, files_after = (int(n.replace(",", "")) for n in lines["files in the data path"])
    assert files_before - files_after == len(orphans)

    pipeline.run(settings)  # the killed run's day loads in full
    assert pipeline.run(settings).files_new == 0


def test_a_duckdb_file_is_checkpointed_and_a_missing_warehouse_refused(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1)
    file = _file(tmp_path, landing)
    pipeline.run(file)
    before = checksums(file.warehouse, TABLES)
    done = maintain(file)
    assert (done.before, done.after) == (None, None)
    assert checksums(file.warehouse, TABLES) == before
    assert not Path(str(file.warehouse) + ".wal").exists()

    missing = load_settings(landing=landing, warehouse=tmp_path / "none.duckdb")
    with pytest.raises(ConfigError, match="no warehouse at"):
        maintain(missing)
    assert not (tmp_path / "none.duckdb").exists()
    with pytest.raises(ConfigError, match="must not be negative"):
        maintain(file, grace=timedelta(hours=-1))
