"""A bare carriage return (CR without LF) inside a CSV field: text in a file whose rows end in LF
or CRLF, a row end in a file whose lines end in CR alone (classic Mac)."""

from __future__ import annotations

from datetime import date

import pytest

from etl.ingest.formats import Record, RecordError
from etl.ingest.formats.csvdump import parse_csv


def _parse(raw: bytes) -> list[object]:
    """The records ``parse_csv`` reads from the UTF-8 file ``raw``."""
    return list(parse_csv(raw.decode("utf-8"), "canonical"))


@pytest.mark.parametrize(
    "raw",
    [
        b"date,title,text\n2024-01-02,Budget vote,first part\rsecond part\n",
        b"date,title,text\r\n2024-01-02,Budget vote,first part\rsecond part\r\n",
    ],
    ids=["lf", "crlf"],
)
def test_bare_cr_in_an_unquoted_field_is_text(raw: bytes) -> None:
    assert _parse(raw) == [
        Record(
            body="first part\rsecond part",
            key="row 1",
            title="Budget vote",
            published=date(2024, 1, 2),
        )
    ]


def test_bare_cr_does_not_start_a_row() -> None:
    # What follows the CR reads like a row of its own; it was loaded as one, and the article
    # before it cut. It is the rest of the text, whose commas are not quoted: the row is refused.
    raw = b"date,title,text\n2024-01-02,A,one\r2024-01-05,X,two\n2024-01-03,B,three\n"
    assert _parse(raw) == [
        RecordError(
            "row 1", "malformed_csv", "wrong number of fields: 5, where the header names 3"
        ),
        Record(body="three", key="row 2", title="B", published=date(2024, 1, 3)),
    ]


def test_cr_only_file_still_reads_row_by_row() -> None:
    raw = b"date,title,text\r2024-01-02,A,first\r2024-01-03,B,second\r"
    assert _parse(raw) == [
        Record(body="first", key="row 1", title="A", published=date(2024, 1, 2)),
        Record(body="second", key="row 2", title="B", published=date(2024, 1, 3)),
    ]


@pytest.mark.parametrize("end", [b"\n", b"\r\n", b"\r"], ids=["lf", "crlf", "cr"])
def test_quoted_field_keeps_its_cr(end: bytes) -> None:
    raw = b"date,title,text" + end + b'2024-01-02,A,"first part\rsecond part"' + end
    assert _parse(raw) == [
        Record(body="first part\rsecond part", key="row 1", title="A", published=date(2024, 1, 2))
    ]
