"""Cleaning: Unicode NFKC, control characters removed, whitespace normalised, paragraphs kept.

The cleaned text is the coordinate system of the warehouse: token and term offsets index it.
Paragraphs are separated by exactly one blank line (``"\\n\\n"``) and contain no other newline.
"""

from __future__ import annotations

import re
import unicodedata

PARAGRAPH_SEPARATOR = "\n\n"

# C0/C1 control characters other than tab and newline, plus the replacement of line/paragraph
# separators; carriage returns are turned into newlines first.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def clean(text: str) -> str:
    """Return the cleaned form of ``text`` (see the module docstring)."""
    return PARAGRAPH_SEPARATOR.join(paragraphs(text))


def paragraphs(text: str) -> list[str]:
    """The cleaned, non-empty paragraphs of ``text``, in order."""
    # Controls go before NFKC: removing one afterwards could bring a letter and its combining
    # mark together un-composed, and clean() would not be idempotent. NFKC maps no character to
    # a control character or a line break, so nothing needs cleaning after it.
    text = _CONTROL.sub("", _NEWLINES.sub("\n", text))
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for block in _PARAGRAPH_BREAK.split(text):
        para = " ".join(block.split())
        if para:
            out.append(para)
    return out
