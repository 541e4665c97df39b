"""A metadata value that is not a string is kept as JSON writes it, never as Python's repr.

``"title": ["a", "b"]`` reached ``fact_article.title`` as ``['a', 'b']``, ``"source": {"x": 1}``
as ``{'x': 1}`` and ``"title": true`` as ``True``: notations of no input, made by ``str()``.
``"title": false`` and ``"title": 0`` were dropped (no title at all). Author names keep their
own rule (etl.ingest.formats.base._names: a list gives its items' names, an object its
``name``). Expected values are literals.
"""

from __future__ import annotations

import json

import pytest

from etl.ingest.formats.base import Record, RecordError, as_text
from etl.ingest.formats.jsonl import parse_json, parse_jsonl


def _one(obj: dict[str, object]) -> Record | RecordError:
    (parsed,) = parse_jsonl(json.dumps(obj), "canonical")
    return parsed


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (["a", "b"], '["a", "b"]'),
        ({"x": 1}, '{"x": 1}'),
        ({"t": ["Zürich", None]}, '{"t": ["Zürich", null]}'),  # not escaped: as written
        (True, "true"),
        (False, "false"),
        (0, "0"),
        (2.5, "2.5"),
        ("as is", "as is"),
    ],
)
def test_a_value_is_text_as_json_writes_it(value: object, text: str) -> None:
    assert as_text(value) == text


def test_titles_urls_and_sources_of_other_types_are_their_json() -> None:
    assert _one({"text": "B.", "title": ["a", "b"], "source": {"x": 1}}) == Record(
        body="B.", key="line 1", title='["a", "b"]', source='{"x": 1}'
    )
    assert _one({"text": "B.", "title": True, "url": 5, "publisher": False}) == Record(
        body="B.", key="line 1", title="true", url="5", source="false"
    )
    # false and 0 were dropped: they are values, not missing ones (null still is)
    assert _one({"text": "B.", "title": False, "url": 0, "source": None}) == Record(
        body="B.", key="line 1", title="false", url="0"
    )
    (doc,) = parse_json('{"text": "B.", "headline": {"main": "M", "kicker": "K"}}', "canonical")
    assert doc == Record(body="B.", title='{"main": "M", "kicker": "K"}')


def test_author_names_follow_their_rule_and_other_values_are_their_json() -> None:
    record = _one({"text": "B.", "authors": [True, 5, 1.5, {"name": False}, ["Ann Lee"]]})
    assert isinstance(record, Record)
    assert record.authors == ("true", "5", "1.5", "false", "Ann Lee")
    assert _one({"text": "B.", "author": True}) == Record(
        body="B.", key="line 1", authors=("true",)
    )


def test_a_text_that_is_a_number_or_a_boolean_is_its_json() -> None:
    assert _one({"text": True}) == Record(body="true", key="line 1")
    assert _one({"text": 1.5}) == Record(body="1.5", key="line 1")


def test_a_date_of_another_type_is_quoted_as_json_in_the_detail() -> None:
    assert _one({"text": "B.", "date": ["2024-03-04"]}) == RecordError(
        "line 1", "bad_date", """publication date '["2024-03-04"]' is not a recognised date"""
    )


@pytest.mark.parametrize(
    ("line", "title", "url", "source", "authors"),
    [
        ('{"text": "B.", "title": 1e5}', "1e5", None, None, ()),
        ('{"text": "B.", "title": 1.50, "url": 10E-2}', "1.50", "10E-2", None, ()),
        ('{"text": "B.", "title": -0.0, "source": 2.000}', "-0.0", None, "2.000", ()),
        ('{"text": "B.", "author": [1e3, "Ann Lee", {"name": 0.10}]}', None, None, None,
         ("1e3", "Ann Lee", "0.10")),
        ('{"text": "B.", "title": [1.0, {"n": 2E+1}]}', '[1.0, {"n": 2E+1}]', None, None, ()),
        ('{"text": "B.", "title": NaN, "url": -Infinity}', "NaN", "-Infinity", None, ()),
        ('{"text": "B.", "title": 12345678901234567890}', "12345678901234567890", None, None, ()),
    ],
)  # fmt: skip
def test_a_number_is_kept_as_the_file_writes_it(
    line: str, title: str | None, url: str | None, source: str | None, authors: tuple[str, ...]
) -> None:
    """``"title": 1e5`` was stored as ``100000.0`` and ``1.50`` as ``1.5``: Python's reading of
    the number, not the file's text."""
    assert parse_jsonl(line, "canonical") == [
        Record(body="B.", key="line 1", title=title, url=url, source=source, authors=authors)
    ]


def test_a_body_or_a_date_given_as_a_number_is_its_text_as_written() -> None:
    assert parse_jsonl('{"text": 1.50}', "canonical") == [Record(body="1.50", key="line 1")]
    assert parse_json('{"text": "B.", "date": 2.0e3}', "canonical") == [
        RecordError(None, "bad_date", "publication date '2.0e3' is not a recognised date")
    ]
    assert parse_json("[1.5, 7]", "canonical") == [
        RecordError("item 0", "malformed_record", "expected an object, got float"),
        RecordError("item 1", "malformed_record", "expected an object, got int"),
    ]


def test_a_zero_among_a_texts_paragraphs_is_skipped_as_false_and_null_are() -> None:
    """Kept as written, a number must not change what a text's falsy items did: a ``0`` among
    the paragraphs (or as fundus's summary) was skipped, as ``false`` and ``null`` are (review,
    session 42: the kept ``0`` became a paragraph). A title ``0`` stays a title."""
    line = '{"text": ["Para one.", 0, false, null, -0.0], "title": 0}'
    assert parse_jsonl(line, "canonical") == [Record(body="Para one.", key="line 1", title="0")]
    fundus = '{"text": {"summary": 0, "sections": [{"paragraphs": ["P.", 0.0, 7]}]}}'
    assert parse_jsonl(fundus, "canonical") == [Record(body="P.\n\n7", key="line 1")]


def test_numbers_in_fields_never_read_are_not_kept_as_written(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Keeping a number as written costs a Python call per number: a line is read again that
    way only when a field news-etl reads holds one (500 numbers in a field never read made a
    line 3.7 times as long to read)."""
    from etl.ingest.formats import jsonl

    kept: list[str] = []

    def counting(text: str) -> object:
        kept.append(text)
        return jsonl.JsonNumber(text, "float")

    monkeypatch.setattr(jsonl, "_written_int", counting)
    monkeypatch.setattr(jsonl, "_written_float", counting)
    stats = json.dumps({"text": "B.", "title": "T", "extra": {"stats": list(range(500))}})
    assert parse_jsonl(stats, "canonical") == [Record(body="B.", key="line 1", title="T")]
    wrapped = json.dumps({"articles": [{"text": "B.", "n": 1.5}], "total": 1})
    assert parse_json(wrapped, "canonical") == [Record(body="B.", key="item 0")]
    assert kept == []
    assert parse_jsonl('{"text": "B.", "title": 1e5, "n": 3}', "canonical") == [
        Record(body="B.", key="line 1", title="1e5")
    ]
    assert sorted(kept) == ["1e5", "3"]
    kept.clear()
    listed = '{"articles": [{"text": "B.", "title": [1.50]}]}'
    assert parse_json(listed, "canonical") == [Record(body="B.", key="item 0", title="[1.50]")]
    assert kept == ["1.50"]


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [('"1.50"', "1.50", True), ('"100000.0"', "1e5", False), ("2", '"2"', True)],
)
def test_a_field_given_twice_is_judged_on_its_values_as_written_in_either_order(
    first: str, second: str, same: bool
) -> None:
    """Read first as Python numbers, ``"1.50"`` and ``1.50`` were the same title in one order and
    two in the other (review, session 42): the values are compared as the file writes them."""
    for a, b in ((first, second), (second, first)):
        (parsed,) = parse_jsonl(f'{{"text": "B.", "title": {a}, "title": {b}}}', "canonical")
        if same:
            assert isinstance(parsed, Record) and parsed.title == a.strip('"'), (a, b)
        else:
            assert isinstance(parsed, RecordError) and parsed.reason == "malformed_record", (a, b)
