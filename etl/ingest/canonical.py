"""The canonical raw text format: ``' date 2021-04-07 <body>'`` with blank-line paragraphs.

A ``titled`` landing zone (e.g. the BBC corpus) instead starts with a headline line followed by a
blank line. Both may carry the date header; both may lack it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from etl.contracts import quoted

# White space (or none: blank lines too), the word "date", white space on its line, a date-like
# token (it starts with a digit, so a headline or body that opens with the word "Date" is not a
# header), then the body after white space on the line, a line break (LF, CRLF or CR) or the
# end. White space is any (a no-break space, an ideographic space): with only spaces and tabs,
# "date 2021-04-07\u00a0Body" and a header after a blank line were no header, and the file was
# dated by its folder or the run, its header line the start of its body.
_HEADER = re.compile(r"\A\s*date[^\S\r\n]+(\d\S*)(?:[^\S\r\n]+|\r\n?|\n|\Z)", re.IGNORECASE)
_ISO_DATE = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})\Z", re.ASCII)  # no "\n" or non-ASCII digits


class BadDateError(ValueError):
    """The file has a date header whose value is not a valid ISO date."""


@dataclass(frozen=True)
class ParsedText:
    """A raw document split into its parts."""

    body: str
    header_date: date | None
    title: str | None = None


def parse_iso_date(value: str) -> date:
    """Parse ``YYYY-MM-DD`` strictly; raise :class:`BadDateError` otherwise."""
    match = _ISO_DATE.match(value)
    if not match:
        raise BadDateError(f"date header {quoted(value)} is not YYYY-MM-DD")
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise BadDateError(f"date header {quoted(value)} is not a calendar date: {exc}") from exc


def parse_txt(text: str, layout: str = "canonical") -> ParsedText:
    """Split decoded text into header date, optional title (``layout='titled'``) and body."""
    header_date: date | None = None
    match = _HEADER.match(text)
    if match:
        header_date = parse_iso_date(match[1])
        text = text[match.end() :]
    title: str | None = None
    if layout == "titled":
        # every blank line before the headline: one of a no-break or ideographic space, or a
        # form feed, is blank too (it made the file untitled, the headline part of the body)
        stripped = text.lstrip()
        first, sep, rest = stripped.partition("\n")
        if sep and first.strip():
            title, text = first.strip(), rest
    return ParsedText(body=text, header_date=header_date, title=title)
