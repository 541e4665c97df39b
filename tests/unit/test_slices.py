"""`etl.load.slices`: articles cut into pieces in (day, article id) order, checked
against a plain Python cut of the same literal rows."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from etl.load.slices import Slice, article_slices, in_slice

D1, D2, D3 = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 7)
ROWS = [
    (D2, "b"), (D1, "e"), (D1, "a"), (D2, "a"), (D1, "c"), (D3, "z"),
    (D1, "d"), (D1, "b"), (D2, "c"), (D1, "a"),  # (D1, "a") twice: counts once
]  # fmt: skip


def _python_slices(rows: list[tuple[date, str]], size: int) -> list[Slice]:
    ordered = sorted(set(rows))
    pieces = [ordered[i : i + size] for i in range(0, len(ordered), size)]
    return [Slice(*piece[0], *piece[-1]) for piece in pieces]


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE a (published_date DATE, article_id VARCHAR)")
    con.executemany("INSERT INTO a VALUES (?, ?)", ROWS)
    return con


@pytest.mark.parametrize("size", [1, 2, 3, 5, 100])
def test_slices_match_a_plain_cut(con: duckdb.DuckDBPyConnection, size: int) -> None:
    got = article_slices(con, "SELECT published_date, article_id FROM a", size)
    assert got == _python_slices(ROWS, size)


def test_literal_slices_of_two(con: duckdb.DuckDBPyConnection) -> None:
    assert article_slices(con, "SELECT published_date, article_id FROM a", 2) == [
        Slice(D1, "a", D1, "b"),
        Slice(D1, "c", D1, "d"),
        Slice(D1, "e", D2, "a"),  # a slice may span days
        Slice(D2, "b", D2, "c"),
        Slice(D3, "z", D3, "z"),
    ]


def test_slices_cover_every_row_once_in_order(con: duckdb.DuckDBPyConnection) -> None:
    seen: list[tuple[date, str]] = []
    for piece in article_slices(con, "SELECT * FROM a", 2):
        seen += con.execute(
            f"SELECT DISTINCT published_date, article_id FROM a WHERE {in_slice()} ORDER BY 1, 2",
            piece.params(),
        ).fetchall()
    assert seen == sorted(set(ROWS))


def test_parameters_and_aliases(con: duckdb.DuckDBPyConnection) -> None:
    got = article_slices(
        con, "SELECT * FROM a WHERE published_date <> $skip", 10, params={"skip": D1}
    )
    assert got == [Slice(D2, "a", D3, "z")]
    n = con.execute(
        f"SELECT count(*) FROM a x WHERE {in_slice('x')}", Slice(D1, "b", D1, "d").params()
    ).fetchone()
    assert n == (3,)
    # Across days: (D1, e), (D2, a), (D2, b); not (D1, d) nor (D2, c).
    n = con.execute(
        f"SELECT count(*) FROM a WHERE {in_slice()}", Slice(D1, "e", D2, "b").params()
    ).fetchone()
    assert n == (3,)
    assert article_slices(con, "SELECT * FROM a WHERE false") == []
    with pytest.raises(ValueError):
        article_slices(con, "SELECT * FROM a", 0)
