"""Analyst views and macros on the reuters warehouse, each against an independent computation."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.text.terms import is_term
from etl.text.tokenize import token_columns

from .helpers import query, settings_for

QUERIES = Path(__file__).resolve().parents[2] / "warehouse" / "queries"


@pytest.fixture(scope="module")
def wh(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("analyst")
    settings = settings_for(corpora / "reuters", tmp, write_reports=False)
    pipeline.run(settings)
    return settings.warehouse


def _rows(wh: Path) -> list[tuple[Any, ...]]:
    """(article_id, date, term, kind, count, is_stopword) of every word row, read plainly."""
    return query(
        wh,
        "SELECT f.article_id, f.published_date, t.term, t.term_kind, f.count, f.is_stopword"
        " FROM fact_article_term f JOIN dim_term t USING (term_id)",
    )


def _busiest_day(wh: Path) -> date:
    ((day,),) = query(
        wh, "SELECT published_date FROM fact_article GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
    )
    return day  # type: ignore[no-any-return]


def test_top_terms_equal_a_counter_minus_stopwords(wh: Path) -> None:
    day = _busiest_day(wh)
    counter: Counter[str] = Counter()
    for _, d, term, kind, count, stop in _rows(wh):
        if d == day and kind == "word" and not stop:
            counter[term] += count
    expected = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:15]
    got = query(wh, "SELECT term, occurrences FROM top_terms(?, ?, 15)", [day, day])
    assert got == expected
    assert "the" not in {t for t, _ in got}


def test_search_cocoa_puts_cocoa_articles_first(wh: Path) -> None:
    with_cocoa = {r[0]: r[4] for r in _rows(wh) if r[2] == "cocoa"}
    assert len(with_cocoa) >= 3
    got = query(wh, "SELECT article_id, score, title FROM search('cocoa', 5)")
    # Only articles that contain the word score, best first, and the best is about cocoa.
    assert {a for a, _, _ in got} == set(sorted(with_cocoa, key=lambda a: -with_cocoa[a])[:5])
    assert [s for _, s, _ in got] == sorted((s for _, s, _ in got), reverse=True)
    assert "COCOA" in (got[0][2] or "").upper() or with_cocoa[got[0][0]] == max(with_cocoa.values())
    # A query of several words ranks articles matching more of them first.
    two = query(wh, "SELECT article_id FROM search('cocoa bahia', 3)")
    ((best_text,),) = query(
        wh, "SELECT clean_text FROM article_text WHERE article_id = ?", [two[0][0]]
    )
    assert "cocoa" in best_text.lower() and "bahia" in best_text.lower()


def test_term_trend_matches_daily_sums(wh: Path) -> None:
    ((first, last),) = query(
        wh, "SELECT min(published_date), max(published_date) FROM fact_article"
    )
    per_day: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for _, d, term, _, count, _ in _rows(wh):
        if term == "oil":
            per_day[d][0] += 1
            per_day[d][1] += count
    got = query(wh, "SELECT day, articles, occurrences FROM term_trend('Oil', ?, ?)", [first, last])
    assert [r[0] for r in got] == [
        first + timedelta(days=i) for i in range((last - first).days + 1)
    ]
    assert {r[0]: [r[1], r[2]] for r in got if r[1]} == dict(per_day)


def test_tfidf_of_one_article(wh: Path) -> None:
    rows = _rows(wh)
    ((article,),) = query(wh, "SELECT article_id FROM fact_article ORDER BY n_terms DESC LIMIT 1")
    n_docs = len({r[0] for r in rows})
    df = Counter(r[2] for r in rows)
    mine = [
        (term, count)
        for aid, _, term, kind, count, stop in rows
        if aid == article and kind == "word" and not stop
    ]
    expected = sorted(
        ((t, c * math.log(n_docs / df[t])) for t, c in mine), key=lambda kv: (-kv[1], kv[0])
    )[:10]
    got = query(wh, "SELECT term, tfidf FROM tfidf(?, 10)", [article])
    assert [t for t, _ in got] == [t for t, _ in expected]
    assert all(abs(a - b) < 1e-9 for (_, a), (_, b) in zip(got, expected, strict=True))


# cooccurring_terms (NPMI) and trending_terms (articles, smoothed lift) changed definition in
# issue 15: their comparisons with Python are in test_rankings.py.


def test_kwic_and_views(wh: Path) -> None:
    rows = query(wh, "SELECT left_context, keyword, right_context FROM kwic('cocoa', 30)")
    assert len(rows) == len({r[0] for r in _rows(wh) if r[2] == "cocoa"}) >= 3
    assert all(k.lower() == "cocoa" for _, k, _ in rows)
    assert all(len(left) <= 30 and len(right) <= 30 for left, _, right in rows)
    ((n_view, n_fact),) = query(
        wh, "SELECT (SELECT count(*) FROM v_articles), (SELECT count(*) FROM fact_article)"
    )
    assert n_view == n_fact
    ((occ,),) = query(wh, "SELECT sum(occurrences) FROM v_daily_term_counts WHERE term = 'cocoa'")
    assert occ == sum(r[4] for r in _rows(wh) if r[2] == "cocoa")


def test_search_scores_equal_a_python_bm25(wh: Path) -> None:
    n_tokens = dict(query(wh, "SELECT article_id, n_tokens FROM fact_article"))
    n_docs, avgdl = len(n_tokens), sum(n_tokens.values()) / len(n_tokens)
    words = {"oil", "prices", "opec"}
    # A word matches its term and the hyphenated / possessive terms that contain it (oil-rich).
    tf: Counter[tuple[str, str]] = Counter()
    for aid, _, term, _, count, _ in _rows(wh):
        parts = set(re.sub(r"['’]s$", "", term).split("-"))
        for word in words:
            if term == word or word in parts:
                tf[(aid, word)] += count
    df = Counter(word for _, word in tf)
    scores: defaultdict[str, float] = defaultdict(float)
    for (aid, word), count in tf.items():
        idf = math.log(1 + (n_docs - df[word] + 0.5) / (df[word] + 0.5))
        norm = count + 1.2 * (0.25 + 0.75 * n_tokens[aid] / avgdl)
        scores[aid] += idf * count * 2.2 / norm
    expected = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    got = query(wh, "SELECT article_id, score FROM search('OPEC: oil prices?', 10)")
    assert [a for a, _ in got] == [a for a, _ in expected]
    assert all(abs(a - b) < 1e-9 for (_, a), (_, b) in zip(got, expected, strict=True))


@pytest.mark.parametrize("macro", ["search", "search_stem"])
def test_a_search_scores_the_same_on_every_run(wh: Path, macro: str) -> None:
    # BM25 sums each query word's part per article; DuckDB's parallel sum added them in a varying
    # order, so the same search gave scores differing in the 15th digit from run to run (5 of 6
    # of these queries over 12 runs), and two articles of equal score could swap at the cut.
    sql = f"SELECT article_id, score FROM {macro}(?, 20)"
    for q in (
        "start debating next",
        "shares of common",
        "oil prices rose",
        "the bank said",
        "u.s. trade deficit japan",
        "company said it would",
    ):
        answers = {tuple(query(wh, sql, [q])) for _ in range(10)}
        assert len(answers) == 1, q


def _loader_terms(text: str) -> set[str]:
    """The terms the loader stores for ``text``, URLs and e-mail addresses included."""
    norms = token_columns(text).norms
    return {n for n in norms if is_term(n)}


@pytest.mark.parametrize(
    "text",
    [
        "Cocoa prices, Bahia!",
        "U.S. trade-deficit widened year-on-year",
        "Sablewood's o’brien don't",
        "$5.93bn, 155,221 bags, 10% in the 1980s; COVID-19",
        "中国经济 カタカナー テスト 2020年2月",
        "Müller café naïve İstanbul'da",
        "u.s exports",
        "Mail WebNews@Metro.co.uk or see www.Arsenal.com/tickets.",
        "(https://doi.org/qbrm?lang=de), Jürgen.Müller@straße.de’s notes",
    ],
)
def test_search_terms_split_a_query_like_the_loader(wh: Path, text: str) -> None:
    ((got,),) = query(wh, "SELECT search_terms(?)", [text])
    assert set(got) == _loader_terms(text)
    assert len(got) == len(set(got))


def test_search_terms_agree_with_the_stored_terms_of_the_corpus(wh: Path) -> None:
    stored: defaultdict[str, set[str]] = defaultdict(set)
    for aid, _, term, _, _, _ in _rows(wh):
        stored[aid].add(term)
    texts = query(wh, "SELECT article_id, search_terms(clean_text) FROM article_text")
    differ = [aid for aid, terms in texts if set(terms) != stored[aid]]
    # Known and rare: 'J.P.Morgan' (the loader's acronym rule is possessive; RE2 has none).
    assert len(differ) <= len(texts) // 500, differ[:5]


def test_top_terms_per_day_example_equals_a_counter_per_day(wh: Path) -> None:
    # Words of 4+ letters, each article's rows where the word is a stopword in its language left
    # out (no boilerplate lines here: this warehouse never ran `marts`; test_rankings has them).
    per_day: defaultdict[date, Counter[str]] = defaultdict(Counter)
    articles: Counter[tuple[date, str]] = Counter()
    for _, day, term, kind, count, is_stopword in _rows(wh):
        if kind == "word" and len(term) >= 4 and not is_stopword:
            per_day[day][term] += count
            articles[(day, term)] += 1
    expected = [
        (day, term, n, articles[(day, term)])
        for day in sorted(per_day)
        for term, n in sorted(per_day[day].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    ]
    assert not {term for _, term, _, _ in expected} & {"said", "that", "from", "with"}
    sql = (QUERIES / "top_terms_per_day.sql").read_text(encoding="utf-8")
    assert query(wh, sql) == expected


def test_kwic_contexts_are_slices_of_the_clean_text(wh: Path) -> None:
    texts = dict(query(wh, "SELECT article_id, clean_text FROM article_text"))
    width = 25
    expected = sorted(
        (
            day,
            aid,
            texts[aid][max(off - width, 0) : off],
            texts[aid][off : off + len(term)],
            texts[aid][off + len(term) : off + len(term) + width],
        )
        for aid, day, term, off in query(
            wh,
            "SELECT f.article_id, f.published_date, t.term, f.first_offset"
            " FROM fact_article_term f JOIN dim_term t USING (term_id) WHERE t.term = 'oil'",
        )
    )
    got = query(wh, "SELECT * FROM kwic('Oil', ?)", [width])
    assert got == expected and len(got) > 50
