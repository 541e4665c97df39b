"""What `news-etl query` says when it refuses SQL it cannot check, and that every statement of a
multi-statement query runs (survivors of the seed-1201 mutation sample, issue #18).

The refusal is the one line a user sees (`error: ...`), so its text is pinned exactly; the
expected strings are literals, not taken from etl.query.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.query import QueryRefusedError, _check_statement, check_read_only, run_query


@pytest.mark.parametrize("sql", ["", "   ", "-- only a comment", ";", "/* nothing */ ;"])
def test_sql_without_a_statement_is_refused_with_its_reason(sql: str) -> None:
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(duckdb.connect(), sql)
    assert str(caught.value) == "no SQL statement given"


@pytest.mark.parametrize(
    "sql", ["EXPLAIN /* a /* nested */ comment */ SELECT 1", "EXPLAIN (SELECT 1)"]
)
def test_an_explain_whose_inner_statement_cannot_be_read_is_refused_not_run(sql: str) -> None:
    # DuckDB reads both as an EXPLAIN, but the check cannot find the inner statement (a nested
    # comment ends, for the check, at its first `*/`; a parenthesised query reads as options):
    # refused, with the statement kind in capitals.
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(duckdb.connect(), sql)
    assert str(caught.value) == "EXPLAIN statements are not allowed here: cannot check them"


@pytest.mark.parametrize(
    "sql",
    [
        "explain/**/select 42",
        "explain--why?\nselect 42",
        "EXPLAIN ANALYZE/* timed */SELECT 42",
        "explain(format json)select 42",
        "EXPLAIN /* c */ (FORMAT json) /* d */ SELECT 42",
        "explain\tanalyse\nselect 42",
    ],
)
def test_an_explain_with_comments_for_spaces_is_checked_and_runs(sql: str) -> None:
    con = duckdb.connect()
    check_read_only(con, sql)
    relation = run_query(con, sql)
    assert relation is not None
    assert len(relation.fetchall()) == 1


@pytest.mark.parametrize(
    ("sql", "kind"),
    [
        ("explain analyze/**/copy (select 1) to '{out}'", "COPY"),
        ("EXPLAIN ANALYZE/*/ SELECT 1; */ COPY (SELECT 1) TO '{out}'", "COPY"),
        ("explain analyze--x\ncreate table t as select 1", "CREATE"),
    ],
)
def test_what_an_explain_with_comments_hides_is_still_checked(
    sql: str, kind: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.csv"
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(duckdb.connect(), sql.format(out=out))
    assert str(caught.value).startswith(f"{kind} statements are not allowed:")
    assert not out.exists()


@pytest.mark.parametrize("sql", ["CALL/*x*/pragma_version()", 'CALL"pragma_version"()'])
def test_a_call_the_check_cannot_read_is_refused_not_run(sql: str) -> None:
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(duckdb.connect(), sql)
    assert str(caught.value) == "CALL statements are not allowed here: cannot check them"


def test_every_statement_before_the_last_runs_and_the_last_gives_the_result() -> None:
    con = duckdb.connect()
    relation = run_query(con, "SELECT 1; SELECT 2; SELECT 40 + 2 AS answer")
    assert relation is not None
    assert relation.fetchall() == [(42,)]
    # an earlier statement really runs: its error reaches the user
    with pytest.raises(duckdb.InvalidInputException, match="boom"):
        run_query(con, "SELECT error('boom'); SELECT 1")
    # every one of them, not only the first (a mutant ran statements[:1])
    with pytest.raises(duckdb.InvalidInputException, match="second"):
        run_query(con, "SELECT 1; SELECT error('second'); SELECT 1")


def test_sql_that_does_not_parse_is_refused_with_the_parser_message() -> None:
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(duckdb.connect(), "SELEC 1")
    assert str(caught.value).startswith("cannot parse the SQL: Parser Error: syntax error at or")
    assert '"SELEC"' in str(caught.value)


def _explain_statement(con: duckdb.DuckDBPyConnection) -> Any:
    (statement,) = con.extract_statements("EXPLAIN SELECT 1")
    return statement


def test_nesting_is_checked_at_most_three_levels_deep() -> None:
    # DuckDB's parser refuses EXPLAIN EXPLAIN, so no SQL a user types nests deeper than one
    # level; the depth guard is the last line of defence should a DuckDB version accept it.
    # Pinned at its boundary through the function's own depth argument: an EXPLAIN checked at
    # depth 2 puts its inner SELECT at depth 3 (allowed), at depth 3 the SELECT is at depth 4.
    con = duckdb.connect()
    _check_statement(con, _explain_statement(con), 2)
    with pytest.raises(QueryRefusedError) as caught:
        _check_statement(con, _explain_statement(con), 3)
    assert str(caught.value) == (
        "SELECT statements are not allowed: `news-etl query` only reads the warehouse "
        "(use SELECT; the loader is the only writer)"
    )


def test_a_query_may_nest_three_explains_from_the_top_and_not_four(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The same guard counted from a statement as the user gives it (the default depth), with a
    # parser that, unlike DuckDB 1.5.5's, reads EXPLAIN EXPLAIN: three EXPLAINs over a SELECT
    # are checked and allowed, a fourth is refused.
    from dataclasses import dataclass

    from etl import query

    @dataclass
    class Statement:
        type: duckdb.StatementType
        query: str

    real = query._statements

    def nesting(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
        if sql.upper().startswith("EXPLAIN"):
            return [Statement(duckdb.StatementType.EXPLAIN, sql)]
        return real(con, sql)

    monkeypatch.setattr(query, "_statements", nesting)
    con = duckdb.connect()
    check_read_only(con, "EXPLAIN EXPLAIN EXPLAIN SELECT 1")
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(con, "EXPLAIN EXPLAIN EXPLAIN EXPLAIN SELECT 1")
    assert str(caught.value).startswith("SELECT statements are not allowed:")


@pytest.mark.parametrize(
    "sql",
    [
        "PIVOT (SELECT d, l FROM t) ON l USING count(*)",
        "PIVOT t ON l, d USING count(*)",
        "SELECT * FROM (PIVOT t ON l USING count(*))",
    ],
)
def test_a_pivot_without_its_columns_is_refused_with_the_way_that_works(sql: str) -> None:
    # refused as "CREATE statements are not allowed": DuckDB runs it as a CREATE TYPE first
    con = duckdb.connect()
    con.execute("CREATE TABLE t (d DATE, l VARCHAR)")
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(con, sql)
    assert str(caught.value) == (
        "a PIVOT must name its columns here: `PIVOT … ON col IN ('a', 'b') USING …` (without "
        "IN, DuckDB finds them with a CREATE TYPE statement, which `news-etl query` does not "
        "run: it only reads the warehouse)"
    )
    check_read_only(con, "PIVOT t ON l IN ('en', 'de') USING count(*)")  # named: it reads


def test_a_create_statement_is_still_refused_as_a_create() -> None:
    with pytest.raises(QueryRefusedError) as caught:
        check_read_only(duckdb.connect(), "CREATE TABLE x (a INTEGER)")
    assert str(caught.value).startswith("CREATE statements are not allowed")
