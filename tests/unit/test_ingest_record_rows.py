"""The rows and counts of records read from a readable file, and the quarantine rows of records
refused inside one (etl.ingest.reader.ingest_files):
which record, which reason, which detail. One small file in a temporary landing zone, no
warehouse. Expected values are literals."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import duckdb

from etl.ingest.landing import LandingFile
from etl.ingest.ledger import LedgerEntry, LedgerView, read_ledger
from etl.ingest.reader import IngestContext, ingest_files


def _context(
    landing: Path, max_article_chars: int = 1000, partition_date: date | None = None
) -> IngestContext:
    return IngestContext(
        landing=landing,
        partition_date=partition_date,
        fallback_date=date(2024, 3, 4),
        today=date(2024, 3, 4),
        max_file_bytes=1_000_000,
        txt_layout="canonical",
        future_date_allowance_days=1,
        max_article_chars=max_article_chars,
    )


def _landing_file(landing: Path, name: str, data: bytes) -> LandingFile:
    path = landing / name
    path.write_bytes(data)
    stat = path.stat()
    return LandingFile(name, stat.st_size, stat.st_mtime_ns, None)


def test_a_too_long_record_is_quarantined_under_its_line_with_the_sizes(tmp_path: Path) -> None:
    data = (
        b'{"text": "short enough", "published": "2024-03-01"}\n'
        b'{"text": "' + b"x" * 21 + b'", "published": "2024-03-01"}\n'
    )
    file = _landing_file(tmp_path, "feed.jsonl", data)
    result = ingest_files([file], _context(tmp_path, max_article_chars=20), LedgerView())
    assert [a["record"] for a in result.articles] == ["line 1"]
    assert [(q["record"], q["reason"], q["detail"]) for q in result.quarantine] == [
        (
            "line 2",
            "too_long",
            "21 characters of text is over the limit of 20 (NEWS_ETL_MAX_ARTICLE_CHARS)",
        )
    ]


def test_a_record_with_too_long_metadata_is_quarantined_under_its_line(tmp_path: Path) -> None:
    """Mutation sample 1210: the record's key was not pinned (a mutant left it NULL); sample
    1215: nor its detail, which says which field is too long (a mutant left it NULL)."""
    data = (
        b'{"text": "short enough", "published": "2024-03-01"}\n'
        b'{"text": "fine", "title": "' + b"t" * 2001 + b'", "published": "2024-03-01"}\n'
    )
    file = _landing_file(tmp_path, "feed.jsonl", data)
    result = ingest_files([file], _context(tmp_path), LedgerView())
    assert [a["record"] for a in result.articles] == ["line 1"]
    assert [(q["record"], q["reason"], q["detail"]) for q in result.quarantine] == [
        (
            "line 2",
            "metadata_too_long",
            "title of 2001 characters is over the limit of 2000: '"
            + "t" * 500
            + "'… [1501 more characters]",
        )
    ]


def test_files_of_other_days_are_counted_as_deferred_and_leave_no_row(tmp_path: Path) -> None:
    # Single-article files outside a dated folder, dated by their header: a run for 2024-03-03
    # takes its own day's file and defers the two others to their days' runs.
    files = [
        _landing_file(tmp_path, f"{day}.txt", f"date 2024-03-0{day} body of day {day}".encode())
        for day in (1, 2, 3)
    ]
    context = _context(tmp_path, partition_date=date(2024, 3, 3))
    result = ingest_files(files, context, LedgerView())
    assert result.deferred == 2
    assert (result.files_out, result.files_quarantined, result.files_duplicate) == (1, 0, 0)
    assert [(a["path"], a["body"]) for a in result.articles] == [("3.txt", "body of day 3")]
    assert [row["path"] for row in result.ledger] == ["3.txt"]
    assert result.quarantine == []


def test_a_file_without_any_record_is_one_quarantined_file(tmp_path: Path) -> None:
    # Valid JSON that holds no article at all: the file is quarantined as no_text, without a
    # record key, and its hash is in the ledger so the next run does not read it again.
    file = _landing_file(tmp_path, "feed.json", b'{"articles": []}')
    result = ingest_files([file], _context(tmp_path), LedgerView())
    assert (result.files_out, result.files_quarantined, result.articles) == (0, 1, [])
    assert [(q["path"], q["record"], q["reason"], q["detail"]) for q in result.quarantine] == [
        ("feed.json", None, "no_text", "no article in the file")
    ]
    assert [(row["path"], row["outcome"]) for row in result.ledger] == [
        ("feed.json", "quarantined")
    ]


def test_bytes_the_ledger_knows_as_a_duplicate_are_a_duplicate_under_a_new_path(
    tmp_path: Path,
) -> None:
    # An earlier run recorded these bytes as a duplicate of article "art-1" (another file's
    # text), under another path. Arriving under two new names, each is that article's duplicate
    # at once (counted once each): not parsed again. Only loaded and duplicate rows with an
    # article count.
    data = b"date 2024-03-01 the same story again"
    sha = hashlib.sha256(data).hexdigest()
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
    landing = str(tmp_path)
    con.executemany(
        "INSERT INTO ingest_ledger (landing, path, sha256, size_bytes, mtime_ns, outcome,"
        " article_id, article_ids) SELECT $1, $2, $3, 1, 1, $4, $5::VARCHAR,"
        " CASE WHEN $5 IS NULL THEN NULL ELSE [$5::VARCHAR] END",
        [
            (landing, "old/a.txt", "a" * 64, "loaded", "art-0"),
            (landing, "old/copy.txt", sha, "duplicate", "art-1"),
            (landing, "old/bad.txt", "b" * 64, "quarantined", None),
            ("/elsewhere", "x.txt", "c" * 64, "loaded", "art-9"),
        ],
    )
    ledger = read_ledger(con, landing)
    assert ledger.file_articles == {"a" * 64: "art-0", sha: "art-1"}
    files = [_landing_file(tmp_path, name, data) for name in ("new-name.txt", "other.txt")]
    result = ingest_files(files, _context(tmp_path), ledger)
    assert (result.files_duplicate, result.files_out, result.articles) == (2, 0, [])
    assert [(r["path"], r["outcome"], r["article_id"]) for r in result.ledger] == [
        ("new-name.txt", "duplicate", "art-1"),
        ("other.txt", "duplicate", "art-1"),
    ]


def test_a_path_back_to_an_earlier_content_is_neither_unchanged_nor_its_own_copy(
    tmp_path: Path,
) -> None:
    """A file loaded as A, then changed to B (the newest ledger row), now holds A again: it is
    read, not "unchanged" (the ledger's row of A matched any row of the path) and not the
    duplicate of the article A gave (its own). Probe O, session 39."""
    old = b" date 2024-03-04 The harbour reopened after the storm, officials said."
    new = b" date 2024-03-06 The harbour reopened after the storm, officials said."
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ingest_ledger (landing VARCHAR, path VARCHAR, sha256 VARCHAR,"
        " size_bytes BIGINT, mtime_ns BIGINT, outcome VARCHAR, article_id VARCHAR,"
        " article_ids VARCHAR[], last_seen TIMESTAMPTZ)"
    )
    con.execute(
        "CREATE TABLE ingest_refusal (landing VARCHAR, path VARCHAR, reason VARCHAR,"
        " detail VARCHAR)"
    )
    landing = str(tmp_path)
    con.executemany(
        "INSERT INTO ingest_ledger VALUES ($1, 'a.txt', $2, $3, $4, 'loaded', 'art-1',"
        " ['art-1'], $5::TIMESTAMPTZ)",
        [
            (landing, hashlib.sha256(old).hexdigest(), len(old), 100, "2024-03-04 10:00:00+00"),
            (landing, hashlib.sha256(new).hexdigest(), len(new), 200, "2024-03-06 10:00:00+00"),
        ],
    )
    ledger = read_ledger(con, landing)
    assert [e.latest for e in sorted(ledger.by_path["a.txt"], key=lambda e: e.mtime_ns or 0)] == [
        False,
        True,
    ]
    assert ledger.unchanged("a.txt", len(old), 100) is None  # put back with its old time
    assert ledger.unchanged("a.txt", len(new), 200) is not None
    assert ledger.entry("a.txt", hashlib.sha256(old).hexdigest()) is None
    assert ledger.loaded_before("a.txt", hashlib.sha256(old).hexdigest())
    assert not ledger.loaded_before("a.txt", hashlib.sha256(new).hexdigest())
    result = ingest_files([_landing_file(tmp_path, "a.txt", old)], _context(tmp_path), ledger)
    assert (result.unchanged, result.files_duplicate) == (0, 0)
    assert [a["published_date"] for a in result.articles] == [date(2024, 3, 4)]


def test_each_file_read_again_unchanged_is_counted(tmp_path: Path) -> None:
    """Two files synced again (new mtime, same bytes): both are read, found unchanged and
    counted; the count stayed at 1 however many there were (survivor
    ``reader._ingest_one__mutmut_59`` of the seed-1208 sample, #18)."""
    files = [
        _landing_file(tmp_path, name, f" date 2024-03-04 Story {name} said the mayor.".encode())
        for name in ("a.txt", "b.txt")
    ]
    ledger = LedgerView(
        by_path={
            f.path: [
                LedgerEntry(
                    hashlib.sha256((tmp_path / f.path).read_bytes()).hexdigest(),
                    f.size,
                    f.mtime_ns - 1,  # read before, at another time
                    "loaded",
                    f"art-{f.path}",
                )
            ]
            for f in files
        }
    )
    result = ingest_files(files, _context(tmp_path), ledger)
    assert (result.unchanged, result.files_out, result.articles) == (2, 0, [])
