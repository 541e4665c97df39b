"""The token grammar in one table: each alternative's name, its body for Python's ``re``, its
body for Rust's ``regex`` (through Polars), and when it applies.

:mod:`etl.text.tokenize` compiles the Python bodies (the reference), :mod:`etl.text.compiled_scan`
the Rust ones; both take their alternatives from :func:`applicable`, so the two scanners cannot
prune differently, and an alternative is added, removed or reordered in one place.

A Rust body is a template whose ``{names}`` are character classes that
:mod:`etl.text.compiled_scan` writes out code point by code point from Python's own ``\\w``,
``\\d`` and ``\\s`` (see there for why the two spellings give the same tokens).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from etl.text._marks import MARKS

# Scripts written without spaces between words: every Han ideograph (with 々〆〇) and every
# hiragana is a token of its own; a katakana run (mostly a loanword, with its ー) stays whole.
# Hangul is written with spaces and is an ordinary word character.
HAN = "\u3005-\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HIRAGANA = "\u3041-\u309f"
KATAKANA = "\u30a0-\u30ff\u31f0-\u31ff"
CJK = HAN + HIRAGANA + KATAKANA
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
#: CJK symbols and punctuation (。、「」『』 and the ideographic space) and the full-width and
#: half-width forms; cleaning's NFKC turns most of the latter into ASCII (！ is !), not all.
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
#: What a URL or an e-mail address as written in running text cannot contain: Chinese,
#: Japanese and Korean are written without a space before or after one (请访问https://www.gov.cn
#: 了解详情, info@example.com으로), so the address ends at their first character. Up to text-14
#: the URL ran on to the next space, taking the rest of the paragraph with it, and the
#: e-mail address (``\w``) took the Han characters on both sides. Letters of other scripts
#: (de.wikipedia.org/wiki/Köln, a Cyrillic path) stay inside.
NOT_IN_ADDRESS = CJK + HANGUL + CJK_PUNCTUATION
#: A URL also ends before a guillemet (French «https://www.gouv.fr/plan», text-15).
URL_STOPS = NOT_IN_ADDRESS + "«»‹›"
#: A URL does not end with trailing punctuation, nor (since text-15) with an opening bracket:
#: NFKC makes the full-width （ of https://www.gov.cn（官网） an ASCII (, left before the 官.
URL_NOT_LAST = ".,;:!?()[]'"

# Python's ``re`` counts letters and digits as \w but not combining marks: add them, so
# Devanagari, Thai or Arabic words are not cut at every vowel sign. CJK characters are word
# characters for ``re`` but are segmented by the ``cjk`` alternative instead. Possessive
# quantifiers keep every alternative linear in the token's length.
#: A word starts with a letter or digit, not a mark: up to session 38 a run of marks alone was a
#: word, so the emoji presentation selector U+FE0F after a heart (❤️) was an invisible "word"
#: that topped the rankings (probe). Marks after a symbol belong to it (the ``other``
#: alternative): ❤️ is one symbol.
LETTERS_RUN = f"[^\\W{CJK}]++(?:[^\\W{CJK}]++|[{MARKS}]++)*+"
#: The zero-width non-joiner and joiner (U+200C, U+200D): between two letters they are part of
#: the word (Persian writes "I want" می‌خواهم with a non-joiner, Devanagari and Malayalam shape
#: conjuncts with both). Up to session 29 they cut the word in three: two words and a symbol.
#: Elsewhere (at a word's edge, between emoji) each is a symbol of its own, as before.
JOINERS = "\u200c\u200d"
WORD_RUN = f"{LETTERS_RUN}(?:[{JOINERS}]++{LETTERS_RUN})*+"
#: Plain-ASCII text has neither combining marks nor CJK: its word pattern is a bare \w run.
ASCII_WORD_RUN = "\\w++"

#: A character of an e-mail address's local part (before the ``@``).
EMAIL_LOCAL = rf"(?:[^\W{NOT_IN_ADDRESS}]|[.%+\-])"
#: A letter of a dotted acronym (``u.s.``): a word character that is not a digit or ``_``.
LETTER = r"[^\W\d_]"
# Every alternative must stay linear in the length of a run, however often a token starts
# inside it. Up to session 48 two did not: from every token start inside a long run of
# address characters (``a.a.a…``, ``a+a+…``, ``news.news.…``) the e-mail alternative read the
# local part to the run's end, and from every letter of a long ``a.a.a…`` the acronym
# alternative read the rest of the run, so such a text took time quadratic in its length
# (50 s for 50,000 characters; probe). Now the full, unbounded loop runs only where a run
# starts (the look-behinds); inside a run, where the scan only arrives after a token that
# ended there, the loop is bounded:
#: at most this many characters of a local part after a start inside a run of address
#: characters (RFC 5321 allows 64). A longer local part is still an address where its run
#: starts, as every real one does; only one that starts right after a token ending inside the
#: run (a word with an apostrophe: "o'neil." + 70 letters + "@x.org", up to session 48
#: "o'neil" and ".aaa…@x.org") is no longer an address: "o'neil", ".", "aaa…", "@", "x", … .
LOCAL_MAX = 64
#: at most this many ``.x`` after an acronym's first letter when the letter comes right after
#: dot, letter, dot (inside a run; after ``economy.`` as in ``economy.u.s.`` the loop is the
#: full one), with no letter after its final dot (a bounded match must not end inside a
#: longer run). Only an acronym of more than 21 letters that comes right after an
#: address ending in letter-dot and starts with a CJK or Hangul letter
#: (``x@y.org.中.…``) is now cut; anywhere else a run started inside such a chain could not
#: have ended with the dot (the token before would have taken it), as before.
ACRONYM_MAX = 20

#: When an alternative can match: always; only in text with an ``@``; only in text with
#: ``://`` or ``www.``; only in text that is not pure ASCII.
When = Literal["always", "has_at", "has_url", "not_ascii"]


@dataclass(frozen=True)
class Alternative:
    """One token alternative of the grammar."""

    name: str
    python: str
    rust: str
    when: When


#: The grammar, in match order (the first alternative that matches at a position wins).
GRAMMAR: tuple[Alternative, ...] = (
    Alternative(
        "url",
        rf"(?i:https?://|www\.)[^\s<>\"“”‘’{URL_STOPS}]*(?<![{re.escape(URL_NOT_LAST)}])",
        # the look-behind becomes "the last character is not trailing punctuation"
        "(?i:https?://(?:{url_tail})?|www\\.{url_tail})",
        "has_url",
    ),
    Alternative(
        "email",
        rf"(?:(?<!{EMAIL_LOCAL}){EMAIL_LOCAL}++|(?<={EMAIL_LOCAL}){EMAIL_LOCAL}{{1,{LOCAL_MAX}}}+)"
        rf"@(?:[^\W{NOT_IN_ADDRESS}]|-)++(?:\.(?:[^\W{NOT_IN_ADDRESS}]|-)++)++",
        # bounded: texts where the bound could matter go to ``re`` (compiled_scan.needs_re)
        f"{{email_local}}{{{{1,{LOCAL_MAX}}}}}@{{email_part}}+(?:\\.{{email_part}}+)+",
        "has_at",
    ),
    Alternative(
        "acronym",
        rf"(?<!\.{LETTER}\.){LETTER}(?:\.{LETTER})++\."
        rf"|(?<=\.{LETTER}\.){LETTER}(?:\.{LETTER}){{1,{ACRONYM_MAX}}}+\.(?!{LETTER})",
        "{letter}(?:\\.{letter})+\\.",
        "always",
    ),
    Alternative(
        "number",
        rf"\d++(?:[.,:/]\d++)*+(?:{WORD_RUN})?+",
        "{digit}+(?:[.,:/]{digit}+)*(?:{word_run})?",
        "always",
    ),
    Alternative(
        "word",
        rf"{WORD_RUN}(?:['’\-]{WORD_RUN})*+",
        "{word_run}(?:['’\\-]{word_run})*",
        "always",
    ),
    Alternative(
        "cjk",
        f"[{KATAKANA}]++|[{HAN}{HIRAGANA}]",
        "{katakana}+|{han_hiragana}",
        "not_ascii",
    ),
    Alternative(
        "other",
        rf"\.\.\.|[^\w\s][{MARKS}]*+",
        "\\.\\.\\.|{other_char}{marks_tail}",
        "always",
    ),
)


def applicable(has_at: bool, has_url: bool, ascii_only: bool) -> tuple[Alternative, ...]:
    """The alternatives that can match in a text with these traits, in grammar order.

    Dropping the others (no ``@``: no e-mail; no ``://``/``www.``: no URL; pure ASCII: no CJK)
    cannot change the tokens, because a dropped alternative could not match anywhere, and it
    makes the scan much faster on typical news text.
    """
    holds = {"always": True, "has_at": has_at, "has_url": has_url, "not_ascii": not ascii_only}
    return tuple(alt for alt in GRAMMAR if holds[alt.when])
