"""A folder of the landing zone that the run cannot list (its permissions) is refused with a
reason, remembered like the other refusals made unread, and its files load once it can be read.

Up to session 54 such a folder was left out of the listing without a word: its files were never
seen, no quarantine row said so, and a run over a zone that could not be listed at all looked
like a run over an empty one. Root, who runs CI, can list any folder, so the listing's
``os.scandir`` is made to fail as it does for a folder without read permission. Expected values
are literals."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import pipeline
from etl.errors import LandingZoneError
from etl.settings import load_settings

from ..unit._listing import unlistable
from .helpers import read_rows

DAY = "2024-05-06"
DETAIL = "a folder that could not be listed (Permission denied): none of its files was seen"


def _article(n: int) -> str:
    return f" date {DAY} Article {n}: the council met on Monday to discuss the school budget.\n"


def test_a_folder_the_run_cannot_list_is_refused_remembered_and_loaded_once_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = tmp_path / "landing" / DAY
    locked = day / "wire"
    locked.mkdir(parents=True)
    for n in range(1, 4):
        (day / f"good{n}.txt").write_text(_article(n), encoding="utf-8")
    (locked / "held.txt").write_text(_article(10), encoding="utf-8")
    settings = load_settings(
        landing=tmp_path / "landing",
        warehouse=tmp_path / "w.duckdb",
        staging_dir=tmp_path / "staging",
        write_reports=False,
        workers=1,
    )
    unlistable(monkeypatch, {locked})

    first = pipeline.run(settings)
    assert (first.files_new, first.files_loaded, first.files_quarantined) == (4, 3, 1)
    assert read_rows(
        settings, "SELECT path, record, stage, reason, detail FROM quarantine ORDER BY path"
    ) == [(f"{DAY}/wire", None, "ingest", "unreadable_folder", DETAIL)]
    assert read_rows(settings, "SELECT path, reason, detail FROM ingest_refusal") == [
        (f"{DAY}/wire", "unreadable_folder", DETAIL)
    ]

    # Still locked: the same refusal, unchanged; no new quarantine row.
    second = pipeline.run(settings)
    assert (second.files_new, second.files_unchanged) == (0, 4)
    assert read_rows(settings, "SELECT count(*) FROM quarantine") == [(1,)]

    # Readable again: its file is new and loads.
    monkeypatch.undo()
    third = pipeline.run(settings)
    assert (third.files_new, third.files_loaded, third.files_quarantined) == (1, 1, 0)
    loaded = read_rows(settings, "SELECT source_file FROM fact_article ORDER BY ALL")
    assert loaded == [(f"{DAY}/good{n}.txt",) for n in range(1, 4)] + [(f"{DAY}/wire/held.txt",)]
    # Listed again, the folder's refusal goes, as a fixed file's does (up to session 55 it
    # stayed: a folder locked again later, with new files hidden in it, counted as unchanged
    # and no run said so again).
    assert read_rows(settings, "SELECT count(*) FROM ingest_refusal") == [(0,)]

    # Locked again, with a file added: refused again, with a new quarantine row.
    (locked / "late.txt").write_text(_article(11), encoding="utf-8")
    unlistable(monkeypatch, {locked})
    fourth = pipeline.run(settings)
    assert (fourth.files_new, fourth.files_quarantined, fourth.files_unchanged) == (1, 1, 3)
    assert read_rows(
        settings,
        "SELECT q.path, q.reason, q.detail, q.run_id = ? FROM quarantine q ORDER BY q.run_id",
        [fourth.run_id],
    ) == [(f"{DAY}/wire", "unreadable_folder", DETAIL, flag) for flag in (False, True)]
    assert read_rows(settings, "SELECT path, reason, first_run_id FROM ingest_refusal") == [
        (f"{DAY}/wire", "unreadable_folder", fourth.run_id)
    ]


def test_a_landing_zone_that_cannot_be_listed_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text(_article(1), encoding="utf-8")
    settings = load_settings(
        landing=landing,
        warehouse=tmp_path / "w.duckdb",
        staging_dir=tmp_path / "staging",
        write_reports=False,
        workers=1,
    )
    unlistable(monkeypatch, {landing})
    with pytest.raises(LandingZoneError, match="cannot be listed: Permission denied"):
        pipeline.run(settings)
