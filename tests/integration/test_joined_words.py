"""Persian words written with a zero-width non-joiner, loaded and queried (text-7, migration
0026): each is one term in the warehouse and in what an analyst types (typed_terms, term_trend,
kwic, search). The expected terms and token count are read off the raw text by a second, simple
rule: the text's words are its space-separated pieces, less the final full stop."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from etl import TEXT_VERSION

from .helpers import day_warehouse, query

ZWNJ = "\u200c"
DAY = date(2024, 3, 4)
SENTENCES = [
    f"من می{ZWNJ}خواهم کتاب{ZWNJ}ها را در کتابخانه{ZWNJ}ها بخوانم.",
    f"دانشجویان می{ZWNJ}خواهند کتاب{ZWNJ}های تازه را امروز بخوانند.",
    f"این کتاب{ZWNJ}ها برای همه مردم شهر مفید هستند و آنها می{ZWNJ}خواهند بیشتر بخوانند.",
    # the halves of the joined words as words of their own, apart: a phrase of two halves must
    # not be found where they are joined
    "فردا خواهم رفت و کتاب را خواهم دید و ها گفتم.",
]
BODY = " ".join(SENTENCES) + "\n\n" + " ".join(SENTENCES[::-1])


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return day_warehouse(tmp_path_factory.mktemp("joined"), DAY, {"fa.txt": BODY})


def _words(text: str) -> list[str]:
    return [piece.rstrip(".") for piece in text.split()]


def test_a_joined_word_is_one_term(warehouse: Path) -> None:
    stored = {t for (t,) in query(warehouse, "SELECT term FROM dim_term")}
    assert stored == set(_words(BODY))
    assert "می" not in stored and ZWNJ not in stored  # the first half, the joiner alone
    ((tokens, version),) = query(warehouse, "SELECT n_tokens, text_version FROM fact_article")
    assert tokens == len(_words(BODY)) + len(re.findall(r"\.", BODY))  # words and full stops
    rules = int(version.split("+")[0].removeprefix("text-"))
    assert version == TEXT_VERSION and rules >= 7  # text-7 made the joiner part of the word


def test_what_an_analyst_types_finds_the_joined_word(warehouse: Path) -> None:
    word = f"می{ZWNJ}خواهم"
    ((terms, phrase),) = query(warehouse, "SELECT typed_terms(?), is_phrase(?)", [word, word])
    assert (terms, phrase) == ([word], False)
    trend = query(
        warehouse,
        "SELECT day, articles, occurrences, note FROM term_trend(?, ?, ?)",
        [word, DAY, DAY],
    )
    assert trend == [(DAY, 1, 2, None)]
    (keyword,) = query(warehouse, "SELECT keyword FROM kwic(?, 10)", [word])[0]
    assert keyword == word
    hits = query(warehouse, "SELECT count(*) FROM search(?, 5)", [f"کتاب{ZWNJ}ها"])
    assert hits == [(1,)]


def test_a_phrase_is_found_only_as_whole_joined_words(warehouse: Path) -> None:
    whole = f"کتاب{ZWNJ}ها را"  # two whole terms, in the first sentence
    assert query(warehouse, "SELECT keyword FROM kwic(?, 10)", [whole]) == [(whole,)]
    # its halves are no terms: خواهم is inside می‌خواهم, کتاب inside کتاب‌ها
    for halves in ("خواهم کتاب", f"می{ZWNJ}خواهم کتاب", "ها را"):
        assert query(warehouse, "SELECT count(*) FROM kwic(?, 10)", [halves]) == [(0,)], halves
    quoted = query(warehouse, "SELECT count(*) FROM search(?, 5)", [f'"{whole}"'])
    assert quoted == [(1,)]
