"""Tokens with character offsets into the cleaned text, their kind and their normal form.

One compiled pattern describes a token; its alternatives are the token kinds:

* ``url``, ``email``: kept whole (``http://``, ``https://`` and ``www.`` in any case);
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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.memo import Memo
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
    "url": r"(?i:https?://|www\.)[^\s<>\"“”‘’]*(?<![.,;:!?)\]'])",
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


_WWW = re.compile(r"(?i)www\.")


def split_pattern(text: str) -> re.Pattern[str]:
    """The fastest split pattern that is exact for ``text``."""
    has_url = "://" in text or _WWW.search(text) is not None
    return _splitter("@" in text, has_url, text.isascii())


def _lowercase_split_pattern(lowered: str) -> re.Pattern[str]:
    """:func:`split_pattern` for text that is already lowercase (a plain ``www.`` test)."""
    return _splitter("@" in lowered, "://" in lowered or "www." in lowered, lowered.isascii())


@lru_cache(maxsize=8)
def _finder(has_at: bool, has_url: bool, ascii_only: bool) -> re.Pattern[str]:
    """The token pattern for ``findall`` over lowercase text: ``\\s*+(token)``.

    Consuming the whitespace before each token inside the match means the engine never starts a
    failing attempt at a space (about half of all positions), which makes the pass 1.5-2x faster
    than splitting; ``findall`` returns only the group, i.e. the tokens. In lowercase ASCII the
    letters of an acronym are ``[a-z]``.
    """
    bodies = [
        body.replace(_W, _ASCII_W).replace("[^\\W\\d_]", "[a-z]") if ascii_only else body
        for name, body in _ALTERNATIVES.items()
        if (name != "email" or has_at)
        and (name != "url" or has_url)
        and (name != "cjk" or not ascii_only)
    ]
    return re.compile("\\s*+(" + "|".join(f"(?:{body})" for body in bodies) + ")")


#: ``_IS_SPACE[c]`` says whether code point ``c`` is whitespace (``\\s``); every code point past
#: the table's end (U+3000 is the last whitespace character) maps to its final ``False``.
_IS_SPACE = np.array([bool(re.match(r"\s", chr(c))) for c in range(0x3002)], dtype=bool)
_IS_SPACE[-1] = False


@dataclass(frozen=True, slots=True)
class TokenScan:
    """The tokens of several texts at once: normal forms, owning text and start offsets."""

    norms: list[str]  # in text order, then token order
    ids: np.ndarray  # int64: each token's index in ``vocabulary``
    vocabulary: list[str]  # the distinct normal forms, in order of first appearance
    text: np.ndarray  # int64: which text (index into the scanned sequence) each token is from
    starts: np.ndarray  # int64: the token's start offset within its own text


def vocabulary_ids(norms: list[str]) -> tuple[list[str], np.ndarray, pa.Array]:
    """The distinct strings of ``norms`` in order of first appearance, each one's index in
    them, and ``norms`` as an Arrow array (Arrow's hash table does the encoding)."""
    terms = pa.array(norms, type=pa.string())
    encoded = pc.dictionary_encode(terms)
    ids = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return encoded.dictionary.to_pylist(), ids, terms


def scan_lowercase(lowered: Sequence[str]) -> TokenScan:
    """Tokenize lowercase, NFKC-normal texts in one regex pass over all of them.

    The texts are joined by newlines (no token spans whitespace) and ``findall`` returns the
    tokens, which are their own normal forms. Offsets come in bulk: every non-space character
    belongs to exactly one token, so token ``i`` starts at the non-space character whose rank is
    the total length of the tokens before it; numpy finds those positions and which text they
    fall in.
    """
    joined = "\n".join(lowered)
    ascii_only = joined.isascii()
    finder = _finder("@" in joined, "://" in joined or "www." in joined, ascii_only)
    norms = finder.findall(joined)
    vocabulary, ids, terms = vocabulary_ids(norms)
    if ascii_only:
        codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        non_space = np.flatnonzero(~_IS_SPACE[codes])
        lengths = pc.binary_length(terms).to_numpy().astype(np.int64)  # bytes = characters
    else:
        codes32 = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        non_space = np.flatnonzero(~_IS_SPACE[np.minimum(codes32, len(_IS_SPACE) - 1)])
        lengths = pc.utf8_length(terms).to_numpy().astype(np.int64)
    ends = np.cumsum(lengths)
    if len(norms) and ends[-1] != len(non_space):  # pragma: no cover - a broken invariant
        raise AssertionError("tokens do not cover the non-space characters exactly")
    global_starts = non_space[ends - lengths]
    text_starts = np.cumsum([0, *(len(t) + 1 for t in lowered)])[:-1]
    text = np.searchsorted(text_starts, global_starts, side="right") - 1
    return TokenScan(norms, ids, vocabulary, text, global_starts - text_starts[text])


def lowercase_form(text: str) -> str | None:
    """``text`` lowercased, if that keeps every offset and the NFKC form; else ``None``."""
    return _lowered(text)


_GROUP_KIND = {
    "acronym": "word",
    "url": "url",
    "email": "email",
    "number": "number",
    "word": "word",
    "cjk": "word",
}


def token_kinds(surfaces: Sequence[str]) -> list[str]:
    """:func:`token_kind` of many tokens, each distinct one worked out once per process."""
    return _KINDS(surfaces)


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


def norm_parts(text: str) -> tuple[list[str], list[str]]:
    """The split pieces of cleaned ``text`` (gap, token, gap, …, gap) and each token's normal form.

    Where lowercasing keeps every offset and the NFKC form (almost all text), the lowercased text
    itself is split: a character and its lowercase belong to the same classes of the token
    pattern (a test checks every code point), so the boundaries are the same and the tokens come
    out already in normal form. Otherwise the text is split and each token normalised.
    """
    lowered = _lowered(text)
    if lowered is not None:
        parts = _lowercase_split_pattern(lowered).split(lowered)
        return parts, parts[1::2]
    parts = split_pattern(text).split(text)
    return parts, [normal_form(s) for s in parts[1::2]]


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


_KINDS: Memo[str] = Memo(token_kind, limit=1 << 20)
