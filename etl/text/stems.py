"""Per-language stems (Snowball, via PyStemmer) and stopword flags for a batch's terms.

Stems let analysts count "troops" and "troop" together (``stem``) or apart (``term``). Only word
terms are stemmed; numbers, URLs and e-mails are their own stem. A language without a Snowball
stemmer keeps the term as its stem. Stopwords come from the ``stop-words`` package; its lists are
normalised like terms (:func:`etl.text.tokenize.normal_form`: lowercased NFKC, apostrophes
folded) so that they compare equal to ``dim_term.term``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import Stemmer
from stop_words import LANGUAGE_MAPPING, StopWordError, get_stop_words

from etl.text.tokenize import normal_form

#: ISO 639-1 code → Snowball algorithm name (the languages PyStemmer ships).
SNOWBALL = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "el": "greek",
    "hi": "hindi",
    "hu": "hungarian",
    "id": "indonesian",
    "ga": "irish",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "no": "norwegian",
    "nb": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


#: py3langid says ``no`` for Norwegian; the stopword lists call it ``nb``.
_STOPWORD_ALIASES = {"no": "nb"}


@lru_cache(maxsize=64)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    algorithm = SNOWBALL.get(language)
    return Stemmer.Stemmer(algorithm) if algorithm else None


@lru_cache(maxsize=64)
def stopwords(language: str) -> frozenset[str]:
    """The stopwords of ``language`` (ISO 639-1) as normal forms; empty when none are known."""
    language = _STOPWORD_ALIASES.get(language, language)
    if language not in LANGUAGE_MAPPING:
        return frozenset()
    try:
        words = get_stop_words(language)
    except StopWordError:
        return frozenset()
    return frozenset(normal_form(w) for w in words)


def has_stemmer(language: str) -> bool:
    """True when a Snowball stemmer exists for ``language``."""
    return language in SNOWBALL


def stem_terms(language: str, terms: Sequence[str], kinds: Sequence[str]) -> list[str]:
    """The stem of each term in ``language``: word terms through Snowball, others unchanged."""
    stemmer = _stemmer(language)
    if stemmer is None:
        return list(terms)
    words = [t for t, k in zip(terms, kinds, strict=True) if k == "word"]
    stemmed = iter(stemmer.stemWords(words))
    return [next(stemmed) if k == "word" else t for t, k in zip(terms, kinds, strict=True)]


def stopword_flags(language: str, terms: Sequence[str]) -> list[bool]:
    """For each term, whether it is a stopword of ``language``."""
    stops = stopwords(language)
    return [t in stops for t in terms] if stops else [False] * len(terms)
