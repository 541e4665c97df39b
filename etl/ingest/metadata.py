"""An article's metadata (title, URL, source, author names) as the warehouse keeps it.

A record's metadata reaches ``fact_article`` as written, except for the control characters that
cleaning also removes from the article's text (:func:`etl.text.clean.without_controls`: NUL,
BEL, escape, C1 controls, …; tabs and line breaks stay): a JSON ``"\\u0000"`` escape is as
invisible in a title as in the body. What was removed is said in the article's ``text_repair``
note, next to a mojibake repair, so that no value changes silently.
"""

from __future__ import annotations

from dataclasses import replace

from etl.ingest.formats.base import Record
from etl.text.clean import without_controls


def clean_metadata(record: Record) -> tuple[Record, str | None]:
    """``record`` with the control characters removed from its title, URL, source and author
    names, and a note of what was removed (``None`` when nothing was). A value left empty is
    no value (``None``; an author name left empty is no name), and one that had control
    characters is stripped again, as the readers strip every value."""
    removed: dict[str, int] = {}
    found: set[str] = set()

    def kept(field: str, value: str | None) -> str | None:
        if value is None:
            return None
        text = without_controls(value)
        if len(text) == len(value):
            return value
        removed[field] = removed.get(field, 0) + len(value) - len(text)
        found.update(set(value) - set(text))
        return text.strip() or None

    title, url, source = (
        kept("title", record.title),
        kept("url", record.url),
        kept("source", record.source),
    )
    authors = tuple(n for n in (kept("authors", name) for name in record.authors) if n)
    if not removed:
        return record, None
    counts = ", ".join(f"{n} from the {field}" for field, n in removed.items())
    codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(found))
    note = f"control characters removed from the metadata ({codes}): {counts}"
    cleaned = replace(record, title=title, url=url, source=source, authors=authors)
    return cleaned, note
