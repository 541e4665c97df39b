"""Tokens with character offsets into the cleaned text, their kind and their normal form.

One compiled pattern describes a token; its alternatives are the token kinds:

* ``url``, ``email``: kept whole;
* ``word``: letters, marks and digits, with inner apostrophes and hyphens (``don't``,
  ``COVID-19``) and dotted acronyms (``U.S.``);
* CJK: each Han ideograph and hiragana is a token, a katakana run is one token (a per-character
  segmentation: no dictionary, but counts and n-grams stay meaningful);
* ``number``: starts with a digit: ``155,221``, ``5.93``, ``1980s``, ``1.13bn`` (a number with its
  unit stays one token; the ``$`` before it is a symbol token);
* ``punct``: Unicode punctuation (``...`` as one token, ``%`` too); ``symbol``: anything else
  (``$``, ``£``, ``+``).

Scanning is done in bulk: ``re.split`` with the pattern in one capturing group cuts a text into
alternating whitespace gaps and tokens at C speed, offsets are running sums of the piece lengths,
and the kind of a token, which depends only on its text, is looked up once per distinct token.
The normal form is the lowercased NFKC surface form (``dim_term.term``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from etl.text._marks import MARKS

TOKEN_KINDS = ("word", "number", "url", "email", "punct", "symbol")
#: Kinds that count as terms (stored in ``fact_article_term`` / ``dim_term``).
TERM_KINDS = frozenset({"word", "number", "url", "email"})

# Scripts written without spaces between words: every Han ideograph (with 々〆〇) and every
# hiragana is a token of its own; a katakana run (mostly a loanword, with its ー) stays whole.
# Hangul is written with spaces and is an ordinary word character.
_HAN = "\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HIRAGANA = "\u3041-\u309f"
_KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff"
_CJK = _HAN + _HIRAGANA + _KATAKANA

# Python's ``re`` counts letters and digits as \w but not combining marks: add them, so
# Devanagari, Thai or Arabic words are not cut at every vowel sign. CJK characters are word
# characters for ``re`` but are segmented by the ``cjk`` alternative instead. Possessive
# quantifiers keep every alternative linear in the token's length.
_W = f"(?:[^\\W{_CJK}]++|[{MARKS}]++)++"
_ALTERNATIVES = {
    "url": r"(?:https?://|www\.)[^\s<>\"“”‘’]*(?<![.,;:!?)\]'])",
    "email": r"[\w.%+\-]++@[\w\-]++(?:\.[\w\-]++)++",
    "acronym": r"[^\W\d_](?:\.[^\W\d_])++\.",
    "number": rf"\d++(?:[.,:/]\d++)*+(?:{_W})?+",
    "word": rf"{_W}(?:['’\-]{_W})*+",
    "cjk": f"[{_KATAKANA}]++|[{_HAN}{_HIRAGANA}]",
    "other": r"\.\.\.|[^\w\s]",
}
_GROUPED = "|".join(f"(?P<{name}>{body})" for name, body in _ALTERNATIVES.items())
_TOKEN = re.compile(_GROUPED)
#: Plain-ASCII text has neither combining marks nor CJK: its word pattern is a bare \w run.
_ASCII_W = "\\w++"


@lru_cache(maxsize=8)
def _splitter(has_at: bool, has_url: bool, ascii_only: bool) -> re.Pattern[str]:
    """The split pattern, without the alternatives that cannot match in a given text.

    Dropping impossible alternatives (no ``@`` → no e-mail; no ``://``/``www.`` → no URL; pure
    ASCII → no combining marks) more than doubles the scanning speed on typical news text and
    cannot change the result, because a dropped alternative could not have matched anywhere.
    """
    bodies = [
        body.replace(_W, _ASCII_W) if ascii_only else body
        for name, body in _ALTERNATIVES.items()
        if (name != "email" or has_at)
        and (name != "url" or has_url)
        and (name != "cjk" or not ascii_only)
    ]
    pattern = "(" + "|".join(f"(?:{body})" for body in bodies) + ")"
    return re.compile(pattern)


def split_pattern(text: str) -> re.Pattern[str]:
    """The fastest split pattern that is exact for ``text``."""
    return _splitter("@" in text, "://" in text or "www." in text, text.isascii())


_GROUP_KIND = {
    "acronym": "word",
    "url": "url",
    "email": "email",
    "number": "number",
    "word": "word",
    "cjk": "word",
}


@lru_cache(maxsize=1 << 16)
def token_kind(surface: str) -> str:
    """The kind of a token, from its text alone (one of :data:`TOKEN_KINDS`)."""
    match = _TOKEN.match(surface)
    group = match.lastgroup if match else None
    if group is not None and group in _GROUP_KIND:
        return _GROUP_KIND[group]
    return "punct" if unicodedata.category(surface[0]).startswith("P") else "symbol"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: ``text[start:end]`` is its surface form."""

    start: int
    end: int
    kind: str
    norm: str


@dataclass(frozen=True, slots=True)
class TokenColumns:
    """A text's tokens as parallel lists (surface forms, normal forms, start offsets)."""

    surfaces: list[str]
    norms: list[str]
    starts: list[int]


def normal_form(surface: str) -> str:
    """The lowercased NFKC form of a token's surface text."""
    return unicodedata.normalize("NFKC", surface.lower())


def _lowered(text: str) -> str | None:
    """``text`` lowercased and NFKC-normal, if that keeps every offset; else ``None``."""
    if "Σ" in text:  # lower() makes it σ or ς by context, which may reach across tokens
        return None
    lowered = text.lower()
    if len(lowered) != len(text):  # e.g. 'İ' lowercases to two code points
        return None
    if not unicodedata.is_normalized("NFKC", lowered):
        return None
    return lowered


def token_columns(text: str) -> TokenColumns:
    """Split ``text`` into tokens in one pass; see the module docstring."""
    parts = split_pattern(text).split(text)
    surfaces = parts[1::2]
    ends = list(accumulate(map(len, parts)))
    starts = ends[0::2][: len(surfaces)]
    lowered = _lowered(text)
    if lowered is None:
        norms = [normal_form(s) for s in surfaces]
    else:
        norms = [lowered[a : a + len(s)] for a, s in zip(starts, surfaces, strict=True)]
    return TokenColumns(surfaces, norms, starts)


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` in order, with offsets, kind and normal form."""
    cols = token_columns(text)
    return [
        Token(start, start + len(surface), token_kind(surface), norm)
        for surface, norm, start in zip(cols.surfaces, cols.norms, cols.starts, strict=True)
    ]
