"""Answers that say what they counted (migration 0023).

A word typed with a symbol at either end (``c++``, ``#oil``, ``1.5%``) is looked up without it, as
the loader's terms never start or end with one: ``term_trend('c++')`` counts the term ``c`` (C++,
C#, plain C), and now its note says so. ``top_terms`` and ``top_terms_stem`` of a range with
nothing to rank answer one row whose note says why, instead of no rows.

Expected values are literals read off the bodies written here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl import pipeline

from .helpers import query, settings_for

DAY = date(2021, 4, 7)
#: a day whose only article has no word: numbers and a URL are terms, but not words
WORDLESS_DAY = date(2021, 4, 9)
BODIES = {
    DAY: {
        # the term c: C++, C, C++, C# here (4), C and C++ below (2)
        "cpp.txt": "Programmers love C++ and C. The C++ standard grew, and some prefer C# now.",
        "plain.txt": "The C language is older than the C++ language, programmers say.",
    },
    WORDLESS_DAY: {"numbers.txt": "1987 2021 42 https://example.org/x 7.5"},
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("symbols")
    for day, bodies in BODIES.items():
        folder = tmp / "landing" / day.isoformat()
        folder.mkdir(parents=True)
        for name, body in bodies.items():
            (folder / name).write_text(f" date {day.isoformat()} {body}\n", encoding="utf-8")
    settings = settings_for(tmp / "landing", tmp / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 3
    return settings.warehouse


def note(term: str, dropped: str) -> str:
    return f"the term {term}: terms never start or end with a symbol ({dropped} dropped)"


@pytest.mark.parametrize(
    ("typed", "dropped"),
    [
        ("c++", "++"),
        ("C#", "#"),
        ("(#oil),", "#"),
        ("$1.13bn", "$"),
        ("1.5%", "%"),
        ("@user", "@"),
        ("5°", "°"),
        ("  c++ ", "++"),
        ('"oil",', ""),
        ("(U.S.)", ""),
        ("https://x.org/a?b=1&c=", ""),
        ("c", ""),
    ],
)
def test_dropped_symbols_are_the_symbols_typed_text_drops(
    wh: Path, typed: str, dropped: str
) -> None:
    assert query(wh, "SELECT dropped_symbols(?)", [typed]) == [(dropped,)]


def test_term_trend_says_which_term_it_counted(wh: Path) -> None:
    d = DAY.isoformat()
    sql = "SELECT * FROM term_trend(?, ?, ?)"
    counted = (DAY, 2, 6, 2, 1.0)
    assert query(wh, sql, ["C", d, d]) == [(*counted, None)]
    assert query(wh, sql, ["c++", d, d]) == [(*counted, note("c", "++"))]
    assert query(wh, sql, ["C#", d, d]) == [(*counted, note("c", "#"))]
    # a day without articles keeps its own note
    days = query(wh, "SELECT day, note FROM term_trend(?, ?, ?)", ["c++", d, "2021-04-08"])
    assert days == [(DAY, note("c", "++")), (date(2021, 4, 8), "no articles this day")]


def test_the_other_macros_that_take_a_word_say_so_too(wh: Path) -> None:
    d = DAY.isoformat()
    by = query(wh, "SELECT articles, note FROM term_trend_by(?, ?, ?, 'month')", ["c++", d, d])
    assert by == [(2, note("c", "++"))]
    stem_sql = "SELECT articles, occurrences, note FROM term_trend_stem(?, ?, ?)"
    stem = query(wh, stem_sql, ["c#", d, d])
    assert stem == [(2, 6, note("c", "#"))]
    pairs = "SELECT term, note FROM cooccurring_terms(?, 10, min_articles := 2) ORDER BY term"
    assert query(wh, pairs, ["c++"]) == [("programmers", note("c", "++"))]
    assert query(wh, pairs, ["c"]) == [("programmers", None)]


def test_top_terms_of_a_range_without_articles_says_so(wh: Path) -> None:
    got = query(wh, "SELECT * FROM top_terms(DATE '2021-05-01', DATE '2021-05-02', 5)")
    assert got == [(None, None, None, "no articles between 2021-05-01 and 2021-05-02")]
    got = query(wh, "SELECT * FROM top_terms_stem(DATE '2021-05-01', DATE '2021-05-02', 5)")
    assert got == [(None, None, None, None, None, "no articles between 2021-05-01 and 2021-05-02")]


def test_top_terms_of_articles_without_words_says_so(wh: Path) -> None:
    why = (
        "no word to rank: the articles between 2021-04-09 and 2021-04-09 have only stopwords, "
        "numbers, URLs and boilerplate lines"
    )
    assert query(wh, "SELECT * FROM top_terms('2021-04-09', '2021-04-09', 5)") == [
        (None, None, None, why)
    ]
    assert query(wh, "SELECT note FROM top_terms_stem('2021-04-09', '2021-04-09', 5)") == [(why,)]


def test_ranked_rows_have_no_note(wh: Path) -> None:
    d = DAY.isoformat()
    top = query(wh, "SELECT term, occurrences, articles, note FROM top_terms(?, ?, 3)", [d, d])
    # language (2, in plain.txt), programmers (1 + 1): the most frequent words; then a tie at 1
    assert top[:2] == [("language", 2, 1, None), ("programmers", 2, 2, None)]
    assert len(top) == 3 and top[2][3] is None
    stems = query(wh, "SELECT stem, forms, note FROM top_terms_stem(?, ?, 2)", [d, d])
    assert stems == [("languag", ["language"], None), ("programm", ["programmers"], None)]
