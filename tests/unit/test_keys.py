"""Stable surrogate keys: Python and DuckDB compute the same BIGINT."""

from __future__ import annotations

import hashlib

import pytest

from etl.load.keys import STABLE_ID_SQL, stable_id, stable_id_sql

_NAMES = [
    "",
    "taliban",
    "Taliban",
    "covid-19",
    "russia’s",
    "i\u0307stanbul'da",
    "नमस्ते",
    "بشعرٍ",
    "震度5弱",
    "😀 emoji",
    "reuters",
    "x" * 1000,
]


@pytest.mark.parametrize("name", _NAMES)
def test_stable_id_fits_a_signed_bigint(name: str) -> None:
    value = stable_id(name)
    assert 0 <= value < 2**63
    assert value == stable_id(name)


def test_stable_id_definition() -> None:
    digest = hashlib.md5(b"taliban").digest()
    assert stable_id("taliban") == int.from_bytes(digest[8:], "little") >> 1


def test_stable_ids_differ() -> None:
    assert len({stable_id(n) for n in _NAMES}) == len(_NAMES)


def test_stable_id_sql() -> None:
    assert stable_id_sql("term") == "(md5_number_lower(term) >> 1)::BIGINT"
    assert STABLE_ID_SQL.format(expr="x") == stable_id_sql("x")


def test_stable_id_equals_duckdb() -> None:
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()  # in memory
    try:
        rows = con.execute(
            f"SELECT name, {stable_id_sql('name')} FROM unnest(?::VARCHAR[]) AS t(name)",
            [_NAMES],
        ).fetchall()
    finally:
        con.close()
    assert dict(rows) == {name: stable_id(name) for name in _NAMES}


def test_stable_ids_in_bulk_equal_one_by_one() -> None:
    from etl.load.keys import stable_ids

    names = [*_NAMES, *_NAMES[:3], ""]
    assert stable_ids(names).tolist() == [stable_id(n) for n in names]
    assert stable_ids(names).tolist() == [stable_id(n) for n in names]  # now from the cache
    assert stable_ids([]).tolist() == []
