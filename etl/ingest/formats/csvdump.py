"""CSV article dumps with a header row naming the usual scraper fields."""

from __future__ import annotations

import csv
import io
import re
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

#: A carriage return not followed by a line feed: old Mac text pasted into a spreadsheet cell.
_BARE_CR = re.compile(r"\r(?!\n)")
#: Where a stand-in for a bare CR is looked for (:func:`_stand_in`): the private-use areas.
_PRIVATE_USE = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE))


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


def _rows_end_in_lf(text: str) -> bool:
    """Whether the first line of ``text`` ends in LF or CRLF (not in a CR alone): the file's rows
    end so, and a carriage return without a line feed is part of a field."""
    end = re.search(r"[\r\n]", text)
    return end is not None and text.startswith(("\n", "\r\n"), end.start())


def _stand_in(text: str) -> str | None:
    """A private-use character that ``text`` does not hold (``None``: it holds every one)."""
    for block in _PRIVATE_USE:
        for code in block:
            if chr(code) not in text:
                return chr(code)
    return None


def parse_csv(text: str, layout: str) -> list[Parsed]:
    """One record per data row; a row with the wrong number of fields is quarantined alone, and
    so is a row whose quote does not close where it should (:func:`_records`). Blank lines
    before the header are skipped; the separator is read off the header (:data:`DELIMITERS`).

    A file whose first line ends in LF or CRLF keeps a bare CR inside a field as text, where the
    csv module ended the row there (the rest of the text became a broken row of its own); in a
    file whose lines end in a CR alone (classic Mac), a CR ends the row."""
    stripped = text.lstrip("\r\n")
    skipped = len(io.StringIO(text[: len(text) - len(stripped)], newline="").readlines())
    text = stripped
    # The csv module splits lines at every CR: a bare one is hidden behind a character the file
    # does not hold, and given back in every field read (:func:`_given_back`).
    stand_in: str | None = None
    if "\r" in text and _rows_end_in_lf(text):
        stand_in = _stand_in(text)
        if stand_in is not None:
            text = _BARE_CR.sub(stand_in, text)
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
    names = _given_back(list(fieldnames), stand_in)
    header = _given_back([header], stand_in)[0]
    if not any(name.strip().lower() in TEXT_FIELDS for name in names):
        # A file without a header (its first row read as one), or whose header names no text
        # field: no row can give a text. Said once for the file, not as "no text" per row.
        detail = (
            f"no header row naming a text field ({', '.join(TEXT_FIELDS)}, any case); "
            f"the first line is {quoted(header)}"
        )
        return [RecordError(None, "malformed_csv", detail)]
    lines = io.StringIO(text, newline="").readlines()
    return _records(lines, names, reader.line_num, delimiter, skipped, stand_in)


def _given_back(fields: list[str], stand_in: str | None) -> list[str]:
    """``fields`` with each ``stand_in`` turned back into the bare CR it hid."""
    if stand_in is None:
        return fields
    return [value.replace(stand_in, "\r") for value in fields]


def _records(
    lines: list[str],
    names: list[str],
    position: int,
    delimiter: str,
    skipped: int,
    stand_in: str | None,
) -> list[Parsed]:
    """The records of the data rows in ``lines[position:]`` (the file's physical lines as the
    csv module splits them, after ``skipped`` blank ones), counted from 1; ``stand_in`` hides
    the file's bare CRs (:func:`parse_csv`).

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
                    fields = _given_back(fields, stand_in)
                    out.append(_record(fields, names, f"row {len(out) + 1}"))
                start = position + reader.line_num
            return out
        except csv.Error:
            end = position + reader.line_num  # the line the reading failed on, counted from 1
        key = f"row {len(out) + 1}"
        if end - start <= 1:
            line = lines[start].rstrip("\r\n")
            fields = _given_back(next(csv.reader([line], delimiter=delimiter)), stand_in)
            out.append(_record(fields, names, key))
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
