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
