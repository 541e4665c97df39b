"""Compare two news-etl warehouses table by table, row for row, ignoring run ids and timestamps.

Both files are opened read-only (through an in-memory DuckDB that attaches them; nothing is
written). For every base table of either warehouse the script compares the multiset of rows over
the columns both have, leaving out columns that differ from one run to the next by nature:

* timestamps (``TIMESTAMP``/``TIMESTAMPTZ``/``TIME`` columns: ``started_at``, ``last_seen`` …);
* run ids (``run_id``, ``last_run_id``, ``external_run_id`` …: any column named ``*run_id``);
* durations (``seconds``), and any column named with ``--ignore TABLE.COLUMN`` or ``--ignore
  COLUMN``.

It prints one line per table (rows in A, rows in B, rows only in A, rows only in B) and up to
``--show`` differing rows of each side, and exits 1 when any table differs (rows, or a table or
column that only one side has), else 0::

    .venv/bin/python scripts/compare_warehouses.py before.duckdb after.duckdb
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

#: Column types whose values are wall-clock times of the run that wrote them.
TIME_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIME", "TIMESTAMP_NS", "TIMESTAMP_MS")
#: Column names that identify or time one run rather than describe the data.
RUN_COLUMN = re.compile(r"(^|_)run_id$|^seconds$")


@dataclass(frozen=True)
class TableDiff:
    """How one table compares between the two warehouses."""

    table: str
    rows_a: int | None  # None: the table is missing on that side
    rows_b: int | None
    only_a: int
    only_b: int
    columns_only_a: tuple[str, ...]
    columns_only_b: tuple[str, ...]
    compared: tuple[str, ...]
    samples_a: list[tuple[object, ...]]
    samples_b: list[tuple[object, ...]]

    @property
    def differs(self) -> bool:
        """Whether anything about the table differs."""
        return bool(
            self.rows_a is None
            or self.rows_b is None
            or self.only_a
            or self.only_b
            or self.columns_only_a
            or self.columns_only_b
        )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(con: duckdb.DuckDBPyConnection, db: str, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = ? AND schema_name = 'main' AND table_name = ? "
        "ORDER BY column_index",
        [db, table],
    ).fetchall()
    return {str(name): str(dtype) for name, dtype in rows}


def _tables(con: duckdb.DuckDBPyConnection, db: str) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = ? AND schema_name = 'main' AND NOT temporary",
        [db],
    ).fetchall()
    return {row[0] for row in rows}


def _ignored(table: str, column: str, dtype: str, extra: set[str]) -> bool:
    return (
        dtype.upper() in TIME_TYPES
        or RUN_COLUMN.search(column) is not None
        or column in extra
        or f"{table}.{column}" in extra
    )


def compare_table(
    con: duckdb.DuckDBPyConnection, table: str, extra: set[str], show: int
) -> TableDiff:
    """Compare ``table`` of the attached databases ``a`` and ``b``."""
    cols_a, cols_b = _columns(con, "a", table), _columns(con, "b", table)
    if not cols_a or not cols_b:
        count = _count(con, "a" if cols_a else "b", table)
        return TableDiff(
            table,
            count if cols_a else None,
            count if cols_b else None,
            count if cols_a else 0,
            count if cols_b else 0,
            (),
            (),
            (),
            [],
            [],
        )
    compared = tuple(
        c for c, t in cols_a.items() if c in cols_b and not _ignored(table, c, t, extra)
    )
    select = ", ".join(_quote(c) for c in compared) or "1"
    qualified = {side: f"{side}.main.{_quote(table)}" for side in ("a", "b")}

    def only(first: str, second: str) -> tuple[int, list[tuple[object, ...]]]:
        diff = (
            f"SELECT {select} FROM {qualified[first]} EXCEPT ALL "
            f"SELECT {select} FROM {qualified[second]}"
        )
        row = con.execute(f"SELECT count(*) FROM ({diff})").fetchone()
        n = int(row[0]) if row else 0
        samples = con.execute(f"{diff} LIMIT {show}").fetchall() if n and show else []
        return n, samples

    only_a, samples_a = only("a", "b")
    only_b, samples_b = only("b", "a")
    return TableDiff(
        table,
        _count(con, "a", table),
        _count(con, "b", table),
        only_a,
        only_b,
        tuple(c for c in cols_a if c not in cols_b),
        tuple(c for c in cols_b if c not in cols_a),
        compared,
        samples_a,
        samples_b,
    )


def _count(con: duckdb.DuckDBPyConnection, db: str, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {db}.main.{_quote(table)}").fetchone()
    return int(row[0]) if row else 0


def compare(a: Path, b: Path, extra: set[str], show: int = 3) -> list[TableDiff]:
    """Every table of the two warehouses, compared (see the module docstring)."""
    for path in (a, b):
        if not path.is_file():
            raise FileNotFoundError(f"no warehouse at {path}")
    con = duckdb.connect(":memory:")
    try:
        for alias, path in (("a", a), ("b", b)):
            literal = "'" + str(path).replace("'", "''") + "'"
            con.execute(f"ATTACH {literal} AS {alias} (READ_ONLY)")
        tables = sorted(_tables(con, "a") | _tables(con, "b"))
        return [compare_table(con, t, extra, show) for t in tables]
    finally:
        con.close()


def _cell(n: int | None) -> str:
    return "-" if n is None else str(n)


def report(diffs: list[TableDiff]) -> str:
    """The comparison as text: one line per table, then the differences."""
    lines = [f"{'table':<24} {'rows A':>9} {'rows B':>9} {'only A':>8} {'only B':>8}  result"]
    for d in diffs:
        verdict = "DIFFERS" if d.differs else "equal"
        lines.append(
            f"{d.table:<24} {_cell(d.rows_a):>9} {_cell(d.rows_b):>9} {d.only_a:>8} "
            f"{d.only_b:>8}  {verdict}"
        )
    for d in diffs:
        if not d.differs:
            continue
        lines.append(f"\n{d.table}: compared columns {', '.join(d.compared) or '-'}")
        if d.rows_a is None or d.rows_b is None:
            lines.append(f"  table only in {'B' if d.rows_a is None else 'A'}")
        if d.columns_only_a or d.columns_only_b:
            lines.append(f"  columns only in A: {list(d.columns_only_a)}")
            lines.append(f"  columns only in B: {list(d.columns_only_b)}")
        lines.extend(f"  only in A: {row!r}" for row in d.samples_a)
        lines.extend(f"  only in B: {row!r}" for row in d.samples_b)
    differing = sum(d.differs for d in diffs)
    lines.append(
        f"\n{len(diffs)} tables, {differing} differ"
        if differing
        else f"\n{len(diffs)} tables, all equal (timestamps, run ids and durations ignored)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: compare A and B, print the report, exit 1 on any difference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="first warehouse (e.g. built before a change)")
    parser.add_argument("b", type=Path, help="second warehouse")
    parser.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="[TABLE.]COLUMN",
        help="also leave out this column (repeatable)",
    )
    parser.add_argument("--show", type=int, default=3, help="differing rows shown per side")
    args = parser.parse_args(argv)
    try:
        diffs = compare(args.a, args.b, set(args.ignore), args.show)
    except (FileNotFoundError, duckdb.Error) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(report(diffs))
    return 1 if any(d.differs for d in diffs) else 0


if __name__ == "__main__":
    sys.exit(main())
