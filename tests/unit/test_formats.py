"""Format adapters, format choice, metadata dates, mojibake repair and gzip limits."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from etl.ingest.canonical import BadDateError
from etl.ingest.formats import Record, RecordError, choose_format
from etl.ingest.formats.base import parse_published, record_from_mapping
from etl.ingest.formats.csvdump import parse_csv
from etl.ingest.formats.html import parse_html
from etl.ingest.formats.jsonl import parse_json, parse_jsonl
from etl.ingest.formats.txt import parse_text_file
from etl.ingest.mojibake import repair_mojibake
from etl.ingest.rawfile import RawFileError, gunzip_limited


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.txt", "", "txt"),
        ("a.TXT.gz", "", "txt"),
        ("dump.jsonl", "", "jsonl"),
        ("dump.ndjson.gz", "", "jsonl"),
        ("dump.json", "", "json"),
        ("rows.csv", "", "csv"),
        ("page.html.gz", "", "html"),
        ("page.htm", "", "html"),
        ("image.png", "", None),
        ("noext", "<!DOCTYPE html><html>", "html"),
        ("noext", '{"a": 1}\n{"a": 2}\n', "jsonl"),
        ("noext", "Plain words", "txt"),
        ("noext", '[{"text": "a"}]', "json"),
        ("noext", ' \n[\n  {"text": "a"}', "json"),
        ("noext", "[]", "json"),
        ("noext", "{}", "json"),
        ("noext", '{ "text": "a"}', "json"),
        # a text that opens with a bracket is text (it was taken for JSON and refused)
        ("noext", "[Updated 14:00 GMT] The ferry sailed.\n\nMore.", "txt"),
        ("noext", "{Corrected} The ferry sailed.\n\nMore.\n", "txt"),
        ("noext", "[2021] A year in review", "txt"),
    ],
)
def test_choose_format(name: str, head: str, expected: str | None) -> None:
    assert choose_format(name, head) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-04", date(2024, 3, 4)),
        ("2024-04-22 15:26:46.863186+00:00", date(2024, 4, 22)),
        ("2024-04-22T15:26:46Z", date(2024, 4, 22)),
        ("Mon, 04 Mar 2024 10:00:00 +0000", date(2024, 3, 4)),
        # a year written with four digits is that year, even below 100 (Python's RFC 2822
        # parser made 0001 2001 and 0099 1999, so the record loaded on another century's day)
        ("Thu, 01 Jan 0001 00:00:00 +0000", date(1, 1, 1)),
        ("Fri, 01 Jan 0099 00:00:00 +0000", date(99, 1, 1)),
        ("29 Feb 0004 12:00:00 GMT", date(4, 2, 29)),
        # two digits keep RFC 2822's obsolete rule (00-49: 20xx, 50-99: 19xx)
        ("Thu, 01 Jan 21 00:00:00 +0000", date(2021, 1, 1)),
        ("Fri, 01 Jan 99 00:00:00 +0000", date(1999, 1, 1)),
        ("Sat, 13 March 1999 23:30:00 -0500", date(1999, 3, 13)),
        # a time of day at its bounds, in the basic format, and other text after the date
        ("2021-04-07T23:59:60Z", date(2021, 4, 7)),
        ("2021-04-07T24:00", date(2021, 4, 7)),
        ("2021-04-07T235959", date(2021, 4, 7)),
        ("2021-04-07 10:00 UTC", date(2021, 4, 7)),
        ("2021-04-07 (updated)", date(2021, 4, 7)),
    ],
)
def test_parse_published(value: str, expected: date) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    "value",
    ["2021-13-45", "yesterday", "2024-02-30T10:00:00", "Sat, 01 Jan 0000 00:00:00 +0000"],
)
def test_parse_published_refuses_invalid_dates(value: str) -> None:
    with pytest.raises(BadDateError):
        parse_published(value)


@pytest.mark.parametrize(
    "value",
    ["2021-04-07T25:00", "2021-04-07T24:01", "2021-04-07 10:60", "2021-04-07T10:00:61Z"],
)
def test_an_impossible_time_of_day_makes_the_date_bad(value: str) -> None:
    """Probe: a JSON date 2021-04-07T25:00 loaded on 2021-04-07, while the same value in a
    .txt header was bad_date."""
    with pytest.raises(BadDateError) as caught:
        parse_published(value)
    assert str(caught.value) == f"publication date '{value}' has an impossible time of day"


@pytest.mark.parametrize(
    "value",
    ["2024-03-05T10:00:00+25:00", "2024-03-05T10:00-2400", "2024-03-05T10:00:00.5+05:60"],
)
def test_an_impossible_utc_offset_makes_the_date_bad(value: str) -> None:
    """Probe V (session 40): +25:00 is no time zone, and the record loaded on the day written."""
    with pytest.raises(BadDateError) as caught:
        parse_published(value)
    assert str(caught.value) == f"publication date '{value}' has an impossible UTC offset"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-03-05T23:30:00+23:59", date(2024, 3, 5)),
        ("2024-03-05T01:30:00.123-0500", date(2024, 3, 5)),
        ("2024-03-05T10:00+09", date(2024, 3, 5)),
        ("2024-03-05T10:00:00,5-00:00", date(2024, 3, 5)),
    ],
)
def test_a_utc_offset_within_a_day_keeps_the_date_as_written(value: str, day: date) -> None:
    assert parse_published(value) == day


def test_jsonl_bad_line_is_quarantined_alone() -> None:
    text = '{"title": "A", "text": "Alpha."}\n{broken\n\n{"maintext": "Beta.", "url": "u"}\n'
    out = parse_jsonl(text, "canonical")
    assert [type(x) for x in out] == [Record, RecordError, Record]
    assert out[1] == RecordError("line 2", "malformed_json", out[1].detail)  # type: ignore[union-attr]
    assert isinstance(out[2], Record) and out[2].key == "line 4" and out[2].body == "Beta."


def test_lone_surrogate_escapes_become_replacement_characters() -> None:
    """JSON can escape half a UTF-16 pair alone; no UTF-8 text can hold it, so it becomes U+FFFD
    (in every field), and the article is kept. A whole pair (an emoji) stays as it is."""
    text = (
        '{"title": "T\\ud800", "text": "Bad \\uDC00 half, good \\ud83d\\ude00 pair.",'
        ' "authors": ["A\\udbff"]}\n'
    )
    (record,) = parse_jsonl(text, "canonical")
    assert isinstance(record, Record)
    assert record.body == "Bad \ufffd half, good \U0001f600 pair."
    assert record.title == "T\ufffd" and record.authors == ("A\ufffd",)
    (whole,) = parse_json('{"text": "x\\ud800"}', "canonical")
    assert isinstance(whole, Record) and whole.body == "x\ufffd"
    record.body.encode("utf-8")  # no surrogate left


def test_json_document_forms() -> None:
    one = parse_json(json.dumps({"body": "One.", "authors": ["X", "Y"]}), "canonical")
    assert one == [Record(body="One.", authors=("X", "Y"))]
    many = parse_json(json.dumps({"articles": [{"text": "A."}, {"text": ""}]}), "canonical")
    assert isinstance(many[0], Record) and many[0].key == "item 0"
    assert isinstance(many[1], RecordError) and many[1].reason == "no_text"
    assert parse_json("[1", "canonical")[0].reason == "malformed_json"  # type: ignore[union-attr]


def test_record_fields_and_bad_date() -> None:
    rec = record_from_mapping(
        {
            "headline": "H",
            "link": "https://x.org/a",
            "author": "A; B",
            "date": "2024-01-02",
            "content": ["p1", "p2"],
        },
        "line 1",
    )
    assert rec == Record(
        "p1\n\np2", "line 1", "H", "https://x.org/a", None, ("A", "B"), date(2024, 1, 2)
    )
    bad = record_from_mapping({"text": "x", "published": "2021-13-45"}, "line 2")
    assert isinstance(bad, RecordError) and bad.reason == "bad_date"


def test_csv_rows() -> None:
    text = 'title,text,published\nA,"Body, with comma.",2024-03-04\nB,"Second\n\nparagraph",\n'
    out = parse_csv(text, "canonical")
    assert [r.key for r in out] == ["row 1", "row 2"]
    assert isinstance(out[1], Record) and out[1].body == "Second\n\nparagraph"
    broken = parse_csv("title,text\nA,b,c\n", "canonical")
    assert isinstance(broken[0], RecordError) and broken[0].reason == "malformed_csv"


def test_titled_txt_and_no_text() -> None:
    out = parse_text_file("Headline here\n\nBody text.", "titled")
    assert out == [Record(body="\nBody text.", title="Headline here")]
    assert parse_text_file(" date 2024-03-04 ", "canonical")[0].reason == "no_text"  # type: ignore[union-attr]
    assert parse_text_file(" date 2021-13-45 x", "canonical")[0].reason == "bad_date"  # type: ignore[union-attr]


def test_html_main_text_and_metadata() -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i}: the council voted on the new budget after a long debate.</p>"
        for i in range(8)
    )
    html = (
        '<html><head><title>Budget vote</title><meta name="author" content="Jane Roe">'
        '<meta property="article:published_time" content="2024-03-04T10:00:00Z">'
        '<link rel="canonical" href="https://www.example.com/budget"></head>'
        f"<body><nav>Home | World | Sport</nav><article><h1>Budget vote</h1>{paragraphs}"
        "</article><footer>© Example</footer></body></html>"
    )
    (rec,) = parse_html(html, "canonical")
    assert isinstance(rec, Record)
    assert rec.title == "Budget vote" and rec.published == date(2024, 3, 4)
    assert rec.url == "https://www.example.com/budget" and rec.authors == ("Jane Roe",)
    assert "Paragraph 0" in rec.body and "Paragraph 7" in rec.body and "Sport" not in rec.body
    assert "\n\n" in rec.body
    (empty,) = parse_html("<html><body></body></html>", "canonical")
    assert isinstance(empty, RecordError) and empty.reason == "no_text"


def test_mojibake_is_repaired_only_where_detected() -> None:
    good = "Señora Müller’s café – naïve"
    assert repair_mojibake(good) == (good, None)
    broken = good.encode().decode("cp1252")
    fixed, note = repair_mojibake(broken)
    assert fixed == good and note and "ftfy" in note
    twice = broken.encode().decode("cp1252", errors="replace")
    assert repair_mojibake(twice)[1] is not None


def test_gunzip_limit_stops_bombs() -> None:
    assert gunzip_limited(gzip.compress(b"x" * 100), 100) == b"x" * 100
    with pytest.raises(RawFileError) as bomb:
        gunzip_limited(gzip.compress(b"\0" * 10_000_000), 1_000_000)
    assert bomb.value.reason == "too_large"
    with pytest.raises(RawFileError) as bad:
        gunzip_limited(b"\x1f\x8b" + b"not gzip", 100)
    assert bad.value.reason == "bad_gzip"
