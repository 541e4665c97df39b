"""An object among a record's text is read or refused, never dropped without a word.

``{"text": ["First.", {"text": "Second."}, "Third."]}`` loaded as ``First.`` and ``Third.``:
an object that was not fundus's ``{summary, sections}`` gave no text and said nothing. An
object with one text field is now read as its paragraph; any other object among the text
(``{"type": "quote", "content": ...}``, ``{"p": ...}``, a fundus section with other fields)
makes the record ``malformed_record``, the detail saying where and which keys. Expected values
are literals from the raw lines.
"""

from __future__ import annotations

from etl.ingest.formats.base import Record, RecordError
from etl.ingest.formats.csvdump import parse_csv
from etl.ingest.formats.jsonl import parse_jsonl

L = "canonical"
ADVICE = (
    "give each paragraph as a string, or as an object with one text field "
    "(text, maintext, body, content, article)"
)
NO_SHAPE = (
    "which is no shape news-etl reads as text (one text field, or fundus's summary and "
    "sections), so a key of it would go unread"
)


def _refused(line: str) -> str:
    """The detail of the one line's ``malformed_record``."""
    (parsed,) = parse_jsonl(line, L)
    assert isinstance(parsed, RecordError), parsed
    assert parsed.reason == "malformed_record"
    return parsed.detail


def test_an_object_with_one_text_field_is_read_as_its_paragraph() -> None:
    line = (
        '{"date": "2024-03-04", "title": "T", "text": ["First paragraph here.", '
        '{"text": "Second paragraph here."}, "Third paragraph here."]}'
    )
    (record,) = parse_jsonl(line, L)
    assert isinstance(record, Record)
    assert record.body == "First paragraph here.\n\nSecond paragraph here.\n\nThird paragraph here."
    (body,) = parse_jsonl('{"body": ["One.", {"Content": ["Two.", "Three."]}]}', L)
    assert isinstance(body, Record)
    assert body.body == "One.\n\nTwo.\n\nThree."


def test_an_object_of_another_shape_refuses_the_record_naming_where_and_its_keys() -> None:
    line = '{"body": ["One.", {"type": "quote", "content": "Two."}, "Three."]}'
    assert _refused(line) == (
        f"the text at body[1] is an object with the keys 'type', 'content', {NO_SHAPE}: {ADVICE}"
    )
    assert _refused('{"text": [null, "A.", {"p": "B."}]}') == (
        f"the text at text[2] is an object with the keys 'p', {NO_SHAPE}: {ADVICE}"
    )
    assert _refused('{"text": {"html": "<p>A.</p>"}}') == (
        f"the text at text is an object with the keys 'html', {NO_SHAPE}: {ADVICE}"
    )
    many = '{"text": [["A.", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7}]]}'
    assert _refused(many) == (
        "the text at text[0][1] is an object with the keys 'a', 'b', 'c', 'd', 'e' and 2 "
        f"more, {NO_SHAPE}: {ADVICE}"
    )


def test_an_object_giving_its_text_twice_refuses_the_record() -> None:
    assert _refused('{"text": ["A.", {"text": "B.", "text": "C."}]}') == (
        "the text at text[1] is an object with the keys 'text', which gives the key 'text' "
        f"twice, with different values: {ADVICE}"
    )


def test_fundus_paragraphs_and_sections_hold_no_unread_object() -> None:
    read = (
        '{"text": {"summary": ["S."], "sections": [{"headline": ["H"], '
        '"paragraphs": ["P.", {"text": "Q."}]}]}}'
    )
    (record,) = parse_jsonl(read, L)
    assert isinstance(record, Record)
    assert record.body == "S.\n\nH\n\nP.\n\nQ."
    lost = (
        '{"text": {"summary": ["S."], "sections": [{"headline": ["H"], "paragraphs": ["P."]}, '
        '{"paragraphs": ["P.", {"type": "quote", "content": "Q."}]}]}}'
    )
    assert _refused(lost) == (
        "the text at text.sections[1].paragraphs[1] is an object with the keys 'type', "
        f"'content', {NO_SHAPE}: {ADVICE}"
    )
    extra = '{"text": {"sections": {"headline": ["H"], "paragraphs": ["P."], "caption": "C."}}}'
    assert _refused(extra) == (
        "the text at text.sections is an object with the keys 'headline', 'paragraphs', "
        f"'caption', {NO_SHAPE}: {ADVICE}"
    )
    body = '{"text": {"summary": ["S."], "sections": [], "lead": "L."}}'
    assert _refused(body) == (
        "the text at text is an object with the keys 'summary', 'sections', 'lead', "
        f"{NO_SHAPE}: {ADVICE}"
    )


def test_a_csv_field_that_looks_like_json_is_text_as_written() -> None:
    # A CSV field is a string: nothing in it is read as an object, nothing is lost.
    (record,) = parse_csv('title,text\nT,"[""A."", {""p"": ""B.""}]"\n', L)
    assert isinstance(record, Record)
    assert record.body == '["A.", {"p": "B."}]'


def test_a_key_beside_the_text_field_refuses_the_record_whatever_it_holds() -> None:
    """A null key beside the text field was once let through (review R1), and then a key given
    twice, its last value null, lost the first value without a word (the JSON reader looks for
    repeated keys only when a field it reads repeats: review R2). Any other key refuses the
    record; the detail no longer says text would be lost."""
    assert _refused('{"text": ["A.", {"text": "B.", "type": null}]}') == (
        f"the text at text[1] is an object with the keys 'text', 'type', {NO_SHAPE}: {ADVICE}"
    )
    repeated = '{"body": ["A.", {"text": "B.", "p": "Lost paragraph.", "p": null}]}'
    assert _refused(repeated) == (
        f"the text at body[1] is an object with the keys 'text', 'p', {NO_SHAPE}: {ADVICE}"
    )


def test_falsy_sections_are_skipped_as_falsy_paragraphs_are() -> None:
    """A string among fundus's sections is a paragraph; 0, false and "" are skipped, as in a
    list of paragraphs, not stored as the paragraphs "0" and "false" (review R2)."""
    (record,) = parse_jsonl('{"text": {"summary": ["S."], "sections": [0, false, "", "P."]}}', L)
    assert isinstance(record, Record)
    assert record.body == "S.\n\nP."
