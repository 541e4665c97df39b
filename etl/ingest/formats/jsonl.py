"""Scraper dumps in JSON: one object per line (``.jsonl``), or one document (``.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from etl.ingest.formats.base import Parsed, RecordError, record_from_mapping


def parse_jsonl(text: str, layout: str) -> list[Parsed]:
    """One record per non-blank line; a line that is not JSON is quarantined alone."""
    out: list[Parsed] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key = f"line {number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(RecordError(key, "malformed_json", f"{exc.msg} at column {exc.colno}"))
            continue
        out.append(record_from_mapping(obj, key))
    return out


def parse_json(text: str, layout: str) -> list[Parsed]:
    """An object (one article), a list of objects, or ``{"articles": [...]}``."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if "\n{" in text or text.lstrip().startswith("{"):
            lines = parse_jsonl(text, layout)  # a JSON-lines file named .json
            if any(not isinstance(p, RecordError) for p in lines):
                return lines
        return [RecordError(None, "malformed_json", f"{exc.msg} at line {exc.lineno}")]
    if isinstance(doc, Mapping) and isinstance(doc.get("articles"), list):
        doc = doc["articles"]
    if isinstance(doc, list):
        return [record_from_mapping(obj, f"item {i}") for i, obj in enumerate(doc)]
    return [record_from_mapping(doc, None)]
