"""Adapters turn bytes into exactly these records and errors (literal expectations, written from
the input text), including every error path a user sees as a quarantine reason."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from etl.ingest.formats.base import Record, RecordError, record_from_mapping
from etl.ingest.formats.csvdump import parse_csv
from etl.ingest.formats.html import parse_html
from etl.ingest.formats.jsonl import parse_json, parse_jsonl
from etl.ingest.formats.txt import parse_text_file
from etl.ingest.rawfile import RawFileError, gunzip_limited

L = "canonical"


def test_csv_without_a_header() -> None:
    assert parse_csv("", L) == [RecordError(None, "malformed_csv", "no header row")]


def test_csv_whose_header_the_csv_module_cannot_read_is_malformed() -> None:
    """The csv module's error on the header row is the file's quarantine reason, not a crash
    (csv stops on a field over its size limit: lowered here, as a host program may lower it)."""
    import csv

    limit = csv.field_size_limit(10)
    try:
        parsed = parse_csv("title,text_of_the_article\nA,Body\n", L)
    finally:
        csv.field_size_limit(limit)
    assert parsed == [
        RecordError(
            None,
            "malformed_csv",
            "the header row cannot be read: field larger than field limit (10)",
        )
    ]


def test_csv_rows_with_the_wrong_number_of_fields_are_quarantined_alone() -> None:
    text = "title,text\nA,Body one\nB\nC,Body three,extra\nD,Body four\n"
    assert parse_csv(text, L) == [
        Record(body="Body one", key="row 1", title="A"),
        RecordError(
            "row 2", "malformed_csv", "wrong number of fields: 1, where the header names 2"
        ),
        RecordError(
            "row 3", "malformed_csv", "wrong number of fields: 3, where the header names 2"
        ),
        Record(body="Body four", key="row 4", title="D"),
    ]


def test_csv_lines_ended_by_a_bare_cr_are_rows() -> None:
    """Old Mac and Excel-for-Mac exports end lines with CR alone: the whole file was taken for
    the header line, and csv's error stopped the run without naming the file (probe, session
    40)."""
    text = 'title,text,date\rA,Body one,2024-04-01\rB,"Body\rtwo",2024-04-02\r'
    assert parse_csv(text, L) == [
        Record(body="Body one", key="row 1", title="A", published=date(2024, 4, 1)),
        Record(body="Body\rtwo", key="row 2", title="B", published=date(2024, 4, 2)),
    ]
    # a CR inside the header line ends it: the line names no text field
    assert parse_csv("title,te\rxt,date\nA,b,c\n", L) == [
        RecordError(
            None,
            "malformed_csv",
            "no header row naming a text field (text, maintext, body, content, article, any "
            "case); the first line is 'title,te'",
        )
    ]


def test_csv_keeps_line_breaks_inside_quoted_fields_as_written() -> None:
    text = 'title,text\r\nA,"Para one.\r\n\r\nPara two."\r\n'
    assert parse_csv(text, L) == [Record(body="Para one.\r\n\r\nPara two.", key="row 1", title="A")]


def _refused(row: int, opened: int, closes: str) -> RecordError:
    detail = (
        f"a quote opened on line {opened} does not close before {closes}: the row is refused, "
        "and the lines after its first are read as rows"
    )
    return RecordError(f"row {row}", "malformed_csv", detail)


def test_csv_quote_never_closed_refuses_its_row_alone() -> None:
    # The csv module read a stray opening quote to the end of the file: rows 3 and 4 became
    # part of row 2's text, loaded as one article, and nothing said so.
    text = (
        "date,title,text\n"
        "2021-04-01,One,Row one.\n"
        '2021-04-02,Two,"Row two has a stray quote.\n'
        "2021-04-03,Three,Row three.\n"
        "2021-04-04,Four,Row four.\n"
    )
    assert parse_csv(text, L) == [
        Record(body="Row one.", key="row 1", title="One", published=date(2021, 4, 1)),
        _refused(2, 3, "the end of the file"),
        Record(body="Row three.", key="row 3", title="Three", published=date(2021, 4, 3)),
        Record(body="Row four.", key="row 4", title="Four", published=date(2021, 4, 4)),
    ]


def test_csv_two_stray_quotes_do_not_merge_the_rows_between() -> None:
    # Read leniently, the second stray quote "closed" the first one's field and the reading
    # went on: rows 2 to 4 loaded as one article whose text held rows 3 and 4.
    text = (
        "\ndate,title,text\n"
        "2021-04-01,One,Row one.\n"
        '2021-04-02,Two,"Row two stray.\n'
        "2021-04-03,Three,Row three.\n"
        '2021-04-04,Four,"Row four stray.\n'
        "2021-04-05,Five,Row five.\n"
    )
    assert parse_csv(text, L) == [
        Record(body="Row one.", key="row 1", title="One", published=date(2021, 4, 1)),
        _refused(2, 4, "line 6"),
        Record(body="Row three.", key="row 3", title="Three", published=date(2021, 4, 3)),
        _refused(4, 6, "the end of the file"),
        Record(body="Row five.", key="row 5", title="Five", published=date(2021, 4, 5)),
    ]


def test_csv_quote_never_closed_after_a_multi_line_field() -> None:
    # a closed multi-line field before it keeps its lines
    text = 'title,text\r\nA,"Para one.\r\n\r\nPara two."\r\nB,"Open\r\nC,Body three\r\n'
    assert parse_csv(text, L) == [
        Record(body="Para one.\r\n\r\nPara two.", key="row 1", title="A"),
        _refused(2, 5, "the end of the file"),
        Record(body="Body three", key="row 3", title="C"),
    ]


def test_csv_quotes_that_misbehave_on_one_line_are_read_leniently_as_before() -> None:
    # a quote not closed on the last line, a quoted field with text after its closing quote
    text = 'title,text\nA,"abc"def\nB,Body "two" here\nC,"Body three\n'
    assert parse_csv(text, L) == [
        Record(body="abcdef", key="row 1", title="A"),
        Record(body='Body "two" here', key="row 2", title="B"),
        Record(body="Body three", key="row 3", title="C"),
    ]


def test_a_text_file_without_body_says_what_it_has() -> None:
    assert parse_text_file(" date 2024-03-04 ", "canonical") == [
        RecordError(None, "no_text", "the file has a date header but no body text")
    ]
    assert parse_text_file("Ferry sails again\n\n  ", "titled") == [
        RecordError(None, "no_text", "the file has a headline but no body text")
    ]


def test_json_shapes() -> None:
    assert parse_json('{"text": "A"}', L) == [Record(body="A")]
    assert parse_json('{"articles": [{"text": "A"}, {"text": "B"}]}', L) == [
        Record(body="A", key="item 0"),
        Record(body="B", key="item 1"),
    ]
    assert parse_json('[{"text": "A"}, 5]', L) == [
        Record(body="A", key="item 0"),
        RecordError("item 1", "malformed_record", "expected an object, got int"),
    ]
    assert parse_json('{"articles": "not a list", "text": "A"}', L) == [Record(body="A")]


def test_json_lines_named_json_are_read_as_lines() -> None:
    assert parse_json('{"text": "A"}\n{"text": "B"}', L) == [
        Record(body="A", key="line 1"),
        Record(body="B", key="line 2"),
    ]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('{"text": ', "Expecting value at line 1"),
        ("not json", "Expecting value at line 1"),
        ("{bad}\n{bad}", "Expecting property name enclosed in double quotes at line 1"),
        ('\n\n{"text": "A"', "Expecting ',' delimiter at line 3"),
    ],
)
def test_broken_json_is_one_file_error(text: str, detail: str) -> None:
    assert parse_json(text, L) == [RecordError(None, "malformed_json", detail)]


def test_jsonl_quarantines_a_broken_line_alone_and_skips_blank_ones() -> None:
    text = '{"text": "A"}\n\n   \nnot json\n{"text": "B"}\n'
    assert parse_jsonl(text, L) == [
        Record(body="A", key="line 1"),
        RecordError("line 4", "malformed_json", "Expecting value at column 1"),
        Record(body="B", key="line 5"),
    ]


def test_lone_surrogate_escapes_become_replacement_characters() -> None:
    assert parse_jsonl('{"text": "a\\ud800b"}', L) == [Record(body="a\ufffdb", key="line 1")]
    assert parse_jsonl('{"text": "\\ud83d\\ude00"}', L) == [Record(body="😀", key="line 1")]
    assert parse_jsonl('{"text": ["x\\udc00", "y"], "title": "t\\ud800"}', L) == [
        Record(body="x\ufffd\n\ny", key="line 1", title="t\ufffd")
    ]
    assert parse_jsonl('{"te\\udc00xt": "k", "text": "v"}', L) == [Record(body="v", key="line 1")]


def test_json_nested_past_what_python_can_read_is_one_quarantined_record() -> None:
    # One hostile line (100,000 arrays, one inside the other) used to end the whole run with
    # a RecursionError; it is now that line's error, and the next line loads.
    deep = "[" * 100_000 + "]" * 100_000
    lines = f'{{"text": "Lost.", "extra": {deep}}}\n{{"text": "Kept."}}\n'
    too_deep = "arrays or objects nested too deeply to read"
    assert parse_jsonl(lines, L) == [
        RecordError("line 1", "malformed_json", f"{too_deep} at column 1"),
        Record(body="Kept.", key="line 2"),
    ]
    assert parse_json(deep, L) == [RecordError(None, "malformed_json", f"{too_deep} at line 1")]
    assert parse_json('{"text": ' + deep[:50_000] + "}", L) == [
        RecordError(None, "malformed_json", f"{too_deep} at line 1")
    ]


def test_a_text_field_nested_past_the_recursion_limit_is_a_malformed_record() -> None:
    text: object = "t"
    for _ in range(100_000):  # built here: no JSON decoder reads this deep
        text = [text]
    assert record_from_mapping({"text": text}, "row 7") == RecordError(
        "row 7", "malformed_record", "a field is nested too deeply to read"
    )
    assert record_from_mapping({"text": [["a"], [["b"]]]}, None) == Record(body="a\n\nb")


def test_what_json_can_read_is_never_too_deep_for_the_surrogate_repair() -> None:
    # 600 levels: json reads them; the repair walked them with two frames a level (Python 3.11).
    inner = "[" * 600 + '"a\\ud800"' + "]" * 600
    (record,) = parse_jsonl(f'{{"text": "b\\udc00", "\\udfffx": {inner}}}', L)
    assert record == Record(body="b\ufffd", key="line 1")
    # A document that is one string is no article, surrogate or not.
    assert parse_json('"a\\ud800"', L) == [
        RecordError(None, "malformed_record", "expected an object, got str")
    ]


def test_body_from_paragraph_lists_and_fundus_sections() -> None:
    fundus = (
        '{"text": {"summary": ["S1"], "sections": [{"headline": ["H"],'
        ' "paragraphs": ["P1", "P2"]}, "junk", {"paragraphs": []}]}}'
    )
    # a string among the sections is read as a paragraph (it was skipped, its text lost)
    assert parse_json(fundus, L) == [Record(body="S1\n\nH\n\nP1\n\nP2\n\njunk")]
    assert parse_json('{"text": ["A", "", null, "B"]}', L) == [Record(body="A\n\nB")]
    assert parse_json('{"text": 42}', L) == [Record(body="42")]
    assert parse_json('{"text": {"sections": [{"paragraphs": ["P"]}]}}', L) == [Record(body="P")]
    assert parse_json('{"text": {"summary": "S"}}', L) == [Record(body="S")]


PAGE = """<html><head><title>Cocoa prices rise</title>
<link rel="canonical" href="https://example.com/cocoa">
<meta name="author" content="Jane Doe; John Roe">
<meta property="article:published_time" content="2024-03-04"></head>
<body><article><h1>Cocoa prices rise</h1>
<p>Cocoa prices rose sharply on Monday as dry weather in West Africa threatened the coming
harvest, traders said.</p>
<p>Futures in London gained four percent, the biggest daily rise in a month, while New York
prices followed.</p></article></body></html>"""


def test_html_page_to_one_record() -> None:
    """Paragraphs separated by a blank line; a line break inside a <p> is a space, as in HTML."""
    ((record),) = parse_html(PAGE, L)
    assert record == Record(
        body="Cocoa prices rise\n\n"
        "Cocoa prices rose sharply on Monday as dry weather in West Africa threatened the "
        "coming harvest, traders said.\n\n"
        "Futures in London gained four percent, the biggest daily rise in a month, while New "
        "York prices followed.",
        title="Cocoa prices rise",
        url="https://example.com/cocoa",
        authors=("Jane Doe", "John Roe"),
        published=date(2024, 3, 4),
    )


def test_html_without_main_text() -> None:
    assert parse_html("<html><body></body></html>", L) == [
        RecordError(None, "no_text", "no main text found in the HTML page")
    ]


def test_gunzip_limit_is_inclusive_and_errors_say_why() -> None:
    data = b"x" * 100
    assert gunzip_limited(gzip.compress(data), 100) == data
    with pytest.raises(RawFileError) as over:
        gunzip_limited(gzip.compress(data), 99)
    assert (over.value.reason, over.value.sha256) == ("too_large", None)
    assert over.value.detail == "decompresses to more than 99 bytes (limit); a gzip bomb?"
    assert str(over.value) == over.value.detail
    with pytest.raises(RawFileError) as bad:
        gunzip_limited(b"\x1f\x8bnot gzip at all", 100)
    assert bad.value.reason == "bad_gzip"
    assert bad.value.detail.startswith("not a valid gzip stream: ")


def test_raw_file_error_carries_reason_detail_and_hash() -> None:
    exc = RawFileError("unreadable", "cannot read: gone", "ab" * 32)
    assert (exc.reason, exc.detail, exc.sha256, str(exc)) == (
        "unreadable",
        "cannot read: gone",
        "ab" * 32,
        "cannot read: gone",
    )


def test_a_file_whose_stat_moved_since_listing_is_read_again_and_kept_if_the_same(
    tmp_path: Path,
) -> None:
    # The listing's size/mtime differ from the file's now (touched after listing): read_raw
    # reads it a second time and, the bytes being the same, keeps it. The hash is sha256 of
    # b"hello" as a literal.
    from etl.ingest.landing import LandingFile
    from etl.ingest.rawfile import read_raw

    (tmp_path / "a.txt").write_bytes(b"hello")
    raw = read_raw(tmp_path, LandingFile("a.txt", 5, 1, None), 100)
    assert (raw.sha256, raw.size, raw.data, raw.compressed) == (
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        5,
        b"hello",
        False,
    )


def test_a_file_that_grew_past_the_limit_after_listing_is_too_large_unread(
    tmp_path: Path,
) -> None:
    # Listed at 4 bytes (under the limit), 9 bytes when read: read_raw reads at most limit + 1
    # bytes and refuses the file with the reason and detail a user sees in the quarantine.
    from etl.ingest.landing import LandingFile
    from etl.ingest.rawfile import read_raw

    (tmp_path / "a.txt").write_bytes(b"123456789")
    with pytest.raises(RawFileError) as caught:
        read_raw(tmp_path, LandingFile("a.txt", 4, 1, None), 5)
    assert (caught.value.reason, caught.value.sha256) == ("too_large", None)
    assert caught.value.detail == "more than 5 bytes (limit); not read further"
    # exactly at the limit it is read
    assert read_raw(tmp_path, LandingFile("a.txt", 9, 1, None), 9).data == b"123456789"


def test_record_fields_and_their_errors() -> None:
    full = (
        '{"headline": " Title ", "link": " https://x.org/a ", "publisher": " Wire ",'
        ' "byline": "Ann; Bob | Cy", "date_publish": "2024-03-04T10:00:00Z", "maintext": "Body"}'
    )
    assert parse_json(full, L) == [
        Record(
            body="Body",
            title="Title",
            url="https://x.org/a",
            source="Wire",
            authors=("Ann", "Bob", "Cy"),
            published=date(2024, 3, 4),
        )
    ]
    assert parse_jsonl('{"title": "t", "text": "  "}', L) == [
        RecordError(
            "line 1",
            "no_text",
            "no text in any of the fields text, maintext, body, content, article",
        )
    ]
    assert parse_jsonl('{"text": "A", "date": "yesterday"}', L) == [
        RecordError("line 1", "bad_date", "publication date 'yesterday' is not a recognised date")
    ]
    assert parse_jsonl('{"text": "A", "date": "2024-02-30"}', L) == [
        RecordError(
            "line 1",
            "bad_date",
            # a record's date is no header (it said "date header" up to session 38: probe)
            "publication date '2024-02-30' is not a calendar date: day is out of range for month",
        )
    ]


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        ('[{"name": "Ann"}, {"name": " "}, "Bob", {"role": "x"}]', ("Ann", "Bob")),
        ('"Ann ;Bob"', ("Ann", "Bob")),
        ("7", ("7",)),
        ("[]", ()),
        ('""', ()),
    ],
)
def test_authors(authors: str, expected: tuple[str, ...]) -> None:
    ((record,),) = [parse_json(f'{{"text": "A", "authors": {authors}}}', L)]
    assert isinstance(record, Record)
    assert record.authors == expected


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2024-03-04", date(2024, 3, 4)),
        ("2024-03-04 23:59:59+05:00", date(2024, 3, 4)),
        ("Mon, 04 Mar 2024 10:00:00 GMT", date(2024, 3, 4)),
        ("20240304", date(2024, 3, 4)),
    ],
)
def test_published_date_forms(value: str, day: date) -> None:
    from etl.ingest.formats.base import parse_published

    assert parse_published(value) == day


@pytest.mark.parametrize(
    ("raw", "binary"),
    [
        (b"", False),
        (b"a" * 95 + b"\x01" * 5, False),  # 5 % control bytes: still text
        (b"a" * 94 + b"\x01" * 6, True),  # just over 5 %
        (b"a" * 99 + b"\x00", True),  # any NUL byte
        (b"a" * 8192 + b"\x00", False),  # only the first 8 KiB are looked at
        (b"\t\n\x0b\x0c\r" * 20, False),  # whitespace controls are text
        (b"a" * 90 + b"\x08\x0e\x1f\x08\x0e\x1f", True),  # 8, 14 and 31 are control bytes
        (b"a" * 90 + b" " * 10, False),
    ],
)
def test_looks_binary(raw: bytes, binary: bool) -> None:
    from etl.ingest.decode import looks_binary

    assert looks_binary(raw) is binary


def test_undecodable_error_carries_reason_and_detail() -> None:
    from etl.ingest.decode import UndecodableError

    exc = UndecodableError("binary", "NUL bytes")
    assert (exc.reason, exc.detail, str(exc)) == ("binary", "NUL bytes", "NUL bytes")


def test_a_gzip_bomb_is_refused_without_inflating_it() -> None:
    """Only ``limit + 1`` bytes are ever decompressed: 64 MiB of zeros cost no 64 MiB."""
    import tracemalloc

    bomb = gzip.compress(bytes(64 * 1024 * 1024))
    tracemalloc.start()
    try:
        with pytest.raises(RawFileError) as refused:
            gunzip_limited(bomb, 1000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.reason == "too_large"
    assert peak < 4 * 1024 * 1024


def test_json_lines_fallback_when_a_line_starts_an_object_or_the_file_does() -> None:
    # a broken first line, then an object on its own line: read as lines, the good one kept
    assert parse_json('[1,\n{"text": "A"}', L) == [
        RecordError("line 1", "malformed_json", "Expecting value at column 4"),
        Record(body="A", key="line 2"),
    ]
    # indented objects, one per line: the file starts with "{" once its indent is stripped
    assert parse_json(' {"text": "A"}\n {"text": "B"}', L) == [
        Record(body="A", key="line 1"),
        Record(body="B", key="line 2"),
    ]


def test_blank_metadata_is_no_metadata() -> None:
    record = record_from_mapping(
        {"text": "Body.", "title": " \t ", "url": "\n", "source": " "}, "1"
    )
    assert isinstance(record, Record)
    assert (record.title, record.url, record.source) == (None, None, None)
    # A blank field gives way to the next name, as an empty one does.
    named = record_from_mapping({"text": " ", "body": "Body.", "title": " ", "headline": "H"}, "3")
    assert isinstance(named, Record)
    assert (named.body, named.title) == ("Body.", "H")
    kept = record_from_mapping({"text": "Body.", "title": "  A title \n", "url": " u "}, "2")
    assert isinstance(kept, Record)
    assert (kept.title, kept.url) == ("A title", "u")


def test_a_blank_date_is_no_date() -> None:
    record = record_from_mapping({"text": "Body.", "published": "   ", "date": "2024-03-04"}, "1")
    assert isinstance(record, Record)
    assert record.published == date(2024, 3, 4)
    undated = record_from_mapping({"text": "Body.", "date": " "}, "2")
    assert isinstance(undated, Record) and undated.published is None


def test_a_field_given_twice_with_two_values_is_refused_not_half_read() -> None:
    """Probe: {"text": "A…", "text": "B…"} loaded B and lost A without a word (``json`` keeps
    the last value of a repeated key)."""
    twice = '{"title": "t6", "text": "Alpha story here.", "text": "Beta story here."}'
    assert parse_jsonl(twice, L) == [
        RecordError(
            "line 1",
            "malformed_record",
            "the field 'text' is given twice, with different values: which is meant?",
        )
    ]
    dated = '{"text": "Alpha story here.", "date": "2024-03-04", "date": "2024-03-05"}'
    assert parse_jsonl(dated, L) == [
        RecordError(
            "line 1",
            "malformed_record",
            "the field 'date' is given twice, with different values: which is meant?",
        )
    ]
    # a key in capitals or with spaces inside its quotes is read as the field (review)
    for key in ('"Text"', '" text "'):
        assert parse_jsonl(f'{{{key}: "Alpha story here.", {key}: "Beta story."}}', L) == [
            RecordError(
                "line 1",
                "malformed_record",
                f"the field {key.strip(chr(34))!r} is given twice, with different values: "
                "which is meant?",
            )
        ]
    # the same value twice, a field news-etl does not read, a nested object and one field per
    # record of a list: nothing is lost, the records load
    for text in (
        '{"text": "Alpha story here.", "text": "Alpha story here."}',
        '{"text": "Alpha story here.", "extra": 1, "extra": 2}',
        '{"text": "Alpha story here.", "meta": {"title": "a", "title": "b"}}',
    ):
        (record,) = parse_jsonl(text, L)
        assert isinstance(record, Record) and record.body == "Alpha story here.", text
    listed = parse_json('[{"text": "Alpha story here."}, {"text": "Beta story here."}]', L)
    assert [r.body for r in listed if isinstance(r, Record)] == [
        "Alpha story here.",
        "Beta story here.",
    ]


def test_a_field_given_under_two_names_that_fold_alike_with_two_values_is_refused() -> None:
    """``"text"`` and ``"Text"`` (or `` text ``) with different contents, or a CSV header naming
    a column twice: one value was kept and the other lost without a word (probe, session 40).
    The same value twice, or a blank beside a value, is no question."""
    lines = [
        '{"title": "t", "text": "Alpha text.", "Text": "Beta text."}',
        '{"title": "t", "text": "Same text.", " Text ": "Same text."}',
        '{"title": "t", "Date": "2024-01-01", "text": "Gamma.", "date ": "2025-06-30"}',
    ]
    assert parse_jsonl("\n".join(lines) + "\n", L) == [
        RecordError(
            "line 1",
            "malformed_record",
            "the field 'text' is given twice ('text' and 'Text'), with different values: which "
            "is meant?",
        ),
        Record(body="Same text.", key="line 2", title="t"),
        RecordError(
            "line 3",
            "malformed_record",
            "the field 'date' is given twice ('Date' and 'date '), with different values: which "
            "is meant?",
        ),
    ]
    text = "title,text,text,date\nA,Eta text,Theta text,2024-01-01\nB,,Iota text,2024-01-02\n"
    assert parse_csv(text, L) == [
        RecordError(
            "row 1",
            "malformed_record",
            "the field 'text' is given twice ('text' and 'text'), with different values: which "
            "is meant?",
        ),
        Record(body="Iota text", key="row 2", title="B", published=date(2024, 1, 2)),
    ]


def test_a_blank_value_given_twice_is_no_second_value() -> None:
    """A blank value counts as none, for a key given twice in one JSON object too: ``{"text":
    "", "text": "Body"}`` was malformed_record and ``{"text": "Body", "text": ""}`` no_text;
    values that differ only in spaces around say the same (review, session 40)."""
    text = (
        '[{"text": "", "text": "Body one."}, {"text": "Body two.", "text": " "},'
        ' {"title": null, "title": "T", "text": "Body three."},'
        ' {"Title": "T", "title": "T ", "text": "Body four."}]'
    )
    assert parse_json(text, L) == [
        Record(body="Body one.", key="item 0"),
        Record(body="Body two.", key="item 1"),
        Record(body="Body three.", key="item 2", title="T"),
        Record(body="Body four.", key="item 3", title="T"),
    ]
