"""The stopword lists as a reader of each language knows them: literal words, not the lists'
own entries. Greek (stop-words' list is Ancient Greek: no modern word matched), Turkish (its
list was written through cp1252: bazý for bazı), Arabic (hamza forms missing) and the entries
that are not words (English 10 and 39) were found by a multilingual probe in session 38."""

from __future__ import annotations

import pytest

from etl.text.stems import stopword_flags, stopwords
from etl.text.tokenize import normal_form

CASES = [
    # language, words a reader takes for stopwords, content words
    (
        "el",
        ["και", "της", "ο", "οι", "την", "στην", "είναι", "ακόμα", "ΚΑΙ"],
        ["κυβέρνηση", "θεός"],
    ),
    ("tr", ["şu", "bazı", "nasıl", "bir", "ve", "şey"], ["ekonomi", "hükümet", "ırmak"]),
    ("ar", ["أن", "إن", "إلى", "في", "على"], ["حكومة", "اقتصاد"]),
    ("en", ["the", "and", "myself", "herself"], ["10", "39", "election", "capital"]),
    ("fa", ["از", "به"], ["۱", "۱۰", "دولت"]),
    ("fr", ["le", "de", "d'une"], ["président", "ukraine"]),
]


@pytest.mark.parametrize(("language", "stops", "content"), CASES)
def test_stopwords_are_those_of_the_written_language(
    language: str, stops: list[str], content: list[str]
) -> None:
    terms = [normal_form(w) for w in [*stops, *content]]
    assert stopword_flags(language, terms) == [True] * len(stops) + [False] * len(content)


@pytest.mark.parametrize("language", ["en", "tr", "ar", "fa", "el", "gu", "de"])
def test_no_stopword_holds_a_digit_a_curly_quote_or_cp1252_turkish(language: str) -> None:
    for word in stopwords(language):
        assert not any(c.isdigit() for c in word), word
        assert not set(word) & set("“”ýþð"), word
