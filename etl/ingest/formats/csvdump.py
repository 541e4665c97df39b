"""CSV article dumps with a header row naming the usual scraper fields."""

from __future__ import annotations

import csv
import io
import sys

from etl.contracts import quoted
from etl.ingest.formats.base import TEXT_FIELDS, Parsed, RecordError, record_from_mapping

csv.field_size_limit(sys.maxsize)


#: Field separators tried, in order of preference: spreadsheets in much of Europe write ``;``,
#: exports often tabs.
DELIMITERS = (",", ";", "\t", "|")


def _delimiter(header: str) -> str:
    """The separator whose split of the header line names a text field (``text``, ``body``,
    … in any case, spaces around); ``,`` when none does."""
    for delimiter in DELIMITERS:
        names = next(csv.reader([header], delimiter=delimiter), [])
        if any(name.strip().lower() in TEXT_FIELDS for name in names):
            return delimiter
    return ","


def parse_csv(text: str, layout: str) -> list[Parsed]:
    """One record per data row; a row with the wrong number of fields is quarantined alone.
    Blank lines before the header are skipped; the separator is read off the header
    (:data:`DELIMITERS`)."""
    text = text.lstrip("\r\n")
    header = text.split("\n", 1)[0]
    reader = csv.DictReader(
        io.StringIO(text, newline=""), restkey="_extra", delimiter=_delimiter(header)
    )
    if not reader.fieldnames:
        return [RecordError(None, "malformed_csv", "no header row")]
    if not any(name.strip().lower() in TEXT_FIELDS for name in reader.fieldnames):
        # A file without a header (its first row read as one), or whose header names no text
        # field: no row can give a text. Said once for the file, not as "no text" per row.
        detail = (
            f"no header row naming a text field ({', '.join(TEXT_FIELDS)}, any case); "
            f"the first line is {quoted(header.rstrip(chr(13)))}"
        )
        return [RecordError(None, "malformed_csv", detail)]
    out: list[Parsed] = []
    number = 0  # pragma: no mutate (only read by the handler below, which no input reaches)
    try:
        for number, row in enumerate(reader, start=1):
            key = f"row {number}"  # data rows, counted from 1 after the header
            if "_extra" in row or None in row.values():
                out.append(RecordError(key, "malformed_csv", "wrong number of fields"))
                continue
            out.append(record_from_mapping(row, key))
    # Not mutated (equivalent): with the excel dialect, newline="" and no field size limit,
    # Python >= 3.11's csv raises csv.Error for no input; the handler stays as a guard.
    except csv.Error as exc:  # pragma: no mutate block
        out.append(RecordError(f"row {number + 1}", "malformed_csv", str(exc)))
    return out
