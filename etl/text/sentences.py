"""Sentence boundaries as character spans of the cleaned text.

A rule-based splitter (fast enough to run on every article): a sentence ends at ``.``, ``!``,
``?``, the Arabic ``؟``, the Urdu ``۔`` or the Devanagari ``।`` (plus closing quotes and
brackets) followed by whitespace and a plausible sentence start, unless the period ends a known
abbreviation, an initial or a dotted acronym; ``。`` ends a sentence without needing a space, and
so do ``!``, ``?`` and a single ``.`` between two Han or kana characters (cleaning is NFKC: the
full-width ``！？．`` of Chinese and Japanese text are ``!?.`` by then, and the ellipsis ``…``
is ``...``, which ends nothing there; a ``!`` or ``?`` before a closing ``」`` or ``』`` is the
quote's, as Japanese quotes with と);
the Greek question mark, ``;`` after NFKC, ends one after a Greek word (two Greek letters) when
a capital Greek letter follows (an English semicolon never does); a paragraph break always
ends one. A period after a number is an end
like any other (German ``Am 3. Oktober`` is two sentences).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from etl.text.grammar import CJK

# Abbreviations after which a period rarely ends a sentence (lowercase, without the period).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen sen rep gov lt col maj capt cmdr adm sgt cpl pvt st jr sr rev hon
    pres supt insp det messrs mt ft no nos vol vols fig figs approx dept est inc corp ltd co
    bros vs etc al cf ca jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed
    thu thur thurs fri sat sun
    """.split()
)

#: Greek letters (the Greek and Coptic block's and the polytonic ones), and the capitals among
#: them: a ``;`` between a Greek word and a capital Greek letter is the Greek question mark.
_GREEK = "\u0386\u0388-\u03ff\u1f00-\u1ffc"
_GREEK_CAPITALS = "".join(
    c
    for c in map(chr, [0x386, *range(0x388, 0x400), *range(0x1F00, 0x1FFD)])
    if unicodedata.name(c, "").startswith("GREEK CAPITAL LETTER")
)

# One leading character class, so that the regex engine skips to candidate positions quickly;
# the lookbehind then picks the rule of that character's script.
_BOUNDARY = re.compile(
    rf"""[.!?؟।॥۔;。！？](?:
          (?<=[.!?؟।॥۔])(?<![.!?؟।॥۔]{{2}})  # the first of a run of them only (linear time)
          [.!?؟।॥۔]*+["'”’»)\]]*+(?=\s+["'“‘«„(\[]?[^\W_a-z]|\s*$)  # capital/digit next
        | (?<=[{CJK}][!?])[!?]*[”’"')\]]*(?=[{CJK}])  # CJK, its ！？ made !? by NFKC; not 「…！」と
        | (?<=[{CJK}]\.)(?P<cjk_dot>)(?=[{CJK}])  # and its ．, alone (NFKC writes … as ...)
        | (?<=[{_GREEK}]{{2}};)["”’»)]*(?=\s+["“«(]?[{_GREEK_CAPITALS}])  # Greek question mark
        | (?<=[。！？])[。！？]*[」』”’)）]*  # CJK: no space needed
        )""",
    re.VERBOSE,
)
#: The word before a period, read backwards from it: word characters and periods, up to the
#: furthest letter. Matched on the reversed 20 characters before the period, it finds the word
#: ``([^\W\d_][\w.]*)\.$`` finds searched forward in them (the leftmost start), with one match
#: instead of an attempt at each of the 20 positions.
_WORD_BACKWARDS = re.compile(r"[\w.]*[^\W\d_]")


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` closes an abbreviation, an initial or a dotted acronym."""
    match = _WORD_BACKWARDS.match(text[max(0, dot - 20) : dot][::-1])
    if not match:
        return False
    word = text[dot - match.end() : dot]
    if "." in word:  # U.S., e.g., a.m.
        return True
    if len(word) == 1 and word.isupper():  # an initial: "George W. Bush"
        return True
    return word.lower() in ABBREVIATIONS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` spans of the sentences of cleaned ``text``; they never overlap and every
    non-space character belongs to exactly one span."""
    return [_trim(text, start, end) for start, end in _segments(text)]


def sentence_count(text: str) -> int:
    """The number of sentences of cleaned ``text`` (``len(sentence_spans(text))``, cheaper)."""
    return sum(1 for _ in _segments(text))


def _segments(text: str) -> Iterator[tuple[int, int]]:
    """Untrimmed spans of the sentences, each with some non-space character, in order."""
    para_start = 0
    length = len(text)
    while para_start < length:
        para_end = text.find("\n\n", para_start)
        if para_end == -1:
            para_end = length
        start = para_start
        for match in _BOUNDARY.finditer(text, para_start, para_end):
            first = match.start()
            if (
                text[first] == "."
                and match["cjk_dot"] is None  # Han and kana are \w: no abbreviation there
                and text[first : first + 3] != "..."
                and _is_abbreviation(text, first)
            ):
                continue
            end = match.end()
            if text[start:end].strip():
                yield start, end
            start = end
        if text[start:para_end].strip():
            yield start, para_end
        para_start = para_end + 2


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
