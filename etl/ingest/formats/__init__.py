"""Format adapters behind one interface, chosen by file extension and, failing that, sniffing.

Each adapter is a function ``(text, layout) -> list[Record | RecordError]`` (see
:mod:`etl.ingest.formats.base`). A ``.gz`` suffix is stripped before choosing (the reader
decompresses first). :data:`FORMATS` declares each format once (its adapter, suffixes, whether a
file holds many articles, its line ending when its records are lines, and where the dates its
records give come from); the other tables here derive from it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from etl.contracts import DateSource
from etl.ingest.formats.base import Adapter, Parsed, Record, RecordError
from etl.ingest.formats.csvdump import parse_csv
from etl.ingest.formats.html import parse_html
from etl.ingest.formats.jsonl import LINE_BREAK, parse_json, parse_jsonl
from etl.ingest.formats.txt import parse_text_file
from etl.ingest.landing import is_gzip

__all__ = [
    "ADAPTERS",
    "FORMATS",
    "LINE_RECORDS",
    "MULTI_RECORD_FORMATS",
    "RECORD_DATE_SOURCE",
    "Adapter",
    "InputFormat",
    "Parsed",
    "Record",
    "RecordError",
    "choose_format",
]


@dataclass(frozen=True)
class InputFormat:
    """One input format (``source_format``, without ``.gz``) and what the reader needs of it."""

    name: str
    adapter: Adapter
    suffixes: tuple[str, ...]  # lowercase, with the dot ("": no extension, sniffed first)
    multi_record: bool  # its files hold many articles, never deferred to another day's run
    #: the line ending of a format whose records are lines (``None``: its records are not): a
    #: JSON document that does not read as one is read as JSON lines (see
    #: :func:`etl.ingest.formats.jsonl.parse_json`)
    line_break: re.Pattern[str] | None
    date_source: DateSource  # of a date its records give themselves (a header, metadata)


TXT = InputFormat("txt", parse_text_file, (".txt", ".text", ""), False, None, DateSource.HEADER)
JSONL = InputFormat(
    "jsonl", parse_jsonl, (".jsonl", ".ndjson"), True, LINE_BREAK, DateSource.METADATA
)
JSON = InputFormat("json", parse_json, (".json",), True, LINE_BREAK, DateSource.METADATA)
CSV = InputFormat("csv", parse_csv, (".csv",), True, None, DateSource.METADATA)
HTML = InputFormat(
    "html", parse_html, (".html", ".htm", ".xhtml"), False, None, DateSource.METADATA
)
#: Every format the ingest stage reads.
FORMATS: tuple[InputFormat, ...] = (TXT, JSONL, JSON, CSV, HTML)

ADAPTERS: dict[str, Adapter] = {f.name: f.adapter for f in FORMATS}
#: The line ending of each format whose records are lines.
LINE_RECORDS = {f.name: f.line_break for f in FORMATS if f.line_break is not None}
#: Formats whose files hold many articles; their records are never deferred to another day.
MULTI_RECORD_FORMATS = frozenset(f.name for f in FORMATS if f.multi_record)
#: Where a record's own date comes from, by format (a .txt header, else the metadata).
RECORD_DATE_SOURCE: dict[str, DateSource] = {f.name: f.date_source for f in FORMATS}
_BY_SUFFIX = {suffix: f.name for f in FORMATS for suffix in f.suffixes}


def _suffix(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    if is_gzip(base):
        base = base[:-3]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


#: Characters after leading whitespace where an HTML root (``<html`` after a doctype, a comment
#: or an XML declaration) must appear for a file to be sniffed as HTML.
SNIFF_CHARS = 200


def sniff(head: str) -> str | None:
    """The format that decoded text starting with ``head`` looks like, if it is recognisable."""
    start = head.lstrip()[:SNIFF_CHARS].lower()
    # ("<html" anywhere in the window covers a page that starts with it.)
    if start.startswith(("<!doctype html", "<?xml")) or "<html" in start:
        return HTML.name
    if not _JSON_START.match(start):
        return None
    if start.startswith("["):
        return JSON.name if _json_list(head) else None
    lines = "}\n{" in head.replace("\r", "") or head.count("\n") > 1
    return JSONL.name if lines else JSON.name


#: How JSON begins: an object with a field name (or empty), or a list whose first item starts
#: like a JSON value. A text that opens with a bracket, ``[Updated 14:00 GMT]`` or
#: ``{Corrected}``, was taken for JSON and quarantined as ``malformed_json``.
_JSON_START = re.compile(r'\{\s*["}]|\[\s*(?:[{\[\]"0-9-]|true\b|false\b|null\b)')


def _json_list(head: str) -> bool:
    """Whether ``head``, which opens like a JSON list, is one: a list that parses and has
    nothing but white space after it, or one that does not parse at all (cut off by the sniffing
    window, or broken: its reader says where). ``[2021] A year in review`` is text."""
    text = head.lstrip()
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return True
    return not text[end:].strip()


def choose_format(name: str, head: str) -> str | None:
    """The adapter name for a file, by extension; files without one are sniffed (else ``txt``)."""
    suffix = _suffix(name)
    if suffix == "":
        return sniff(head) or TXT.name
    return _BY_SUFFIX.get(suffix)
