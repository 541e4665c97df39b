"""Per-language stems (Snowball, via PyStemmer) and stopword flags for a batch's terms.

Stems let analysts count "troops" and "troop" together (``stem``) or apart (``term``). Only word
terms are stemmed; numbers, URLs and e-mails are their own stem. A language without a Snowball
stemmer keeps the term as its stem. Stopwords come from the ``stop-words`` package; its lists are
normalised like terms (:func:`etl.text.tokenize.normal_form`: lowercased NFKC, apostrophes
folded) so that they compare equal to ``dim_term.term``.

French, Italian and Catalan write an article or pronoun elided onto the next word (``l'ukraine``,
``nell'artico``, ``d'une``). The term keeps what was written, but its stem and stopword flag are
those of the word after the elided article (:func:`without_elision`), as in Lucene's analyzers
for these languages: ``l'ukraine`` stems with ``ukraine``, and ``d'une`` is a stopword as ``une``
is.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache

import Stemmer
from stop_words import LANGUAGE_MAPPING, StopWordError, get_stop_words

from etl.contracts import TokenKind
from etl.text.tokenize import normal_form

#: ISO 639-1 code → Snowball algorithm name: every algorithm PyStemmer ships (but its two
#: English and Dutch alternatives, ``porter`` and ``dutch_porter``), a test checks. Czech,
#: Esperanto, Estonian, Persian, Polish and Sesotho were missing until text-8, so their terms
#: were their own stems: ``vláda``, ``vlády`` and ``vládu`` did not count together (probe).
SNOWBALL = {
    "ar": "arabic",
    "hy": "armenian",
    "eu": "basque",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "eo": "esperanto",
    "et": "estonian",
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
    "fa": "persian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "st": "sesotho",
    "es": "spanish",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}


#: The elided articles and pronouns of each language that elides them before a vowel: those the
#: elision filters of Lucene's French, Italian and Catalan analyzers remove (Elasticsearch's
#: ``elision`` token filter documents the French set). Written without the apostrophe.
ELIDED_ARTICLES: dict[str, frozenset[str]] = {
    "fr": frozenset("l m t qu n s j d c jusqu quoiqu lorsqu puisqu".split()),
    "it": frozenset(
        "c l all dall dell nell sull coll pell gl agl dagl degl negl sugl un m t s v d".split()
    ),
    "ca": frozenset("d l m n s t".split()),
}


#: py3langid says ``no`` for Norwegian; the stopword lists call it ``nb``.
_STOPWORD_ALIASES = {"no": "nb"}


@lru_cache(maxsize=64)
def _stemmer(language: str) -> Stemmer.Stemmer | None:
    """The Snowball stemmer of ``language``, without PyStemmer's word cache: a batch stems each
    distinct word once, and the cache's 10,000 entries (its default) only thrash on a batch's
    ~14,000 (the 155,682 words of the real corpora's batches: 0.22 s with it, 0.14 s without)."""
    algorithm = SNOWBALL.get(language)
    return Stemmer.Stemmer(algorithm, 0) if algorithm else None


#: Languages whose ``stop-words`` list is not that of the modern written language, and what
#: stopwordsiso's list does there: ``el`` *replaces* it (stop-words' Greek is Ancient Greek,
#: polytonic: καί, τοῦ; no modern word ever matched), ``ar`` is *added* (stop-words' Arabic has
#: no hamza forms: ان but not أن or إن).
_ISO_LISTS: dict[str, str] = {"el": "replaces", "ar": "added"}

#: Entries of the lists written in the wrong encoding, by language: the letters that show it,
#: and how the entry is read back. Turkish was written through cp1252 instead of
#: cp1254 (bazý, þu: bazı, şu); Polish is UTF-8 read as cp1252 and then lowercased (juå¼,
#: jeå›li: już, jeśli). An entry that does not read back is left out.
_MISENCODED: dict[str, tuple[frozenset[str], Callable[[str], str]]] = {
    "tr": (frozenset("ýþðÝÞÐ"), lambda w: w.encode("cp1252").decode("cp1254")),
    "pl": (frozenset("å"), lambda w: w.replace("å", "Å").encode("cp1252").decode("utf-8")),
    # stopwordsiso's Greek writes δ as U+2206 INCREMENT in 67 entries (ε∆ω, επει∆η)
    "el": (frozenset("∆"), lambda w: w.replace("∆", "δ")),
}

#: Italian entries written with a ``"`` after the word, by how Italian writes them. The list also
#: holds each word without it (``gia``, ``cosi``, ``piu``; ``più`` both ways): the ``"`` stands
#: for the final accent an ASCII keyboard cannot type (Italian writes già as ``gia'``), so
#: ``gia"`` is già; ``più"`` already has its accent, and cui never takes one. stopwordsiso's
#: Italian list writes già, così, più and cui so.
_QUOTED_ACCENTS: dict[str, dict[str, str]] = {
    "it": {
        'cosi"': "così",
        'gia"': "già",
        'giu"': "giù",
        'piu"': "più",
        'più"': "più",
        'cui"': "cui",
    },
}

#: Languages whose stopwords match without accents: Greek lists (stopwordsiso's among them) write
#: most words without the tonos or diaeresis that news text has (ακομα for ακόμα).
_UNACCENTED = frozenset({"el"})


def _listed(language: str) -> set[str]:
    """Every word the stopword lists give ``language``, as they write it."""
    words: set[str] = set()
    if _ISO_LISTS.get(language) != "replaces" and language in LANGUAGE_MAPPING:
        with contextlib.suppress(StopWordError):  # a language it maps but holds no list of
            words |= set(get_stop_words(language))
    if language in _ISO_LISTS:
        import stopwordsiso  # 0.08 s: it reads every language's list; Greek and Arabic need it

        words |= stopwordsiso.stopwords(language)
    return words


def _repaired(language: str, entry: str) -> list[str]:
    """The words an entry of ``language``'s lists stands for, as ``language`` writes them.

    An entry written as a quoted string is the string (stop-words' Hebrew writes every entry
    ``"אבל",``), one holding a comma is the words around it (stopwordsiso's Greek
    ``ταυτο,ταυτον``), and each word is then read by :func:`_repaired_word`.
    """
    quoted = entry.removesuffix(",")
    if len(quoted) > 2 and quoted[0] == quoted[-1] == '"':
        entry = quoted[1:-1]
    words = (_repaired_word(language, word) for word in entry.split(","))
    return [word for word in words if word]


def _repaired_word(language: str, word: str) -> str | None:
    """``word`` as ``language`` writes it, or ``None`` when it is not a word: an entry with a
    digit (English 10 and 39, Persian ۱), a curly quote (English myse”) or an ellipsis (a cut
    entry) is left out, and so is one without a letter (Persian's ``"`` and ``!``); a
    byte-order mark is dropped, an Italian accent written ``"`` is read
    (:data:`_QUOTED_ACCENTS`), and a misencoded entry is read back (:data:`_MISENCODED`; Czech
    and Slovak write ý themselves)."""
    word = word.replace("\ufeff", "")  # Slovak's list opens with a byte-order mark: "\ufeffa"
    if any(c.isdigit() or c in "“”…" for c in word):  # Polish "jä…": a cut entry
        return None
    if not any(c.isalpha() for c in word):
        return None
    word = _QUOTED_ACCENTS.get(language, {}).get(word, word)
    letters, read_back = _MISENCODED.get(language, (frozenset(), str))
    if letters.intersection(word):
        try:
            return read_back(word)
        except UnicodeError:
            return None
    return word


def _unaccented(term: str) -> str:
    """``term`` without its acute accents and diaereses (Greek tonos and dialytika)."""
    decomposed = unicodedata.normalize("NFD", term)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in "\u0301\u0308"))


@lru_cache(maxsize=64)
def stopwords(language: str) -> frozenset[str]:
    """The stopwords of ``language`` (ISO 639-1) as normal forms (without accents where
    :data:`_UNACCENTED`); empty when none are known."""
    language = _STOPWORD_ALIASES.get(language, language)
    words = (word for entry in _listed(language) for word in _repaired(language, entry))
    forms = (normal_form(w) for w in words)
    if language in _UNACCENTED:
        forms = (_unaccented(w) for w in forms)
    return frozenset(forms)


def without_elision(language: str, term: str) -> str:
    """``term`` (a normal form: apostrophes written ``'``) without the article elided at its start
    in ``language`` (``l'ukraine`` → ``ukraine`` in French); ``term`` itself when ``language``
    elides no article, ``term`` does not start with one, or no letter or digit follows it."""
    articles = ELIDED_ARTICLES.get(language)
    if articles is None:
        return term
    head, apostrophe, rest = term.partition("'")
    return rest if apostrophe and rest[:1].isalnum() and head in articles else term


def has_stemmer(language: str) -> bool:
    """True when a Snowball stemmer exists for ``language``."""
    return language in SNOWBALL


def stem_terms(language: str, terms: Sequence[str], kinds: Sequence[str]) -> list[str]:
    """The stem of each term in ``language``: word terms through Snowball (after
    :func:`without_elision`), others unchanged."""
    stemmer = _stemmer(language)
    if stemmer is None:
        return list(terms)
    word = TokenKind.WORD
    words = [t for t, k in zip(terms, kinds, strict=True) if k == word]
    if language in ELIDED_ARTICLES:
        words = [without_elision(language, t) for t in words]
    stemmed = iter(stemmer.stemWords(words))
    return [next(stemmed) if k == word else t for t, k in zip(terms, kinds, strict=True)]


def stopword_flags(language: str, terms: Sequence[str]) -> list[bool]:
    """For each term, whether it is a stopword of ``language``, itself or once its elided article
    is removed (:func:`without_elision`: ``d'une`` is a French stopword because ``une`` is)."""
    stops = stopwords(language)
    if not stops:
        return [False] * len(terms)
    if _STOPWORD_ALIASES.get(language, language) in _UNACCENTED:
        return [_unaccented(t) in stops for t in terms]
    if language not in ELIDED_ARTICLES:
        return [t in stops for t in terms]
    return [t in stops or without_elision(language, t) in stops for t in terms]
