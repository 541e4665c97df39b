"""What an analyst types, and answers that must not change with how it is typed (session 23,
migration 0019): URLs and e-mail addresses are one term in a query as in the text, a phrase stays
inside its paragraph, spacing and decomposed accents in typed text, typographic quotes around a
phrase, a calendar without articles, trending_terms' and cooccurring_terms' notes, and two
example queries (new_yesterday's new stories, largest_stories' cut).

Expected values are literals or plain Python over the article bodies written here and the base
tables (fact_article), never the macros under test.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline

from .helpers import query, settings_for

QUERIES = Path(__file__).resolve().parents[2] / "warehouse" / "queries"
DAY = date(2021, 4, 7)
LATER = DAY + timedelta(days=1)
QUIET = DAY + timedelta(days=2)
NUMBERS = DAY + timedelta(days=3)
BODIES = {
    # A BBC-style page: the headline is the first paragraph, with no full stop.
    (DAY, "bbc.txt"): (
        "Ad sales boost Time Warner profit\n\nQuarterly profits at US media giant TimeWarner "
        "jumped 76% to $1.13bn for the three months to December."
    ),
    (DAY, "club.txt"): (
        "Visit the club website www.arsenal.com for tickets. Write to webnews@metro.co.uk with "
        "news. Minutes at https://doi.org/qbrm; thanks to the club."
    ),
    # The pieces of that URL and address, but not the URL or the address.
    (DAY, "fans.txt"): (
        "Arsenal fans said Arsenal won. The www com site of Arsenal and the uk co metro webnews "
        "desk were busy: arsenal arsenal arsenal."
    ),
    (LATER, "cafe.txt"): (
        "The café opened in the morning near the station today, said the owner of the café."
    ),
    # Stopwords only: a day with articles and no content word.
    (QUIET, "quiet.txt"): "It is what it is and that is all there is to it, as it was.",
    # The loader splits a number or a dotted acronym from the hyphen after it: 20, year, loan.
    (NUMBERS, "loan.txt"): (
        "The bank made a 20-year loan, part of a 100-mln-dlr facility for the U.S.-backed "
        "rebels, officials said."
    ),
}


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("typed")
    for (day, name), body in BODIES.items():
        folder = tmp / "landing" / day.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(f" date {day.isoformat()} {body}\n", encoding="utf-8")
    settings = settings_for(tmp / "landing", tmp / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == len(BODIES)
    return settings.warehouse


def _id(wh: Path, name: str) -> str:
    ((aid,),) = query(
        wh, "SELECT article_id FROM fact_article WHERE source_file LIKE ?", [f"%/{name}"]
    )
    return str(aid)


def _ids(wh: Path, sql: str, params: list[Any]) -> list[str]:
    return [str(row[0]) for row in query(wh, sql, params)]


def test_a_url_or_an_e_mail_address_is_one_term_in_a_query(wh: Path) -> None:
    club = _id(wh, "club.txt")
    search = "SELECT article_id FROM search(?, 10)"
    # Split into www / arsenal / com, these found only the fan page, which has the pieces.
    assert _ids(wh, search, ["www.arsenal.com"]) == [club]
    assert _ids(wh, search, ["webnews@metro.co.uk"]) == [club]
    assert _ids(wh, search, ['"https://doi.org/qbrm"']) == [club]
    assert _ids(wh, "SELECT article_id FROM search_stem(?, 10)", ["www.arsenal.com"]) == [club]
    text = BODIES[(DAY, "club.txt")]
    at = text.index("website www.arsenal.com")
    assert query(
        wh,
        "SELECT left_context, keyword, right_context FROM kwic(?, 5)",
        ["website www.arsenal.com"],
    ) == [(text[at - 5 : at], "website www.arsenal.com", text[at + 23 : at + 28])]
    ((terms,),) = query(
        wh, "SELECT search_terms(?)", ["Write to WebNews@Metro.co.uk, see www.Arsenal.com."]
    )
    assert sorted(terms) == sorted(["write", "to", "webnews@metro.co.uk", "see", "www.arsenal.com"])


def test_a_phrase_stays_inside_its_paragraph(wh: Path) -> None:
    kwic = "SELECT left_context, keyword, right_context FROM kwic(?, 6)"
    # The headline's last word and the story's first word are not a phrase.
    assert query(wh, kwic, ["profit quarterly"]) == []
    assert query(wh, "SELECT count(*) FROM search(?, 5)", ['"profit quarterly"']) == [(0,)]
    text = BODIES[(DAY, "bbc.txt")]
    at = text.index("Warner profit")
    assert query(wh, kwic, ["warner PROFIT"]) == [
        (text[at - 6 : at], "Warner profit", text[at + 13 : at + 19])
    ]
    assert _ids(wh, "SELECT article_id FROM search(?, 5)", ['"warner profit"']) == [
        _id(wh, "bbc.txt")
    ]


def test_a_number_or_an_acronym_before_a_hyphen_is_a_term_of_a_phrase(wh: Path) -> None:
    text = BODIES[(NUMBERS, "loan.txt")]
    kwic = "SELECT keyword, right_context FROM kwic(?, 2)"
    # Whole terms as stored: ... 20 | year | loan ..., a | 100 | mln-dlr ..., the | u.s. | backed
    for phrase, keyword in (
        ("year loan", "year loan"),
        ("a 100", "a 100"),
        ("the u.s.", "the U.S."),
    ):
        at = text.index(keyword)
        assert query(wh, kwic, [phrase]) == [
            (keyword, text[at + len(keyword) : at + len(keyword) + 2])
        ]
    loan = _id(wh, "loan.txt")
    assert _ids(wh, "SELECT article_id FROM search(?, 5)", ['"year loan" bank']) == [loan]
    # Still not inside a hyphenated word: mln-dlr is one term.
    assert query(wh, kwic, ["dlr facility"]) == []


def test_typed_spacing_and_decomposed_accents_find_the_stored_term(wh: Path) -> None:
    trend = "SELECT * FROM term_trend(?, ?, ?)"
    # café twice in the one article of LATER; typed as e + U+0301 (macOS, some PDFs).
    assert query(wh, trend, ["CAFE\u0301", LATER, LATER]) == [(LATER, 1, 2, 1, 1.0, None)]
    assert query(wh, "SELECT keyword FROM kwic(?, 3)", ["cafe\u0301"]) == [("café",)]
    assert _ids(wh, "SELECT article_id FROM search(?, 5)", ["cafe\u0301"]) == [_id(wh, "cafe.txt")]
    # A line break, a tab or a no-break space, as copied from a page or a notebook.
    assert query(wh, trend, ["profit\n", DAY, DAY]) == [(DAY, 1, 1, 3, 1 / 3, None)]
    assert query(wh, "SELECT keyword FROM kwic(?, 0)", ["\tprofit"]) == [("profit",)]
    assert query(wh, "SELECT keyword FROM kwic(?, 0)", ["time\u00a0warner"]) == [("Time Warner",)]
    assert query(wh, "SELECT count(*) FROM search(?, 5)", ['"time\u00a0warner"']) == [(1,)]
    assert query(wh, "SELECT term_key(?), is_phrase(?)", ["  Café\t", "time\u00a0warner"]) == [
        ("café", True)
    ]


def test_typographic_quotes_mark_a_phrase(wh: Path) -> None:
    search = "SELECT article_id FROM search(?, 5)"
    bbc = _id(wh, "bbc.txt")
    assert _ids(wh, search, ["“warner profit”"]) == [bbc]
    assert _ids(wh, search, ["„warner profit“"]) == [bbc]
    # No article has the phrase "sales profit": quoted, it finds nothing (its words apart: bbc).
    assert _ids(wh, search, ["“sales profit”"]) == []
    assert _ids(wh, search, ["sales profit"]) == [bbc]


@pytest.mark.parametrize("quoted", ["«sales profit»", "»sales profit«", "« sales profit »"])
def test_guillemets_mark_a_phrase(wh: Path, quoted: str) -> None:
    """French, Swiss and Norwegian quotes (German's the other way round): the phrase is not in
    any article, so nothing is found; its words apart were (migration 0034; probe)."""
    search = "SELECT article_id FROM search(?, 5)"
    assert _ids(wh, search, [quoted]) == []
    warner = quoted.replace("sales profit", "warner profit")
    assert _ids(wh, search, [warner]) == [_id(wh, "bbc.txt")]


def test_trending_and_distinctive_terms_say_why_for_null_inputs(wh: Path) -> None:
    def notes(*args: Any) -> list[Any]:
        return [
            row[-1]
            for row in query(
                wh, "SELECT * FROM trending_terms(?, ?, 5, min_articles := ?)", list(args)
            )
        ]

    assert notes(None, 7, 3) == ["no day given (NULL)"]
    assert notes(LATER, None, 3) == ["baseline_days must be at least 1"]
    # A NULL min_articles ranks as 1 (every word of the day); the quiet day has none.
    assert notes(QUIET, 2, None) == [f"no word is in at least 1 articles on {QUIET}"]
    ((note,),) = query(
        wh, "SELECT note FROM distinctive_terms(?, ?, 5, min_articles := NULL)", [QUIET, QUIET]
    )
    assert note == "no word is in at least 1 articles of the period more often than elsewhere"


def test_cooccurring_terms_says_why_it_has_no_row(wh: Path) -> None:
    sql = "SELECT * FROM cooccurring_terms(?, 50, min_articles := ?)"
    nothing = (None, None, None, None, None)
    phrase = "not one term: typed text with spacing inside; kwic and search find a phrase"
    assert query(wh, sql, ["cafe", 3]) == [(*nothing, "not in the vocabulary")]  # a typo
    assert query(wh, sql, ["time warner", 3]) == [(*nothing, phrase)]
    # arsenal is in the fan page only: no word shares 3 articles with it.
    assert query(wh, sql, ["arsenal", 3]) == [
        (*nothing, "no word shares at least 3 of its 1 articles")
    ]
    # A NULL min_articles counts as 1: every other content word of that page.
    words = query(
        wh,
        "SELECT t.term FROM fact_article_term f JOIN dim_term t USING (term_id)"
        " WHERE f.article_id = ? AND t.term_kind = 'word' AND NOT f.is_stopword"
        " AND t.term <> 'arsenal'",
        [_id(wh, "fans.txt")],
    )
    got = query(wh, sql, ["arsenal", None])
    assert sorted(row[0] for row in got) == sorted(w for (w,) in words)
    assert {row[-1] for row in got} == {None}
    stem = "SELECT note FROM term_trend_stem(?, ?, ?)"
    assert query(wh, stem, ["time warner", DAY, DAY]) == [(phrase,)]


def test_the_calendar_of_a_warehouse_without_articles_is_empty(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 0
    assert query(settings.warehouse, "SELECT * FROM v_calendar") == []
    sql = (QUERIES / "days_without_articles.sql").read_text(encoding="utf-8")
    assert query(settings.warehouse, sql) == []


#: About 80 words: a copy with one word changed shares most 4-shingles (one story).
STORY = " ".join(
    f"The harbour authority said on Tuesday that cargo volume number {i} rose again"
    for i in range(7)
)


def test_new_yesterday_knows_a_copy_published_before_the_story_was_founded(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    first, earlier = date(2021, 5, 10), date(2021, 5, 8)
    (landing / first.isoformat()).mkdir(parents=True)
    (landing / first.isoformat() / "x.txt").write_text(f" date {first} {STORY}\n", encoding="utf-8")
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 1
    # Loaded later, dated earlier: it joins the story the first article founded.
    (landing / earlier.isoformat()).mkdir()
    copy = STORY.replace("Tuesday", "Monday", 1)
    (landing / earlier.isoformat() / "y.txt").write_text(
        f" date {earlier} {copy}\n", encoding="utf-8"
    )
    assert pipeline.run(settings).articles_loaded == 1
    stories = query(
        settings.warehouse, "SELECT published_date, story_id FROM fact_article ORDER BY 1"
    )
    assert [d for d, _ in stories] == [earlier, first] and stories[0][1] == stories[1][1]
    sql = (QUERIES / "new_yesterday.sql").read_text(encoding="utf-8")
    # The latest day's article: its story had an article two days before, so it is not new.
    assert [(row[0], row[5]) for row in query(settings.warehouse, sql)] == [(first, False)]


def test_largest_stories_cut_ties_by_story(corpora: Path, tmp_path: Path) -> None:
    settings = settings_for(corpora / "reuters", tmp_path, write_reports=False)
    pipeline.run(settings)
    by_story: defaultdict[int, list[date]] = defaultdict(list)
    for story, day in query(
        settings.warehouse, "SELECT story_id, published_date FROM fact_article"
    ):
        by_story[story].append(day)
    multi = [(s, len(days), min(days)) for s, days in by_story.items() if len(days) > 1]
    want = sorted(multi, key=lambda r: (-r[1], r[2], r[0]))[:20]
    sql = (QUERIES / "largest_stories.sql").read_text(encoding="utf-8")
    assert [(r[0], r[1], r[2]) for r in query(settings.warehouse, sql)] == want
