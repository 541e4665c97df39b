"""Characters that take no room and show nothing (text-5, migration 0023).

A zero-width space inside a word made it two terms (``b\\u200bomb`` was ``b`` and ``omb``), so
neither ``search('bomb')`` nor ``term_trend('bomb')`` found the article; a right-to-left override
in a title showed the rest of it backwards. Cleaning now removes them from the text and the
metadata (the raw text keeps them), and typed text loses them as the clean text does.
Expected values are literals read off the bodies written here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.output import visible
from etl.text.clean import INVISIBLE, SOFT_HYPHEN

from .helpers import day_warehouse, query

DAY = date(2021, 4, 7)
BODIES = {
    "hidden.txt": (
        "Police found a b\u200bomb near the Fort\u2060schritt office.\n\nNo one was hurt."
    ),
    "plain.txt": "A bomb scare closed the station; the Fortschritt office reopened.",
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return day_warehouse(tmp_path_factory.mktemp("invisible"), DAY, BODIES)


def test_a_word_with_an_invisible_character_is_the_word(wh: Path) -> None:
    d = DAY.isoformat()
    assert query(wh, "SELECT articles FROM term_trend('bomb', ?, ?)", [d, d]) == [(2,)]
    assert query(wh, "SELECT articles FROM term_trend('fortschritt', ?, ?)", [d, d]) == [(2,)]
    assert query(wh, "SELECT count(*) FROM search('bomb', 10)") == [(2,)]
    assert query(wh, "SELECT count(*) FROM dim_term WHERE term IN ('b', 'omb', 'fort')") == [(0,)]


def test_the_clean_text_loses_them_and_the_raw_text_keeps_them(wh: Path) -> None:
    rows = query(
        wh,
        "SELECT x.clean_text, x.raw_text FROM article_text x JOIN fact_article a "
        "USING (article_id) WHERE a.source_file LIKE '%hidden.txt'",
    )
    assert rows == [
        (
            "Police found a bomb near the Fortschritt office.\n\nNo one was hurt.",
            f" date {DAY.isoformat()} {BODIES['hidden.txt']}\n",
        )
    ]


def test_typed_text_loses_what_cleaning_removes(wh: Path) -> None:
    # the macro's characters are cleaning's, declared in etl.text.clean (migration 0024: as an
    # RE2 class, one \x{...} each)
    pattern = "[" + "".join(f"\\x{{{ord(c):X}}}" for c in SOFT_HYPHEN + INVISIBLE) + "]"
    assert query(wh, "SELECT invisible_characters()") == [(pattern,)]
    removed = (  # the Basic Multilingual Plane but the surrogates, through RE2
        "SELECT list_filter(list_concat(range(0, 55296), range(57344, 65536)), "
        "c -> regexp_matches(chr(c::INTEGER), ?))"
    )
    assert query(wh, removed, [pattern]) == [(sorted(ord(c) for c in SOFT_HYPHEN + INVISIBLE),)]
    pasted = "Fort\u200bschritt\ufeff"
    assert query(wh, "SELECT term_key(?)", [pasted]) == [("fortschritt",)]
    kwic = "SELECT keyword FROM kwic(?, 5) ORDER BY keyword"
    # as the clean texts have them: "A bomb scare" (plain.txt), "found a bomb" (hidden.txt)
    assert query(wh, kwic, ["a b\u200bomb"]) == [("A bomb",), ("a bomb",)]


def test_every_removed_character_is_one_the_cli_escapes() -> None:
    # what cleaning removes from new text, the CLI still escapes in older rows and raw text
    for char in SOFT_HYPHEN + INVISIBLE:
        if char != SOFT_HYPHEN:  # a soft hyphen shows where a line breaks: printed as it is
            assert visible(f"a{char}b") == f"a\\u{ord(char):04x}b"
