"""Ingest behaviours no test pinned, found by the seed-1205 (and 1206) mutation samples of
etl/ingest (#18).

Each test names the survivor it kills. Expected values are literals written from the input
(byte counts counted by hand, messages as a user reads them in the quarantine table).
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import os
from datetime import date
from pathlib import Path
from typing import IO

import duckdb
import pytest

import etl.ingest.rawfile as rawfile
from etl.ingest.decode import decode
from etl.ingest.formats import RecordError, choose_format
from etl.ingest.formats.html import parse_html
from etl.ingest.landing import (
    LandingFile,
    list_landing,
    open_landing_file,
    source_name,
    zone_name,
)
from etl.ingest.ledger import LedgerEntry, LedgerView, read_ledger
from etl.ingest.rawfile import RawFileError, read_raw
from etl.ingest.reader import IngestContext, IngestResult, ingest_files


def _context(root: Path) -> IngestContext:
    return IngestContext(
        landing=root,
        partition_date=None,
        fallback_date=date(2024, 3, 4),
        today=date(2024, 3, 4),
        max_file_bytes=1_000_000,
        txt_layout="canonical",
        future_date_allowance_days=1,
    )


def _ingest(root: Path, ledger: LedgerView | None = None) -> IngestResult:
    return ingest_files(list_landing(root), _context(root), ledger or LedgerView())


def test_raw_bytes_of_a_one_article_file_is_the_file_size_not_the_body(
    tmp_path: Path,
) -> None:
    """``_parse_file__mutmut_159`` gave every file its body's UTF-8 length: the header, the
    title line and gzip compression no longer counted. A one-article file's raw_bytes is the
    size of the file in the landing zone; a record of a multi-record file, its body's bytes."""
    # 17 bytes of header (" date 2024-03-04 "), then 10 bytes of body: 27 in all.
    (tmp_path / "a.txt").write_bytes(b" date 2024-03-04 Body text.")
    # The same 27 bytes gzipped: raw_bytes is the compressed size, as stored.
    packed = gzip.compress(b" date 2024-03-04 Body text.", mtime=0)
    (tmp_path / "b.txt.gz").write_bytes(packed)
    # One JSON line whose body "Grüße" is 5 characters and 7 UTF-8 bytes.
    (tmp_path / "c.jsonl").write_bytes('{"text": "Grüße"}\n'.encode())
    result = _ingest(tmp_path)
    assert [(a["path"], a["body"], a["raw_bytes"]) for a in result.articles] == [
        ("a.txt", "Body text.", 27),
        ("b.txt.gz", "Body text.", len(packed)),
        ("c.jsonl", "Grüße", 7),
    ]
    assert len(packed) != 27


def test_an_unsupported_file_names_its_suffix_in_the_detail(tmp_path: Path) -> None:
    """``_parse_file__mutmut_16`` wrote "no reader for None files": the detail must name the
    suffix of the file that has no reader."""
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.7 not an article")
    result = _ingest(tmp_path)
    assert [(q["path"], q["reason"], q["detail"]) for q in result.quarantine] == [
        ("report.pdf", "unsupported", "no reader for '.pdf' files")
    ]
    assert result.files_quarantined == 1 and result.articles == []


def test_a_compressed_unsupported_file_names_the_kind_inside(tmp_path: Path) -> None:
    """A gzipped file of a kind with no reader names that kind with its compression, as the
    file is named ('.PDF.gz'; it said '.gz', as if the compression were the problem)."""
    (tmp_path / "report.PDF.gz").write_bytes(gzip.compress(b"%PDF-1.7 not an article"))
    (tmp_path / "slides.pptx.gz").write_bytes(gzip.compress(b"PK not an article"))
    result = _ingest(tmp_path)
    assert sorted((q["path"], q["reason"], q["detail"]) for q in result.quarantine) == [
        ("report.PDF.gz", "unsupported", "no reader for '.PDF.gz' files"),
        ("slides.pptx.gz", "unsupported", "no reader for '.pptx.gz' files"),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_an_object_store_listing_skips_entries_that_are_not_files(
    tmp_path: Path,
) -> None:
    """``_list_remote__mutmut_36`` read ``info["TYPE"]`` (never set), so every entry counted as a
    file: a FIFO in a zone read through fsspec (``local://``, whose listing gives it type
    "other") was listed as a 0-byte file, and opening it would block the run."""
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "a.txt").write_bytes(b"three")
    os.mkfifo(tmp_path / "feed" / "pipe.txt")
    listed = list_landing(f"local://{tmp_path}")
    assert [(f.path, f.size) for f in listed] == [("feed/a.txt", 5)]


def test_a_file_whose_bytes_differ_between_two_reads_is_refused_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``read_raw__mutmut_33`` changed the detail of ``changed_while_reading``, whose branch no
    test reached. The file is replaced (a new inode) right after the first open: the first read
    sees the old 5 bytes, the stat the new size, the second read the new bytes."""
    target = tmp_path / "a.txt"
    target.write_bytes(b"hello")
    opened: list[str] = []
    real_open = open_landing_file

    def open_then_replace(landing: str | Path, relative_path: str) -> IO[bytes]:
        handle = real_open(landing, relative_path)
        if not opened:
            (tmp_path / "new").write_bytes(b"hello, world")
            os.replace(tmp_path / "new", target)
        opened.append(relative_path)
        return handle

    monkeypatch.setattr(rawfile, "open_landing_file", open_then_replace)
    listed = LandingFile("a.txt", 5, target.stat().st_mtime_ns, None)
    with pytest.raises(RawFileError) as caught:
        read_raw(tmp_path, listed, 100)
    assert opened == ["a.txt", "a.txt"]
    assert (caught.value.reason, caught.value.sha256) == ("changed_while_reading", None)
    assert caught.value.detail == (
        "the file changed while it was being read (its hash differs between two reads); "
        "it is read again on the next run"
    )


def test_a_file_gone_since_the_listing_is_unreadable_and_retried(
    tmp_path: Path,
) -> None:
    """``read_raw__mutmut_43`` gave an OSError at read time the reason None. A file listed but
    deleted before it is read is quarantined ``unreadable``, without a hash and so without a
    ledger row: the next run looks again."""
    (tmp_path / "zone").mkdir()
    gone = LandingFile("gone.txt", 5, 1, None)
    with pytest.raises(RawFileError) as caught:
        read_raw(tmp_path / "zone", gone, 100)
    assert (caught.value.reason, caught.value.sha256) == ("unreadable", None)
    missing = tmp_path / "zone" / "gone.txt"
    assert caught.value.detail == f"cannot read: [Errno 2] No such file or directory: '{missing}'"
    result = ingest_files([gone], _context(tmp_path / "zone"), LedgerView())
    assert [(q["path"], q["sha256"], q["reason"]) for q in result.quarantine] == [
        ("gone.txt", None, "unreadable")
    ]
    assert result.ledger == [] and result.files_quarantined == 1


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("wire/story.v2.txt", "txt"),
        ("wire/2024.03.04.jsonl", "jsonl"),
        ("dump.2024-03.csv", "csv"),
        ("page.en.html.gz", "html"),
        ("scan.v2.pdf", None),
    ],
)
def test_the_extension_is_the_text_after_the_last_dot(name: str, fmt: str | None) -> None:
    """``_suffix__mutmut_20`` took the text after the FIRST dot (".v2.txt"), so a file named with
    a version or a dotted date had no reader and was quarantined ``unsupported``."""
    assert choose_format(name, "plain words") == fmt


def test_only_loaded_or_duplicate_rows_naming_an_article_make_a_hash_known(
    tmp_path: Path,
) -> None:
    """``read_ledger__mutmut_29`` (``or`` for ``and``) made a hash known whenever the row was
    loaded or had an article id. A warehouse written before the fix of #18 holds ``loaded`` rows
    without an article; such bytes under a new name must be read again, not recorded as the
    duplicate of no article."""
    data = b" date 2024-03-04 A story an older run recorded without its article."
    sha = "ab" * 32
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ingest_ledger (landing VARCHAR, path VARCHAR, sha256 VARCHAR,"
        " size_bytes BIGINT, mtime_ns BIGINT, outcome VARCHAR, article_id VARCHAR,"
        " article_ids VARCHAR[], last_seen TIMESTAMPTZ DEFAULT current_timestamp)"
    )
    con.execute(
        "CREATE TABLE ingest_refusal (landing VARCHAR, path VARCHAR, reason VARCHAR,"
        " detail VARCHAR)"
    )
    zone = str(tmp_path)
    data_sha = hashlib.sha256(data).hexdigest()
    con.executemany(
        "INSERT INTO ingest_ledger (landing, path, sha256, size_bytes, mtime_ns, outcome,"
        " article_id, article_ids) SELECT $1, $2, $3, 1, 1, $4, $5::VARCHAR,"
        " CASE WHEN $5 IS NULL THEN NULL ELSE [$5::VARCHAR] END",
        [
            (zone, "old/a.txt", data_sha, "loaded", None),
            (zone, "old/b.txt", "cd" * 32, "duplicate", None),
            (zone, "old/c.txt", "ef" * 32, "quarantined", "art-7"),
            (zone, "old/d.txt", sha, "loaded", "art-1"),
        ],
    )
    ledger = read_ledger(con, zone)
    assert ledger.file_articles == {sha: "art-1"}
    (tmp_path / "new-name.txt").write_bytes(data)
    result = ingest_files(list_landing(tmp_path), _context(tmp_path), ledger)
    assert (result.files_out, result.files_duplicate) == (1, 0)
    assert [(r["path"], r["outcome"], r["article_id"]) for r in result.ledger] == [
        ("new-name.txt", "new", None)
    ]


#: Legacy text whose two least chaotic readings tie on chaos (0.0 for both, as charset-normalizer
#: rates them), the right one being the more coherent: DOS Latin 2 (cp852) Czech, which also
#: reads as Mac Latin 2 "Croatian", and Mac Roman German, which also reads as cp850 "French".
TIED_READINGS = [
    ("Policie zadržela řidiče, který ujížděl před hlídkou.", "cp852"),
    ("Der designierte US-Präsident Donald Trump", "mac_roman"),
]


@pytest.mark.parametrize(("text", "codec"), TIED_READINGS, ids=[c for _, c in TIED_READINGS])
def test_among_equally_chaotic_readings_the_more_coherent_one_wins(text: str, codec: str) -> None:
    """``_decode__mutmut_55`` sorted equally chaotic candidates by rising coherence, so the
    least coherent reading won the tie: "pżed hl°dkou" (Mac Latin 2) for the Czech, "Prèsident"
    (cp850) for the German. When no reading is in a language's own page or cp1252, the most
    coherent of the least chaotic ones is the text."""
    from charset_normalizer import from_bytes

    raw = text.encode(codec)
    readings = [(round(m.chaos, 2), m.coherence, str(m) == text) for m in from_bytes(raw)]
    # the case under test: the first two tie on chaos, and the right one is the more coherent
    (chaos_1, coherence_1, right_1), (chaos_2, coherence_2, right_2) = readings[:2]
    assert chaos_1 == chaos_2 and coherence_1 > coherence_2 and right_1 and not right_2, readings
    decoded = decode(raw)
    assert decoded.text == text
    assert raw.decode(decoded.encoding) == text


# Survivors of a second fresh draw (seed 1206), run after the tests above were written.


@pytest.mark.parametrize(
    ("landing", "name"),
    [
        ("/srv/landing/FEEDX", "FEEDX"),
        ("/srv/landing/FEEDX/", "FEEDX"),
        ("s3://bucket/wire-X", "wire-X"),
        ("/srv/landing/feed", "feed"),
    ],
)
def test_the_zone_name_keeps_every_character_of_its_last_component(landing: str, name: str) -> None:
    """``zone_name__mutmut_11`` stripped trailing "X"s as well as slashes ("FEEDX" -> "FEED"):
    the default source of the files at a zone's root lost its last letters."""
    assert zone_name(landing) == name
    assert source_name("story.txt", landing) == name


def test_an_html_date_that_is_no_date_quarantines_the_page_as_bad_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``parse_html__mutmut_58`` changed the reason of a page whose extracted date is no date.
    trafilatura 2.3.1 (htmldate) only returns valid ISO dates, so a stand-in extractor returns
    one that is not, as a changed extractor could; the page is one ``bad_date`` error."""
    import trafilatura

    def extracts(*args: object, **kwargs: object) -> dict[str, str]:
        return {"text": "A page with a body.", "date": "yesterday", "title": "T"}

    monkeypatch.setattr(trafilatura, "bare_extraction", extracts)
    assert parse_html("<html><body><p>x</p></body></html>", "canonical") == [
        RecordError(None, "bad_date", "publication date 'yesterday' is not a recognised date")
    ]


def test_an_object_store_entry_without_a_type_is_taken_for_a_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``_list_remote__mutmut_37`` took an entry whose listing gives no "type" for a non-file and
    skipped it. Stores whose listings carry only name, size and a date (as some fsspec backends
    do) list every object as a file; a stand-in ``find`` drops the key from the memory store's."""
    import uuid

    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    url = f"memory://typeless-{uuid.uuid4().hex}"
    fsspec.filesystem("memory").pipe(f"{url}/feed/a.txt", b"seven b")
    real_find = MemoryFileSystem.find

    def find_without_type(self: MemoryFileSystem, path: str, **kwargs: object) -> object:
        found = real_find(self, path, **kwargs)
        return {
            name: {k: v for k, v in info.items() if k != "type"} for name, info in found.items()
        }

    monkeypatch.setattr(MemoryFileSystem, "find", find_without_type)
    assert [(f.path, f.size) for f in list_landing(url)] == [("feed/a.txt", 7)]


def test_raw_text_is_the_whole_file_for_one_article_and_the_body_per_record(
    tmp_path: Path,
) -> None:
    """``_parse_file__mutmut_200`` swapped the two: a one-article file kept only its body (the
    date header lost from raw_text), a JSON-lines record the whole file."""
    (tmp_path / "a.txt").write_bytes(b" date 2024-03-04 Body text.")
    (tmp_path / "b.jsonl").write_bytes(b'{"text": "First."}\n{"text": "Second."}\n')
    result = _ingest(tmp_path)
    assert [(a["path"], a["record"], a["raw_text"]) for a in result.articles] == [
        ("a.txt", None, " date 2024-03-04 Body text."),
        ("b.jsonl", "line 1", "First."),
        ("b.jsonl", "line 2", "Second."),
    ]


def test_a_known_file_read_again_counts_once_as_unchanged(tmp_path: Path) -> None:
    """``_ingest_one__mutmut_78`` counted a re-read file whose path and content the ledger
    already has as -1 unchanged. Touched since (another mtime), it keeps its outcome and counts
    one."""
    data = b" date 2024-03-04 Already loaded."
    (tmp_path / "a.txt").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    ledger = LedgerView()
    ledger.by_path["a.txt"] = [LedgerEntry(sha, len(data), 1, "loaded", "art-1")]
    result = _ingest(tmp_path, ledger)
    assert (result.unchanged, result.files_out, result.articles) == (1, 0, [])
    assert [(r["path"], r["outcome"], r["article_id"], r["unchanged"]) for r in result.ledger] == [
        ("a.txt", "loaded", "art-1", True)
    ]


def test_the_future_date_detail_names_the_allowance(tmp_path: Path) -> None:
    # It said "is after today" of a date the rule refuses only past tomorrow (session 20).
    (tmp_path / "late.txt").write_bytes(b" date 2024-03-06 Body text.")
    (tmp_path / "ok.txt").write_bytes(b" date 2024-03-05 Body text, tomorrow.")
    result = _ingest(tmp_path)
    assert [a["path"] for a in result.articles] == ["ok.txt"]
    assert [(q["path"], q["reason"], q["detail"]) for q in result.quarantine] == [
        (
            "late.txt",
            "future_date",
            "published date 2024-03-06 is more than 1 day after today (2024-03-04; "
            "NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS)",
        )
    ]
    # Three days allowed: "days" (seed 1228: the singular for every allowance passed).
    context = dataclasses.replace(_context(tmp_path), future_date_allowance_days=3)
    (tmp_path / "later.txt").write_bytes(b" date 2024-03-08 Body text.")
    result = ingest_files(list_landing(tmp_path), context, LedgerView())
    assert [(q["path"], q["detail"]) for q in result.quarantine] == [
        (
            "later.txt",
            "published date 2024-03-08 is more than 3 days after today (2024-03-04; "
            "NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS)",
        )
    ]
