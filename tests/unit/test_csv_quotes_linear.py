"""A CSV file whose every line reopens a quote (``x",y,"z``) is read in linear time, row for row
as before: each refused row was read again from its first line to the end of the file (50,000
lines, 400 KB: 95 s in ``news-etl run``; probe). Expected values: literals written from the
input, and the old reading (:func:`_old_records`) on random texts."""

from __future__ import annotations

import csv
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl.ingest.formats import csvdump
from etl.ingest.formats.base import Parsed, Record, RecordError
from etl.ingest.formats.csvdump import _given_back, _record, parse_csv
from tests.unit._linear import finishes
from tests.unit.test_format_records import _refused

L = "canonical"
PATTERN = 'x",y,"z\n'


def _old_records(
    lines: list[str],
    names: list[str],
    position: int,
    delimiter: str,
    skipped: int,
    stand_in: str | None,
) -> list[Parsed]:
    """The reading before: strictly from each row's first line, again from the line after the
    first of a refused row (quadratic; the reference for what each row reads as)."""
    out: list[Parsed] = []
    while position < len(lines):
        reader = csv.reader(lines[position:], delimiter=delimiter, strict=True)
        start = position
        try:
            for fields in reader:
                if fields:
                    out.append(_record(_given_back(fields, stand_in), names, f"row {len(out) + 1}"))
                start = position + reader.line_num
            return out
        except csv.Error:
            end = position + reader.line_num
        key = f"row {len(out) + 1}"
        if end - start <= 1:
            fields = next(csv.reader([lines[start].rstrip("\r\n")], delimiter=delimiter))
            out.append(_record(_given_back(fields, stand_in), names, key))
            position = end
            continue
        closes = "the end of the file" if end >= len(lines) else f"line {skipped + end}"
        detail = (
            f"a quote opened on line {skipped + start + 1} does not close before {closes}: the "
            "row is refused, and the lines after its first are read as rows"
        )
        out.append(RecordError(key, "malformed_csv", detail))
        position = start + 1
    return out


def test_every_line_reopening_a_quote_is_refused_row_by_row() -> None:
    # Each row from line 2 on runs to the end of the file; the last one, begun on the last
    # line, misquotes on its one line and is read leniently: x", y, z.
    assert parse_csv("a,text,b\n" + PATTERN * 4, L) == [
        _refused(1, 2, "the end of the file"),
        _refused(2, 3, "the end of the file"),
        _refused(3, 4, "the end of the file"),
        Record(body="y", key="row 4"),
    ]


def test_rows_swallowed_by_a_refused_row_fail_where_it_failed() -> None:
    # After two blank lines: read inside a quoted field, `x"q` fails on line 7 (its `q` follows
    # a closing quote); read from a row's start, it is one field (`x"q`), and `p,q,r` a row.
    text = "\n\r\na,text,b\n" + PATTERN * 3 + 'x"q\n' + "p,q,r"
    assert parse_csv(text, L) == [
        _refused(1, 4, "line 7"),
        _refused(2, 5, "line 7"),
        _refused(3, 6, "line 7"),
        RecordError(
            "row 4", "malformed_csv", "wrong number of fields: 1, where the header names 3"
        ),
        Record(body="q", key="row 5"),
    ]


def test_a_long_run_of_reopened_quotes_reads_in_linear_time() -> None:
    """100,000 lines (800 KB): ``parse_csv`` 0.3-0.4 s now (1.6 s for the test, the child's start
    included). Before: 0.9 s for 4,000 lines, 2.1 s for 8,000, 11.4 s for 16,000 (one shared
    core), quadratic: some 7 minutes for these 100,000; the test stopped it after 60 s."""
    code = (
        "from etl.ingest.formats.csvdump import parse_csv\n"
        f"out = parse_csv('a,text,b\\n' + {PATTERN!r} * 100_000, 'canonical')\n"
        "print(len(out), out[-2].detail)\n"
    )
    assert finishes(code) == (
        "100000 a quote opened on line 100000 does not close before the end of the file: the row "
        "is refused, and the lines after its first are read as rows\n"
    )


# Where strict reading can part from the old one: quotes that open, close, double or stray
# inside a field, line ends of each kind inside and outside quotes, blank lines, a bare CR
# (hidden behind a stand-in), a private-use character (the stand-in's first choice), and whole
# lines: one that reopens a quote, one that fails inside a quoted field, good rows.
_PIECES = st.sampled_from(
    ["a", "bc", ",", ";", '"', '""', "\n", "\r\n", "\r", 'x"', ',"z', "\n\n", '"a"b', " ",
     "\ue000", PATTERN, 'x"q\n', "p,q,r\n", 'p,"q\n', 'p,q,"r\r\n']
)  # fmt: skip
_HEADERS = st.sampled_from(["a,text,b", "text", "title,text", '"text",b'])


@st.composite
def _csv_texts(draw: st.DrawFn) -> str:
    """A header naming a text field, pieces after it, separated by ``,`` or (swapped with the
    ``,`` of the pieces) ``;``, a tab or ``|``; blank lines before the header now and then."""
    blank = draw(st.sampled_from(["", "\n", "\r\n\n"]))
    body = "".join(draw(st.lists(_PIECES, max_size=40)))
    text = blank + draw(_HEADERS) + draw(st.sampled_from(["\n", "\r\n", "\r"])) + body
    delimiter = draw(st.sampled_from(csvdump.DELIMITERS))
    return text.translate({ord(","): delimiter, ord(delimiter): ","})


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_csv_texts())
@example("a,text,b\n" + PATTERN * 5)
@example("\n\r\na,text,b\n" + PATTERN * 3 + 'x"q\n' + "p,q,r")
@example('date,title,text\n1,One,Row one.\n2,Two,"Stray.\n3,Three,Three.\n4,Four,"Stray.\n5,F,5.')
@example('title,text\r\nA,"P one.\r\n\r\nP two."\r\nB,"Open\r\nC,Body three\r\n')
@example('title;text\rA;"x\r\ry"\rB;"open\r\rC;z\r')
def test_rows_read_as_the_old_reading_read_them(text: str) -> None:
    with mock.patch.object(csvdump, "_records", _old_records):
        before = parse_csv(text, L)
    assert parse_csv(text, L) == before
