"""Control characters in a record's metadata are removed as cleaning removes them from the body,
and the article's ``text_repair`` note says so (etl.ingest.metadata).

A JSON ``"\\u0000"`` or ``"\\u0007"`` escape in a title reached ``fact_article.title`` as a raw
NUL or BEL, which the text stage removes from the body but nothing removed from metadata.
Expected values are literals.
"""

from __future__ import annotations

from etl.ingest.formats.base import Record
from etl.ingest.formats.jsonl import parse_jsonl
from etl.ingest.metadata import clean_metadata
from etl.text.clean import clean


def test_a_nul_and_a_bell_escaped_in_json_leave_the_title_and_the_note_says_so() -> None:
    line = (
        r'{"text": "Body.", "title": "Rates\u0000 rise\u0007", "url": "https://e.org/\u001b1",'
        r' "source": "Wire\u0085Co", "authors": ["Ann\u0000 Lee", "\u0007"]}'
    )
    (record,) = parse_jsonl(line, "canonical")
    assert isinstance(record, Record)
    cleaned, note = clean_metadata(record)
    assert cleaned == Record(
        body="Body.",
        key="line 1",
        title="Rates rise",
        url="https://e.org/1",
        source="Wire\x85Co",  # NEL is a line break, kept (the body turns it into one)
        authors=("Ann Lee",),  # a name of control characters alone is no name
    )
    assert note == (
        "control characters removed from the metadata (U+0000, U+0007, U+001B): "
        "2 from the title, 1 from the url, 2 from the authors"
    )


def test_metadata_loses_exactly_what_the_body_loses() -> None:
    # Every character of the Basic Multilingual Plane that cleaning removes from between two
    # letters (no NFKC or whitespace change makes a character vanish) is removed from a title,
    # and no other: the soft hyphen too (text-6; it stayed in metadata before).
    removed: list[int] = []
    spaced: list[int] = []
    for code in [*range(0xD800), *range(0xE000, 0x10000)]:
        char = chr(code)
        body_loses = clean(f"a{char}b") == "ab"
        cleaned, note = clean_metadata(Record(body="B.", title=f"a{char}b"))
        assert (cleaned.title == "ab") is body_loses, hex(code)
        assert (note is not None) is (cleaned.title != f"a{char}b"), hex(code)
        removed += [code] if body_loses else []
        if note is not None and clean(f"a{char}b") == cleaned.title == "a b":
            spaced.append(code)
    # the C0 and C1 controls but tab, LF, CR and NEL, and but the separators, which become
    # spaces in both; the soft hyphen; the invisible characters
    assert spaced == [0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F]
    expected = [*range(0x09), *range(0x0E, 0x1C), *range(0x7F, 0x85)]
    expected += [*range(0x86, 0xA0), 0xAD, 0x061C, 0x200B, 0x200E, 0x200F]
    expected += [*range(0x202A, 0x202F), *range(0x2060, 0x2065), *range(0x2066, 0x2070), 0xFEFF]
    assert removed == expected


def test_a_soft_hyphen_leaves_a_title_and_an_author_and_the_note_says_so() -> None:
    # a hyphenation hint a news site put inside a long word: the title must be found by
    # LIKE '%Bundesregierung%' as the body's word is (text-6)
    record = Record(
        body="Die Bundes\u00adregierung.",
        title="Bundes\u00adregierung plant",
        authors=("Ma\u00adrie",),
    )
    cleaned, note = clean_metadata(record)
    assert cleaned == Record(
        body="Die Bundes\u00adregierung.", title="Bundesregierung plant", authors=("Marie",)
    )
    assert note == (
        "control characters removed from the metadata (U+00AD): "
        "1 from the title, 1 from the authors"
    )
    assert clean(record.body) == "Die Bundesregierung."


def test_metadata_without_control_characters_is_the_same_record_and_no_note() -> None:
    record = Record(body="B.", title="Tabs\tand\nlines stay", url="u", authors=("A",))
    assert clean_metadata(record) == (record, None)


def test_a_title_of_control_characters_only_is_no_title() -> None:
    cleaned, note = clean_metadata(Record(body="B.", title="\x00\x01 \x02"))
    assert cleaned.title is None
    assert note == "control characters removed from the metadata (U+0000, U+0001, U+0002): " + (
        "3 from the title"
    )


def test_invisible_characters_leave_the_title_as_they_leave_the_body() -> None:
    # a right-to-left override would show the rest of the title backwards; a zero-width space
    # splits a word (text-5)
    record = Record(
        body="Body.", key="line 1", title="Ex\u202eport b\u200bans", authors=("\ufeff",)
    )
    cleaned, note = clean_metadata(record)
    assert cleaned == Record(body="Body.", key="line 1", title="Export bans", authors=())
    assert note == (
        "control characters removed from the metadata (U+200B, U+202E, U+FEFF): "
        "2 from the title, 1 from the authors"
    )


def test_separators_become_spaces_in_metadata_as_in_the_body() -> None:
    # a form feed or a unit separator between two words of a title glued them (text-6)
    record = Record(body="B.", title="Minister\x0cSergei\x00 Lavrov", authors=("Ann\x1fLee",))
    cleaned, note = clean_metadata(record)
    assert cleaned == Record(body="B.", title="Minister Sergei Lavrov", authors=("Ann Lee",))
    assert note == (
        "control characters removed from the metadata (U+0000; U+000C, U+001F made spaces): "
        "2 from the title, 1 from the authors"
    )
    assert clean_metadata(Record(body="B.", title="\x0b")) == (
        Record(body="B.", title=None),
        "control characters removed from the metadata (U+000B made spaces): 1 from the title",
    )
