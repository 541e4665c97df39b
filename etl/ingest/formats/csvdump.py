"""CSV article dumps with a header row naming the usual scraper fields."""

from __future__ import annotations

import _csv
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

#: A line end as the csv module reads one: CRLF, LF, or a carriage return alone.
_LINE_END = re.compile(r"(\r\n|\n|\r)")
#: A carriage return not followed by a line feed.
_BARE_CR = re.compile(r"\r(?!\n)")
#: Where a stand-in for a bare CR is looked for (:func:`_stand_in`): the private-use areas.
_PRIVATE_USE = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))
_PRIVATE_USE_CHAR = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")


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


def _stand_in(text: str) -> str | None:
    """A private-use character that ``text`` does not hold (``None``: it holds every one). The
    file is read once for those it holds (a look for each candidate in turn read a file that
    held most of them ~70,000 times: 46 s for 2.6 MB; probe, session 43)."""
    held = set(_PRIVATE_USE_CHAR.findall(text))
    for block in _PRIVATE_USE:
        for code in block:
            if chr(code) not in held:
                return chr(code)
    return None


def _n_fields(line: str, delimiter: str) -> int:
    """How many fields ``line`` (one row, a quoted field's line ends included) reads as, as the
    csv module reads it leniently (``-1``: it cannot)."""
    try:
        return len(next(csv.reader(io.StringIO(line, newline=""), delimiter=delimiter), []))
    except csv.Error:
        return -1


def _lines(text: str, delimiter: str) -> list[tuple[str, str]]:
    """``text`` as ``(line, line end)`` pairs, cut at the line ends outside quoted fields, where
    the csv module may end a row; the last line's end may be ``""``. One pass over the file.

    Quotes are read as the csv module reads them: a quote that starts a field opens it, ``""``
    inside it is a quote, and a quote right after the field's closing quote is one too. (Three
    quotes that start a field are cut here as ``""`` and ``"``: the field is quoted, and its text
    starts with a quote. Read as an empty field and a quote, it made the field's later ``,"``
    open a quote; the line ends after it stayed uncut. Mutation seed 1229.)"""
    token = re.compile(f'""|"|\r\n|\n|\r|{re.escape(delimiter)}|[^"\r\n{re.escape(delimiter)}]+')
    out: list[tuple[str, str]] = []
    start = 0
    quoted, field_start, closed = False, True, False
    for match in token.finditer(text):
        piece = match[0]
        if piece in ("\r\n", "\n", "\r"):
            if not quoted:
                out.append((text[start : match.start()], piece))
                start, field_start = match.end(), True
            continue
        if quoted:  # a quote alone closes the field; "" is a quote in it; the rest is its text
            quoted = piece != '"'  # the token after a closing quote is no quote: see ``""``
            continue
        opens = field_start or closed  # a quote here opens the field, or reopens it
        quoted = piece == '"' and opens
        closed = piece == '""' and opens  # opened and closed at once: "" or the start of """a"
        field_start = piece == delimiter
    out.append((text[start:], ""))
    return out


def _hide_text_crs(text: str, delimiter: str) -> tuple[str, str | None]:
    """``text`` with each carriage return alone that is part of a field, not a row's end, hidden
    behind a character the file does not hold (given back in every field read, with the stand-in
    itself: :func:`_given_back`); the csv module ends a row at every CR outside quotes.

    After the header, a CR alone outside quotes is text when the row before it and what follows
    it up to the next line end read together as one row of the header's number of fields (old
    Mac text pasted into a cell: an unquoted field holds no separator, so its continuation adds
    no field), and ends the row otherwise: a classic Mac file, or one whose rows were joined
    from several systems, reads row by row. Where that cannot tell, the file's own line ends
    decide: a blank line after a CR (``\r\r``) and every CR of a one-column file end a row when
    more lines with something on them end in CR alone than in LF or CRLF, else they are text.
    One pass over the file and one reading of each line (a look ahead at each CR was
    quadratic; review, session 43)."""
    if not _BARE_CR.search(text):
        return text, None
    stand_in = _stand_in(text)
    if stand_in is None:  # every private-use character in the file: read as the csv module does
        return text, None
    lines = _lines(text, delimiter)
    counts = [_n_fields(line, delimiter) if line else 0 for line, _ in lines]  # each read once
    n = counts[0]
    ends = [end for line, end in lines[1:] if end and line]  # of lines with something on them
    cr_rows = 2 * sum(end == "\r" for end in ends) > len(ends)
    out = [lines[0][0], lines[0][1]]
    fields = counts[1] if len(lines) > 1 else 0  # of the row read so far
    for k in range(1, len(lines)):
        line, end = lines[k]
        out.append(line)
        if end != "\r" or k + 1 == len(lines) or (k + 2 == len(lines) and not lines[k + 1][0]):
            out.append(end)  # LF or CRLF, or the file's end: the row ends here
            fields = counts[k + 1] if k + 1 < len(lines) else 0
            continue
        after = lines[k + 1][0]
        joined = fields  # a blank line, or one column: the row keeps its fields
        if not after or n == 1:
            text_cr = not cr_rows
        elif after.startswith('"'):
            text_cr = False  # a quoted field opens: a row begins
        else:
            joined = fields + counts[k + 1] - 1
            text_cr = joined == n
        out.append(stand_in if text_cr else end)
        fields = joined if text_cr else counts[k + 1]
    return "".join(out), stand_in


def parse_csv(text: str, layout: str) -> list[Parsed]:
    """One record per data row; a row with the wrong number of fields is quarantined alone, and
    so is a row whose quote does not close where it should (:func:`_records`). Blank lines
    before the header are skipped; the separator is read off the header (:data:`DELIMITERS`).

    A carriage return alone inside a field is kept as text where the csv module ended the row
    there (:func:`_hide_text_crs`)."""
    stripped = text.lstrip("\r\n")
    skipped = len(io.StringIO(text[: len(text) - len(stripped)], newline="").readlines())
    text = stripped
    first = _LINE_END.split(text, maxsplit=1)[0]
    text, stand_in = _hide_text_crs(text, _delimiter(first))
    # The first line as the csv module splits lines: at CRLF, LF or a bare CR (old Mac and
    # Excel-for-Mac exports end lines with CR alone: the whole file was taken for the header,
    # and csv's error stopped the run without naming the file; probe, session 40).
    # equivalent: newline=None splits at the same line ends (and writes each as LF, stripped)
    first_line = io.StringIO(text, newline="")  # pragma: no mutate
    header = first_line.readline().rstrip("\r\n")
    delimiter = _delimiter(header)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        return [RecordError(None, "malformed_csv", f"the header row cannot be read: {exc}")]
    if not fieldnames:
        return [RecordError(None, "malformed_csv", "no header row")]
    names = list(fieldnames)  # the header's CRs are never hidden (:func:`_hide_text_crs`)
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


#: The csv module's complaint, reading strictly, about input that ends inside a quoted field.
_UNEXPECTED_END = "unexpected end of data"


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

    The refused row reads each swallowed line but the last from inside a quoted field and
    leaves it inside one; so a row that begins on one of those lines and ends it inside a quoted
    field reads on from there as the refused row did, and fails on the same line: it is refused
    without being read on, each of those lines read alone (:func:`_read_line`). Reading is
    resumed on the last swallowed line. Reading each such row again, to the end of the file or
    wherever it failed, was quadratic: 50,000 lines that each reopen a quote (``x",y,"z``, 400
    KB) took 95 s in ``news-etl run`` (probe), 0.2 s now; each line is read three times at most.
    """
    out: list[Parsed] = []
    strict = csv.reader([], delimiter=delimiter, strict=True).dialect  # made once, not per line
    while position < len(lines):
        # Read on from ``position`` without copying the rest of the file: a copy per refused
        # row made a file whose every row opens a stray quote quadratic (40,000 rows, 2.3 MB:
        # 5.7-8.0 s; probe). A list iterator starts at any index (its pickling state).
        rest: Any = iter(lines)
        rest.__setstate__(position)
        reader = csv.reader(rest, strict)
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
        if end - start <= 1:
            out.append(_lenient(lines[start], names, delimiter, stand_in, f"row {len(out) + 1}"))
            position = end
            continue
        out.append(_refused(f"row {len(out) + 1}", start, end, len(lines), skipped))
        # The rows that begin on the swallowed lines, but the last, end on their own line or
        # run to ``end`` as the refused one did.
        for line in range(start + 1, end - 1):
            key = f"row {len(out) + 1}"
            ends, quoted_on, fields = _read_line(lines[line], strict)
            if ends and fields:
                out.append(_record(_given_back(fields, stand_in), names, key))
            elif quoted_on:
                out.append(_refused(key, line, end, len(lines), skipped))
            elif not ends:
                out.append(_lenient(lines[line], names, delimiter, stand_in, key))
        position = end - 1  # the last swallowed line: read on from there
    return out


def _read_line(line: str, strict: _csv.Dialect) -> tuple[bool, bool, list[str]]:
    """How strict reading ends ``line`` (one physical line, its line end included) begun at the
    start of a row: ``(True, False, fields)`` when the row ends with it (``[]``: a blank line),
    ``(False, True, [])`` when a quoted field is still open at its end (the line end is text),
    ``(False, False, [])`` when the reading fails in it; ``strict``: the file's dialect, strict."""
    try:
        return True, False, next(csv.reader([line], strict))
    except csv.Error as exc:
        return False, str(exc) == _UNEXPECTED_END, []


def _lenient(line: str, names: list[str], delimiter: str, stand_in: str | None, key: str) -> Parsed:
    """The record of a row that fails strict reading on its one ``line``, read leniently."""
    fields = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter))
    return _record(_given_back(fields, stand_in), names, key)


def _refused(key: str, start: int, end: int, n_lines: int, skipped: int) -> RecordError:
    """The refusal of the row whose quote opened on line ``start`` (an index in the lines read)
    runs to line ``end`` (counted from 1, as the csv module counts; ``n_lines`` or more: to the
    end of the file)."""
    detail = (
        f"a quote opened on line {skipped + start + 1} does not close before "
        f"{'the end of the file' if end >= n_lines else f'line {skipped + end}'}: the "
        "row is refused, and the lines after its first are read as rows"
    )
    return RecordError(key, "malformed_csv", detail)


def _record(fields: list[str], names: list[str], key: str) -> Parsed:
    """A row's record, or ``malformed_csv`` when it has more or fewer fields than the header."""
    if len(fields) != len(names):
        detail = f"wrong number of fields: {len(fields)}, where the header names {len(names)}"
        return RecordError(key, "malformed_csv", detail)
    twice = repeated_read_field(zip(names, fields, strict=True))  # a column named twice
    if twice is not None:
        return RecordError(key, "malformed_record", twice)
    return record_from_mapping(first_with_content(zip(names, fields, strict=True)), key)
