"""The typographic apostrophe (’) and the straight one (') make one term, however either is typed.

Expected values are literals read off the articles below (which spelling each one uses, and
where).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from .helpers import day_warehouse, query

DAY = date(2024, 5, 6)
ARTICLES = {
    "curly.txt": (
        "Trump’s plan for the port was announced on Monday, and it’s already contested.\n\n"
        "Officials said Trump’s advisers drafted it over the weekend."
    ),
    "straight.txt": (
        "TRUMP'S plan drew protests in the harbour town, where it's the main employer.\n\n"
        "Dock workers marched to the town hall on Tuesday."
    ),
    "none.txt": "The harbour town voted on the budget for its schools and its roads on Friday.",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return day_warehouse(tmp_path_factory.mktemp("apostrophes"), DAY, ARTICLES)


def test_no_stored_term_keeps_the_typographic_apostrophe(warehouse: Path) -> None:
    assert query(warehouse, "SELECT count(*) FROM dim_term WHERE term LIKE '%’%'") == [(0,)]
    rows = query(
        warehouse,
        "SELECT t.term, count(*), sum(f.count), bool_and(f.is_stopword), min(s.stem) "
        "FROM fact_article_term f JOIN dim_term t USING (term_id) "
        "JOIN dim_stem s USING (stem_id) "
        "WHERE t.term IN ('trump''s', 'it''s') GROUP BY t.term ORDER BY t.term",
    )
    # articles, occurrences, stopword (English list: it's), Snowball's possessive rule
    assert rows == [("it's", 2, 2, True, "it"), ("trump's", 2, 3, False, "trump")]


@pytest.mark.parametrize("typed", ["trump's", "Trump’s", " TRUMP’S "])
def test_a_typed_word_finds_both_spellings(warehouse: Path, typed: str) -> None:
    rows = query(
        warehouse,
        "SELECT day, articles, occurrences FROM term_trend(?, ?, ?)",
        [typed, DAY, DAY],
    )
    assert rows == [(DAY, 2, 3)]
    assert query(warehouse, "SELECT count(*) FROM search(?, 10)", [typed]) == [(2,)]
    assert query(warehouse, "SELECT term_key(?)", [typed]) == [("trump's",)]


def test_kwic_shows_the_keyword_as_written(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT keyword, right_context FROM kwic('trump''s', 5) ORDER BY 1")
    assert rows == [("TRUMP'S", " plan"), ("Trump’s", " plan")]


@pytest.mark.parametrize("typed", ["trump's plan", "Trump’s plan"])
def test_a_phrase_finds_either_apostrophe(warehouse: Path, typed: str) -> None:
    rows = query(warehouse, "SELECT keyword, right_context FROM kwic(?, 4) ORDER BY 1", [typed])
    assert rows == [("TRUMP'S plan", " dre"), ("Trump’s plan", " for")]
    assert query(warehouse, "SELECT count(*) FROM search(?, 10)", [f'"{typed}"']) == [(2,)]
    # a phrase the articles do not have: the apostrophe matches either way, nothing else does
    assert query(warehouse, "SELECT count(*) FROM search('\"trump''s port\"', 10)") == [(0,)]
