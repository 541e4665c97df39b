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
