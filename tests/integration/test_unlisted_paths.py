"""Paths the landing zone lister used to skip or choke on, now each quarantined with a reason
until fixed, while the zone's good files load: a symlink to nothing or into a loop
(``broken_link``, with where it points; a loop stopped every run with a ``RuntimeError``, a link
to nothing was skipped without a word; remembered like the other refusals made unread) and a
name that is not UTF-8 (``bad_name``; it stopped every run with a ``UnicodeEncodeError``;
remembered like every refusal made from the listing alone, see ``test_known_refusals.py``).
Expected values are literals."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from etl import pipeline

from .helpers import query, settings_for

GOOD = " date 2024-05-06 The council met on Monday to discuss the budget for the schools.\n"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_broken_symlinks_are_quarantined_with_where_they_point(tmp_path: Path) -> None:
    day = tmp_path / "landing" / "2024-05-06"
    day.mkdir(parents=True)
    (day / "good.txt").write_text(GOOD, encoding="utf-8")
    (day / "gone.txt").symlink_to("missing.txt")
    (day / "loop-a.txt").symlink_to("loop-b.txt")
    (day / "loop-b.txt").symlink_to("loop-a.txt")
    settings = settings_for(tmp_path / "landing", tmp_path / "w", write_reports=False)
    first = pipeline.run(settings)
    assert (first.articles_loaded, first.files_quarantined) == (1, 3)
    expected = [
        ("2024-05-06/gone.txt", "broken_link", "a symlink to 'missing.txt', which does not exist"),
        (
            "2024-05-06/loop-a.txt",
            "broken_link",
            "a symlink to 'loop-b.txt' that leads back to itself (a loop)",
        ),
        (
            "2024-05-06/loop-b.txt",
            "broken_link",
            "a symlink to 'loop-a.txt' that leads back to itself (a loop)",
        ),
    ]
    sql = "SELECT path, reason, detail FROM quarantine WHERE run_id = ? ORDER BY path"
    assert query(settings.warehouse, sql, [first.run_id]) == expected
    # still broken on the next run: remembered, unchanged, as a quarantined file's known bytes
    # (up to session 38 they were new files on every run, with new quarantine rows each time)
    second = pipeline.run(settings)
    assert (second.files_new, second.files_quarantined, second.files_unchanged) == (0, 0, 4)
    assert query(settings.warehouse, sql, [second.run_id]) == []
    # pointed elsewhere, to nothing still: judged again; its target appears: read and loaded
    (day / "gone.txt").unlink()
    (day / "gone.txt").symlink_to("elsewhere.txt")
    third = pipeline.run(settings)
    assert (third.files_new, third.files_quarantined) == (1, 1)
    assert query(settings.warehouse, sql, [third.run_id]) == [
        ("2024-05-06/gone.txt", "broken_link", "a symlink to 'elsewhere.txt', which does not exist")
    ]
    (day / "elsewhere.txt").write_text(GOOD.replace("council", "committee"), encoding="utf-8")
    fourth = pipeline.run(settings)
    # elsewhere.txt and gone.txt (its link): one article, one duplicate
    assert (fourth.files_new, fourth.articles_loaded, fourth.files_quarantined) == (2, 1, 0)
    refusals = "SELECT path, reason FROM ingest_refusal ORDER BY path"
    assert query(settings.warehouse, refusals) == [
        ("2024-05-06/loop-a.txt", "broken_link"),
        ("2024-05-06/loop-b.txt", "broken_link"),
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_many_broken_symlinks_do_not_hold_back_the_good_files_of_later_runs(
    tmp_path: Path,
) -> None:
    """Probe: 20 links to nothing beside 245 good files loaded once; every later run then
    counted the 20 as new files refused whole and was refused for its quarantine share, and 5
    new good files never loaded. Remembered, the links are not new again."""
    day = tmp_path / "landing" / "2024-05-06"
    day.mkdir(parents=True)
    for i in range(4):
        (day / f"good{i}.txt").write_text(GOOD.replace("Monday", f"day {i}"), encoding="utf-8")
    for i in range(20):
        (day / f"dangling{i:02d}.txt").symlink_to(f"missing{i}.txt")
    settings = settings_for(tmp_path / "landing", tmp_path / "w", write_reports=False)
    settings = settings.model_copy(update={"quarantine_check_min_files": 100})
    assert pipeline.run(settings).files_quarantined == 20  # the share is not checked
    settings = settings.model_copy(update={"quarantine_check_min_files": 20})
    for i in range(5):
        (day / f"new{i}.txt").write_text(GOOD.replace("Monday", f"week {i}"), encoding="utf-8")
    later = pipeline.run(settings)
    assert (later.files_new, later.articles_loaded, later.files_quarantined) == (5, 5, 0)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_symlinked_folder_outside_the_zone_is_quarantined_not_skipped(tmp_path: Path) -> None:
    # A dated folder linked in from elsewhere (a mount, another disk) was skipped without a word:
    # the run read 0 files and succeeded. Its files are not read (the zone is the boundary, as for
    # a symlinked file), but the folder is quarantined, on every run, under the day it names.
    landing = tmp_path / "landing"
    (landing / "2024-05-06").mkdir(parents=True)
    (landing / "2024-05-06" / "good.txt").write_text(GOOD, encoding="utf-8")
    mounted = tmp_path / "mnt" / "2024-05-07"
    mounted.mkdir(parents=True)
    (mounted / "a.txt").write_text(GOOD.replace("2024-05-06", "2024-05-07"), encoding="utf-8")
    (landing / "2024-05-07").symlink_to(mounted, target_is_directory=True)
    # a folder linked inside the zone is another name for files that are read under their own
    (landing / "latest").symlink_to(landing / "2024-05-06", target_is_directory=True)
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    sql = "SELECT path, reason, detail FROM quarantine WHERE run_id = ? ORDER BY path"
    expected = [
        (
            "2024-05-07",
            "outside_landing",
            "a symlink to a folder outside the landing zone: none of its files is read",
        )
    ]
    first = pipeline.run(settings)
    assert (first.files_new, first.articles_loaded, first.files_quarantined) == (2, 1, 1)
    assert query(settings.warehouse, sql, [first.run_id]) == expected
    # refused for the same reason again: unchanged, like a quarantined file's known bytes
    again = pipeline.run(settings)
    assert (again.articles_loaded, again.files_quarantined, again.files_unchanged) == (0, 0, 2)
    assert query(settings.warehouse, sql, [again.run_id]) == []
    # the day's own run finds it so too (the folder's name is its date), and a rebuild of the
    # day judges it again
    day = pipeline.run(settings, partition_date=date(2024, 5, 7))
    assert (day.articles_loaded, day.files_quarantined, day.files_unchanged) == (0, 0, 1)
    rebuilt = pipeline.run(settings, partition_date=date(2024, 5, 7), mode="rebuild")
    assert (rebuilt.articles_loaded, rebuilt.files_quarantined) == (0, 1)
    assert query(settings.warehouse, sql, [rebuilt.run_id]) == expected
    # Both rows fall on the folder's day (migration 0031): the first run's, made without --date,
    # fell on the UTC day it ran (folder_day dates a path by the folders it is in, and the row's
    # path is the folder), so `quarantine list --date 2024-05-07` did not list it.
    listed = "SELECT run_id, path, day FROM v_quarantine ORDER BY run_id"
    assert query(settings.warehouse, listed) == [
        (first.run_id, "2024-05-07", date(2024, 5, 7)),
        (rebuilt.run_id, "2024-05-07", date(2024, 5, 7)),
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_backfill_lists_and_rebuilds_the_day_of_a_symlinked_folder(tmp_path: Path) -> None:
    # backfill planned days from the files it could date and skipped refused entries: a day whose
    # only entry is a folder linked from outside had no file, so no backfill ever said so
    from etl import backfill

    landing = tmp_path / "landing"
    landing.mkdir()
    mounted = tmp_path / "mnt" / "x"
    mounted.mkdir(parents=True)
    (mounted / "a.txt").write_text(GOOD, encoding="utf-8")
    (landing / "2024-05-06").symlink_to(mounted, target_is_directory=True)
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    first, last = date(2024, 5, 5), date(2024, 5, 7)
    plan = backfill.plan_backfill(settings, first, last, "missing")
    assert [(p.day, p.files, p.reason) for p in plan.partitions if p.files] == [
        (date(2024, 5, 6), 1, "missing")
    ]
    summary = backfill.rebuild_partition(settings, date(2024, 5, 6))
    assert (summary.articles_loaded, summary.files_quarantined) == (0, 1)
    sql = "SELECT path, reason FROM quarantine WHERE run_id = ?"
    assert query(settings.warehouse, sql, [summary.run_id]) == [("2024-05-06", "outside_landing")]
    # rebuilt (a successful run of the day): no longer missing
    again = backfill.plan_backfill(settings, first, last, "missing")
    assert [p.day for p in again.partitions if p.reason] == []


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes on POSIX only")
def test_a_name_that_is_not_utf8_is_quarantined_unread(tmp_path: Path) -> None:
    day = tmp_path / "landing" / "2024-05-06"
    day.mkdir(parents=True)
    (day / "good.txt").write_text(GOOD, encoding="utf-8")
    text = " date 2024-05-06 Another article, about the harbour town and its vote on roads.\n"
    latin1 = os.fsencode(day) + b"/caf\xe9.txt"  # 'café.txt' written in Latin-1
    with open(latin1, "wb") as handle:
        handle.write(text.encode("utf-8"))
    settings = settings_for(tmp_path / "landing", tmp_path / "w", write_reports=False)
    first = pipeline.run(settings)
    assert (first.articles_loaded, first.files_quarantined) == (1, 1)
    rows = query(settings.warehouse, "SELECT path, sha256, reason, detail FROM quarantine")
    assert rows == [
        (
            "2024-05-06/caf\\xe9.txt",
            None,
            "bad_name",
            "the path is not valid UTF-8 (each byte that is not is shown as \\xNN): never opened",
        )
    ]
    # renamed in UTF-8, it loads on the next run
    os.rename(latin1, day / "café.txt")
    second = pipeline.run(settings)
    assert (second.articles_loaded, second.files_quarantined) == (1, 0)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_a_link_whose_target_comes_back_unchanged_is_no_longer_refused(tmp_path: Path) -> None:
    """Review: a link broken for one run (its target moved away, then back as it was) is found
    unchanged by the next run; its broken_link refusal stood for ever, and summary counted a
    loaded file as refused whole."""
    from etl.report.summary import summarise

    landing = tmp_path / "landing"
    store = landing / ".store"  # hidden: read only through the link
    store.mkdir(parents=True)
    (store / "a.txt").write_text(GOOD, encoding="utf-8")
    day = landing / "2024-05-06"
    day.mkdir()
    (day / "a.txt").symlink_to(Path("..") / ".store" / "a.txt")
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 1
    (store / "a.txt").rename(store / "a.moved")
    broken = pipeline.run(settings)
    assert broken.files_quarantined == 1
    (store / "a.moved").rename(store / "a.txt")
    back = pipeline.run(settings)
    assert (back.files_new, back.files_unchanged) == (0, 1)
    assert query(settings.warehouse, "SELECT count(*) FROM ingest_refusal") == [(0,)]
    s = summarise(settings.warehouse)
    assert (s.quarantined_files, s.quarantine_records, s.articles) == (0, 0, 1)
