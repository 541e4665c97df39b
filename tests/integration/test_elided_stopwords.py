"""French and Italian articles with elided articles, loaded (text-6).

``d'une`` (``de`` elided onto ``une``) is a stopword as ``une`` is: ``top_terms`` must not rank it,
and ``top_terms_stem`` must not rank the stem ``une`` it used to give. ``l'ukraine`` stays a
content word. Real articles from ``../shared/corpora/fundus``; the expected forms and counts are
literals read off the files with grep (``d’une`` 6 times in 130, ``l’Ukraine`` 10 times).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ..unit._corpora import corpus_path
from .helpers import day_warehouse, query

DAY = date(2026, 1, 6)
FILES = {
    "fr-nike.txt": "fundus/129_c220df24fba1cad7.txt",
    "fr-ukraine.txt": "fundus/130_1c9cc9468e8cc5f8.txt",
    "it-meloni.txt": "fundus/140_6ae6e3e748a3d17c.txt",
    "it-artico.txt": "fundus/141_4e0a17763ee9a7da.txt",
}
#: Elided forms in those files whose word after the article is on the stop-words lists.
ELIDED_STOPWORDS = ["d'une", "d'un", "qu'il", "l'ha"]


def _body(relative: str) -> str:
    text = corpus_path(relative).read_text(encoding="utf-8")
    assert text.startswith(" date ")
    return text[len(" date 2026-01-06 ") :]


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bodies = {name: _body(relative) for name, relative in FILES.items()}
    return day_warehouse(tmp_path_factory.mktemp("elision"), DAY, bodies)


def test_the_articles_are_french_and_italian(wh: Path) -> None:
    rows = query(
        wh,
        "SELECT regexp_extract(source_file, '(fr|it)-[a-z]+\\.txt$', 1), language_code "
        "FROM fact_article ORDER BY 1",
    )
    assert rows == [("fr", "fr"), ("fr", "fr"), ("it", "it"), ("it", "it")]


def test_elided_stopwords_are_flagged(wh: Path) -> None:
    rows = query(
        wh,
        "SELECT t.term, bool_and(f.is_stopword), sum(f.count) FROM fact_article_term f "
        "JOIN dim_term t USING (term_id) WHERE t.term IN ('d''une', 'l''ha', 'l''ukraine') "
        "GROUP BY 1 ORDER BY 1",
    )
    # d'une: 3 times in 129, 6 in 130; l'ha: 2 in 140; l'ukraine: 10 in 130
    assert rows == [("d'une", True, 9), ("l'ha", True, 2), ("l'ukraine", False, 10)]


def test_top_terms_rank_no_elided_stopword(wh: Path) -> None:
    d = DAY.isoformat()
    ranked = dict(query(wh, "SELECT term, occurrences FROM top_terms(?, ?, 10000)", [d, d]))
    assert not set(ELIDED_STOPWORDS) & set(ranked)
    assert ranked["l'ukraine"] == 10
    assert ranked["nell'artico"] == 9  # grep: 9 × nell'artico in 141
    stems = {
        (stem, language)
        for stem, language in query(
            wh, "SELECT stem, language_code FROM top_terms_stem(?, ?, 10000)", [d, d]
        )
    }
    # the stems d'une, d'un, qu'il and l'ha used to give: stopwords, never ranked
    assert not {("une", "fr"), ("un", "fr"), ("il", "fr"), ("ha", "it")} & stems
    assert ("ukrain", "fr") in stems
