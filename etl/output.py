"""Query results and CLI text for people and tools, rendered as data: nothing lost, nothing obeyed.

Every value is turned into text by DuckDB itself (``value::VARCHAR``: exact for DECIMAL and
HUGEINT, dates such as ``infinity``, ``TIME WITH TIME ZONE``, BLOB escapes) or as JSON by
``to_json`` (lists, structs, maps, unions, arrays; an unnamed struct, ``row(1, 2)``, as the
list of its values, ``[1,2]``); intervals become ISO 8601 durations
(``P1M2DT3.5S``, per-component signs as PostgreSQL writes them). On top of that one text form:

* ``table`` — a Rich table whose cells are plain :class:`rich.text.Text` (``[bold]`` and
  ``[link=…]`` stay text), with control characters made visible (:func:`visible`); whole values
  when piped or written to a file, folded (never cut) in a terminal; a row-count footer.
* ``csv`` — RFC 4180, quoted only where needed; NULL is an empty field, an empty string ``""``.
* ``json`` — one object per line; integers and decimals as exact JSON numbers, NaN and
  infinities as ``null`` (JSON has no such numbers), booleans as JSON booleans.
* ``parquet`` — the Arrow result; columns Parquet cannot hold (intervals, unions, times with a
  time zone, UHUGEINT, BIT, BIGNUM, and nested values holding any of them) as their text.

:func:`visible` and :func:`say`/:func:`error` are the one rendering layer for everything the CLI
prints: no Rich markup is ever interpreted from a value, and ESC and other control characters
reach the terminal escaped (``\\x1b``).
"""

from __future__ import annotations

import contextlib
import decimal
import fcntl
import functools
import html
import io
import itertools
import json
import logging
import os
import re
import socket
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal, TextIO, get_args

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from duckdb.sqltypes import DuckDBPyType
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from etl.errors import PermanentError
from etl.target import redact
from etl.text.clean import INVISIBLE

OutputFormat = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[str, ...] = get_args(OutputFormat)

#: How a column's text form is written in JSON.
Kind = Literal["int", "decimal", "float", "bool", "nested", "interval", "text"]
_KIND_BY_TYPE: dict[str, Kind] = {
    **dict.fromkeys(
        (
            "tinyint",
            "smallint",
            "integer",
            "bigint",
            "hugeint",
            "utinyint",
            "usmallint",
            "uinteger",
            "ubigint",
            "uhugeint",
            "bignum",
        ),
        "int",
    ),
    "decimal": "decimal",
    "float": "float",
    "double": "float",
    "boolean": "bool",
    **dict.fromkeys(("list", "struct", "map", "array", "union"), "nested"),
    "interval": "interval",
}

# C0 and C1 control characters, DEL, the characters cleaning removes because they take no room
# and show nothing (etl.text.clean.INVISIBLE: zero-width space, word joiner and invisible
# operators, the BOM, the bidirectional marks, overrides and isolates that reorder text, the
# deprecated format controls), and the others a value can still hold: the joiners, the Mongolian
# vowel separator, line and paragraph separators, interlinear annotation marks and the tag
# characters (U+E0000 block). Unicode's default-ignorable format characters that a terminal
# draws (soft hyphen, Arabic number signs) are not among them.
_CONTROL = re.compile(
    f"[\\x00-\\x1f\\x7f-\\x9f{INVISIBLE}\\u180e\\u200c\\u200d\\u2028\\u2029"
    "\\ufff9-\\ufffb\\U000e0001\\U000e0020-\\U000e007f]"
)
#: Zero-width non-joiner and joiner: Persian, the Indic scripts and emoji sequences need them
#: between two of their characters, so there they stay; anywhere else (between ASCII letters
#: they only hide a difference, ``lo\u200daded``) they are escaped.
_JOINERS = "\u200c\u200d"


def _joins(text: str, at: int) -> bool:
    """Whether the joiner at ``at`` stands between two non-ASCII characters that are shown."""
    if at == 0 or at + 1 >= len(text):
        return False
    before, after = text[at - 1], text[at + 1]
    return not (
        before.isascii() or after.isascii() or _CONTROL.match(before) or _CONTROL.match(after)
    )


def visible(text: str, keep: str = "\n\t", *, lookalikes: bool = False) -> str:
    """``text`` with every control or invisible character except those in ``keep`` written as an
    escape.

    ESC becomes ``\\x1b``, U+202E ``\\u202e`` and a zero-width space ``\\u200b``: a value can show
    that it holds them, but it can never move the cursor, recolour, retitle or reorder what a
    terminal or page shows, nor look like another value (``zero\\u200bwidth.txt`` is not
    ``zerowidth.txt``). A zero-width (non-)joiner between two non-ASCII characters stays.

    With ``lookalikes``, a backslash that would read as an escape is one too (``\\x5c``), so a
    value holding the four characters ``\\x1b`` never looks like one holding an ESC: for a value
    shown once, as a table cell or a CSV field is. Text that is partly escaped already (a status
    line built from escaped values) takes the default, or its escapes would be escaped again.
    """

    shown = _ESCAPE_LOOKALIKE.sub(r"\\x5c", text) if lookalikes else text

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep or (char in _JOINERS and _joins(shown, match.start())):
            return char
        code = ord(char)
        if code < 0x100:
            return f"\\x{code:02x}"
        return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"

    return _CONTROL.sub(escape, shown)


#: A backslash that reads as one of :func:`visible`'s escapes: written ``\x5c`` itself, so a
#: name that holds the six characters ``\u200b`` never looks like one that holds a zero-width
#: space, nor ``a\x0ab.txt`` like ``a``, a line break and ``b.txt`` (probe, session 49). Any
#: other backslash (``C:\news``) stays.
_ESCAPE_LOOKALIKE = re.compile(r"\\(?=x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def html_text(value: object, keep: str = "") -> str:
    """``value`` as text in an HTML page: :func:`visible` (control and invisible characters
    escaped, except those in ``keep``), then HTML-escaped, quotes included. A page shows a value
    as the terminal does: ``bidi\\u202etxt.exe``, never an ``.exe`` reordered to read
    ``bidiexe.txt``, and an ESC or a line break in a file name as ``\\x1b`` and ``\\x0a``."""
    return html.escape(visible(str(value), keep=keep), quote=True)


#: Whether this command goes on with its work when the reader of its output stops early
#: (``news-etl backfill … | head``): set by the commands that change something, which stopped
#: half-way and exited 0 (a backfill rebuilt nothing: probe P, session 39). A command that only
#: reads ends quietly instead, with status 0.
_WORK_THROUGH_A_BROKEN_PIPE = False


def work_through_a_broken_pipe() -> None:
    """Let this command finish its work when its standard output is closed early: what it
    would have printed there is discarded (:func:`discard_stdout`)."""
    global _WORK_THROUGH_A_BROKEN_PIPE
    _WORK_THROUGH_A_BROKEN_PIPE = True


def discard_stdout() -> None:
    """Point standard output at /dev/null, so later writes and the flush at exit do not fail on
    a closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return


class _Console(Console):
    """Rich's console, but a reader that stopped early (``| head``) is the CLI's to handle: Rich
    itself exits with status 1 (``on_broken_pipe``), as if the command had failed."""

    def on_broken_pipe(self) -> None:
        """Raise the broken pipe (the CLI ends the command quietly with status 0), or, for a
        command that changes something, discard the output and go on."""
        if not _WORK_THROUGH_A_BROKEN_PIPE:
            raise BrokenPipeError
        discard_stdout()


def make_console(
    *, stderr: bool = False, file: TextIO | None = None, width: int | None = None
) -> Console:
    """A Rich console that never interprets markup, emoji codes or highlighting in its input."""
    return _Console(
        file=file,
        stderr=stderr,
        width=width,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=file is None and width is None,
    )


def say(text: str, *, err: bool = False) -> None:
    """Print ``text`` (a line or several) as data: control characters escaped, nothing else."""
    stream = sys.stderr if err else sys.stdout
    try:
        stream.write(visible(text) + "\n")
        stream.flush()
    except BrokenPipeError:
        if err or not _WORK_THROUGH_A_BROKEN_PIPE:
            raise
        discard_stdout()


def error(message: str) -> None:
    """Print ``error: message`` to standard error on one line, the message as plain text."""
    _labelled("error: ", "red", message)


def warning(message: str) -> None:
    """Print ``warning: message`` to standard error on one line, the message as plain text."""
    _labelled("warning: ", "yellow", message)


def _labelled(label: str, style: str, message: str) -> None:
    """Print ``label`` (in ``style``) and ``message`` on one line of standard error: line breaks
    as spaces, every other control character escaped, a password masked."""
    line = Text(label, style=style)
    line.append(visible(" ".join(redact(str(message)).split("\n"))))
    make_console(stderr=True).print(line)


class _VisibleLastResort(logging.Handler):
    """Python's handler of last resort (what writes a warning when logging is not configured, as
    in the CLI), but as data: each record one line on standard error, control characters and
    line breaks escaped. A warning quotes paths and errors (``run … failed (landing zone …)``)."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the record's message, escaped, on one line of the current standard error."""
        try:
            sys.stderr.write(visible(self.format(record), keep="") + "\n")
            sys.stderr.flush()
        except Exception:  # logging's own rule: a handler never raises
            self.handleError(record)


def escape_unconfigured_logging() -> None:
    """Make Python's handler of last resort write warnings as data (:class:`_VisibleLastResort`):
    without it a library's or the pipeline's warning reaches the terminal with the raw ESC or
    line break of a path it quotes. Changes nothing where logging is configured (Airflow,
    pytest); idempotent."""
    if not isinstance(logging.lastResort, _VisibleLastResort):
        logging.lastResort = _VisibleLastResort(logging.WARNING)


def iso_duration(months: int, days: int, nanoseconds: int) -> str:
    """An interval as an ISO 8601 duration (``P1Y2M3DT4H5M6.5S``); each part carries its sign."""

    def part(value: int | Decimal, unit: str) -> str:
        if not value:
            return ""
        text = format(value, "f") if isinstance(value, Decimal) else str(value)
        return f"{text}{unit}"

    years, rest = divmod(abs(months), 12)
    sign = -1 if months < 0 else 1
    date_part = part(sign * years, "Y") + part(sign * rest, "M") + part(days, "D")
    tsign = -1 if nanoseconds < 0 else 1
    hours, rem = divmod(abs(nanoseconds), 3_600_000_000_000)
    minutes, rem = divmod(rem, 60_000_000_000)
    seconds = (Decimal(rem) / Decimal(1_000_000_000)).normalize()
    time_part = part(tsign * hours, "H") + part(tsign * minutes, "M") + part(tsign * seconds, "S")
    if not date_part and not time_part:
        return "PT0S"
    return "P" + date_part + (f"T{time_part}" if time_part else "")


class _Number(str):
    """A JSON number kept as its exact source text."""


class _Constant(str):
    """NaN or an infinity in ``to_json``'s text (``NaN``, ``Infinity``, ``-Infinity``)."""


#: How DuckDB spells NaN and the infinities (``['nan'::DOUBLE]::VARCHAR`` is ``[nan]``).
_DUCKDB_CONSTANTS = {"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}


class _Nested(str):
    """A nested value's text for ``table`` and ``csv``: JSON, but NaN and the infinities as
    DuckDB spells them (``[nan,inf]``); :attr:`json` is its JSON text for ``json``, where they
    are ``null`` (JSON has no such numbers). Writing ``null`` in every format made a number
    read as a missing value (probe). The JSON text is written only when asked for."""

    value: Any  # the parsed value both texts are written from

    @functools.cached_property
    def json(self) -> str:
        """The value's JSON text (NaN and the infinities as ``null``)."""
        return _dump_json(self.value, constants=False)


class _Pairs(list[tuple[str, Any]]):
    """A JSON object whose keys repeat, as its (key, value) pairs in order: ``to_json`` writes
    an unnamed struct (``row(1, 2)``) as ``{"":1,"":2}``, and a dict kept the last value only
    (``{"":2}``: probe)."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Pairs:
    """A parsed JSON object: a dict, or :class:`_Pairs` when a key repeats (nothing lost)."""
    value = dict(pairs)
    return value if len(value) == len(pairs) else _Pairs(pairs)


def _normalise_json(text: str) -> Any:
    """Parse DuckDB's ``to_json`` text keeping numbers exact, NaN and infinities as
    :class:`_Constant`, and every field of an object whose keys repeat (:class:`_Pairs`)."""
    return json.loads(
        text,
        parse_int=_Number,
        parse_float=_Number,
        parse_constant=_Constant,
        object_pairs_hook=_object,
    )


def _nested_text(value: Any) -> _Nested:
    """The texts of a parsed nested value (see :class:`_Nested`)."""
    text = _Nested(_dump_json(value, constants=True))
    text.value = value
    return text


#: Enough digits for any DECIMAL (at most 38) with its scale.
_DECIMAL_CONTEXT = decimal.Context(prec=80)


def _rescaled(value: Any, duck_type: DuckDBPyType) -> Any:
    """``value`` (parsed ``to_json`` text of a ``duck_type`` value) with every DECIMAL written
    with its type's scale: ``to_json`` drops trailing zeros (``[1.10]`` became ``[1.1]``; the
    digits it keeps are exact), while a DECIMAL column alone is written as DuckDB spells it
    (``1.10``). Map keys are already their text; a union is ``{member: value}``. An unnamed
    struct (``row(1, 2)``, ``(1, 'a')``; DuckDB writes it ``(1, 2)``) becomes the list of its
    values, ``[1,2]``: its fields have no names a JSON object could key them by."""
    if value is None:
        return None
    kind = str(duck_type.id)
    if kind == "float" and isinstance(value, _Number):
        # to_json widens a FLOAT to DOUBLE ([0.10000000149011612]); DuckDB writes a FLOAT,
        # alone or nested, as the shortest text that reads back to it ([0.1]).
        import numpy as np

        return _Number(str(np.float32(float(value))))
    if kind not in ("decimal", "list", "array", "struct", "union", "map"):
        return value
    children = dict(duck_type.children)  # name -> type (a decimal's: precision, scale)
    if kind == "decimal" and isinstance(value, _Number):
        quantum = Decimal(1).scaleb(-int(str(children["scale"])))
        return _Number(format(Decimal(value).quantize(quantum, context=_DECIMAL_CONTEXT), "f"))
    if kind in ("list", "array") and isinstance(value, list):
        return [_rescaled(v, _nested(children["child"])) for v in value]
    if kind == "struct" and isinstance(value, (dict, _Pairs)) and _unnamed(duck_type):
        values = value.values() if isinstance(value, dict) else (v for _, v in value)
        types = (_nested(t) for _, t in duck_type.children)
        return [_rescaled(v, t) for v, t in zip(values, types, strict=True)]
    if kind in ("struct", "union") and isinstance(value, dict):
        return {k: _rescaled(v, _nested(children[k])) if k in children else v
                for k, v in value.items()}  # fmt: skip
    if kind == "map" and isinstance(value, dict):
        return {k: _rescaled(v, _nested(children["value"])) for k, v in value.items()}
    return value


def _unnamed(duck_type: DuckDBPyType) -> bool:
    """Whether the struct ``duck_type``'s fields have no names (``STRUCT(INTEGER, INTEGER)``)."""
    return all(name == "" for name, _ in duck_type.children)


def _nested(child: object) -> DuckDBPyType:
    """A child of a nested type's ``children`` that is a type (not an array's size)."""
    assert isinstance(child, DuckDBPyType)
    return child


def _dump_json(value: Any, *, constants: bool) -> str:
    """``value`` as compact JSON; a :class:`_Constant` as DuckDB spells it when ``constants``,
    else ``null``."""
    if value is None:
        return "null"
    if isinstance(value, _Constant):
        return _DUCKDB_CONSTANTS[str.__str__(value)] if constants else "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, _Number):
        return str.__str__(value)
    if isinstance(value, str):
        return json_string(value)
    if isinstance(value, (dict, _Pairs)):  # a _Pairs is a list: asked first
        pairs = value.items() if isinstance(value, dict) else value
        return (
            "{"
            + ",".join(
                f"{_dump_json(str(k), constants=constants)}:{_dump_json(v, constants=constants)}"
                for k, v in pairs
            )
            + "}"
        )
    if isinstance(value, list):
        return "[" + ",".join(_dump_json(v, constants=constants) for v in value) + "]"
    raise TypeError(f"not a JSON value: {value!r}")  # pragma: no cover


@dataclass(frozen=True)
class TextResult:
    """A result as DuckDB's text of every cell (``None`` for NULL) and each column's kind."""

    columns: list[str]
    kinds: list[Kind]
    rows: list[tuple[str | None, ...]]


def _kind(duck_type: DuckDBPyType) -> Kind:
    return _KIND_BY_TYPE.get(str(duck_type.id), "text")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _position(i: int) -> str:
    """The ``i``-th (from 0) column of the user's query, by position: two columns may share a
    name (``SELECT a.id, b.id``), and by name both would read the first one's values."""
    return f"#{i + 1}"


def _fetch(projection: duckdb.DuckDBPyRelation) -> pa.Table:
    """Run the projection of the user's query; an error names the user's SQL, not the wrapper
    (DuckDB quotes the failing SQL after ``LINE n:``, which here would be the projection)."""
    try:
        return projection.to_arrow_table()
    except duckdb.Error as exc:
        raise type(exc)(_users_message(exc)) from exc


def _users_message(exc: BaseException) -> str:
    """DuckDB's message without the SQL it quotes after ``LINE n:``: the projection's, not the
    user's."""
    return str(exc).split("\n\nLINE ")[0]


def _text_projection(
    relation: duckdb.DuckDBPyRelation,
) -> tuple[duckdb.DuckDBPyRelation | None, list[Kind], list[DuckDBPyType]]:
    """The projection of ``relation`` that gives every cell as text (``None``: no column),
    with each column's kind and type."""
    types = relation.types
    kinds = [_kind(t) for t in types]
    exprs = []
    for i, kind in enumerate(kinds):
        col = _position(i)
        if kind == "interval":
            expr = col
        elif kind == "nested":
            expr = f"to_json({col})::VARCHAR"
        else:
            expr = f"{col}::VARCHAR"
        exprs.append(f"{expr} AS c{i}")
    projection = relation.project(", ".join(exprs)) if exprs else None
    return projection, kinds, list(types)


def _text_rows(
    arrays: Sequence[pa.Array | pa.ChunkedArray], kinds: list[Kind], types: list[DuckDBPyType]
) -> list[tuple[str | None, ...]]:
    """The rows of the projected ``arrays`` (:func:`_text_projection`) as text."""
    columns: list[list[str | None]] = []
    for kind, duck_type, array in zip(kinds, types, arrays, strict=True):
        values = array.to_pylist()
        if kind == "interval":
            columns.append(
                [
                    None if v is None else iso_duration(v.months, v.days, v.nanoseconds)
                    for v in values
                ]
            )
        elif kind == "nested":
            columns.append(
                [
                    None if v is None else _nested_text(_rescaled(_normalise_json(v), duck_type))
                    for v in values
                ]
            )
        else:
            columns.append(values)
    return list(zip(*columns, strict=True)) if columns else []


def fetch_text(relation: duckdb.DuckDBPyRelation) -> TextResult:
    """Execute ``relation`` and return every cell as text (see the module's docstring)."""
    projection, kinds, types = _text_projection(relation)
    arrow = _fetch(projection) if projection is not None else pa.table({})
    return TextResult(list(relation.columns), kinds, _text_rows(arrow.columns, kinds, types))


#: Rows per piece when ``csv`` and ``json`` are written as they are fetched.
CHUNK_ROWS = 50_000


def iter_text(
    relation: duckdb.DuckDBPyRelation, chunk_rows: int = CHUNK_ROWS
) -> Iterator[TextResult]:
    """Execute ``relation`` and yield its rows as text (:func:`fetch_text`), ``chunk_rows`` at
    a time: memory holds one piece, not the whole result (ten million rows of csv took 1.6 GB;
    probe). An error of a later piece comes as a :class:`duckdb.Error` with DuckDB's message."""
    projection, kinds, types = _text_projection(relation)
    columns = list(relation.columns)
    if projection is None:
        yield TextResult(columns, kinds, [])
        return
    from etl import interrupts

    stops = interrupts.stops()  # an interrupt of ours from here on is no race (_own_error)
    try:
        reader = projection.to_arrow_reader(chunk_rows)
    except duckdb.Error as exc:
        raise type(exc)(_users_message(exc)) from exc
    batches = iter(reader)
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:  # DuckDB's error, through Arrow's reader
            own = _own_error(projection, exc, chunk_rows, stops)
            raise duckdb.Error(_users_message(own)) from exc
        yield TextResult(columns, kinds, _text_rows(batch.columns, kinds, types))


#: What DuckDB reports, now and then, instead of a failing query's own error: another of its
#: threads was stopped by that error, and its stop came out first (a race; a Ctrl-C reads
#: "Query interrupted"). 1 run in 60 of a query failing half-way, on a busy core (session 50).
_RACED = "INTERRUPT Error: Interrupted!"


def _own_error(
    relation: duckdb.DuckDBPyRelation,
    exc: BaseException,
    chunk_rows: int,
    stops: int,
    tries: int = 2,
) -> BaseException:
    """``exc``, or, when it is DuckDB's :data:`_RACED` stand-in for the query's own error and
    nothing interrupted the query on purpose (no Ctrl-C, no time limit: the count of
    :func:`etl.interrupts.stops` is still ``stops``), the error of the query read again (at
    most ``tries`` times; its rows are read and dropped), so that the user sees why it failed."""
    from etl import interrupts

    for _ in range(tries):
        if _RACED not in str(exc) or interrupts.raised() or interrupts.stops() != stops:
            return exc
        try:
            for _ in relation.to_arrow_reader(chunk_rows):
                pass
        except (duckdb.Error, OSError, pa.ArrowException) as again:
            exc = again
        else:  # it did not fail again: what it said the first time is all there is
            return exc
    return exc


#: Types a Parquet file cannot hold as DuckDB exports them to Arrow, written as text instead:
#: an interval (no Arrow type Parquet takes), a union, a time with a time zone (Arrow's time64
#: has no offset: 12:00:00+02 read back as a naive 12:00), a UHUGEINT (exported as a signed
#: decimal128: 2^128 - 1 read back as -1), a BIT and a BIGNUM (exported as opaque bytes); all
#: found by probes.
_TEXT_IN_PARQUET = frozenset(
    {"interval", "union", "time with time zone", "uhugeint", "bit", "bignum"}
)


def _holds(duck_type: DuckDBPyType, ids: frozenset[str]) -> bool:
    """Whether ``duck_type`` is, or nests at any depth, a type whose id is in ``ids``."""
    if str(duck_type.id) in ids:
        return True
    if _kind(duck_type) != "nested":
        return False
    return any(isinstance(c, DuckDBPyType) and _holds(c, ids) for _, c in duck_type.children)


def _has_unnamed_struct(duck_type: DuckDBPyType) -> bool:
    """Whether ``duck_type`` is, or nests at any depth, an unnamed struct (``row(1, 2)``)."""
    if _kind(duck_type) != "nested":
        return False
    if str(duck_type.id) == "struct" and _unnamed(duck_type):
        return True
    return any(
        isinstance(c, DuckDBPyType) and _has_unnamed_struct(c) for _, c in duck_type.children
    )


def _positionally_named(duck_type: DuckDBPyType) -> str:
    """``duck_type``'s spelling with each unnamed struct's fields named by their position, ``"1"``,
    ``"2"``, … (as ``struct_extract(s, 1)`` reads them), at any depth: a cast to it renames them."""
    kind, children = str(duck_type.id), duck_type.children if _kind(duck_type) == "nested" else []
    if kind == "struct":
        fields = [
            f"{_quote(name or str(i))} {_positionally_named(_nested(child))}"
            for i, (name, child) in enumerate(children, 1)
        ]
        return f"STRUCT({', '.join(fields)})"
    if kind == "union":  # its first child is the tag
        members = [f"{_quote(name)} {_positionally_named(_nested(c))}" for name, c in children[1:]]
        return f"UNION({', '.join(members)})"
    if kind == "list":
        return f"{_positionally_named(_nested(children[0][1]))}[]"
    if kind == "array":
        return f"{_positionally_named(_nested(children[0][1]))}[{children[1][1]}]"
    if kind == "map":
        key, value = (_positionally_named(_nested(c)) for _, c in children)
        return f"MAP({key}, {value})"
    return str(duck_type)


def fetch_arrow(relation: duckdb.DuckDBPyRelation) -> pa.Table:
    """Execute ``relation`` as an Arrow table Parquet can hold: intervals as ISO 8601 text,
    the other types of :data:`_TEXT_IN_PARQUET` as DuckDB's text (``12:00:00+02``, ``101``,
    every digit of a UHUGEINT or BIGNUM), and unions or nested values holding any of them as
    their JSON text. An unnamed struct's fields, at any depth, are named by their position,
    ``"1"``, ``"2"``, …: Parquet keys a struct's fields by name, and a file whose struct has two
    fields named ``""`` is one pyarrow and pandas refuse to read (probe)."""
    exprs, intervals = [], []
    for i, (name, duck_type) in enumerate(zip(relation.columns, relation.types, strict=True)):
        col, alias = _position(i), _quote(name)
        if _has_unnamed_struct(duck_type):
            col = f"CAST({col} AS {_positionally_named(duck_type)})"
        if duck_type.id == "interval":
            intervals.append(i)
            exprs.append(f"{col} AS {alias}")
        elif _kind(duck_type) == "nested" and _holds(duck_type, _TEXT_IN_PARQUET):
            exprs.append(f"to_json({col})::VARCHAR AS {alias}")
        elif str(duck_type.id) in _TEXT_IN_PARQUET:
            exprs.append(f"{col}::VARCHAR AS {alias}")
        else:
            exprs.append(f"{col} AS {alias}")
    table = _fetch(relation.project(", ".join(exprs)))
    for i in intervals:
        values = table.column(i).to_pylist()
        text = [
            None if v is None else iso_duration(v.months, v.days, v.nanoseconds) for v in values
        ]
        table = table.set_column(i, table.field(i).name, pa.array(text, pa.string()))
    return table


def _json_cell(kind: Kind, text: str | None) -> str:
    if text is None:
        return "null"
    if kind == "nested":
        return text.json if isinstance(text, _Nested) else text
    if kind in ("int", "decimal"):
        return text
    if kind == "float":  # DuckDB writes NaN with a sign too: -nan ('inf' - 'inf'; probe)
        return "null" if text.lower().lstrip("+-") in ("nan", "inf", "infinity") else text
    if kind == "bool":
        return "true" if text == "true" else "false"
    return json_string(text)


#: Line ends JSON leaves raw that readers splitting on Unicode line boundaries (Python's
#: ``str.splitlines``, JavaScript before ES2019) break a line at: written as escapes instead.
_UNICODE_LINE_ENDS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_string(text: str) -> str:
    """``text`` as a JSON string, readable text kept as it is (not ``\\u`` escapes), but NEL,
    U+2028 and U+2029 escaped: one JSON object per line stays one line for every reader (a
    title with U+2028 split its line under ``splitlines``; probe X)."""
    return json.dumps(text, ensure_ascii=False).translate(_UNICODE_LINE_ENDS)


def to_json_lines(result: TextResult) -> str:
    """One JSON object per row, keys in column order."""
    keys = [json_string(c) for c in result.columns]
    lines = (
        "{"
        + ",".join(
            f"{key}:{_json_cell(kind, cell)}"
            for key, kind, cell in zip(keys, result.kinds, row, strict=True)
        )
        + "}\n"
        for row in result.rows
    )
    return "".join(lines)


_NEEDS_QUOTES = re.compile(r'[",\r\n]|^\s|\s$')


def _csv_field(text: str | None) -> str:
    if text is None:
        return ""
    if text == "" or _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def to_csv(result: TextResult, *, header: bool = True) -> str:
    """RFC 4180 CSV with a header row (unless ``header`` is false: a later piece of a result);
    fields quoted only where needed, NULL as an empty field."""
    lines = [",".join(_csv_field(c) for c in result.columns)] if header else []
    lines += [",".join(_csv_field(cell) for cell in row) for row in result.rows]
    return "\r\n".join(lines) + "\r\n" if lines else ""


def rows_footer(n: int) -> str:
    """``1 row`` / ``N rows``."""
    return f"{n:,} row" + ("" if n == 1 else "s")


_UNSPLIT_WORD = 64


def _terminal_widths(texts: list[list[str]], width: int) -> list[int] | None:
    """Column widths for a terminal ``width`` wide: text wraps at spaces and a word (an id, a
    URL) of up to 64 characters is never split, so it can be copied whole; ``None`` when even
    that does not fit (then the table is drawn one record at a time: :func:`_render_records`)."""
    n = len(texts[0])
    room = width - (3 * n + 1)  # one space each side of a cell, a border between and around
    desired = [max(cell_len(r[i]) for r in texts) for i in range(n)]
    least = [
        max(min(max((cell_len(w) for w in r[i].split()), default=0), _UNSPLIT_WORD) for r in texts)
        for i in range(n)
    ]
    least = [max(1, m) for m in least]
    if sum(desired) <= room:
        return desired
    if sum(least) > room:
        return None
    spare, wants = room - sum(least), [d - m for d, m in zip(desired, least, strict=True)]
    total = sum(wants) or 1
    return [m + spare * w // total for m, w in zip(least, wants, strict=True)]


def render_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[str | None]],
    *,
    numeric: Sequence[bool] | None = None,
    file: TextIO | None = None,
    whole: bool | None = None,
    title: str | None = None,
) -> None:
    """Print a table of text cells, as data: plain text, control characters escaped.

    ``whole`` (default: when ``file`` is not a terminal) makes the table as wide as its widest
    row so no value is cut or wrapped; otherwise long values wrap inside their cells (at spaces;
    words up to 64 characters, such as ids, stay whole).
    """
    stream = file or sys.stdout
    if whole is None:
        whole = not stream.isatty()
    right = list(numeric) if numeric is not None else [False] * len(columns)
    texts = [[visible(c or "", keep="", lookalikes=True) for c in columns]]
    texts += [
        [("NULL" if cell is None else visible(cell, keep="", lookalikes=True)) for cell in row]
        for row in rows
    ]
    width = None
    if whole:
        # Terminal cells, not characters: a CJK character takes two, and a table measured in
        # characters came out too narrow (Rich then cut values and dropped whole columns).
        widths = [max((cell_len(r[i]) for r in texts), default=0) for i in range(len(columns))]
        width = sum(widths) + 3 * len(columns) + 1 + (cell_len(title or "") if title else 0)
    view = Table(title=title, show_lines=False)
    console = make_console(file=stream, width=width)
    fixed = None if whole else _terminal_widths(texts, console.width)
    if not whole and fixed is None:
        _render_records(texts, rows, title, console)
        return
    for i, (name, is_right) in enumerate(zip(texts[0], right, strict=True)):
        view.add_column(
            Text(name),
            justify="right" if is_right else "left",
            overflow="fold",
            no_wrap=bool(whole),
            width=fixed[i] if fixed else None,
        )
    for raw, shown in zip(rows, texts[1:], strict=True):
        view.add_row(
            *(
                Text(s, style="dim italic") if cell is None else Text(s)
                for cell, s in zip(raw, shown, strict=True)
            )
        )
    console.print(view)


def _render_records(
    texts: list[list[str]],
    rows: Sequence[Sequence[str | None]],
    title: str | None,
    console: Console,
) -> None:
    """A terminal table whose columns do not fit side by side even at their narrowest, one
    record at a time (as psql's expanded display): each column's name, then its value folded
    in the rest of the line; a rule between records. Folding every column of the wide table
    instead drew half of them zero cells wide, their values gone (probe)."""
    names = texts[0]
    caption = (
        f"{len(names)} columns do not fit side by side in {console.width} terminal columns: "
        "one record at a time (piped or with --out the table is whole)"
    )
    view = Table(title=title, caption=caption, show_header=False, show_lines=False)
    widest = max((cell_len(n) for n in names), default=1)
    view.add_column(overflow="fold", width=max(1, min(widest, console.width // 3)))
    view.add_column(overflow="fold")
    for number, (raw, shown) in enumerate(zip(rows, texts[1:], strict=True)):
        if number:
            view.add_section()
        for name, cell, text in zip(names, raw, shown, strict=True):
            value = Text(text, style="dim italic") if cell is None else Text(text)
            view.add_row(Text(name, style="bold"), value)
    if not rows:  # the names alone
        for name in names:
            view.add_row(Text(name, style="bold"), Text(""))
    console.print(view)


NEWLINE = "\n"


def plan_text(result: TextResult) -> str:
    """An ``EXPLAIN`` result as DuckDB draws it: each plan's name on a line, then its drawing,
    whose line breaks are the drawing's own (in a table cell they would be escaped as ``\\x0a``
    and the boxes unreadable); every other control character is still escaped."""
    parts = [
        f"{visible(key or '', keep='')}\n{visible(plan or '', keep=NEWLINE)}"
        for key, plan in result.rows
    ]
    return "".join(part if part.endswith("\n") else part + "\n" for part in parts)


class SharedColumnNameError(PermanentError):
    """Two columns of a result share a name, and the format keys values by name."""


def _named_once(columns: Sequence[str], fmt: OutputFormat) -> None:
    """Refuse a result whose columns share a name for a format that keys values by name: a JSON
    object keeps one value of a repeated key (``jq`` and Python the last), and a Parquet file
    with a repeated column cannot be read back by name. Table and CSV are by position."""
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(columns, start=1):
        seen.setdefault(name, []).append(i)
    shared = {name: places for name, places in seen.items() if len(places) > 1}
    if shared:
        which = "; ".join(
            f"columns {', '.join(map(str, places))} are all named {name!r}"
            for name, places in shared.items()
        )
        raise SharedColumnNameError(
            f"{which}: {fmt} keys values by column name, so one would hide the other; name "
            "them apart with AS (or use --format table or csv)"
        )


#: The most rows the ``table`` format shows: it is for reading, and drawing three million rows
#: took 6 GB and more than ten minutes, nothing shown, the warehouse held all the while (probe).
#: ``csv``, ``json`` and ``parquet`` write every row.
TABLE_ROWS = 10_000
_MORE_ROWS = (
    f"the first {TABLE_ROWS:,} rows shown; the result has more: --format csv, json or parquet "
    "writes every row"
)


def write_result(
    relation: duckdb.DuckDBPyRelation,
    fmt: OutputFormat,
    out: Path | None,
    *,
    explained: bool = False,
) -> int:
    """Execute ``relation`` and write it as ``fmt`` to ``out`` (or standard output); returns
    the number of rows. ``out``'s folder must exist (checked by the caller). JSON and Parquet
    refuse columns that share a name (:class:`SharedColumnNameError`). ``explained``: ``relation``
    is an ``EXPLAIN [ANALYZE]`` statement's, which ``table`` shows as DuckDB draws it
    (:func:`plan_text`); told by the statement, not by its columns' names, which any query can
    give (``SELECT … AS explain_key, … AS explain_value`` was shown as a plan: its line breaks
    raw, no row count, cut at 10,000 rows without a word; probe)."""
    if fmt in ("json", "parquet"):
        _named_once(relation.columns, fmt)
    if fmt == "parquet":
        table = fetch_arrow(relation)
        buffer = io.BytesIO()
        pq.write_table(table, buffer)
        _write_bytes(buffer.getvalue(), out)
        return int(table.num_rows)
    if fmt != "table":
        return _write_pieces(relation, fmt, out)
    # for reading: at most TABLE_ROWS rows, and a note when there are more
    result = fetch_text(relation.limit(TABLE_ROWS + 1))
    more = len(result.rows) > TABLE_ROWS
    del result.rows[TABLE_ROWS:]
    if explained:
        plan = plan_text(result)
        if out is None:
            sys.stdout.write(plan)
        else:
            write_whole(out, plan)
        return len(result.rows)
    numeric = [k in ("int", "decimal", "float") for k in result.kinds]
    footer = _MORE_ROWS if more else rows_footer(len(result.rows))
    if out is None:
        render_table(result.columns, result.rows, numeric=numeric)
        sys.stdout.write(footer + "\n")
    else:
        text = io.StringIO()
        render_table(result.columns, result.rows, numeric=numeric, file=text, whole=True)
        text.write(footer + "\n")
        write_whole(out, text.getvalue())
    return len(result.rows)


def _write_pieces(relation: duckdb.DuckDBPyRelation, fmt: OutputFormat, out: Path | None) -> int:
    """Write ``relation`` as ``csv`` or ``json`` piece by piece as it is fetched; returns the
    number of rows. ``out`` gets the whole result or, on an error, is left as it was."""
    terminal = out is None and sys.stdout.isatty()
    rows = 0
    with _destination(out) as sink:
        empty = TextResult(list(relation.columns), [], [])
        pieces = itertools.chain(iter_text(relation), [empty])  # a header for no row too
        for n, piece in enumerate(pieces):
            data = to_csv(piece, header=n == 0) if fmt == "csv" else to_json_lines(piece)
            if terminal:
                # A terminal shows control characters escaped (files get the data), a lone
                # carriage return too: "100\r999" showed as 999 (probe); CRLF ends a line.
                # JSON's backslashes are doubled (and its escapes are these): none to mistake
                is_csv = fmt == "csv"
                data = "\r\n".join(visible(p, lookalikes=is_csv) for p in data.split("\r\n"))
            sink.write(data.encode("utf-8"))
            rows += len(piece.rows)
    return rows


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Names of this process's standard output: written to as it is, never replaced.
_STDOUT_PATHS = frozenset({"/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})


#: How the name of a file written beside its target ends (:func:`_destination`).
PART_SUFFIX = ".part"


#: A temporary file's name, at most (bytes; most file systems' limit), and its parts' longest:
#: the host's, a process id's, and mkstemp's random part.
_NAME_BYTES, _HOST_CHARS, _PID_DIGITS, _RANDOM_CHARS = 255, 32, 10, 8


def _host() -> str:
    """This machine's name as a temporary file's name holds it: letters, digits and ``-``, any
    other character as ``_`` (no dot, which separates the name's parts), at most
    :data:`_HOST_CHARS` of them."""
    return (re.sub(r"[^A-Za-z0-9-]", "_", socket.gethostname()) or "_")[:_HOST_CHARS]


def _name_part(target: Path, host: str) -> str:
    """``target``'s name as its temporary files' names hold it: cut (at a character) so that the
    whole name stays within :data:`_NAME_BYTES` (the host and process id made a name of 200
    bytes fail where it used to be written: review, session 43)."""
    room = _NAME_BYTES - 4 - len(host) - _PID_DIGITS - _RANDOM_CHARS - len(PART_SUFFIX)
    return target.name.encode()[:room].decode(errors="ignore")


def _part_prefix(target: Path) -> str:
    """The start of the name of this process's temporary file for ``target``:
    ``.<name>.<host>.<pid>.``, then mkstemp's random letters and :data:`PART_SUFFIX`."""
    host = _host()
    return f".{_name_part(target, host)}.{host}.{os.getpid()}."


def _leftover_name(target: Path, host: str) -> re.Pattern[str]:
    """The names of the temporary files of ``target`` written on ``host`` (:func:`_part_prefix`),
    the writer's process id their first group."""
    head = re.escape(_name_part(target, host))
    return re.compile(rf"\.{head}\.{re.escape(host)}\.([0-9]+)\.[^./]+{re.escape(PART_SUFFIX)}")


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine, as far as this process can tell (one it
    may not signal, another user's, exists)."""
    if pid <= 0:
        return True  # no process's id: not this module's to judge
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def flock_held(path: Path) -> bool | None:
    """Whether a live process holds an exclusive ``flock`` on the file ``path`` (probed without
    waiting, the probe's own lock dropped at once); ``None`` when that cannot be told (the file
    cannot be opened, the file system refuses locks)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)  # also drops the probe's own lock
    return False


def remove_leftovers(target: Path) -> None:
    """Remove the temporary files of ``target`` that writers on this machine left when they were
    killed between writing and putting the file in place (SIGKILL, out of memory). One is removed
    only when its name says this host, the process id in it is not alive and no process holds
    its lock: a live writer's file stays (its process is alive; in another process namespace
    with the same host name, its lock), and so does one written on another machine sharing the
    folder, whose processes cannot be seen from here. A file that cannot be removed is kept."""
    host = _host()
    try:
        siblings = list(target.parent.iterdir())
    except OSError:
        return
    pattern = _leftover_name(target, host)
    for path in siblings:
        match = pattern.fullmatch(path.name)
        if match is None or _alive(int(match[1])):
            continue
        if flock_held(path) is False:  # a writer's lock, or one that cannot be told: kept
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)


@contextmanager
def _destination(out: Path | None) -> Iterator[BinaryIO]:
    """Where a result is written piece by piece: standard output, or ``out``. A regular file
    (or a new one) is written beside itself and put in place whole at the end, so an error
    part-way leaves it as it was; anything else (``/dev/null``, a pipe) is written in place.
    The file beside it is named for this host and process, which lock it while they write it;
    leftovers of killed writers of the same file are removed first (:func:`remove_leftovers`)."""
    if out is None or str(out) in _STDOUT_PATHS:
        # /dev/stdout redirected to a file (`> f`, `>> f`) was put in place of that file: what
        # was there and what standard error wrote into it were lost (review, session 40)
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    if out.exists() and not out.is_file():
        # /dev/null, a FIFO, /dev/stdout of a pipe (which resolves to no path at all: review,
        # session 40): written in place, as writing it did
        with out.open("wb") as sink:
            yield sink
        return
    target = out.resolve()  # through a link, as writing the file did
    mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
    remove_leftovers(target)
    handle, name = tempfile.mkstemp(
        dir=target.parent, prefix=_part_prefix(target), suffix=PART_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as sink:
            with contextlib.suppress(OSError):  # no locks there: the process id still tells
                fcntl.flock(sink.fileno(), fcntl.LOCK_EX)
            yield sink
        Path(name).chmod(mode)  # as writing the file made it (mkstemp's is 0600)
        Path(name).replace(target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


def write_whole(target: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8) to the file ``target`` so that a reader sees the file as
    it was or as it is now, never part of it: beside it, then put in place (as ``--out``
    files are). A page rewritten in place was read empty by a browser or a script refreshing
    it while a run or ``news-etl report`` wrote it (probe, session 40)."""
    with _destination(target) as sink:
        sink.write(data.encode("utf-8") if isinstance(data, str) else data)


def _write_bytes(data: bytes, out: Path | None) -> None:
    if out is not None:
        write_whole(out, data)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
