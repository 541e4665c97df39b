"""CSV article dumps with a header row naming the usual scraper fields."""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

from etl.contracts import quoted
from etl.ingest.formats.base import (
    TEXT_FIELDS,
    Parsed,
    RecordError,
    first_with_content,
    record_from_mapping,
    repeated_read_field,
)

csv.field_size_limit(sys.maxsize)


#: Field separators tried, in order of preference: spreadsheets in much of Europe write ``;``,
#: exports often tabs.
DELIMITERS = (",", ";", "\t", "|")


def _delimiter(header: str) -> str:
    """The separator whose split of the header line names a text field (``text``, ``body``,
    … in any case, spaces around); ``,`` when none does."""
    for delimiter in DELIMITERS:
        try:
            names = next(csv.reader([header], delimiter=delimiter), [])
        except csv.Error:  # not a header this separator reads (a stray quote)
            continue
        if any(name.strip().lower() in TEXT_FIELDS for name in names):
            return delimiter
    return ","


def parse_csv(text: str, layout: str) -> list[Parsed]:
    """One record per data row; a row with the wrong number of fields is quarantined alone, and
    so is a row whose quote does not close where it should (:func:`_records`). Blank lines
    before the header are skipped; the separator is read off the header (:data:`DELIMITERS`)."""
    stripped = text.lstrip("\r\n")
    skipped = len(io.StringIO(text[: len(text) - len(stripped)], newline="").readlines())
    text = stripped
    # The first line as the csv module splits lines: at CRLF, LF or a bare CR (old Mac and
    # Excel-for-Mac exports end lines with CR alone: the whole file was taken for the header,
    # and csv's error stopped the run without naming the file; probe, session 40).
    header = io.StringIO(text, newline="").readline().rstrip("\r\n")
    delimiter = _delimiter(header)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        return [RecordError(None, "malformed_csv", f"the header row cannot be read: {exc}")]
    if not fieldnames:
        return [RecordError(None, "malformed_csv", "no header row")]
    if not any(name.strip().lower() in TEXT_FIELDS for name in fieldnames):
        # A file without a header (its first row read as one), or whose header names no text
        # field: no row can give a text. Said once for the file, not as "no text" per row.
        detail = (
            f"no header row naming a text field ({', '.join(TEXT_FIELDS)}, any case); "
            f"the first line is {quoted(header)}"
        )
        return [RecordError(None, "malformed_csv", detail)]
    lines = io.StringIO(text, newline="").readlines()
    return _records(lines, list(fieldnames), reader.line_num, delimiter, skipped)


def _records(
    lines: list[str], names: list[str], position: int, delimiter: str, skipped: int
) -> list[Parsed]:
    """The records of the data rows in ``lines[position:]`` (the file's physical lines as the
    csv module splits them, after ``skipped`` blank ones), counted from 1.

    Rows are read strictly (RFC 4180). Python's lenient reading let a stray opening quote run on:
    to the end of the file, or to the next quote, which it took as closing the field and kept
    reading; every row in between became part of one field, loaded as one article's text, and
    nothing said so. Now a row that fails strict reading on its first line is read leniently as
    before (``"abc"def`` is ``abcdef``); one that runs over several lines is refused, and reading
    starts again on the line after its first, so the rows it swallowed load as they are.
    """
    out: list[Parsed] = []
    while position < len(lines):
        # Read on from ``position`` without copying the rest of the file: a copy per refused
        # row made a file whose every row opens a stray quote quadratic (40,000 rows, 2.3 MB:
        # 5.7-8.0 s; probe). A list iterator starts at any index (its pickling state).
        rest: Any = iter(lines)
        rest.__setstate__(position)
        reader = csv.reader(rest, delimiter=delimiter, strict=True)
        start = position  # the first line of the row being read
        try:
            for fields in reader:
                if fields:  # a blank line is no row
                    out.append(_record(fields, names, f"row {len(out) + 1}"))
                start = position + reader.line_num
            return out
        except csv.Error:
            end = position + reader.line_num  # the line the reading failed on, counted from 1
        key = f"row {len(out) + 1}"
        if end - start <= 1:
            line = lines[start].rstrip("\r\n")
            out.append(_record(next(csv.reader([line], delimiter=delimiter)), names, key))
            position = end
            continue
        detail = (
            f"a quote opened on line {skipped + start + 1} does not close before "
            f"{'the end of the file' if end >= len(lines) else f'line {skipped + end}'}: the "
            "row is refused, and the lines after its first are read as rows"
        )
        out.append(RecordError(key, "malformed_csv", detail))
        position = start + 1
    return out


def _record(fields: list[str], names: list[str], key: str) -> Parsed:
    """A row's record, or ``malformed_csv`` when it has more or fewer fields than the header."""
    if len(fields) != len(names):
        detail = f"wrong number of fields: {len(fields)}, where the header names {len(names)}"
        return RecordError(key, "malformed_csv", detail)
    twice = repeated_read_field(zip(names, fields, strict=True))  # a column named twice
    if twice is not None:
        return RecordError(key, "malformed_record", twice)
    return record_from_mapping(first_with_content(zip(names, fields, strict=True)), key)
