"""Elided articles in French, Italian and Catalan: stems and stopword flags (text-6).

``d'une`` is ``une`` with the article ``de`` elided, so it is a stopword of French as ``une`` is;
``l'ukraine`` is a content word with the stem of ``ukraine``. The articles are those Lucene's
French, Italian and Catalan analyzers remove (their elision filters), written out here as
literals; the stems and stopword lists are the libraries'. Words from real articles of
``../shared/corpora/fundus`` (128-132 French, 140-142 Italian).
"""

from __future__ import annotations

import pytest

from etl.text.stems import stem_terms, stopword_flags, without_elision


@pytest.mark.parametrize(
    ("language", "term", "expected"),
    [
        ("fr", "l'ukraine", "ukraine"),
        ("fr", "d'une", "une"),
        ("fr", "qu'il", "il"),
        ("fr", "jusqu'à", "à"),
        ("fr", "lorsqu'elle", "elle"),
        ("fr", "puisqu'on", "on"),
        ("fr", "quoiqu'il", "il"),
        ("fr", "aujourd'hui", "aujourd'hui"),  # aujourd is no article: one word
        ("fr", "presqu'île", "presqu'île"),
        ("it", "nell'artico", "artico"),
        ("it", "dell'incontro", "incontro"),
        ("it", "un'area", "area"),
        ("it", "sugl'italiani", "italiani"),
        ("it", "po'", "po'"),
        ("ca", "l'any", "any"),
        ("ca", "d'acord", "acord"),
        ("ca", "qu'any", "qu'any"),  # qu' is French, not Catalan
        ("en", "d'souza", "d'souza"),  # English elides nothing
        ("en", "l'oréal", "l'oréal"),
        ("de", "d'león", "d'león"),
        ("fr", "l'", "l'"),  # nothing after the apostrophe: nothing to keep
        ("fr", "l''avion", "l''avion"),
    ],
)
def test_without_elision(language: str, term: str, expected: str) -> None:
    assert without_elision(language, term) == expected


def test_elided_stopwords_are_stopwords() -> None:
    # fundus/129 "d'une", fundus/130 "qu'il", "s'est", "c'est"; une, il, est, à are on the list
    words = ["d'une", "d'un", "qu'il", "s'est", "c'est", "n'est", "jusqu'à", "l'ukraine"]
    assert stopword_flags("fr", words) == [True] * 7 + [False]
    assert stopword_flags("fr", ["aujourd'hui", "l'espèce", "d'euros"]) == [False] * 3
    # fundus/141 "l'ha", "nell'artico"; "un'altra": altra is on the Italian list
    assert stopword_flags("it", ["l'ha", "un'altra", "nell'artico", "dell'incontro"]) == [
        True,
        True,
        False,
        False,
    ]
    assert stopword_flags("ca", ["l'any", "d'el", "s'és"]) == [False, True, True]
    # the whole term on the list still counts (the lists spell some elided forms: d', l')
    assert stopword_flags("fr", ["d'", "une", "ukraine"]) == [True, True, False]
    # only languages that elide: an English d' is a name
    assert stopword_flags("en", ["d'the", "o'the"]) == [False, False]


def test_elided_forms_stem_with_the_word() -> None:
    kinds = ["word"] * 3
    # Snowball's French and Italian stemmers drop some elisions themselves, Catalan's none:
    # every elided article is dropped before stemming, so the three agree with Lucene's.
    assert stem_terms("fr", ["jusqu'accord", "l'accord", "accord"], kinds) == ["accord"] * 3
    assert stem_terms("it", ["sugl'accordi", "dell'accordo", "accordo"], kinds) == ["accord"] * 3
    assert stem_terms("ca", ["l'acord", "d'acord", "acord"], kinds) == ["acord"] * 3
    assert stem_terms("fr", ["aujourd'hui"], ["word"]) == ["aujourd'hui"]
    # English keeps its apostrophes: "d'souza" is not "souza"
    assert stem_terms("en", ["d'souza", "souza"], ["word", "word"]) == ["d'souza", "souza"]
    # numbers are their own stem, elided or not
    assert stem_terms("fr", ["l'an", "2021"], ["word", "number"]) == ["an", "2021"]
