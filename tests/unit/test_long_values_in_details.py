"""A quarantine detail quotes a long value cut, and says so (session 20).

A scraper's date field of a megabyte (or a date header token of one) made a ``bad_date`` detail
of a megabyte: every ``news-etl quarantine list`` printed it whole, and the quarantine table
kept a copy of it per record. A detail quotes at most 500 characters of a value
(``MAX_QUOTED_CHARS``), then a marker with how many more there were; the raw file still holds
the whole value. Expected details are literals built by hand here, not by the code under test.
"""

from __future__ import annotations

import json

from etl.contracts import MAX_QUOTED_CHARS, clipped, quoted
from etl.ingest.formats import RecordError
from etl.ingest.formats.jsonl import parse_jsonl
from etl.ingest.formats.txt import parse_text_file


def test_the_limit_is_five_hundred_characters() -> None:
    assert MAX_QUOTED_CHARS == 500


def test_a_value_up_to_the_limit_is_quoted_whole() -> None:
    assert quoted("a" * 500) == "'" + "a" * 500 + "'"
    assert clipped("a" * 500) == "a" * 500


def test_a_longer_value_is_cut_with_a_marker_outside_the_quotes() -> None:
    assert quoted("a" * 500 + "b") == "'" + "a" * 500 + "'… [1 more characters]"
    assert clipped("a" * 500 + "bc") == "a" * 500 + "… [2 more characters]"
    assert quoted("xyz", limit=2) == "'xy'… [1 more characters]"


def test_a_megabyte_publication_date_gives_a_short_detail() -> None:
    line = json.dumps({"text": "Some body text here.", "date": "9" * 1_000_000})
    (error,) = parse_jsonl(line + "\n", "canonical")
    assert error == RecordError(
        "line 1",
        "bad_date",
        "publication date '" + "9" * 500 + "'… [999500 more characters] is not a recognised date",
    )


def test_a_long_date_header_token_gives_a_short_detail() -> None:
    text = " date 2" + "1" * 1000 + " The body."
    assert parse_text_file(text, "canonical") == [
        RecordError(
            None,
            "bad_date",
            "date header '2" + "1" * 499 + "'… [501 more characters] is not YYYY-MM-DD",
        )
    ]
