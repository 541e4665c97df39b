"""No statement a writer sends to the warehouse compares rows pair by pair with a history table.

A join DuckDB cannot hash (a nested loop, a blockwise or piecewise loop, an inequality join, a
cross product) costs the run's rows times the table's rows: invisible on a test warehouse,
seconds on a real one, and more every day (#12, session 52: the settling of the run's articles
compared each staged article with every stored one, 1.2 s for a day of 2,500 articles into a
warehouse of 150,000). This test runs every load mode, a rerun and the marts over a warehouse
that already holds a day, asks DuckDB for the plan of every statement the writer connection
runs (``EXPLAIN``, the same parameters) and fails on any such join with a stored (not temporary)
table under it, directly or through a materialized CTE. Not covered: the readers (the plan's
ledger reads, the reports) and the first run into the empty warehouse.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

import etl.warehouse
from etl import pipeline
from etl.marts import refresh_marts
from etl.sample import generate_sample

from .helpers import settings_for

#: DuckDB's join operators that compare the rows of their two sides pair by pair.
PAIRWISE_JOINS = frozenset(
    {"NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "PIECEWISE_MERGE_JOIN", "IE_JOIN", "CROSS_PRODUCT"}
)
#: A side that is one row at most: a join with it is a lookup, not a loop.
ONE_ROW = frozenset({"UNGROUPED_AGGREGATE", "SIMPLE_AGGREGATE"})
#: Pair-by-pair joins kept on purpose, by their condition, with the reason.
KEPT = {
    # a replace run's partitions (days, not articles) against the stored paths: one
    # substring pass over fact_article.source_file per partition; 10 ms for one day at 155,000
    # articles, where the hashable form (every dated folder of a path by regex) took 46 ms
    "contains(source_file, (strftime(day, '%Y-%m-%d') || '/'))",
}
#: The statements that have a plan (``EXPLAIN`` refuses the others: SET, COMMIT, DDL, ...).
PLANNED = ("SELECT", "WITH", "INSERT", "DELETE", "UPDATE")

START = date(2024, 3, 4)


def _ctes(node: dict[str, Any], found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The plan's materialized CTEs by their index: the node that computes each."""
    info = node.get("extra_info")
    if node.get("name") == "CTE" and isinstance(info, dict) and node.get("children"):
        found[str(info.get("Table Index"))] = node["children"][0]
    for child in node.get("children", []):
        _ctes(child, found)
    return found


def _stored_tables(node: dict[str, Any], ctes: dict[str, dict[str, Any]]) -> set[str]:
    """The stored (not temporary) tables a plan node reads, itself or below, through the
    materialized CTEs it scans too (a CTE used twice is computed once, apart from its users)."""
    found: set[str] = set()
    info = node.get("extra_info")
    if isinstance(info, dict):
        table = info.get("Table")
        if table and not str(table).startswith('"temp".'):
            found.add(str(table))
        cte = ctes.get(str(info.get("CTE Index")))
        if node.get("name") == "CTE_SCAN" and cte is not None:
            found |= _stored_tables(cte, ctes)
    for child in node.get("children", []):
        found |= _stored_tables(child, ctes)
    return found


def _one_row(node: dict[str, Any]) -> bool:
    """Whether a plan node gives one row at most (an aggregate without groups, under
    projections and filters, or a cross product of such)."""
    name = node.get("name", "")
    children = node.get("children", [])
    if name in ONE_ROW:
        return True
    if name == "CROSS_PRODUCT":  # of one-row sides: scalar subqueries side by side
        return all(_one_row(c) for c in children)
    return name in ("PROJECTION", "FILTER") and len(children) == 1 and _one_row(children[0])


def _pairwise(
    node: dict[str, Any], ctes: dict[str, dict[str, Any]]
) -> Iterator[tuple[str, str, set[str]]]:
    """Each pair-by-pair join in the plan below ``node``: its name, its condition and the
    stored tables under it."""
    name = node.get("name", "")
    children = node.get("children", [])
    if name in PAIRWISE_JOINS and not any(_one_row(c) for c in children):
        tables = _stored_tables(node, ctes)
        if tables:
            info = node.get("extra_info")
            yield name, str(info.get("Condition", "")) if isinstance(info, dict) else "", tables
    for child in children:
        yield from _pairwise(child, ctes)


class _Planned:
    """A writer connection that asks for the plan of each statement before running it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, seen: list[tuple[str, list[Any]]]):
        object.__setattr__(self, "_con", con)
        object.__setattr__(self, "_seen", seen)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._con, name, value)

    def __enter__(self) -> _Planned:
        self._con.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self._con.__exit__(*exc)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        first = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        temp_select = (
            sql.lstrip().upper().startswith(("CREATE OR REPLACE TEMP TABLE", "CREATE TEMP TABLE"))
        )
        if first in PLANNED or (temp_select and " AS" in sql.upper()):
            rows = self._con.execute("EXPLAIN (FORMAT JSON) " + sql, *args, **kwargs).fetchall()
            plans = [p for _key, value in rows for p in json.loads(value)]
            self._seen.append((sql, plans))
        return self._con.execute(sql, *args, **kwargs)


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """Every planned statement the warehouse writers of this test run, with its plans."""
    seen: list[tuple[str, list[Any]]] = []
    connect = etl.warehouse.connect

    def planning(path: Path, *, read_only: bool, **kwargs: Any) -> Any:
        con = connect(path, read_only=read_only, **kwargs)
        return con if read_only else _Planned(con, seen)

    monkeypatch.setattr(etl.warehouse, "connect", planning)
    return seen


def test_no_run_statement_loops_over_a_history_table(
    tmp_path: Path, planned: list[tuple[str, list[Any]]]
) -> None:
    zone = tmp_path / "zone"
    generate_sample(zone, days=3, start=START, articles_per_day=6)
    s = settings_for(zone, tmp_path, write_reports=False)
    first = pipeline.run(s, partition_date=START)
    assert first.articles_loaded > 0
    history = len(planned)
    second_day = date(2024, 3, 5)
    assert pipeline.run(s, partition_date=second_day).articles_loaded > 0
    pipeline.run(s, partition_date=second_day)  # nothing new: every file read before
    pipeline.run(s, partition_date=START, mode="replace")
    pipeline.run(s, partition_date=second_day, mode="rebuild")
    pipeline.run(s)  # the whole zone, the third day new
    refresh_marts(s)
    statements = planned[history:]
    assert len(statements) > 200  # the capture saw the loads (a run sends well over 40)
    loops = [
        (" ".join(sql.split())[:160], name, condition, sorted(tables))
        for sql, plans in statements
        for plan in plans
        for name, condition, tables in _pairwise(plan, _ctes(plan, {}))
        if condition not in KEPT
    ]
    assert loops == [], "\n".join(map(str, loops))
