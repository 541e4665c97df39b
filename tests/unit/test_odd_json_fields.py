"""Odd values in a scraper's fields are one record's problem, never the run's (session 20).

Each of these once raised out of the format adapter and failed the whole run (and every run
after it: the file never reached the ledger): an integer of 5,000 digits in a field news-etl does
not even read, an author object whose name is a list, ``sections`` that is a number, a date
with a 20-digit year, a URL no host can be read from. Expected values are literals.
"""

from __future__ import annotations

import json

from etl.ingest.formats.base import Record, RecordError, record_from_mapping
from etl.ingest.formats.jsonl import parse_json, parse_jsonl
from etl.ingest.reader import record_source


def _one(obj: dict[str, object]) -> Record | RecordError:
    (parsed,) = parse_jsonl(json.dumps(obj), "canonical")
    return parsed


def test_an_integer_too_long_for_python_is_kept_as_its_digits() -> None:
    line = '{"title": "Big", "views": 1' + "0" * 5000 + ', "text": "Body one."}'
    assert parse_jsonl(line, "canonical") == [Record(body="Body one.", key="line 1", title="Big")]
    (doc,) = parse_json('{"text": ' + "7" * 5000 + "}", "canonical")
    assert doc == Record(body="7" * 5000)


def test_author_objects_give_their_names_whatever_the_shape() -> None:
    record = _one(
        {
            "text": "Body.",
            "author": [
                {"@type": "Person", "name": ["Ann Lee", "Bob Roy"]},
                {"name": 5},
                {"url": "no name"},
                None,
                "Cy Doe; kept whole in a list",
                "  ",
            ],
        }
    )
    assert isinstance(record, Record)
    assert record.authors == ("Ann Lee", "Bob Roy", "5", "Cy Doe; kept whole in a list")
    assert record_from_mapping({"text": "B.", "byline": {"name": "Dee Ray"}}, None) == Record(
        body="B.", authors=("Dee Ray",)
    )
    assert record_from_mapping({"text": "B.", "authors": "A; B | C"}, None) == Record(
        body="B.", authors=("A", "B", "C")
    )


def test_sections_that_are_not_a_list_of_objects_are_read_not_fatal() -> None:
    # ``sections`` not being a list raised TypeError; a lone object is one section. A string or
    # a number among the sections is read as a paragraph: it was skipped, its text lost.
    five = Record(body="Sum.\n\n5", key="line 1")
    assert _one({"text": {"summary": ["Sum."], "sections": 5}}) == five
    body = {"summary": ["S."], "sections": ["Plain.", {"headline": ["H"], "paragraphs": ["P"]}]}
    assert _one({"text": body}) == Record(body="S.\n\nPlain.\n\nH\n\nP", key="line 1")
    single = {"sections": {"headline": ["Only"], "paragraphs": ["One section."]}}
    assert _one({"text": single}) == Record(body="Only\n\nOne section.", key="line 1")


def test_a_date_with_an_enormous_year_is_a_bad_date() -> None:
    date_text = "Mon, 1 Jan 99999999999999999999 00:00:00 +0000"
    assert _one({"text": "Body.", "date": date_text}) == RecordError(
        "line 1", "bad_date", f"publication date '{date_text}' is not a recognised date"
    )


def test_a_url_without_a_readable_host_leaves_the_folder_as_the_source() -> None:
    for url in ("http://[::1/news", "https://exa\u2100mple.com/"):
        assert record_source(Record(body="B.", url=url), "wire/a.jsonl", "/zone") == "wire"
    good = Record(body="B.", url="https://www.example.org/x")
    assert record_source(good, "wire/a.jsonl", "/zone") == "example.org"


def test_a_line_separator_inside_a_json_string_does_not_end_the_line() -> None:
    # json.dumps(..., ensure_ascii=False) writes U+2028, U+2029 and U+0085 raw; str.splitlines
    # broke the record there (one malformed_json row, a phantom line, the next one renumbered).
    lines = [
        json.dumps({"text": "One\u2028two\u2029three\x85four."}, ensure_ascii=False),
        json.dumps({"text": "Next."}),
    ]
    for end in ("\n", "\r\n", "\r"):
        assert parse_jsonl(end.join(lines) + end, "canonical") == [
            Record(body="One\u2028two\u2029three\x85four.", key="line 1"),
            Record(body="Next.", key="line 2"),
        ]


def test_a_byte_order_mark_opening_a_line_of_joined_files() -> None:
    # `cat a.jsonl b.jsonl` with b written with a BOM: its first line was malformed_json.
    text = '{"text": "From a."}\n\ufeff{"text": "From b."}\n'
    assert parse_jsonl(text, "canonical") == [
        Record(body="From a.", key="line 1"),
        Record(body="From b.", key="line 2"),
    ]
