"""Spreadsheet and API exports whose articles were quarantined as ``no_text`` (session 20).

A CSV with ``;`` or tab separators (Excel in much of Europe, most exports), a header in
capitals or with spaces (``Title,Text``, ``title, text``), a blank line before the header,
JSON keys in capitals, and lists wrapped as ``{"data": [...]}`` all carry good articles; each
was refused whole, the reason naming fields the file does have. Expected records are literals.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from etl.ingest.formats.base import Record, RecordError
from etl.ingest.formats.csvdump import parse_csv
from etl.ingest.formats.jsonl import parse_json, parse_jsonl

L = "canonical"
ONE = Record(body="Body one.", key="row 1", title="First")
TWO = Record(body="Body two; with a semicolon, and a comma.", key="row 2", title="Second")


@pytest.mark.parametrize(
    "text",
    [
        'title,text\nFirst,Body one.\nSecond,"Body two; with a semicolon, and a comma."\n',
        'title;text\nFirst;Body one.\nSecond;"Body two; with a semicolon, and a comma."\n',
        "title\ttext\nFirst\tBody one.\nSecond\tBody two; with a semicolon, and a comma.\n",
        "title|text\nFirst|Body one.\nSecond|Body two; with a semicolon, and a comma.\n",
        'Title,Text\nFirst,Body one.\nSecond,"Body two; with a semicolon, and a comma."\n',
        'title, text\nFirst,Body one.\nSecond,"Body two; with a semicolon, and a comma."\n',
        '\n\r\ntitle,text\nFirst,Body one.\nSecond,"Body two; with a semicolon, and a comma."\n',
    ],
)
def test_csv_separators_header_case_and_leading_blank_lines(text: str) -> None:
    assert parse_csv(text, L) == [ONE, TWO]


def test_a_header_without_a_text_field_is_the_files_problem() -> None:
    """No row of it can give a text: one malformed_csv for the file (the README's rule), not a
    no_text per row."""
    assert parse_csv("name;value\nx;1\ny;2\n", L) == [
        RecordError(
            None,
            "malformed_csv",
            "no header row naming a text field (text, maintext, body, content, article, any "
            "case); the first line is 'name;value'",
        )
    ]


def test_a_csv_without_a_header_is_malformed() -> None:
    text = "The council met on Monday.,2024-03-04\r\nThe mayor spoke.,2024-03-05\r\n"
    (error,) = parse_csv(text, L)
    assert isinstance(error, RecordError) and (error.key, error.reason) == (None, "malformed_csv")
    assert error.detail.endswith("the first line is 'The council met on Monday.,2024-03-04'")


def test_a_capitalised_and_an_exact_field_name_with_two_values_are_refused() -> None:
    # The exact name's value won and the other was lost without a word (session 40: as a
    # field given twice under one name, malformed_record says so).
    line = json.dumps({"Text": "Capitalised.", "text": "Exact.", "Title": "T"})
    assert parse_jsonl(line, L) == [
        RecordError(
            "line 1",
            "malformed_record",
            "the field 'text' is given twice ('Text' and 'text'), with different values: which "
            "is meant?",
        )
    ]
    same = json.dumps({"Text": "Same.", "text": "Same.", "Title": "T"})
    assert parse_jsonl(same, L) == [Record(body="Same.", key="line 1", title="T")]


def test_json_keys_in_capitals() -> None:
    line = json.dumps({"Title": "T", "Text": "Body.", "Published": "2024-03-04", "URL": "u"})
    (record,) = parse_jsonl(line, L)
    assert isinstance(record, Record)
    assert (record.title, record.body, str(record.published), record.url) == (
        "T",
        "Body.",
        "2024-03-04",
        "u",
    )


@pytest.mark.parametrize("name", ["articles", "data", "items", "results", "records"])
def test_a_list_wrapped_in_an_object(name: str) -> None:
    doc = json.dumps({name: [{"text": "A."}, {"text": "B."}], "count": 2})
    assert parse_json(doc, L) == [Record(body="A.", key="item 0"), Record(body="B.", key="item 1")]


@pytest.mark.parametrize("text_field", ["text", "Text", " body "])
def test_an_article_with_a_data_field_is_one_article(text_field: str) -> None:
    doc = json.dumps({text_field: "The article.", "data": [1, 2], "items": ["x"]})
    assert parse_json(doc, L) == [Record(body="The article.")]


def test_a_blank_field_gives_way_to_the_same_name_in_another_case() -> None:
    # "the first of a field's names with content wins": an exact-case name that is blank hid
    # the content of the same name in capitals (line 1 was no_text, line 2 lost its title)
    text = (
        '{"Title": "Real title", "title": " ", "Text": "Body one.", "text": "", '
        '"date": "2021-04-01"}\n'
        '{"Title": "Real title 2", "title": "", "Text": "Body two.", "TEXT": "Later."}\n'
        '{"title": "Exact", "TITLE": "Capitals", "text": "Body three."}\n'
    )
    assert parse_jsonl(text, L) == [
        Record(body="Body one.", key="line 1", title="Real title", published=date(2021, 4, 1)),
        # two texts, two titles: refused, not one of each lost (session 40)
        RecordError(
            "line 2",
            "malformed_record",
            "the field 'text' is given twice ('Text' and 'TEXT'), with different values: which "
            "is meant?",
        ),
        RecordError(
            "line 3",
            "malformed_record",
            "the field 'title' is given twice ('title' and 'TITLE'), with different values: "
            "which is meant?",
        ),
    ]
