"""Plain-text articles: the canonical layout, or ``titled`` (a headline line, then the body)."""

from __future__ import annotations

from etl.ingest.canonical import BadDateError, parse_txt
from etl.ingest.formats.base import Parsed, Record, RecordError


def parse_text_file(text: str, layout: str) -> list[Parsed]:
    """One article per file: date header (optional), title (``titled`` layout), body."""
    try:
        parsed = parse_txt(text, layout)
    except BadDateError as exc:
        return [RecordError(None, "bad_date", str(exc))]
    if not parsed.body.strip():
        # (a file of white space alone is ``empty`` before it gets here)
        has = "a date header" if parsed.header_date else "a headline"
        return [RecordError(None, "no_text", f"the file has {has} but no body text")]
    return [Record(body=parsed.body, title=parsed.title, published=parsed.header_date)]
