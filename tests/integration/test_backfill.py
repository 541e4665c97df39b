"""Backfills without Airflow: partition selection, the CLI, rebuild equality, a killed loader."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import backfill, pipeline
from etl.cli import app
from etl.load.migrations import discover, rows_version
from etl.sample import generate_sample
from etl.warehouse import writer

from .helpers import checksums, paused_cli, query, settings_for

NEWS_ETL = str(Path(sys.executable).parent / "news-etl")


def test_missing_all_and_stale_select_the_right_days(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    pipeline.run(settings, partition_date=days[0])
    missing = backfill.plan_backfill(settings, days[0], days[-1], "missing")
    assert [p.day for p in missing.selected] == days[1:]
    everything = backfill.plan_backfill(settings, days[0], days[-1], "all")
    assert [p.day for p in everything.selected] == days
    assert backfill.plan_backfill(settings, days[0], days[-1], "stale").selected == []
    assert missing.partitions[0].articles > 0 and missing.partitions[0].files > 0


def test_missing_skips_a_day_whose_files_a_run_has_judged_as_they_are(tmp_path: Path) -> None:
    """A run without ``--date`` that quarantined every file of a day (an empty file, a file over
    the size limit, a FIFO) judged them: the day has no run of its own and no article, but it is
    not missing, and its rebuild would only quarantine the same files again (up to session 33 it
    was rebuilt once, writing the quarantine rows again). A day with a file no run has judged as
    it is now (new, or changed since) is still missing."""
    landing = tmp_path / "landing"
    judged, changed, fresh = (landing / d for d in ("2024-05-06", "2024-05-07", "2024-05-08"))
    for folder in (judged, changed, fresh):
        folder.mkdir(parents=True)
    (judged / "empty.txt").write_bytes(b"")
    (judged / "big.txt").write_bytes(b"x" * 400)
    os.mkfifo(judged / "pipe.txt")
    (changed / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path / "w", max_file_bytes=300, write_reports=False)
    first = pipeline.run(settings)
    assert (first.files_new, first.files_quarantined, first.articles_loaded) == (4, 4, 0)
    (changed / "empty.txt").write_text(" date 2024-05-07 The council met.\n", encoding="utf-8")
    (fresh / "new.txt").write_text(" date 2024-05-08 The council met again.\n", encoding="utf-8")
    plan = backfill.plan_backfill(settings, date(2024, 5, 6), date(2024, 5, 8), "missing")
    assert [(p.day, p.files) for p in plan.partitions] == [
        (date(2024, 5, 6), 3),
        (date(2024, 5, 7), 1),
        (date(2024, 5, 8), 1),
    ]
    assert [p.day for p in plan.selected] == [date(2024, 5, 7), date(2024, 5, 8)]
    # the size limit lowered: the refusal is the same (the same size), the day still judged
    lower = settings_for(landing, tmp_path / "w", max_file_bytes=200, write_reports=False)
    again = backfill.plan_backfill(lower, date(2024, 5, 6), date(2024, 5, 6), "missing")
    assert again.selected == []
    # the big file grew: judged no more
    (judged / "big.txt").write_bytes(b"x" * 500)
    grown = backfill.plan_backfill(settings, date(2024, 5, 6), date(2024, 5, 6), "missing")
    assert [p.day for p in grown.selected] == [date(2024, 5, 6)]


def test_cli_backfill_dry_run_then_rebuild_equals_a_single_run(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    pipeline.run(settings, partition_date=days[0])
    before = checksums(settings.warehouse)
    runner = CliRunner()
    args = ["backfill", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", days[0].isoformat(), "--end", days[-1].isoformat()]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging")}
    dry = runner.invoke(app, [*args, "--dry-run"], env=env)
    assert dry.exit_code == 0, dry.output
    assert "2 of 3 days with files or articles to rebuild" in dry.output
    assert days[1].isoformat() in dry.output and "missing" in dry.output
    assert checksums(settings.warehouse) == before  # a dry run writes nothing
    done = runner.invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    again = runner.invoke(app, [*args, "--mode", "all"], env=env)
    assert again.exit_code == 0, again.output
    serial = settings_for(landing, tmp_path / "serial")
    pipeline.run(serial)
    assert checksums(settings.warehouse) == checksums(serial.warehouse)
    runs = query(
        settings.warehouse,
        "SELECT mode, count(*) FROM etl_run WHERE trigger = 'cli-backfill' GROUP BY 1",
    )
    assert runs == [("rebuild", 5)]


def test_a_loader_killed_mid_transaction_leaves_the_warehouse_unchanged(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    pipeline.run(settings, partition_date=days[0])
    before = checksums(settings.warehouse)
    runs_before = query(settings.warehouse, "SELECT count(*) FROM etl_run")
    marker = tmp_path / "about-to-commit"
    args = ["run", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--date", days[1].isoformat()]
    env = {**os.environ, "NEWS_ETL_STAGING_DIR": str(settings.staging_root)}
    proc = subprocess.Popen(
        [*paused_cli(marker), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 180
    while not marker.exists():  # the loader has written everything and waits before COMMIT
        assert proc.poll() is None, "the loader exited before reaching its commit"
        assert time.monotonic() < deadline, "the loader never reached its commit"
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=60) == -signal.SIGKILL

    assert checksums(settings.warehouse) == before  # unchanged and readable
    assert query(settings.warehouse, "SELECT count(*) FROM etl_run") == runs_before
    rerun = subprocess.run([NEWS_ETL, *args], env=env, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    serial = settings_for(landing, tmp_path / "serial")
    for day in days[:2]:
        pipeline.run(serial, partition_date=day)
    assert checksums(settings.warehouse) == checksums(serial.warehouse)


def test_a_bad_range_or_mode_is_refused(tmp_path: Path) -> None:
    from etl.errors import ConfigError

    settings = settings_for(tmp_path / "landing", tmp_path / "w")
    days = generate_sample(tmp_path / "landing").dates
    with pytest.raises(ConfigError):
        backfill.plan_backfill(settings, days[1], days[0], "all")
    with pytest.raises(ConfigError):
        backfill.plan_backfill(settings, days[0], days[1], "everything")


def test_a_migration_of_views_and_macros_makes_no_day_stale(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(Path(__file__).parents[2] / "schemas", schemas)
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w", schemas_dir=schemas)
    pipeline.run(settings, partition_date=days[0])
    built = len(list((schemas / "migrations").glob("*.sql")))
    macros = schemas / "migrations" / f"{built + 1:04d}_a_view_and_a_macro.sql"
    macros.write_text(
        "-- read side only\nCREATE VIEW v_titles AS SELECT title FROM fact_article;\n"
        "CREATE OR REPLACE MACRO twice(x) AS 2 * x;\nCOMMENT ON VIEW v_titles IS 'titles';\n"
    )
    assert backfill.plan_backfill(settings, days[0], days[-1], "stale").selected == []
    rows = schemas / "migrations" / f"{built + 2:04d}_a_column.sql"
    rows.write_text("ALTER TABLE fact_article ADD COLUMN word_count INTEGER;\n")
    stale = backfill.plan_backfill(settings, days[0], days[-1], "stale").selected
    assert [(p.day, p.reason) for p in stale] == [
        (days[0], f"schema version {built} < {built + 2}")
    ]


def test_a_day_of_quarantined_files_loaded_by_an_older_schema_is_stale(tmp_path: Path) -> None:
    """A day whose every file was quarantined has no article; when its latest successful run is
    of an older schema, `stale` rebuilds it as it does a day with articles (probe B: skipped)."""
    landing = tmp_path / "landing"
    for day, body in (("2024-01-10", b""), ("2024-01-11", b"")):
        (landing / day).mkdir(parents=True)
        (landing / day / "empty.txt").write_bytes(body)
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    first, second = date(2024, 1, 10), date(2024, 1, 11)
    for day in (first, second):
        pipeline.run(settings, partition_date=day)
    assert query(settings.warehouse, "SELECT count(*) FROM fact_article") == [(0,)]
    assert backfill.plan_backfill(settings, first, second, "stale").selected == []
    with writer(settings) as con:  # the first day as an older news-etl loaded it
        con.execute("UPDATE etl_run SET schema_version = 29 WHERE partition_date = ?", [first])
    latest = rows_version(discover(settings.migrations_dir))
    stale = backfill.plan_backfill(settings, first, second, "stale").selected
    assert [(p.day, p.reason) for p in stale] == [(first, f"schema version 29 < {latest}")]


COMPARE = Path(__file__).resolve().parents[2] / "scripts" / "compare_warehouses.py"


def test_rebuilds_of_two_days_commute_for_undated_files(tmp_path: Path) -> None:
    """Files without a date (no header, no date field, no dated folder) took the date of the run
    that read them, and every rebuild reads them: rebuilding 03-04 then 03-05 left them on 03-05,
    the other order on 03-04. Now a rebuild keeps an undated article on the day the warehouse
    holds it on, and places no undated file for the first time. Both orders give the same
    warehouse, every table compared (run ids, timestamps and durations aside, and the post-load
    checks' element counts, which count the dimensions as they stood when each run checked)."""
    landing = tmp_path / "landing"
    for folder in ("2024-03-04", "2024-03-05", "flat"):
        (landing / folder).mkdir(parents=True)
    tail = " said the spokesman on Monday.\n\nA second paragraph follows here.\n"
    (landing / "2024-03-04" / "a.txt").write_text(" date 2024-03-04 Copper fell" + tail)
    (landing / "2024-03-05" / "b.txt").write_text(" date 2024-03-05 Tin rose" + tail)
    (landing / "flat" / "u.txt").write_text("Cloves shipped without a date" + tail)
    lines = [
        {"text": "Pepper prices doubled" + tail},
        {"published": "2024-03-05", "text": "Nutmeg was scarce" + tail},
    ]
    (landing / "flat" / "feed.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    base = settings_for(landing, tmp_path / "base", write_reports=False)
    pipeline.run(base, partition_date=date(2024, 3, 4))  # the undated articles get 03-04
    # A new undated file, which no run has placed yet.
    (landing / "flat" / "w.txt").write_text("Saffron arrived late" + tail)

    built: dict[str, Path] = {}
    for name, order in (("forward", (4, 5)), ("backward", (5, 4))):
        s = settings_for(landing, tmp_path / name, write_reports=False)
        s.warehouse.parent.mkdir(parents=True)
        shutil.copy(base.warehouse, s.warehouse)
        for day in order:
            backfill.rebuild_partition(s, date(2024, 3, day))
        built[name] = s.warehouse
        rows = query(
            s.warehouse,
            "SELECT source_file, published_date::VARCHAR, date_source FROM fact_article",
        )
        assert sorted(rows) == [
            ("2024-03-04/a.txt", "2024-03-04", "header"),
            ("2024-03-05/b.txt", "2024-03-05", "header"),
            ("flat/feed.jsonl", "2024-03-04", "run"),
            ("flat/feed.jsonl", "2024-03-05", "metadata"),
            ("flat/u.txt", "2024-03-04", "run"),
        ]
        # w.txt is left to the next run that is not a rebuild: unread, so not in the ledger.
        assert query(
            s.warehouse, "SELECT count(*) FROM ingest_ledger WHERE path = 'flat/w.txt'"
        ) == [(0,)]
    ignore = ["--ignore", "fact_check_result.element_count"]
    compare = [sys.executable, str(COMPARE), *ignore, str(built["forward"]), str(built["backward"])]
    out = subprocess.run(compare, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
