"""The token grammar run by a compiled automaton: Rust's ``regex`` engine, through Polars.

Python's ``re`` is a backtracking interpreter that builds a ``str`` object per token; Polars'
``str.extract_all`` runs Rust's ``regex`` crate (a lazy DFA) over a whole batch of texts and
leaves the tokens in Arrow memory, where Arrow encodes them
(:func:`etl.text.tokenize.scan_from_tokens`). It is about twice as fast as ``findall`` on news
text.

The grammar is :mod:`etl.text.tokenize`'s, spelled in the syntax the Rust engine accepts, and
gives the same tokens (tests compare the two on the corpora and on generated text):

* character classes are written out code point by code point from Python's own definitions
  (``\\w`` is ``str.isalnum`` or ``_``, ``\\d`` is ``str.isdecimal``, ``\\s`` is ``str.isspace``:
  a test checks every code point against ``re``), so both engines agree on what a letter, digit
  or space is whatever Unicode version each was built with;
* possessive quantifiers are dropped: in every alternative but one nothing mandatory follows a
  possessive loop, so the greedy first try of a backtracking-order engine is the match, which is
  what the possessive loop keeps;
* the URL's look-behind (no trailing punctuation) becomes "the URL's last character is not
  trailing punctuation", which is the match the look-behind backtracks to;
* the exception is the acronym (``u.s.``): possessive, it gives up on ``u.s.a`` (then ``u``,
  ``.``, ``s``, … are tokens), where a leftmost-first engine without possessives matches
  ``u.s.``. They can only differ where a letter, a dot, a letter, a dot and a letter follow each
  other; :func:`needs_re` finds the texts with such a run, and ``re`` scans those (so the
  acronym's look-arounds in ``re`` need no Rust spelling);
* the e-mail local part is bounded to :data:`~etl.text.grammar.LOCAL_MAX` characters here
  (without it the automaton, restarted at every token inside a long run of address characters,
  read each time to the run's end: quadratic), where ``re`` takes a longer one at the start of a
  run. They can only differ where more than that many address characters come right before an
  ``@``; :func:`needs_re` sends those texts to ``re`` too.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Sequence
from functools import cache
from types import ModuleType

import numpy as np
import pyarrow as pa

from etl.cache import cached_arrays
from etl.text._marks import MARKS
from etl.text.grammar import (
    CJK,
    HAN,
    HIRAGANA,
    JOINERS,
    KATAKANA,
    LOCAL_MAX,
    NOT_IN_ADDRESS,
    URL_NOT_LAST,
    URL_STOPS,
    applicable,
)

_CODE_POINTS = 0x110000
_SURROGATES = slice(0xD800, 0xE000)


@cache
def _python_classes() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Masks over all code points of ``re``'s ``\\w``, ``\\d`` and ``\\s`` (for ``str`` patterns).

    ``sre`` defines them by the same predicates as ``str.isalnum``, ``str.isdecimal`` and
    ``str.isspace`` (``\\w`` adds ``_``). Building them takes a few tenths of a second, so they
    are kept in the cross-process cache (:mod:`etl.cache`), keyed by the Python build and its
    Unicode version.
    """
    inputs = {"python": sys.version, "unicode": unicodedata.unidata_version, "layout": 1}
    masks = cached_arrays("python-re-classes", inputs, _build_python_classes)
    return masks["word"], masks["digit"], masks["space"]


def _build_python_classes() -> dict[str, np.ndarray]:
    chars = list(map(chr, range(_CODE_POINTS)))
    word = np.fromiter(map(str.isalnum, chars), dtype=bool, count=_CODE_POINTS)
    word[ord("_")] = True
    digit = np.fromiter(map(str.isdecimal, chars), dtype=bool, count=_CODE_POINTS)
    space = np.fromiter(map(str.isspace, chars), dtype=bool, count=_CODE_POINTS)
    return {"word": word, "digit": digit, "space": space}


def _ranges_mask(ranges: str) -> np.ndarray:
    """The mask of a regex class body made of characters and ``a-b`` ranges (no escapes)."""
    mask = np.zeros(_CODE_POINTS, dtype=bool)
    i = 0
    while i < len(ranges):
        if i + 2 < len(ranges) and ranges[i + 1] == "-":
            mask[ord(ranges[i]) : ord(ranges[i + 2]) + 1] = True
            i += 3
        else:
            mask[ord(ranges[i])] = True
            i += 1
    return mask


def _chars(chars: str) -> np.ndarray:
    mask = np.zeros(_CODE_POINTS, dtype=bool)
    mask[[ord(c) for c in chars]] = True
    return mask


def rust_class(mask: np.ndarray, ascii_only: bool = False) -> str:
    """A Rust-regex character class of the code points in ``mask`` (empty string if none).

    Every code point is written as ``\\x{…}``, so no character needs escaping. With
    ``ascii_only`` the class keeps only its ASCII part: exact for text that is all ASCII.
    """
    mask = mask.copy()
    mask[_SURROGATES] = False  # not in UTF-8 text, and not valid in a Rust class
    if ascii_only:
        mask[128:] = False
    points = np.flatnonzero(mask)
    if not len(points):
        return ""
    breaks = np.flatnonzero(np.diff(points) != 1)
    firsts = [points[0], *points[breaks + 1]]
    lasts = [*points[breaks], points[-1]]
    body = "".join(
        f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}"
        for a, b in zip(firsts, lasts, strict=True)
    )
    return f"[{body}]"


@cache
def token_pattern(has_at: bool, has_url: bool, ascii_only: bool) -> str:
    """The token grammar for lowercase text in Rust-regex syntax (see the module docstring).

    Its alternatives are :mod:`etl.text.grammar`'s Rust bodies, pruned by the same
    :func:`etl.text.grammar.applicable` as the ``re`` patterns.
    """
    word, digit, space = _python_classes()

    def cls(mask: np.ndarray) -> str:
        return rust_class(mask, ascii_only)

    word_start = cls(word & ~_ranges_mask(CJK))  # grammar's [^\W{CJK}]
    word_chars = cls((word & ~_ranges_mask(CJK)) | _ranges_mask(MARKS))
    letters_run = f"{word_start}{word_chars}*"  # grammar.LETTERS_RUN: not a mark first
    # a joiner between two letters is part of the word (grammar.JOINERS); none in ASCII text
    joined = "" if ascii_only else f"(?:{cls(_ranges_mask(JOINERS))}+{letters_run})*"
    url_char = ~space & ~_chars('<>"“”‘’') & ~_ranges_mask(URL_STOPS)
    address_word = word & ~_ranges_mask(NOT_IN_ADDRESS)  # grammar's [^\W{NOT_IN_ADDRESS}]
    url_end = url_char & ~_chars(URL_NOT_LAST)  # a URL does not end with trailing punctuation
    classes = {
        "letter": cls(word & ~digit & ~_chars("_")),
        "digit": cls(digit),
        "word_run": f"{letters_run}{joined}",
        "url_tail": f"{cls(url_char)}*{cls(url_end)}",
        "email_local": cls(address_word | _chars(".%+-")),
        "email_part": cls(address_word | _chars("-")),
        "katakana": cls(_ranges_mask(KATAKANA)),
        "han_hiragana": cls(_ranges_mask(HAN + HIRAGANA)),
        "other_char": cls(~word & ~space),
        # marks after a symbol belong to it (grammar's "other"); none in ASCII text
        "marks_tail": f"{marks}*" if (marks := cls(_ranges_mask(MARKS))) else "",
    }
    return "|".join(alt.rust.format(**classes) for alt in applicable(has_at, has_url, ascii_only))


@cache
def _acronym_risk() -> str:
    """The first run where the two grammars can differ: letter, dot, letter, dot, letter (the
    acronym)."""
    word, digit, _ = _python_classes()
    letter = rust_class(word & ~digit & ~_chars("_"))
    return f"{letter}\\.{letter}\\.{letter}"


@cache
def _address_risk() -> str:
    """The second: more than :data:`~etl.text.grammar.LOCAL_MAX` address characters right before
    an ``@`` (the bounded e-mail local part). The counted repetition makes a large automaton, ten
    times slower than the acronym's, so :func:`needs_re` runs it only over texts with an ``@``."""
    word, _, _ = _python_classes()
    local = rust_class((word & ~_ranges_mask(NOT_IN_ADDRESS)) | _chars(".%+-"))
    return f"{local}{{{LOCAL_MAX + 1}}}@"


@cache
def _polars() -> ModuleType:
    """Polars, imported on first use (~0.1 s; a process that only validates or loads, such as
    the run's GX helper, never needs it). It sizes its thread pool when it is first imported: a
    text-stage process works on one batch at a time, and the scans here are single-threaded
    anyway."""
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    import polars as pl

    return pl


def needs_re(lowered: Sequence[str]) -> np.ndarray:
    """For each lowercase text, whether it must be scanned by ``re`` (see the module docstring)."""
    pl = _polars()
    texts = pl.Series(lowered, dtype=pl.String)
    found: np.ndarray = texts.str.contains(_acronym_risk()).to_numpy().astype(bool)
    has_at = texts.str.contains("@", literal=True).to_numpy().astype(bool)
    if has_at.any():
        with_at = texts.filter(pl.Series(has_at))
        found[has_at] |= with_at.str.contains(_address_risk()).to_numpy().astype(bool)
    return found


#: The Arrow type of a batch's tokens, one list per text.
TOKEN_LISTS = pa.large_list(pa.large_string())


def compiled_token_lists(lowered: Sequence[str]) -> pa.Array:
    """The tokens of each lowercase, NFKC-normal text (a list per text, :data:`TOKEN_LISTS`),
    equal to :func:`etl.text.tokenize.lowercase_tokens` of each.

    The caller leaves out the texts for which :func:`needs_re` is true. One pattern serves all
    the texts, so grouping ASCII texts apart from the others lets those use the ASCII pattern.
    """
    joined = "\n".join(lowered)
    has_url = "://" in joined or "www." in joined
    pattern = token_pattern("@" in joined, has_url, joined.isascii())
    pl = _polars()
    lists = pl.Series(lowered, dtype=pl.String).str.extract_all(pattern).to_arrow()
    if isinstance(lists, pa.ChunkedArray):
        lists = lists.combine_chunks()
    return lists.cast(TOKEN_LISTS)
