"""A rebuild of a day removes the articles of its files that are now refused unread.

A file that loaded and then grew over ``NEWS_ETL_MAX_FILE_BYTES`` (or became a FIFO, or a link
out of the zone) is refused before its bytes are read. ``run --date D --replace`` removed its
article (no present file gives it), but a rebuild of the day kept it: the rebuild replaces what
the run's files produced, and a file refused unread was not among them, so the warehouse kept an
article whose file no longer gives it (operator probe, session 32). A rebuild removes it now,
and only on the day it rebuilds: a file outside dated folders is refused by the rebuild of any
day, and the rebuild of another day leaves its article alone. A copy of the article elsewhere in
the zone keeps it, as for a file that fails a check: a copy that was only touched, and a record
of another day's multi-record file, too (a second operator probe found both removed). Expected
values are literals.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from etl import backfill, pipeline
from etl.settings import Settings, load_settings

from .helpers import read_rows, warehouse_target

DAY = "2024-05-06"
OTHER = "2024-05-07"
LIMIT = 300  # NEWS_ETL_MAX_FILE_BYTES of these tests


def _article(n: int, day: str = DAY) -> str:
    return (
        f" date {day} Article {n}: the council met on Monday to discuss the budget for schools.\n"
    )


def _settings(tmp_path: Path, kind: str = "duckdb") -> Settings:
    return load_settings(
        landing=tmp_path / "landing",
        warehouse=warehouse_target(tmp_path, kind),
        staging_dir=tmp_path / "staging",
        write_reports=False,
        max_file_bytes=LIMIT,
        workers=1,
    )


def _zone(tmp_path: Path) -> Path:
    """Four files in ``DAY/``, three in ``OTHER/``, and one undated file at the root whose
    header names ``DAY``."""
    landing = tmp_path / "landing"
    for day, first in ((DAY, 1), (OTHER, 11)):
        folder = landing / day
        folder.mkdir(parents=True)
        for n in range(first, first + (4 if day == DAY else 3)):
            (folder / f"a{n}.txt").write_text(_article(n, day), encoding="utf-8")
    (landing / "root.txt").write_text(_article(50), encoding="utf-8")
    return landing


def _files(settings: Settings) -> list[str]:
    """The source file of every article, sorted."""
    return [r[0] for r in read_rows(settings, "SELECT source_file FROM fact_article ORDER BY 1")]


def _articles_on(settings: Settings, day: str) -> int:
    sql = "SELECT count(*) FROM fact_article WHERE published_date = ?"
    return int(read_rows(settings, sql, [day])[0][0])


def _terms_on(settings: Settings, day: str, term: str) -> int:
    """The articles of ``day`` that contain ``term``, from ``agg_daily_term`` (0: no row)."""
    sql = (
        "SELECT coalesce(sum(a.articles), 0) FROM agg_daily_term a JOIN dim_term t USING (term_id) "
        "WHERE t.term = ? AND a.published_date = ?"
    )
    return int(read_rows(settings, sql, [term, day])[0][0])


ALL_FILES = [
    f"{DAY}/a1.txt",
    f"{DAY}/a2.txt",
    f"{DAY}/a3.txt",
    f"{DAY}/a4.txt",
    f"{OTHER}/a11.txt",
    f"{OTHER}/a12.txt",
    f"{OTHER}/a13.txt",
    "root.txt",
]


@pytest.mark.parametrize("kind", ["duckdb", "ducklake"])
def test_a_rebuild_removes_the_article_of_a_file_of_its_day_now_too_large(
    tmp_path: Path, kind: str
) -> None:
    landing = _zone(tmp_path)
    settings = _settings(tmp_path, kind)
    pipeline.run(settings)
    assert _files(settings) == ALL_FILES
    assert _terms_on(settings, DAY, "council") == 5
    original = (landing / DAY / "a1.txt").read_bytes()
    (landing / DAY / "a1.txt").write_bytes(b"y" * 350)
    # a plain run keeps the article (merge keeps what it cannot read again)
    grown = pipeline.run(settings)
    assert (grown.files_quarantined, grown.articles_removed) == (1, 0)
    assert f"{DAY}/a1.txt" in _files(settings)

    rebuilt = backfill.rebuild_partition(settings, date(2024, 5, 6))
    assert rebuilt.articles_removed == 1
    assert _files(settings) == [p for p in ALL_FILES if p != f"{DAY}/a1.txt"]
    assert _articles_on(settings, DAY) == 4
    assert _terms_on(settings, DAY, "council") == 4
    # the verdict on the old content goes with its article: the file turned back is read again
    ledger_rows = "SELECT count(*) FROM ingest_ledger WHERE path = ?"
    assert read_rows(settings, ledger_rows, [f"{DAY}/a1.txt"]) == [(0,)]
    (landing / DAY / "a1.txt").write_bytes(original)
    back = pipeline.run(settings)
    assert (back.files_new, back.files_loaded, back.articles_loaded) == (1, 1, 1)
    assert _files(settings) == ALL_FILES
    assert _terms_on(settings, DAY, "council") == 5


def test_a_rebuild_removes_an_undated_refused_files_article_on_its_own_day_only(
    tmp_path: Path,
) -> None:
    landing = _zone(tmp_path)
    settings = _settings(tmp_path)
    pipeline.run(settings)
    (landing / "root.txt").write_bytes(b"y" * 350)
    # the rebuild of another day sees the root's file refused and leaves its article alone
    other = backfill.rebuild_partition(settings, date(2024, 5, 7))
    assert other.articles_removed == 0
    assert _files(settings) == ALL_FILES
    # the rebuild of its article's day removes it, though the refusal is known by now
    rebuilt = backfill.rebuild_partition(settings, date(2024, 5, 6))
    assert rebuilt.articles_removed == 1
    assert _files(settings) == [p for p in ALL_FILES if p != "root.txt"]
    assert _terms_on(settings, DAY, "council") == 4


def test_a_copy_elsewhere_keeps_the_article_of_a_file_now_refused(tmp_path: Path) -> None:
    landing = _zone(tmp_path)
    (landing / OTHER / "copy.txt").write_bytes((landing / DAY / "a2.txt").read_bytes())
    settings = _settings(tmp_path)
    first = pipeline.run(settings)
    assert (first.files_loaded, first.files_duplicate) == (8, 1)
    (landing / DAY / "a2.txt").write_bytes(b"y" * 350)
    rebuilt = backfill.rebuild_partition(settings, date(2024, 5, 6))
    assert rebuilt.articles_removed == 0
    files = _files(settings)
    assert f"{DAY}/a2.txt" not in files and f"{OTHER}/copy.txt" in files
    assert len(files) == 8
    assert _terms_on(settings, DAY, "council") == 5


def test_a_rebuild_of_every_day_removes_every_refused_files_article(tmp_path: Path) -> None:
    landing = _zone(tmp_path)
    settings = _settings(tmp_path)
    pipeline.run(settings)
    (landing / DAY / "a1.txt").write_bytes(b"y" * 350)
    (landing / "root.txt").write_bytes(b"y" * 350)
    (landing / OTHER / "a12.txt").write_bytes(b"y" * 350)
    rebuilt = pipeline.run(settings, mode="rebuild")
    assert rebuilt.articles_removed == 3
    assert _files(settings) == [
        f"{DAY}/a2.txt",
        f"{DAY}/a3.txt",
        f"{DAY}/a4.txt",
        f"{OTHER}/a11.txt",
        f"{OTHER}/a13.txt",
    ]


@pytest.mark.parametrize("order", [(DAY, OTHER), (OTHER, DAY)])
def test_each_days_rebuild_removes_its_record_of_an_undated_refused_file(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    """A JSONL file at the root whose records are on two days, grown over the limit: the first
    rebuild removed its day's article and forgot the file's ledger row (one of its articles was
    gone), so the other day's rebuild found nothing to remove and kept its article for good,
    which one depending on the order (operator probe, session 33). Each removes its own now."""
    landing = _zone(tmp_path)
    records = [
        {"title": "A", "date": DAY, "text": "The harbour reopened after the storm on Monday."},
        {"title": "B", "date": OTHER, "text": "The school board approved the new budget today."},
    ]
    dump = landing / "multi.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = _settings(tmp_path)
    pipeline.run(settings)
    assert len(_files(settings)) == 10
    dump.write_bytes(dump.read_bytes() + b" " * LIMIT)
    removed = [
        backfill.rebuild_partition(settings, date.fromisoformat(day)).articles_removed
        for day in order
    ]
    assert removed == [1, 1]
    assert _files(settings) == ALL_FILES


def test_replace_removes_the_article_of_a_days_only_file_now_refused(tmp_path: Path) -> None:
    """``run --date D --replace`` took its partitions from the files it read or found
    unchanged: a day whose only file is now refused unread was none of them, and kept the
    article (with a second, unchanged file it was removed; operator probe, session 33)."""
    folder = tmp_path / "landing" / DAY
    folder.mkdir(parents=True)
    (folder / "solo.txt").write_text(_article(1), encoding="utf-8")
    settings = _settings(tmp_path)
    pipeline.run(settings)
    (folder / "solo.txt").write_bytes(b"y" * 350)
    replaced = pipeline.run(settings, partition_date=date(2024, 5, 6), mode="replace")
    assert (replaced.files_quarantined, replaced.articles_removed) == (1, 1)
    assert _files(settings) == []
    assert read_rows(settings, "SELECT count(*) FROM ingest_ledger")[0][0] == 0


def test_a_touched_copy_keeps_the_article(tmp_path: Path) -> None:
    """The copy's bytes are those the ledger knows, but its mtime changed (``touch``): it was
    not taken as a copy (only files unchanged since their ledger row were), and the rebuild
    removed the article it holds (operator probe, session 33)."""
    landing = _zone(tmp_path)
    copy = landing / OTHER / "copy.txt"
    copy.write_bytes((landing / DAY / "a2.txt").read_bytes())
    settings = _settings(tmp_path)
    pipeline.run(settings)
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 10**9))
    (landing / DAY / "a2.txt").write_bytes(b"y" * 350)
    rebuilt = backfill.rebuild_partition(settings, date(2024, 5, 6))
    assert rebuilt.articles_removed == 0
    files = _files(settings)
    assert f"{OTHER}/copy.txt" in files and len(files) == 8


def test_a_record_of_a_loaded_multi_record_file_keeps_the_article(tmp_path: Path) -> None:
    """The copy is a record of a JSONL file of another day that loaded a record of its own (its
    ledger row is ``loaded``, not ``duplicate``): it was not taken as a copy, and the rebuild
    removed the article and forgot that file's row, in one order of rebuilds and not in the
    other (operator probe, session 33)."""
    landing = _zone(tmp_path)
    records = [
        {"title": "B", "date": OTHER, "text": "The school board approved the new budget today."},
        {"date": DAY, "text": _article(2).split(" ", 3)[3].strip()},
    ]
    dump = landing / OTHER / "m.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = _settings(tmp_path)
    first = pipeline.run(settings)
    assert (first.files_loaded, first.duplicates) == (9, 1)  # the second record is a copy
    (landing / DAY / "a2.txt").write_bytes(b"y" * 350)
    rebuilt = backfill.rebuild_partition(settings, date(2024, 5, 6))
    assert rebuilt.articles_removed == 0
    held = read_rows(
        settings,
        "SELECT source_record FROM fact_article WHERE source_file = ?",
        [f"{OTHER}/m.jsonl"],
    )
    assert sorted(r[0] for r in held) == ["line 1", "line 2"]
    assert read_rows(
        settings, "SELECT outcome FROM ingest_ledger WHERE path = ?", [f"{OTHER}/m.jsonl"]
    ) == [("loaded",)]
