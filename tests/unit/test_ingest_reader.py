"""The ingest stage's verdict on files it must not open (etl.ingest.reader.ingest_files): a
symlink out of the landing zone, a FIFO, a file over the size limit. Each is one quarantined
file, counted once, with no hash and so no ledger row (the next run looks again). No file is
opened: the landing zone given does not exist. Expected values are literals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.ingest.landing import LandingFile
from etl.ingest.ledger import LedgerView
from etl.ingest.reader import IngestContext, header_date, ingest_files, judged_as_it_is


def _context(tmp_path: Path, max_file_bytes: int = 100) -> IngestContext:
    return IngestContext(
        landing=tmp_path / "no-such-zone",
        partition_date=None,
        fallback_date=date(2024, 3, 4),
        today=date(2024, 3, 4),
        max_file_bytes=max_file_bytes,
        txt_layout="canonical",
        future_date_allowance_days=1,
    )


def test_files_never_opened_are_each_one_quarantined_file(tmp_path: Path) -> None:
    files = [
        LandingFile("a/link.txt", 10, 1, None, outside=True),
        LandingFile("b/pipe.txt", 0, 1, None, special="FIFO (named pipe)"),
        LandingFile("c/huge.txt", 101, 1, None),
        LandingFile("d/caf\\xe9.txt", 5, 1, None, bad_name=True),
    ]
    result = ingest_files(files, _context(tmp_path), LedgerView())
    assert result.files_quarantined == 4
    assert (result.files_out, result.files_duplicate, result.unchanged) == (0, 0, 0)
    assert result.articles == [] and result.ledger == []
    assert [(r["path"], r["sha256"], r["stage"], r["reason"]) for r in result.quarantine] == [
        ("a/link.txt", None, "ingest", "outside_landing"),
        ("b/pipe.txt", None, "ingest", "not_regular"),
        ("c/huge.txt", None, "ingest", "too_large"),
        ("d/caf\\xe9.txt", None, "ingest", "bad_name"),
    ]
    assert [r["detail"] for r in result.quarantine] == [
        "symlink points outside the landing zone",
        "a FIFO (named pipe), not a regular file: never opened for reading",
        "101 bytes is over the limit of 100",
        "the path is not valid UTF-8 (each byte that is not is shown as \\xNN): never opened",
    ]


def test_header_date_reads_a_file_of_exactly_the_size_limit(tmp_path: Path) -> None:
    """The day of an undated file comes from its header when the file is at most the size limit
    (a survivor of the seed-1207 mutation sample: ``>`` made ``>=`` refused a file of exactly
    the limit); one byte over, none."""
    text = b" date 2024-05-06 The council met on Monday to discuss the budget.\n"
    (tmp_path / "a.txt").write_bytes(text)
    assert header_date(tmp_path, "a.txt", len(text), "canonical") == date(2024, 5, 6)
    assert header_date(tmp_path, "a.txt", len(text) - 1, "canonical") is None


def test_a_too_large_file_is_judged_as_before_by_its_size_not_its_limit() -> None:
    """A remembered too-large refusal (``ingest_refusal``) is the same refusal when the file has
    the same size under another limit, and another one when the file grew (a survivor of the
    seed-1215 mutation sample: comparing what follows the size, not the size, took a grown file
    for the one refused before, never judged again)."""
    ledger = LedgerView(refused={"c/huge.txt": ("too_large", "101 bytes is over the limit of 100")})
    assert judged_as_it_is(LandingFile("c/huge.txt", 101, 1, None), ledger, 100)
    assert judged_as_it_is(LandingFile("c/huge.txt", 101, 2, None), ledger, 50)
    assert not judged_as_it_is(LandingFile("c/huge.txt", 102, 2, None), ledger, 100)
    assert not judged_as_it_is(LandingFile("c/big.txt", 101, 1, None), ledger, 100)
