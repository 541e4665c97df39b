"""The stopword lists as a reader of each language knows them: literal words, not the lists'
own entries. Greek (stop-words' list is Ancient Greek: no modern word matched), Turkish (its
list was written through cp1252: bazý for bazı), Arabic (hamza forms missing) and the entries
that are not words (English 10 and 39) were found by a multilingual probe in session 38."""

from __future__ import annotations

import pytest
import stopwordsiso
from stop_words import LANGUAGE_MAPPING

from etl.text.stems import stopword_flags, stopwords
from etl.text.tokenize import normal_form

CASES = [
    # language, words a reader takes for stopwords, content words
    (
        "el",
        # εδώ, επειδή, ίδια, δηλαδή: stopwordsiso writes their δ as ∆ (review)
        ["και", "της", "ο", "οι", "την", "στην", "είναι", "ακόμα", "ΚΑΙ", "εδώ", "επειδή", "ίδια"],
        ["κυβέρνηση", "θεός"],
    ),
    ("tr", ["şu", "bazı", "nasıl", "bir", "ve", "şey"], ["ekonomi", "hükümet", "ırmak"]),
    ("ar", ["أن", "إن", "إلى", "في", "على"], ["حكومة", "اقتصاد"]),
    ("en", ["the", "and", "myself", "herself"], ["10", "39", "election", "capital"]),
    ("fa", ["از", "به"], ["۱", "۱۰", "دولت"]),
    ("fr", ["le", "de", "d'une"], ["président", "ukraine"]),
    # Czech and Slovak write ý and ž themselves: not read as Turkish
    ("cs", ["být", "každý", "který"], ["vláda"]),
    ("sk", ["každý", "ktorý", "týmto", "a"], ["vláda"]),  # "a": after a byte-order mark
    ("pl", ["już", "jeśli", "dużo", "każdy", "się"], ["rząd"]),
    # stop-words' Hebrew writes every entry as "של", (quotes and comma): none matched (probe C)
    ("he", ["של", "על", "כי", "גם", "אבל", "או"], ["ממשלה", "ישראל"]),
    # its Italian writes già and così as gia" and cosi" (probe C)
    ("it", ["già", "così", "più", "giù", "cui", "il"], ["governo", "città"]),
    # stopwordsiso's Greek joins two entries with a comma: ταυτο,ταυτον
    ("el", ["ταυτο", "ταυτόν"], ["ταυτότητα"]),
]


@pytest.mark.parametrize(("language", "stops", "content"), CASES)
def test_stopwords_are_those_of_the_written_language(
    language: str, stops: list[str], content: list[str]
) -> None:
    terms = [normal_form(w) for w in [*stops, *content]]
    assert stopword_flags(language, terms) == [True] * len(stops) + [False] * len(content)


#: every language either list has (Norwegian as py3langid names it)
LANGUAGES = sorted(
    {"no", *LANGUAGE_MAPPING, *(code for code in ("el", "ar") if stopwordsiso.has_lang(code))}
    - {"nb"}
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_stopword_holds_a_digit_a_curly_quote_or_cp1252_turkish(language: str) -> None:
    words = stopwords(language)  # every list reads (up to session 38's fix: Slovak did not)
    assert words
    for word in words:
        assert not any(c.isdigit() for c in word), word
        assert not set(word) & set("“”…\ufeff∆"), word
        if language == "tr":
            assert not set(word) & set("ýþðÝÞÐ"), word
        if language == "pl":
            assert "å" not in word, word


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_stopword_is_a_word_without_quotes_or_commas(language: str) -> None:
    for word in stopwords(language):
        assert any(c.isalpha() for c in word), word  # Persian's list holds , " ! and ؟
        assert not set(word) & set('",'), word
