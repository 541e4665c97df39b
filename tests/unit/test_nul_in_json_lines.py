"""A NUL byte in one line of a JSON lines file is that line's problem, not the file's.

The binary sniff (etl.ingest.decode) refused any text holding a NUL, so one NUL inside one line
of a valid UTF-8 ``.jsonl`` file quarantined the whole file as ``binary`` and every good record
in it was lost. For a format whose records are lines, the lines holding a NUL are left out of
the sniff (their format refuses them alone: a raw NUL is not JSON), unless they outnumber the
others. Real binary content is still refused. Expected values are literals.
"""

from __future__ import annotations

import codecs

import pytest

from etl.ingest.decode import UndecodableError, decode, looks_binary_lines
from etl.ingest.formats import LINE_RECORDS, Record, RecordError
from etl.ingest.formats.jsonl import LINE_BREAK, parse_json, parse_jsonl

L = "canonical"
ONE_NUL = b'{"text": "One."}\n{"text": "T\x00wo."}\n{"text": "Three."}\n'


def test_one_nul_in_one_line_decodes_and_only_that_line_is_refused() -> None:
    decoded = decode(ONE_NUL, LINE_BREAK)
    assert decoded.text == ONE_NUL.decode("utf-8")
    assert parse_jsonl(decoded.text, L) == [
        Record(body="One.", key="line 1"),
        RecordError("line 2", "malformed_json", "Invalid control character at column 12"),
        Record(body="Three.", key="line 3"),
    ]


def test_json_lines_named_json_keep_their_good_lines_too() -> None:
    decoded = decode(ONE_NUL, LINE_RECORDS["json"])
    assert [p.key for p in parse_json(decoded.text, L) if isinstance(p, Record)] == [
        "line 1",
        "line 3",
    ]


def test_as_many_lines_with_a_nul_as_without_is_still_text() -> None:
    assert not looks_binary_lines('{"a": 1}\n{"b": "\x00"}\n\n\n', LINE_BREAK)
    assert looks_binary_lines('{"a": 1}\n{"b": "\x00"}\n{"c": "\x00"}\n', LINE_BREAK)


@pytest.mark.parametrize(
    "raw",
    [
        # JSON lines written as UTF-16 without a BOM: valid UTF-8, a NUL in every line
        '{"text": "One."}\n{"text": "Two."}\n'.encode("utf-16-le"),
        b"\x00\x01\x02binary\x00",  # valid UTF-8, one line, NUL in it
        b'{"text": "a\x00"}\n',  # the only line holds the NUL
        # the lines without a NUL are themselves mostly control characters
        b'{"text": "ok"}\n' + b"\x01\x02\x03\x04\x05\x06\x07\x08" * 4 + b"\n\x00\n",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",  # not UTF-8 at all
        codecs.BOM_UTF16_LE + "\x01\x02\x03\x04bin\x05\x06".encode("utf-16-le"),
    ],
)
def test_real_binary_content_is_still_binary_as_json_lines(raw: bytes) -> None:
    with pytest.raises(UndecodableError) as caught:
        decode(raw, LINE_BREAK)
    assert caught.value.reason == "binary"


def test_other_formats_keep_refusing_any_nul() -> None:
    assert "txt" not in LINE_RECORDS and "csv" not in LINE_RECORDS
    with pytest.raises(UndecodableError) as caught:
        decode(ONE_NUL)
    assert caught.value.reason == "binary"


def test_one_line_of_control_characters_loses_that_line_only() -> None:
    """A first line holding 1,000 raw ``\\x01`` made the whole file ``binary`` (the sniff reads
    the first 8,192 characters), and its 50 good records were lost (probe)."""
    raw = b'{"text": "' + b"\x01" * 1_000 + b'"}\n'
    raw += b"".join(b'{"text": "Story %d."}\n' % i for i in range(50))
    parsed = parse_jsonl(decode(raw, LINE_BREAK).text, L)
    assert parsed[0] == RecordError(
        "line 1", "malformed_json", "Invalid control character at column 11"
    )
    assert parsed[1:] == [Record(body=f"Story {i}.", key=f"line {i + 2}") for i in range(50)]
    # ... and as many such lines as good ones: still text; more: binary
    half = b'{"text": "\x01\x01\x01"}\n{"text": "Fine."}\n'
    assert decode(half, LINE_BREAK).text == half.decode()
    with pytest.raises(UndecodableError) as caught:
        decode(half + b"\x01\x02\x03\n", LINE_BREAK)
    assert caught.value.reason == "binary"
