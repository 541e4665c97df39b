"""Format adapters behind one interface, chosen by file extension and, failing that, sniffing.

Each adapter is a function ``(text, layout) -> list[Record | RecordError]`` (see
:mod:`etl.ingest.formats.base`). A ``.gz`` suffix is stripped before choosing (the reader
decompresses first).
"""

from __future__ import annotations

import json
import re

from etl.ingest.formats.base import Adapter, Parsed, Record, RecordError
from etl.ingest.formats.csvdump import parse_csv
from etl.ingest.formats.html import parse_html
from etl.ingest.formats.jsonl import LINE_BREAK, parse_json, parse_jsonl
from etl.ingest.formats.txt import parse_text_file
from etl.ingest.landing import is_gzip

__all__ = [
    "ADAPTERS",
    "LINE_RECORDS",
    "Adapter",
    "Parsed",
    "Record",
    "RecordError",
    "choose_format",
]

ADAPTERS: dict[str, Adapter] = {
    "txt": parse_text_file,
    "jsonl": parse_jsonl,
    "json": parse_json,
    "csv": parse_csv,
    "html": parse_html,
}

#: The line ending of each format whose records are lines: a JSON document that does not read
#: as one is read as JSON lines (see :func:`etl.ingest.formats.jsonl.parse_json`).
LINE_RECORDS = {"jsonl": LINE_BREAK, "json": LINE_BREAK}

_BY_SUFFIX = {
    ".txt": "txt",
    ".text": "txt",
    "": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


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
        return "html"
    if not _JSON_START.match(start):
        return None
    if start.startswith("["):
        return "json" if _json_list(head) else None
    return "jsonl" if "}\n{" in head.replace("\r", "") or head.count("\n") > 1 else "json"


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
        return sniff(head) or "txt"
    return _BY_SUFFIX.get(suffix)
