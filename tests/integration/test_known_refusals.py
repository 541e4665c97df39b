"""Files refused before their bytes are read (a link out of the zone, a FIFO, a file over the size
limit, a name that is not UTF-8) are remembered like any other quarantined file: a later run that
finds the same file refused for the same reason counts it as unchanged, writes no new quarantine
row, and does not count it among its new files. Before, each run quarantined them again as new
files, so a zone with a few of them refused every later day that had fewer new good files than
refused old ones (the run-level quarantine share), and nothing new ever loaded.

What a run remembers is the file's reason and detail (``ingest_refusal``): a file refused for
another reason or detail (it grew) is judged again, a file that can now be read is, a rebuild of
its day judges it again, and ``news-etl replay`` forgets it. Expected values are literals."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from etl import backfill, pipeline
from etl.cli import app
from etl.errors import BatchValidationError
from etl.load.replay import forget_quarantined, replayed_outcomes
from etl.report.summary import summarise
from etl.settings import Settings, load_settings
from etl.warehouse import writer

from .helpers import read_rows, warehouse_target

pytestmark = pytest.mark.skipif(
    os.name != "posix" or not hasattr(os, "mkfifo"), reason="symlinks and FIFOs"
)

DAY = "2024-05-06"
LIMIT = 300  # NEWS_ETL_MAX_FILE_BYTES of these tests


def _article(n: int) -> str:
    return (
        f" date {DAY} Article {n}: the council met on Monday to discuss the budget for schools.\n"
    )


def _zone(tmp_path: Path, kind: str = "duckdb") -> tuple[Path, Settings]:
    """A day with four good files and three refused unread: too large, a link out, a FIFO."""
    day = tmp_path / "landing" / DAY
    day.mkdir(parents=True)
    for n in range(1, 5):
        (day / f"good{n}.txt").write_text(_article(n), encoding="utf-8")
    (day / "big.txt").write_bytes(b"x" * 400)
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(_article(99), encoding="utf-8")
    (day / "link.txt").symlink_to(outside)
    os.mkfifo(day / "pipe.txt")
    settings = load_settings(
        landing=tmp_path / "landing",
        warehouse=warehouse_target(tmp_path, kind),
        staging_dir=tmp_path / "staging",
        write_reports=False,
        max_file_bytes=LIMIT,
        quarantine_check_min_files=3,
        max_quarantine_share=0.5,
        workers=1,
    )
    return day, settings


def _rows(settings: Settings, run_id: str) -> list[tuple[Any, ...]]:
    sql = "SELECT path, reason FROM quarantine WHERE run_id = ? ORDER BY path"
    return read_rows(settings, sql, [run_id])


def _refusals(settings: Settings) -> list[tuple[Any, ...]]:
    sql = "SELECT path, reason, detail, first_run_id, last_run_id FROM ingest_refusal ORDER BY path"
    return read_rows(settings, sql)


REFUSED = [
    (f"{DAY}/big.txt", "too_large"),
    (f"{DAY}/link.txt", "outside_landing"),
    (f"{DAY}/pipe.txt", "not_regular"),
]


@pytest.mark.parametrize("kind", ["duckdb", "ducklake"])
def test_a_refusal_seen_again_is_unchanged_and_does_not_refuse_the_run(
    tmp_path: Path, kind: str
) -> None:
    day, settings = _zone(tmp_path, kind)
    first = pipeline.run(settings)
    counts = (first.files_new, first.files_loaded, first.files_quarantined)
    assert counts == (7, 4, 3)
    assert _rows(settings, first.run_id) == REFUSED
    assert _refusals(settings) == [
        (
            f"{DAY}/big.txt",
            "too_large",
            f"400 bytes is over the limit of {LIMIT}",
            first.run_id,
            first.run_id,
        ),
        (
            f"{DAY}/link.txt",
            "outside_landing",
            "symlink points outside the landing zone",
            first.run_id,
            first.run_id,
        ),
        (
            f"{DAY}/pipe.txt",
            "not_regular",
            "a FIFO (named pipe), not a regular file: never opened for reading",
            first.run_id,
            first.run_id,
        ),
    ]

    # One new good file: before, 3 of its 4 "new" files were quarantined (75 %) and the run
    # was refused, as every later one would be.
    (day / "good5.txt").write_text(_article(5), encoding="utf-8")
    second = pipeline.run(settings)
    assert (second.files_new, second.files_loaded, second.files_quarantined) == (1, 1, 0)
    assert second.files_unchanged == 7
    assert _rows(settings, second.run_id) == []
    assert [(p, r, f, last) for p, r, _, f, last in _refusals(settings)] == [
        (path, reason, first.run_id, second.run_id) for path, reason in REFUSED
    ]
    assert read_rows(settings, "SELECT count(*) FROM fact_article") == [(5,)]

    # The file grew: refused for another detail, so judged again (a new file of the run).
    (day / "big.txt").write_bytes(b"x" * 500)
    third = pipeline.run(settings)
    assert (third.files_new, third.files_quarantined, third.files_unchanged) == (1, 1, 7)
    details = read_rows(settings, "SELECT detail FROM quarantine WHERE run_id = ?", [third.run_id])
    assert details == [(f"500 bytes is over the limit of {LIMIT}",)]
    assert [(p, f) for p, _, _, f, _ in _refusals(settings)] == [
        (f"{DAY}/big.txt", third.run_id),
        (f"{DAY}/link.txt", first.run_id),
        (f"{DAY}/pipe.txt", first.run_id),
    ]

    # Fixed: read again and loaded; their refusals are forgotten.
    (day / "big.txt").write_text(_article(6), encoding="utf-8")
    (day / "pipe.txt").unlink()
    (day / "pipe.txt").write_text(_article(7), encoding="utf-8")
    fourth = pipeline.run(settings)
    assert (fourth.files_new, fourth.files_loaded, fourth.files_quarantined) == (2, 2, 0)
    assert [p for p, *_ in _refusals(settings)] == [f"{DAY}/link.txt"]
    # ... and refused again for the same reason, judged as a new refusal (no stale memory)
    (day / "pipe.txt").unlink()
    os.mkfifo(day / "pipe.txt")
    fifth = pipeline.run(settings)
    assert (fifth.files_new, fifth.files_quarantined) == (1, 1)
    assert _rows(settings, fifth.run_id) == [(f"{DAY}/pipe.txt", "not_regular")]


def test_a_refused_run_remembers_no_refusal(tmp_path: Path) -> None:
    # The run-level rule is not worn down by repetition: a run refused for its quarantine share
    # records its quarantine rows (evidence) but no refusal, so the next run is refused too.
    day, settings = _zone(tmp_path)
    for n in range(2, 5):
        (day / f"good{n}.txt").unlink()
    with pytest.raises(BatchValidationError, match="3 of 4 new files") as refused:
        pipeline.run(settings)
    assert _refusals(settings) == []
    notes = refused.value.__notes__
    assert any("make one run with NEWS_ETL_MAX_QUARANTINE_SHARE raised" in n for n in notes)
    with pytest.raises(BatchValidationError, match="3 of 4 new files"):
        pipeline.run(settings)
    assert read_rows(settings, "SELECT count(*) FROM quarantine") == [(6,)]


@pytest.mark.parametrize("kind", ["duckdb", "ducklake"])
def test_replay_forgets_a_refusal_and_reports_it_refused_again(tmp_path: Path, kind: str) -> None:
    _, settings = _zone(tmp_path, kind)
    pipeline.run(settings)
    landing = str(settings.landing)
    with writer(settings) as con:
        forgotten = forget_quarantined(con, landing, "outside_landing")
    assert forgotten.paths == [f"{DAY}/link.txt"]
    assert (forgotten.refused_whole, forgotten.with_bad_records) == (1, 0)
    run = pipeline.run(settings)
    assert (run.files_new, run.files_quarantined, run.files_unchanged) == (1, 1, 6)
    assert _rows(settings, run.run_id) == [(f"{DAY}/link.txt", "outside_landing")]
    with writer(settings) as con:
        replayed = replayed_outcomes(con, landing, forgotten, run.run_id)
    assert dict(replayed.files) == {"quarantined": 1}
    assert replayed.records_quarantined == 1


def test_a_rebuild_judges_its_days_refusals_again_and_no_other_days(tmp_path: Path) -> None:
    day, settings = _zone(tmp_path)
    # a link out at the zone's root (no day of its own) and one in another day's folder
    (day.parent / "top.txt").symlink_to(tmp_path / "elsewhere.txt")
    other = day.parent / "2024-05-07"
    other.mkdir()
    (other / "link.txt").symlink_to(tmp_path / "elsewhere.txt")
    for n in range(1, 4):
        (other / f"good{n}.txt").write_text(_article(10 + n), encoding="utf-8")
    first = pipeline.run(settings)
    assert (first.files_new, first.files_loaded, first.files_quarantined) == (12, 7, 5)
    rebuilt = backfill.rebuild_partition(settings, date(2024, 5, 6))
    assert (rebuilt.files_new, rebuilt.files_loaded, rebuilt.files_quarantined) == (7, 4, 3)
    assert _rows(settings, rebuilt.run_id) == REFUSED
    # the root's link is found refused again (unchanged, its last sighting), the other day's
    # is not looked at; neither is read or counted new
    assert rebuilt.files_unchanged == 1
    assert [(p, f, last) for p, _, _, f, last in _refusals(settings)] == [
        (f"{DAY}/big.txt", rebuilt.run_id, rebuilt.run_id),
        (f"{DAY}/link.txt", rebuilt.run_id, rebuilt.run_id),
        (f"{DAY}/pipe.txt", rebuilt.run_id, rebuilt.run_id),
        ("2024-05-07/link.txt", first.run_id, first.run_id),
        ("top.txt", first.run_id, rebuilt.run_id),
    ]


def test_the_migration_remembers_the_refusals_of_earlier_runs(tmp_path: Path) -> None:
    """Migration 0030 takes the refusals earlier successful runs made from ``quarantine`` (the
    latest of each file): after ``news-etl init``, or in the run that migrates, they are
    unchanged."""
    day, settings = _zone(tmp_path)
    first = pipeline.run(settings)
    (day / "good1.txt").unlink()  # refused, then read: no refusal to remember
    (day / "good1.txt").symlink_to(tmp_path / "elsewhere.txt")
    second = pipeline.run(settings)
    (day / "good1.txt").unlink()
    (day / "good1.txt").write_text(_article(1), encoding="utf-8")
    pipeline.run(settings)

    def before_0030() -> None:
        with writer(settings) as con:
            con.execute("DROP TABLE ingest_refusal")
            con.execute("DELETE FROM schema_migrations WHERE version = 30")

    before_0030()
    runner = CliRunner()
    assert runner.invoke(app, ["init", "-w", str(settings.warehouse)]).exit_code == 0
    assert [(p, f) for p, _, _, f, _ in _refusals(settings)] == [
        (path, first.run_id) for path, _ in REFUSED
    ]
    assert second.files_quarantined == 1
    run = pipeline.run(settings)
    assert (run.files_new, run.files_quarantined, run.files_unchanged) == (0, 0, 7)

    # A run that migrates the warehouse itself plans before it migrates: it reads the same
    # refusals from ``quarantine`` (before, all 3 were new again, and "none of the 3 new files
    # produced an article" refused the run).
    before_0030()
    migrating = pipeline.run(settings)
    assert (migrating.files_new, migrating.files_quarantined, migrating.files_unchanged) == (
        0,
        0,
        7,
    )
    assert [(p, f, last) for p, _, _, f, last in _refusals(settings)] == [
        (path, first.run_id, migrating.run_id) for path, _ in REFUSED
    ]


def test_a_new_size_limit_leaves_a_too_large_file_unchanged(tmp_path: Path) -> None:
    """The limit is part of a too-large file's detail, yet not of what it is: a file of the same
    size, over another limit, is the same refusal. Before (operator probe, session 32), lowering
    NEWS_ETL_MAX_FILE_BYTES made every remembered too-large file a new file, quarantined again
    (with 20 of them, the run was refused for its quarantine share)."""
    _, settings = _zone(tmp_path)
    first = pipeline.run(settings)
    lower = settings.model_copy(update={"max_file_bytes": LIMIT - 50})
    run = pipeline.run(lower)
    assert (run.files_new, run.files_quarantined, run.files_unchanged) == (0, 0, 7)
    # the recorded refusal keeps the detail it was made with, and its first run
    big = [r for r in _refusals(settings) if r[0] == f"{DAY}/big.txt"]
    assert big == [
        (
            f"{DAY}/big.txt",
            "too_large",
            f"400 bytes is over the limit of {LIMIT}",
            first.run_id,
            run.run_id,
        )
    ]


@pytest.mark.parametrize("kind", ["duckdb", "ducklake"])
def test_a_failed_replay_forgets_nothing(tmp_path: Path, kind: str) -> None:
    """A replay forgets, then runs; when its run is refused (it wrote nothing), what it forgot is
    put back. Before (operator probe, session 32) the forgotten refusals stayed forgotten: every
    later run found them new again and was refused for its quarantine share, for good. The
    replay's run is refused by three new bad files: the 4 it forgot, quarantined again as they
    were, are not counted by the run-level rules since session 37 (a replay of many files still
    bad and one fixed was refused whole), so they alone no longer refuse it."""
    day, settings = _zone(tmp_path, kind)
    first = pipeline.run(settings)
    (day / "empty.txt").write_bytes(b"")  # quarantined with a hash: a ledger verdict
    second = pipeline.run(settings)
    assert (second.files_new, second.files_quarantined) == (1, 1)
    before = _refusals(settings)
    ledger = "SELECT path, sha256, outcome, last_run_id FROM ingest_ledger ORDER BY path"
    verdicts = read_rows(settings, ledger)
    for i in range(3):
        (day / f"new-empty{i}.txt").write_bytes(b"")
    args = ["replay", "-l", str(settings.landing), "-w", settings.target.location]
    env = {"NEWS_ETL_STAGING_DIR": str(settings.staging_dir), "NEWS_ETL_WRITE_REPORTS": "false"}
    env |= {"NEWS_ETL_MAX_FILE_BYTES": str(LIMIT), "NEWS_ETL_QUARANTINE_CHECK_MIN_FILES": "3"}
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 2, out.output
    assert "none of the 3 new files produced an article" in out.output  # the 4 not counted
    assert "the verdicts on the 4 files it forgot are kept, as before the replay" in out.output
    assert _refusals(settings) == before
    assert read_rows(settings, ledger) == verdicts
    for i in range(3):
        (day / f"new-empty{i}.txt").unlink()
    (day / "good5.txt").write_text(_article(5), encoding="utf-8")
    after = pipeline.run(settings)
    assert (after.files_new, after.files_loaded, after.files_quarantined) == (1, 1, 0)
    assert [f for _, _, _, f, _ in _refusals(settings)] == [first.run_id] * 3


def test_the_summary_counts_a_loaded_file_now_refused(tmp_path: Path) -> None:
    """A file that loaded and then grew over the size limit is refused unread: `status` and
    `summary` counted it nowhere ("0 files refused whole"), since its path had a ledger row
    (operator probe, session 32). Now the remembered refusal is current, and counted once."""
    day, settings = _zone(tmp_path)
    pipeline.run(settings)
    (day / "good1.txt").write_bytes(b"y" * 350)
    grown = pipeline.run(settings)
    assert (grown.files_new, grown.files_quarantined) == (1, 1)
    summary = summarise(settings.warehouse)
    assert summary.quarantined_files == 4
    assert dict(summary.quarantine_reasons) == {
        "too_large": 2,
        "outside_landing": 1,
        "not_regular": 1,
    }
    assert (summary.quarantine_records, summary.quarantine_record_files) == (4, 4)
    # an empty file whose path is then refused unread counts once, under its current reason
    (day / "good2.txt").write_bytes(b"")
    pipeline.run(settings)
    (day / "good2.txt").write_bytes(b"z" * 350)
    pipeline.run(settings)
    summary = summarise(settings.warehouse)
    assert summary.quarantined_files == 5
    assert dict(summary.quarantine_reasons)["too_large"] == 3
    assert "empty" not in dict(summary.quarantine_reasons)
