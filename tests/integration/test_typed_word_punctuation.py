"""Words and phrases typed with the punctuation that stood beside them in the text they were copied
from (migration 0020): ``oil,``, ``"oil"``, ``(U.S.),``, ``$1.13bn`` or ``1.5%`` is the stored term,
in every macro that takes one word, as it already was in ``search``; ``"trade deficit"`` is the
phrase. Expected values are literals: the terms the loader stores for the bodies written here,
checked to be in ``dim_term``, the articles a phrase is in, and each macro's answer for the bare
term."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from .helpers import day_warehouse, query

DAY = date(2021, 4, 7)
BODIES = {
    "a.txt": (
        "Oil prices rose 1.5% as the U.S. dollar fell, and the oil group earned $1.13bn, e.g. from "
        "exports; see https://example.org/report?q=1&b= for the oil figures."
    ),
    "b.txt": "Oil output in the U.S. fell 1.5% while oil exports rose, officials said on Monday.",
    "c.txt": "The oil minister said oil demand would rise, e.g. in Asia, by 1.5% next year.",
    "d.txt": "The trade deficit widened in March. Officials blamed the trade deficit, not oil.",
    "e.txt": "A trade deficit is not a debt, the minister said of the figures for the year.",
    # terms at the edge of the rule: ・ alone (between Han characters), a katakana run with ・,
    # URLs ending in characters a URL may end with, an e-mail address, acronyms
    "f.txt": (
        "Trains ran between 東京・大阪 and ソニー・グループ said so at www.example.com/a?x=1&y= "
        "and https://example.net/#top- or mail news.desk@example.co.uk, the U.K. office said."
    ),
    # the loader splits 20-year (20, year) and U.S.-backed (u.s., backed); year-on-year is one term
    "g.txt": "The bank made a 20-year loan to U.S.-backed rebels, up 3% year-on-year.",
}
#: typed word -> the term the loader stores for it (a literal, not term_key's answer)
TYPED = {
    "oil,": "oil",
    '"oil"': "oil",
    "(oil)": "oil",
    "#oil": "oil",
    "«Oil»": "oil",
    "‘oil’": "oil",
    "“Oil”.": "oil",
    "oil).": "oil",
    "-oil-": "oil",
    "(U.S.),": "u.s.",
    "U.S.": "u.s.",
    "e.g.,": "e.g.",
    "1.5%": "1.5",
    "1.5.": "1.5",
    "$1.13bn": "1.13bn",
    "(https://example.org/report?q=1&b=).": "https://example.org/report?q=1&b=",
}
#: typed word -> the symbols dropped from it, which the macros with a note name (migration 0023);
#: the other typed words lose only punctuation, and no note says so
DROPPED = {"#oil": "#", "1.5%": "%", "$1.13bn": "$"}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return day_warehouse(tmp_path_factory.mktemp("punct"), DAY, BODIES)


def test_the_expected_terms_are_the_stored_ones(wh: Path) -> None:
    stored = {t for (t,) in query(wh, "SELECT term FROM dim_term")}
    assert set(TYPED.values()) <= stored


@pytest.mark.parametrize(("typed", "term"), TYPED.items())
def test_a_word_typed_with_its_punctuation_is_the_stored_term(
    wh: Path, typed: str, term: str
) -> None:
    assert query(wh, "SELECT term_key(?)", [typed]) == [(term,)]
    d = DAY.isoformat()
    for sql, params in (
        ("SELECT * FROM term_trend(?, ?, ?)", [d, d]),
        ("SELECT * FROM term_trend_by(?, ?, ?, 'month')", [d, d]),
        ("SELECT * FROM term_trend_stem(?, ?, ?)", [d, d]),
        ("SELECT * FROM kwic(?, 20)", []),
        ("SELECT * FROM kwic_stem(?, 20)", []),
        ("SELECT * FROM cooccurring_terms(?, 5, min_articles := 1)", []),
    ):
        bare = query(wh, sql, [term, *params])
        got = query(wh, sql, [typed, *params])
        assert bare and bare[0][0] is not None, sql  # the bare term is found: not a note row
        if typed in DROPPED and "kwic" not in sql:  # the last column is the note
            dropped = DROPPED[typed]
            note = f"the term {term}: terms never start or end with a symbol ({dropped} dropped)"
            assert [r[:-1] for r in got] == [r[:-1] for r in bare], sql
            assert [r[-1] for r in got] == [note] * len(bare), sql
            assert [r[-1] for r in bare] == [None] * len(bare), sql
        else:
            assert got == bare, sql


def test_punctuation_inside_a_word_or_a_dotless_acronym_is_kept(wh: Path) -> None:
    # U.S typed without its last dot is not the acronym (the loader splits it: u, s); 1.5 is not
    # 15, and an apostrophe or hyphen inside a word stays
    got = query(
        wh, "SELECT term_key(?), term_key(?), term_key(?), term_key(?)",
        ["U.S", "1.5", "OPEC’s", "20-year"],
    )  # fmt: skip
    assert got == [("u.s", "1.5", "opec's", "20-year")]
    note = "SELECT DISTINCT note FROM term_trend(?, ?, ?)"
    assert query(wh, note, ["$", DAY.isoformat(), DAY.isoformat()]) == [("not in the vocabulary",)]


@pytest.mark.parametrize(
    "typed",
    ["trade deficit", '"trade deficit"', "“Trade Deficit.”", "(trade deficit),", "trade deficit,"],
)
def test_a_phrase_typed_with_its_punctuation_finds_every_article(wh: Path, typed: str) -> None:
    # d.txt and e.txt have the phrase (once before a comma); a.txt to c.txt do not
    rows = query(
        wh,
        "SELECT split_part(a.source_file, '/', -1), lower(k.keyword) FROM kwic(?, 10) k "
        "JOIN fact_article a USING (article_id) ORDER BY 1",
        [typed],
    )
    assert rows == [("d.txt", "trade deficit"), ("e.txt", "trade deficit")]
    found = query(
        wh,
        "SELECT split_part(a.source_file, '/', -1) FROM search(?, 10) s "
        "JOIN fact_article a USING (article_id) ORDER BY 1",
        [f'"{typed}"'],
    )
    assert found == [("d.txt",), ("e.txt",)]


def test_every_stored_term_is_its_own_key(wh: Path) -> None:
    # whatever the loader stores, typed as stored, is found: term_key drops no character of it
    # (the katakana middle dot ・ is stored alone between Han characters; URLs end in = or -)
    rows = query(wh, "SELECT term FROM dim_term WHERE term_key(term) IS DISTINCT FROM term")
    assert rows == []
    # and none is read as a phrase (0021: text the loader splits is one)
    assert query(wh, "SELECT term FROM dim_term WHERE is_phrase(term)") == []
    stored = {t for (t,) in query(wh, "SELECT term FROM dim_term")}
    assert {"・", "www.example.com/a?x=1&y=", "https://example.net/#top-", "u.k."} <= stored


@pytest.mark.parametrize(
    ("typed", "phrase"),
    [
        ("20-year", True),
        ("U.S.-backed", True),
        ("oil,gas", True),
        ("year-on-year", False),
        ("oil,", False),
        ("www.example.com/a?x=1&y=", False),
        ("news.desk@example.co.uk", False),
    ],
)
def test_text_the_loader_splits_is_a_phrase(wh: Path, typed: str, phrase: bool) -> None:
    # migration 0021: only Chinese and Japanese without spaces were read as several terms
    assert query(wh, "SELECT is_phrase(?)", [typed]) == [(phrase,)]


def test_kwic_finds_words_the_loader_splits_at_a_hyphen(wh: Path) -> None:
    sql = (
        "SELECT split_part(a.source_file, '/', -1), k.keyword FROM kwic(?, 10) k "
        "JOIN fact_article a USING (article_id)"
    )
    assert query(wh, sql, ["20-year"]) == [("g.txt", "20-year")]
    assert query(wh, sql, ["u.s.-backed"]) == [("g.txt", "U.S.-backed")]
    assert query(wh, sql, ["year-on-year"]) == [("g.txt", "year-on-year")]  # one term
    d = DAY.isoformat()
    note = "SELECT DISTINCT note FROM term_trend(?, ?, ?)"
    assert query(wh, note, ["U.S.-backed", d, d]) == [
        ("not one term: 2 terms (typed_terms); kwic and search find a phrase",)
    ]
