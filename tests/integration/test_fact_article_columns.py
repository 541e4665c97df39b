"""Every column of the staged ``articles`` table reaches ``fact_article`` or is kept elsewhere,
and the loader fills every ``fact_article`` column.

The loader's column list was typed by hand (``INSERT … BY NAME``): a column forgotten there went
in as NULL and nothing said so. It now derives from the staged table's declaration
(:data:`etl.contracts.SCHEMAS`) and :data:`etl.load.write.STORED_ELSEWHERE`; these tests tie that
map to the migrated schema and run the loader's own insert on a row with every value set.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from etl.contracts import SCHEMAS
from etl.load import write
from etl.load.account import TEXT_COLUMNS
from tests.integration.helpers import migrated

STAGED = SCHEMAS["articles"].names


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = migrated()
    try:
        yield connection
    finally:
        connection.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return [name for (name,) in rows]


def test_every_staged_article_column_reaches_fact_article_or_is_kept_elsewhere(
    con: duckdb.DuckDBPyConnection,
) -> None:
    fact = set(_columns(con, "fact_article"))
    assert set(write.STORED_ELSEWHERE) <= set(STAGED)
    assert set(write.FACT_ARTICLE_RENAMED) <= set(STAGED) - set(write.STORED_ELSEWHERE)
    written = {
        write.FACT_ARTICLE_RENAMED.get(name, name)
        for name in STAGED
        if name not in write.STORED_ELSEWHERE
    }
    assert written.isdisjoint(write.FACT_ARTICLE_SETTLED)
    assert written | set(write.FACT_ARTICLE_SETTLED) == fact
    for name, place in write.STORED_ELSEWHERE.items():
        if place is not None:
            table, column = place.split(".")
            assert column in _columns(con, table), (name, place)


def _value(field: pa.Field, i: int) -> Any:
    """A value of ``field``'s type, different for each ``i``."""
    kind = field.type
    if pa.types.is_list(kind):
        return [_value(pa.field(field.name, kind.value_type), i)]
    if pa.types.is_string(kind):
        return f"{field.name}-{i}"
    if pa.types.is_integer(kind):
        return 100 + i
    if pa.types.is_floating(kind):
        return 0.5 + i / 1000
    if pa.types.is_date(kind):
        return date(2024, 1, 2)
    raise AssertionError(f"no test value for {field}")


def test_the_loader_fills_every_fact_article_column(con: duckdb.DuckDBPyConnection) -> None:
    """One staged article with every column set goes through the loader's own insert: no
    ``fact_article`` column is NULL, and each holds the staged value it is declared to hold."""
    staged = {field.name: _value(field, i) for i, field in enumerate(SCHEMAS["articles"])}
    articles = pa.Table.from_pylist([staged], schema=SCHEMAS["articles"])
    con.register("staged_row", articles)
    con.execute("CREATE TEMP VIEW staged_articles AS SELECT * FROM staged_row")
    # as the settling leaves it: the texts stay in the staged files (account.TEXT_COLUMNS)
    con.execute(
        "CREATE TEMP TABLE new_articles AS"
        f" SELECT * EXCLUDE ({', '.join(TEXT_COLUMNS)}), 7 AS source_id FROM staged_row"
    )
    con.execute(
        "INSERT INTO story_member BY NAME SELECT article_id, 9 AS story_id, published_date"
        " FROM staged_row"
    )
    con.execute(
        "CREATE TEMP TABLE new_terms AS SELECT article_id, 1::BIGINT AS term_id, published_date,"
        " 1 AS count, 0 AS first_offset, 1::BIGINT AS stem_id, false AS is_stopword"
        " FROM staged_row WHERE false"
    )
    write._append_facts(con)
    columns = _columns(con, "fact_article")
    row = con.execute(f"SELECT {', '.join(columns)} FROM fact_article").fetchall()
    assert len(row) == 1
    stored = dict(zip(columns, row[0], strict=True))
    assert [c for c, v in stored.items() if v is None] == []
    renamed = {stored_as: name for name, stored_as in write.FACT_ARTICLE_RENAMED.items()}
    expected = {"source_id": 7, "story_id": 9} | {
        column: staged[renamed.get(column, column)]
        for column in columns
        if column not in ("source_id", "story_id")
    }
    assert stored == expected
    # the texts are read from the staged row the article was settled from
    assert con.execute("SELECT * FROM article_text").fetchall() == [
        (staged["article_id"], staged["published_date"], staged["raw_text"], staged["clean_text"])
    ]
