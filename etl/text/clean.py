"""Cleaning: Unicode NFKC, control characters, invisible format characters and soft hyphens
removed, whitespace normalised, paragraphs kept.

A soft hyphen (U+00AD) is a hyphenation hint that shows nothing inside a line: news sites put
them in long words (``Bundes\\xadregierung``), and kept they split the word into two terms that
neither search nor a phrase would find as the word is read. Cleaning removes them, and so the
other characters that take no room and show nothing (:data:`INVISIBLE`): a zero-width space in
``b\\u200bomb`` made it the terms ``b`` and ``omb``, hiding the word from ``search('bomb')``, and
a right-to-left override (U+202E) made the text after it show backwards. The zero-width joiner
and non-joiner stay: Persian, the Indic scripts and emoji need them.

The cleaned text is the coordinate system of the warehouse: token and term offsets index it.
Paragraphs are separated by exactly one blank line (``"\\n\\n"``) and contain no other newline.
"""

from __future__ import annotations

import re
import unicodedata

PARAGRAPH_SEPARATOR = "\n\n"
#: A hyphenation hint, invisible unless a line breaks there: cleaning removes it.
SOFT_HYPHEN = "\u00ad"

#: Format characters (Unicode category Cf) that take no room and show nothing, removed with the
#: control characters: the zero-width space, the word joiner and the invisible operators
#: (U+2060-4), the zero-width no-break space (U+FEFF, a byte-order mark inside the text), the
#: bidirectional marks, embeddings, overrides and isolates (Unicode's Bidi_Control: ALM, LRM,
#: RLM, U+202A-E, U+2066-9) and the deprecated format controls (U+206A-F). NFKC maps no character
#: to one of them, so removing them before it keeps cleaning idempotent.
INVISIBLE = (
    "\u200b\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    "\u206a\u206b\u206c\u206d\u206e\u206f"
)

#: Control characters that are white space (``str.isspace``) but no line break: the vertical
#: tab, the form feed and the information separators U+001C-F. Cleaning makes each a space: it
#: used to delete them, and ``Minister\\fSergei`` became the term ``ministersergei``.
SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x1f"

# C0/C1 control characters other than tab, the line breaks (LF, CR) and NEL (U+0085, a line
# break: the body turns it and carriage returns into newlines first), plus the replacement of
# line/paragraph separators; the soft hyphen and the invisible format characters; and the
# separators, which become spaces (_space_or_nothing).
_CONTROL = re.compile(
    f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x84\\x86-\\x9f{SOFT_HYPHEN}{INVISIBLE}]"
)
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")


def clean(text: str) -> str:
    """Return the cleaned form of ``text`` (see the module docstring)."""
    return PARAGRAPH_SEPARATOR.join(paragraphs(text))


#: ASCII control characters as bytes, for the fast test of plain-ASCII text.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
#: Marks a paragraph break while whitespace is collapsed; control characters are gone by then.
_BREAK = "\x00"


def paragraphs(text: str) -> list[str]:
    """The cleaned, non-empty paragraphs of ``text``, in order."""
    # Controls go before NFKC: removing one afterwards could bring a letter and its combining
    # mark together un-composed, and clean() would not be idempotent. NFKC maps no character to
    # a control character or a line break, so nothing needs cleaning after it.
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        text = _NEWLINES.sub("\n", text)  # (the test first is much cheaper than the pass)
    text = without_controls(text)
    text = unicodedata.normalize("NFKC", text)
    if _already_clean(text):  # most news text: nothing to collapse, a few fast C-level tests
        return text.split(PARAGRAPH_SEPARATOR) if text else []
    return _collapsed_paragraphs(text)


def _collapsed_paragraphs(text: str) -> list[str]:
    """The paragraphs of ``text`` (without controls, NFKC) with whitespace collapsed."""
    # Whitespace is collapsed over the whole text at once (one C-level split and join), with
    # each paragraph break held by a marker that is not whitespace.
    flat = " ".join(_PARAGRAPH_BREAK.sub(_BREAK, text).split())
    if _BREAK not in flat:
        return [flat] if flat else []
    return [p for p in (block.strip(" ") for block in flat.split(_BREAK)) if p]


#: Whitespace other than the space and the line feed.
_OTHER_SPACE = re.compile(r"[^\S \n]")


def _already_clean(text: str) -> bool:
    """Whether ``text`` (without controls, NFKC) is already laid out as :func:`clean` lays it out:
    single spaces inside paragraphs, paragraphs apart by exactly one blank line, no whitespace at
    either end, no other whitespace character. Then its paragraphs are ``text.split("\\n\\n")``.
    """
    # With each paragraph break made a space, any other line break, a space next to a break, a
    # break at either end or a longer run of blank lines shows up as "\n" or a doubled space.
    flat = text.replace(PARAGRAPH_SEPARATOR, " ")
    if "\n" in flat or "  " in flat or flat[:1] == " " or flat[-1:] == " ":
        return False
    if flat.isascii():
        return "\t" not in flat and "\x0b" not in flat and "\x0c" not in flat
    return _OTHER_SPACE.search(flat) is None


def without_controls(text: str) -> str:
    """``text`` without C0/C1 control characters other than tab and line breaks (LF, CR, NEL;
    the vertical tab, form feed and U+001C-F become spaces: :data:`SEPARATORS`), and without
    soft hyphens and the invisible format characters (:data:`INVISIBLE`): what
    cleaning removes from an article's text, and ingest from its metadata (since text-6: a soft
    hyphen in ``Bundes\\xadregierung`` hid a title from ``LIKE '%Bundesregierung%'``)."""
    if text.isascii():  # bytes.translate deletes from a table: much faster than a regex pass
        raw = text.encode("ascii")
        if len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
            return text
    return _CONTROL.sub(_space_or_nothing, text)


def controls_in(text: str) -> list[str]:
    """The characters of ``text`` that :func:`without_controls` removes or makes spaces, in
    order (each occurrence)."""
    return _CONTROL.findall(text)


def _space_or_nothing(match: re.Match[str]) -> str:
    """A space for a separator (:data:`SEPARATORS`), nothing for any other control character."""
    return " " if match[0] in SEPARATORS else ""
