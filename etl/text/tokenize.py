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

This module holds the grammar as a Python ``re`` pattern: the reference. Batches are scanned by
the same grammar compiled to a Rust automaton (:mod:`etl.text.compiled_scan`), checked against
it; :func:`scan_from_tokens` turns a batch's tokens into vocabulary ids and offsets in bulk. For
one text, ``re.split`` with the pattern in one capturing group cuts it into alternating
whitespace gaps and tokens (:func:`token_columns`). The kind of a token depends only on its text.
The normal form is the lowercased NFKC surface form with the typographic apostrophe written
``'`` (:func:`fold_apostrophes`): ``dim_term.term``.
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

from etl.contracts import TERM_KINDS as TERM_KINDS  # the kinds that count as terms
from etl.contracts import TokenKind
from etl.text.grammar import (
    ASCII_WORD_RUN,
    CJK,
    GRAMMAR,
    HAN,
    HIRAGANA,
    KATAKANA,
    WORD_RUN,
    applicable,
)

#: Every token kind, in declaration order (:mod:`etl.text.terms` codes a kind by its index).
TOKEN_KINDS: tuple[TokenKind, ...] = tuple(TokenKind)

_HAN, _HIRAGANA, _KATAKANA, _CJK = HAN, HIRAGANA, KATAKANA, CJK
_W = WORD_RUN
#: The Python bodies of the grammar (:mod:`etl.text.grammar`), by name.
_ALTERNATIVES = {alt.name: alt.python for alt in GRAMMAR}
_GROUPED = "|".join(f"(?P<{name}>{body})" for name, body in _ALTERNATIVES.items())
_TOKEN = re.compile(_GROUPED)
_ASCII_W = ASCII_WORD_RUN

#: The typographic apostrophe (U+2019). In a term it can only join two word runs, exactly where
#: ``'`` can (the grammar's ``word`` alternative; a URL stops before it), so writing it ``'``
#: turns a term into a term of the same kind: ``it’s`` and ``it's`` are one term, a stopword of
#: the lists (which spell ``'``), and stem alike (Snowball strips ``'s``, not ``’s``).
APOSTROPHE = "\u2019"


def fold_apostrophes(norm: str) -> str:
    """``norm`` with every typographic apostrophe ``’`` written ``'`` (see :data:`APOSTROPHE`)."""
    return norm.replace(APOSTROPHE, "'")


@lru_cache(maxsize=8)
def _splitter(has_at: bool, has_url: bool, ascii_only: bool) -> re.Pattern[str]:
    """The split pattern, without the alternatives that cannot match in a given text.

    Dropping impossible alternatives (no ``@`` → no e-mail; no ``://``/``www.`` → no URL; pure
    ASCII → no combining marks) more than doubles the scanning speed on typical news text and
    cannot change the result, because a dropped alternative could not have matched anywhere.
    """
    bodies = [
        alt.python.replace(_W, _ASCII_W) if ascii_only else alt.python
        for alt in applicable(has_at, has_url, ascii_only)
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
        alt.python.replace(_W, _ASCII_W).replace("[^\\W\\d_]", "[a-z]")
        if ascii_only
        else alt.python
        for alt in applicable(has_at, has_url, ascii_only)
    ]
    return re.compile("\\s*+(" + "|".join(f"(?:{body})" for body in bodies) + ")")


#: ``_IS_SPACE[c]`` says whether code point ``c`` is whitespace (``\\s``); every code point past
#: the table's end (U+3000 is the last whitespace character) maps to its final ``False``.
_IS_SPACE = np.array([bool(re.match(r"\s", chr(c))) for c in range(0x3002)], dtype=bool)
_IS_SPACE[-1] = False


@dataclass(frozen=True, slots=True)
class TokenScan:
    """The tokens of several texts at once: normal forms, owning text and start offsets."""

    ids: np.ndarray  # int64: each token's index in ``vocabulary``, in text order, then token order
    vocabulary: list[str]  # the distinct normal forms, in order of first appearance
    terms: pa.Array  # ``vocabulary`` as Arrow strings
    text: np.ndarray  # int64: which text (index into the scanned sequence) each token is from
    starts: np.ndarray  # int64: the token's start offset within its own text


def vocabulary_ids(norms: list[str]) -> tuple[list[str], np.ndarray, pa.Array]:
    """The distinct strings of ``norms`` in order of first appearance, each one's index in
    them, and ``norms`` as an Arrow array (Arrow's hash table does the encoding)."""
    terms = pa.array(norms, type=pa.string())
    encoded = pc.dictionary_encode(terms)
    ids = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return encoded.dictionary.to_pylist(), ids, terms


def fold_scan(scan: TokenScan) -> TokenScan:
    """``scan`` with its vocabulary's apostrophes folded (:func:`fold_apostrophes`): tokens that
    differ only in them get one vocabulary entry, in order of first appearance."""
    if not pc.any(pc.match_substring(scan.terms, APOSTROPHE)).as_py():
        return scan
    vocabulary, remap, _ = vocabulary_ids([fold_apostrophes(t) for t in scan.vocabulary])
    terms = pa.array(vocabulary, pa.string())
    return TokenScan(remap[scan.ids], vocabulary, terms, scan.text, scan.starts)


def lowercase_tokens(lowered: str) -> list[str]:
    """The tokens of a lowercase, NFKC-normal text, by Python's ``re``: they are their own normal
    forms. (:mod:`etl.text.compiled_scan` tokenizes whole batches faster; this is the reference
    it is checked against, and the path for the few texts it leaves to ``re``.)"""
    finder = _finder("@" in lowered, "://" in lowered or "www." in lowered, lowered.isascii())
    return finder.findall(lowered)


def scan_from_tokens(lowered: Sequence[str], token_lists: pa.Array) -> TokenScan:
    """The :class:`TokenScan` of lowercase texts, given each text's tokens (a list of Arrow
    strings per text, in order).

    Arrow's hash table encodes the tokens as vocabulary indices. Offsets come in bulk: every
    non-space character belongs to exactly one token, so token ``i`` starts at the non-space
    character whose rank is the total length of the tokens before it; numpy finds those positions
    in the newline-joined texts.
    """
    tokens = token_lists.flatten()
    encoded = pc.dictionary_encode(tokens)
    ids = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    joined = "\n".join(lowered)
    if joined.isascii():  # one byte a character: a byte table marks the non-space ones
        marks = joined.encode("ascii").translate(_ASCII_NON_SPACE)
        non_space = np.flatnonzero(np.frombuffer(marks, dtype=np.bool_))
        lengths = pc.binary_length(tokens).to_numpy().astype(np.int64)
    else:
        codes32 = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        non_space = np.flatnonzero(~_IS_SPACE[np.minimum(codes32, len(_IS_SPACE) - 1)])
        lengths = pc.utf8_length(tokens).to_numpy().astype(np.int64)
    ends = np.cumsum(lengths)
    if len(ends) and ends[-1] != len(non_space):  # pragma: no cover - a broken invariant
        raise AssertionError("tokens do not cover the non-space characters exactly")
    per_text = token_lists.value_lengths().to_numpy(zero_copy_only=False)
    text = np.repeat(np.arange(len(lowered), dtype=np.int64), per_text)
    text_lengths = np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)) + 1
    text_starts = np.cumsum(text_lengths) - text_lengths
    starts = non_space[ends - lengths] - text_starts[text]
    return TokenScan(ids, encoded.dictionary.to_pylist(), encoded.dictionary, text, starts)


#: For ``bytes.translate`` of ASCII text: 1 for a non-space character, 0 for whitespace (``\s``),
#: from the same table as :data:`_IS_SPACE`.
_ASCII_NON_SPACE = bytes((~_IS_SPACE[:128]).astype(np.uint8)) + bytes(128)


def lowercase_form(text: str) -> str | None:
    """``text`` lowercased, if that keeps every offset and the NFKC form; else ``None``."""
    return _lowered(text)


#: The kind of each named alternative of the grammar (``other`` is punctuation or a symbol).
_GROUP_KIND = {
    "acronym": TokenKind.WORD,
    "url": TokenKind.URL,
    "email": TokenKind.EMAIL,
    "number": TokenKind.NUMBER,
    "word": TokenKind.WORD,
    "cjk": TokenKind.WORD,
}


@lru_cache(maxsize=1 << 16)
def token_kind(surface: str) -> TokenKind:
    """The kind of a token, from its text alone (one of :data:`TOKEN_KINDS`)."""
    match = _TOKEN.match(surface)
    group = match.lastgroup if match else None
    if group is not None and group in _GROUP_KIND:
        return _GROUP_KIND[group]
    return TokenKind.PUNCT if unicodedata.category(surface[0]).startswith("P") else TokenKind.SYMBOL


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


def lower_term(text: str) -> str:
    """``text`` lowercased as terms are: Python's ``str.lower()``, but the capital dotted ``İ``
    becomes ``i``, its lowercase in Turkish and Azerbaijani, the languages that write it.
    ``str.lower()`` makes it ``i`` and a combining dot above, so "İzmir" and "İZMİR" were a
    term of their own and "izmir" or "IZMIR" another, said to be "not in the vocabulary" of
    articles that have "İzmir" (text-8; probe). The warehouse's ``python_lower`` does the same."""
    return text.replace("İ", "i").lower()


def normal_form(surface: str) -> str:
    """The lowercased (:func:`lower_term`) NFKC form of a token's surface text, apostrophes
    folded."""
    return fold_apostrophes(unicodedata.normalize("NFKC", lower_term(surface)))


def _lowered(text: str) -> str | None:
    """``text`` lowercased (:func:`lower_term`) and NFKC-normal, if that keeps every offset;
    else ``None``."""
    if "Σ" in text:  # lower() makes it σ or ς by context, which may reach across tokens
        return None
    lowered = lower_term(text)
    if len(lowered) != len(text):  # lower() wrote a character as several (none but İ does)
        return None
    if not unicodedata.is_normalized("NFKC", lowered):
        return None
    return lowered


def norm_parts(text: str) -> tuple[list[str], list[str]]:
    """The split pieces of cleaned ``text`` (gap, token, gap, …, gap) and each token's normal form.

    Where lowercasing keeps every offset and the NFKC form (almost all text), the lowercased text
    itself is split: a character and its lowercase belong to the same classes of the token
    pattern (a test checks every code point), so the boundaries are the same and the tokens come
    out already in normal form (but for :func:`fold_apostrophes`). Otherwise the text is split
    and each token normalised.
    """
    lowered = _lowered(text)
    if lowered is not None:
        parts = _lowercase_split_pattern(lowered).split(lowered)
        tokens = parts[1::2]
        return parts, [fold_apostrophes(t) for t in tokens] if APOSTROPHE in lowered else tokens
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
        norms = [
            fold_apostrophes(lowered[a : a + len(s)]) for a, s in zip(starts, surfaces, strict=True)
        ]
    return TokenColumns(surfaces, norms, starts)


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text`` in order, with offsets, kind and normal form."""
    cols = token_columns(text)
    return [
        Token(start, start + len(surface), token_kind(surface), norm)
        for surface, norm, start in zip(cols.surfaces, cols.norms, cols.starts, strict=True)
    ]
