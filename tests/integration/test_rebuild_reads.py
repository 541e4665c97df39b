"""Which files outside dated folders a rebuild of a day reads again: those of the day only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import backfill, pipeline

from .helpers import query, settings_for

BUSY, QUIET = date(2024, 3, 4), date(2024, 3, 5)
BODY = "The harbour board met on Monday and approved the new ferry timetable for the islands."


def test_a_rebuild_leaves_other_days_refused_files_alone(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    for day, n in ((BUSY, 30), (QUIET, 2)):
        (landing / day.isoformat()).mkdir(parents=True)
        for i in range(n):
            (landing / day.isoformat() / f"a{i}.txt").write_text(f" date {day} {day} {i}. {BODY}\n")
    flat = landing / "dump"
    flat.mkdir()
    for i in range(25):  # refused whole, no date: they belong to no day
        (flat / f"empty{i}.txt").write_bytes(b"")
    (flat / "stub.txt").write_text(f" date {BUSY} Stub.\n")  # refused; its header says BUSY
    settings = settings_for(landing, tmp_path, write_reports=False)
    first = pipeline.run(settings)
    assert (first.articles_loaded, first.quarantined) == (32, 26)
    # The quiet day's two files alone: the 26 refused files are not its (they made its rebuild
    # 26 of 28 files quarantined, refused over the 50 % limit).
    quiet = backfill.rebuild_partition(settings, QUIET)
    assert (quiet.status, quiet.articles_loaded, quiet.quarantined) == ("success", 2, 0)
    # The busy day's rebuild reads the stub its header dates, not the undated empty files.
    busy = backfill.rebuild_partition(settings, BUSY)
    assert (busy.status, busy.articles_loaded, busy.quarantined) == ("success", 30, 1)
    assert query(
        settings.warehouse, "SELECT path, reason FROM quarantine WHERE run_id = ?", [busy.run_id]
    ) == [("dump/stub.txt", "expect_column_values_to_be_between")]
    assert query(
        settings.warehouse,
        "SELECT published_date, count(*) FROM fact_article GROUP BY ALL ORDER BY 1",
    ) == [(BUSY, 30), (QUIET, 2)]


def test_a_rebuild_counts_another_days_undated_file_deferred_not_unchanged(
    tmp_path: Path,
) -> None:
    # A file outside dated folders whose article is on another day: the rebuild of a day does
    # not read it, and counted it "unchanged", though a rebuild ignores that shortcut (probe).
    landing = tmp_path / "landing"
    (landing / QUIET.isoformat()).mkdir(parents=True)
    (landing / QUIET.isoformat() / "q.txt").write_text(f" date {QUIET} Quiet day. {BODY}\n")
    (landing / "flat.txt").write_text(f" date {BUSY} Busy day, flat. {BODY}\n")
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 2
    quiet = backfill.rebuild_partition(settings, QUIET)
    assert quiet.status == "success"
    assert query(
        settings.warehouse,
        "SELECT files_seen, files_unchanged, files_deferred, files_new FROM etl_run"
        " WHERE run_id = ?",
        [quiet.run_id],
    ) == [(2, 0, 1, 1)]
    busy = backfill.rebuild_partition(settings, BUSY)
    assert query(
        settings.warehouse,
        "SELECT files_unchanged, files_deferred, files_new, articles_loaded FROM etl_run"
        " WHERE run_id = ?",
        [busy.run_id],
    ) == [(0, 1, 1, 1)]
    assert query(
        settings.warehouse,
        "SELECT published_date, count(*) FROM fact_article GROUP BY ALL ORDER BY 1",
    ) == [(BUSY, 1), (QUIET, 1)]
