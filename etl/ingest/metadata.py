"""An article's metadata (title, URL, source, author names) as the warehouse keeps it.

A record's metadata reaches ``fact_article`` as written, except for the control characters that
cleaning also removes from the article's text (:func:`etl.text.clean.without_controls`: NUL,
BEL, escape, C1 controls, …; tabs and line breaks stay), and the soft hyphens and invisible
format characters with them (:data:`etl.text.clean.INVISIBLE`: zero-width space, BOM, a
right-to-left override that would show the rest of a title backwards): a JSON ``"\\u0000"``
escape is as invisible in a title as in the body, and a soft hyphen kept in a title hid it from
``LIKE '%Bundesregierung%'``. What was removed is said in the article's ``text_repair``
note, next to a mojibake repair, so that no value changes silently. A value longer than its
limit (:data:`etl.contracts.METADATA_LIMITS`) is not cut: its record is quarantined
(``metadata_too_long``), and the detail says which field, how long, and how it starts.
"""

from __future__ import annotations

from dataclasses import replace

from etl.contracts import METADATA_LIMITS, quoted
from etl.ingest.formats.base import Record
from etl.text.clean import SEPARATORS, controls_in, without_controls


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
        if text == value:
            return value
        gone = controls_in(value)  # removed, or made spaces
        removed[field] = removed.get(field, 0) + len(gone)
        found.update(gone)
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
    codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(found - set(SEPARATORS)))
    spaced = ", ".join(f"U+{ord(c):04X}" for c in sorted(found & set(SEPARATORS)))
    which = "; ".join([*([codes] if codes else []), *([f"{spaced} made spaces"] if spaced else [])])
    note = f"control characters removed from the metadata ({which}): {counts}"
    cleaned = replace(record, title=title, url=url, source=source, authors=authors)
    return cleaned, note


def metadata_over_limit(record: Record) -> str | None:
    """The quarantine detail of the first metadata field of ``record`` longer than its limit
    (:data:`etl.contracts.METADATA_LIMITS`; the authors' names count together), or ``None``:
    the field, its length and its start (quoted as every detail quotes a value, at most
    :data:`etl.contracts.MAX_QUOTED_CHARS` characters)."""
    fields = {"title": record.title, "url": record.url, "source": record.source}
    for field, value in fields.items():
        limit = METADATA_LIMITS[field]
        if value is not None and len(value) > limit:
            over = f"{field} of {len(value)} characters is over the limit of {limit}"
            return f"{over}: {quoted(value)}"
    length = sum(len(name) for name in record.authors)
    if length > METADATA_LIMITS["authors"]:
        names = f"{len(record.authors)} name{'s' if len(record.authors) != 1 else ''}"
        return (
            f"authors of {length} characters ({names}) is over the limit of "
            f"{METADATA_LIMITS['authors']}: {quoted('; '.join(record.authors))}"
        )
    return None
