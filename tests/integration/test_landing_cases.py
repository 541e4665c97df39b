"""Messy landing zones: every file loaded, duplicate or quarantined with a reason."""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from etl import pipeline
from etl.errors import BatchValidationError

from .helpers import DATA_TABLES, checksums, query, settings_for


def _article(day: str | None, words: str) -> bytes:
    body = f"{words} said the spokesman on Monday.\n\nA second paragraph follows here."
    return (f" date {day} {body}" if day else body).encode()


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    (root / "wire").mkdir(parents=True)
    good = _article("2024-03-04", "Markets rallied")
    (root / "wire" / "a.txt").write_bytes(good)
    (root / "wire" / "copy of a.txt").write_bytes(good)  # same bytes, other name
    (root / "wire" / "b.txt").write_bytes(_article("2024-03-04", "Rain fell"))
    (root / "wire" / "empty.txt").write_bytes(b"")
    (root / "wire" / "blank.txt").write_bytes(b"  \n\n  ")
    (root / "wire" / "noise.txt").write_bytes(bytes(range(256)) * 4)
    (root / "wire" / "baddate.txt").write_bytes(_article("2021-13-45", "Odd date"))
    future = (date.today() + timedelta(days=30)).isoformat()
    (root / "wire" / "future.txt").write_bytes(_article(future, "Tomorrow's news"))
    (root / "wire" / "header-only.txt").write_bytes(b" date 2024-03-04 ")
    (root / "wire" / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (root / "wire" / "caf\u00e9 n\u00e4me\nwith newline.txt").write_bytes(
        _article("2024-03-04", "Unicode file names work")
    )
    (root / "wire" / "latin.txt").write_bytes(
        _article("2024-03-04", "Caf\u00e9 prices rose to \u00a35").decode().encode("cp1252")
    )
    os.symlink("/etc/passwd", root / "wire" / "passwd.txt")
    (root / ".hidden.txt").write_bytes(b"ignored")
    return root


EXPECTED_QUARANTINE = {
    "empty.txt": "empty",
    "blank.txt": "empty",
    "noise.txt": "binary",
    "baddate.txt": "bad_date",
    "future.txt": "future_date",
    "header-only.txt": "no_text",
    "image.png": "unsupported",
    "passwd.txt": "outside_landing",
}


def test_every_file_accounted_for(messy: Path, tmp_path: Path) -> None:
    settings = settings_for(messy, tmp_path)
    summary = pipeline.run(settings)
    files = 13  # the hidden file is ignored
    assert summary.files_new == files
    assert (summary.articles_loaded, summary.duplicates, summary.quarantined) == (4, 1, 8)
    reasons = {
        Path(path).name: reason
        for path, reason in query(settings.warehouse, "SELECT path, reason FROM quarantine")
    }
    assert reasons == EXPECTED_QUARANTINE
    loaded = {
        Path(p).name for (p,) in query(settings.warehouse, "SELECT source_file FROM fact_article")
    }
    assert loaded == {"a.txt", "b.txt", "café näme\nwith newline.txt", "latin.txt"}
    ((encoding, text),) = query(
        settings.warehouse,
        "SELECT encoding, clean_text FROM fact_article JOIN article_text USING (article_id)"
        " WHERE source_file LIKE '%latin.txt'",
    )
    assert encoding in {"cp1252", "cp1250", "iso8859_15", "latin_1"}
    assert "Café prices rose to £5" in text
    # A second run reads nothing again: loaded, duplicate and quarantined files are all known.
    # The symlink out of the zone has no content to remember: its refusal is remembered
    # (ingest_refusal), so it is unchanged too and quarantined no more (up to session 31 it was
    # a new file, refused again, on every run).
    again = pipeline.run(settings)
    assert again.files_new == 0
    assert again.files_unchanged == files
    ((rows,),) = query(settings.warehouse, "SELECT count(*) FROM quarantine")
    assert rows == len(EXPECTED_QUARANTINE)


@pytest.mark.parametrize("day", [date(2024, 3, 5), None])
def test_files_left_for_other_days_are_counted_in_files_beside_a_multi_record_file(
    tmp_path: Path, day: date | None
) -> None:
    # The count subtracted the ingest stage row's records from its files: a JSONL file of
    # three records hid two deferred files, and a run of every day deferred -2 files (probe).
    root = tmp_path / "landing"
    for folder, words in (("2024-03-04", "Rain fell"), ("2024-03-06", "Snow fell")):
        (root / folder).mkdir(parents=True)
        (root / folder / "day.txt").write_bytes(_article(None, words))
    (root / "2024-03-05").mkdir()
    (root / "2024-03-05" / "dump.jsonl").write_text(
        '{"text": "Markets rallied on Monday in Europe.", "published": "2024-03-05"}\n'
        '{"text": "Copper output rose in Chile and Peru.", "published": "2024-03-05"}\n'
        "{not json\n"
        '{"text": "Oil prices fell in the gulf region.", "published": "2024-03-05"}\n'
    )
    settings = settings_for(root, tmp_path)
    summary = pipeline.run(settings, partition_date=day)
    deferred = 2 if day else 0  # the two other days' files, or none
    assert (summary.files_new, summary.files_deferred, summary.files_unchanged) == (
        3 - deferred,
        deferred,
        0,
    )
    assert query(
        settings.warehouse, "SELECT files_seen, files_deferred, files_new FROM etl_run"
    ) == [(3, deferred, 3 - deferred)]


def test_dates_fall_back_to_folder_then_run(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    (root / "dt=2024-03-05" / "wire").mkdir(parents=True)
    (root / "flat").mkdir()
    (root / "dt=2024-03-05" / "wire" / "undated.txt").write_bytes(_article(None, "Folder date"))
    (root / "dt=2024-03-05" / "wire" / "early.txt").write_bytes(
        _article("2024-03-04", "Published the day before it arrived")
    )
    (root / "flat" / "undated.txt").write_bytes(_article(None, "No date anywhere"))
    (root / "flat" / "other-day.txt").write_bytes(_article("2024-03-09", "Another day"))
    settings = settings_for(root, tmp_path)
    summary = pipeline.run(settings, partition_date=date(2024, 3, 5))
    assert summary.articles_loaded == 3
    assert summary.files_deferred == 1  # other-day.txt waits for its own day's run
    rows = dict(
        query(
            settings.warehouse,
            "SELECT source_file, (published_date::VARCHAR, date_source) FROM fact_article",
        )
    )
    assert rows == {
        "dt=2024-03-05/wire/undated.txt": ("2024-03-05", "path"),
        "dt=2024-03-05/wire/early.txt": ("2024-03-04", "header"),
        "flat/undated.txt": ("2024-03-05", "run"),
    }
    sources = {s for (s,) in query(settings.warehouse, "SELECT source_name FROM dim_source")}
    assert sources == {"wire", "flat"}
    later = pipeline.run(settings, partition_date=date(2024, 3, 9))
    assert later.articles_loaded == 1
    assert later.partitions == [date(2024, 3, 9)]


def test_replace_mode_rebuilds_partitions_identically(corpora: Path, tmp_path: Path) -> None:
    settings = settings_for(corpora / "fundus", tmp_path)
    first = pipeline.run(settings)
    before = checksums(settings.warehouse)
    summary = pipeline.run(settings.model_copy(update={"batch_size": 37}), mode="replace")
    # Nothing changed on disk, so nothing is re-read:
    assert summary.articles_loaded == 0
    # The same files under another landing path (same zone name, so the same sources) are all
    # new to the ledger: the replace run empties every partition they cover, which holds rows
    # already, and writes them again, in other batches; the result equals the first load.
    copy = tmp_path / "copy" / "fundus"
    shutil.copytree(corpora / "fundus", copy)
    replaced = pipeline.run(
        settings.model_copy(update={"landing": copy, "batch_size": 37}), mode="replace"
    )
    assert replaced.articles_loaded == first.articles_loaded > 0
    assert replaced.partitions == first.partitions
    assert checksums(settings.warehouse) == before


def test_quarantine_share_over_the_limit_fails_and_loads_nothing(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    root.mkdir()
    for i in range(5):
        (root / f"good{i}.txt").write_bytes(_article("2024-03-04", f"Story {i}"))
    for i in range(20):
        (root / f"empty{i}.txt").write_bytes(b"")
    settings = settings_for(root, tmp_path, max_quarantine_share=0.5, quarantine_check_min_files=10)
    with pytest.raises(BatchValidationError, match="quarantined"):
        pipeline.run(settings)
    for table in DATA_TABLES:
        assert checksums(settings.warehouse, (table,))[table][0] == 0
    ((status, error),) = query(settings.warehouse, "SELECT status, error FROM etl_run")
    assert status == "failed" and "over the limit" in error
    ((ledger,),) = query(settings.warehouse, "SELECT count(*) FROM ingest_ledger")
    assert ledger == 0  # nothing is marked as seen: a fixed rerun will read the files again


def test_validation_failure_quarantines_only_that_record(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    root.mkdir()
    (root / "good.txt").write_bytes(_article("2024-03-04", "Fine text"))
    damaged = " date 2024-03-04 " + "Broken \ufffd\ufffd\ufffd text arrived from the wire " * 20
    (root / "damaged.txt").write_bytes(damaged.encode())
    settings = settings_for(root, tmp_path)
    summary = pipeline.run(settings)
    assert (summary.articles_loaded, summary.quarantined) == (1, 1)
    ((path, stage, reason, detail),) = query(
        settings.warehouse, "SELECT path, stage, reason, detail FROM quarantine"
    )
    assert (path, stage, reason) == (
        "damaged.txt",
        "validate",
        "expect_column_values_to_be_between",
    )
    assert "replacement_ratio" in detail
    failed = query(
        settings.warehouse,
        "SELECT suite, column_name, unexpected_count FROM fact_check_result WHERE NOT success",
    )
    assert failed == [("article", "replacement_ratio", 1)]
    ((checks,),) = query(settings.warehouse, "SELECT count(*) FROM fact_check_result")
    assert checks > 15


def test_files_copied_again_keep_their_outcome(tmp_path: Path) -> None:
    """Same path and bytes with a new mtime (a landing zone re-synced): nothing changes."""
    root = tmp_path / "landing"
    root.mkdir()
    (root / "a.txt").write_bytes(_article("2024-03-04", "Markets rallied"))
    (root / "b.txt").write_bytes(_article("2024-03-04", "Markets rallied"))  # duplicate of a
    (root / "empty.txt").write_bytes(b"")
    settings = settings_for(root, tmp_path)
    first = pipeline.run(settings)
    assert (first.articles_loaded, first.duplicates, first.quarantined) == (1, 1, 1)
    before = checksums(settings.warehouse)
    ledger_before = query(
        settings.warehouse, "SELECT path, outcome, article_id FROM ingest_ledger ORDER BY path"
    )
    for path in root.iterdir():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    again = pipeline.run(settings)
    assert (again.articles_loaded, again.duplicates, again.quarantined) == (0, 0, 0)
    assert again.files_new == 0
    assert again.files_unchanged == 3
    assert again.quarantine_reasons == {}
    assert checksums(settings.warehouse) == before
    assert (
        query(
            settings.warehouse, "SELECT path, outcome, article_id FROM ingest_ledger ORDER BY path"
        )
        == ledger_before
    )
    ((rows,),) = query(settings.warehouse, "SELECT count(*) FROM quarantine")
    assert rows == 1


def test_a_records_headline_url_and_authors_reach_the_warehouse(tmp_path: Path) -> None:
    # A survivor of the seed-1201 mutation sample (issue #18): the staged row's "title" key
    # renamed, and every fact_article.title became NULL without a test noticing.
    import json

    landing = tmp_path / "landing"
    landing.mkdir()
    record = {
        "title": "Ports reopen after the storm",
        "url": "https://news.example/ports",
        "author": "A. Writer",
        "date": "2024-03-04",
        "text": "Ports reopened on Monday, the agency said.\n\nTrade resumed at noon.",
    }
    (landing / "dump.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    pipeline.run(settings_for(landing, tmp_path))
    rows = query(tmp_path / "warehouse.duckdb", "SELECT title, url, authors FROM fact_article")
    assert rows == [("Ports reopen after the storm", "https://news.example/ports", ["A. Writer"])]


def test_a_bad_gzip_file_is_quarantined_under_its_own_hash(tmp_path: Path) -> None:
    # The quarantine row and the ledger keep the raw file's SHA-256 (computed here from the
    # bytes), so the same broken bytes are recognised next time.
    import hashlib

    landing = tmp_path / "landing"
    landing.mkdir()
    broken = b"\x1f\x8b\x08\x00" + b"not deflate data at all" * 4
    (landing / "broken.txt.gz").write_bytes(broken)
    (landing / "good.txt").write_bytes(_article("2024-03-04", "Ports reopened on Monday"))
    pipeline.run(settings_for(landing, tmp_path))
    warehouse = tmp_path / "warehouse.duckdb"
    expected = hashlib.sha256(broken).hexdigest()
    assert query(warehouse, "SELECT reason, sha256 FROM quarantine") == [("bad_gzip", expected)]
    ledger = query(warehouse, "SELECT sha256 FROM ingest_ledger WHERE path = 'broken.txt.gz'")
    assert ledger == [(expected,)]


def test_a_run_without_its_landing_zone_is_recorded_as_failed_with_zero_counts(
    tmp_path: Path,
) -> None:
    # The plan step fails (no landing zone) in a warehouse that exists: the run gets its one
    # etl_run row, `failed`, with the cause and every file count 0 (not NULL) and the
    # error pipeline.run raised names where the operator finds it.
    from etl.errors import LandingZoneError
    from etl.warehouse import writer

    settings = settings_for(tmp_path / "no-such-landing", tmp_path)
    with writer(settings):
        pass  # creates the warehouse
    with pytest.raises(LandingZoneError) as caught:
        pipeline.run(settings)
    assert any("is recorded as failed in etl_run" in note for note in caught.value.__notes__)
    rows = query(
        settings.warehouse,
        "SELECT status, error, mode, files_seen, files_unchanged, files_deferred, files_new,"
        " files_loaded, files_duplicate, files_quarantined, articles_loaded FROM etl_run",
    )
    assert len(rows) == 1, rows
    status, error, mode, *counts = rows[0]
    assert (status, mode) == ("failed", "merge")
    assert error == (
        f"LandingZoneError: landing zone {tmp_path / 'no-such-landing'} does not exist or is "
        "not a folder"
    )
    assert counts == [0, 0, 0, 0, 0, 0, 0, 0]


def test_files_of_unicode_white_space_or_a_bom_alone_are_empty(tmp_path: Path) -> None:
    """Only ASCII white space was seen as empty: a byte-order mark alone, no-break or
    ideographic spaces, UTF-16 spaces were ``no_text`` "the file has a header but no body
    text", a file without a header."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "bom-only.txt").write_bytes(b"\xef\xbb\xbf")
    (landing / "nbsp-only.txt").write_bytes("\u00a0 \u3000\n".encode())
    (landing / "utf16-spaces.txt").write_bytes(b"\xff\xfe" + "  \n ".encode("utf-16-le"))
    (landing / "good.txt").write_bytes(_article("2024-03-04", "Markets rallied"))
    settings = settings_for(landing, tmp_path, write_reports=False)
    pipeline.run(settings)
    rows = query(settings.warehouse, "SELECT path, reason, detail FROM quarantine ORDER BY path")
    assert [(Path(p).name, r, d) for p, r, d in rows] == [
        ("bom-only.txt", "empty", "file holds only a byte-order mark"),
        ("nbsp-only.txt", "empty", "file holds only whitespace"),
        ("utf16-spaces.txt", "empty", "file holds only whitespace"),
    ]
