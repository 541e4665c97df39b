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


#: Keys already handed out to analysts (DuckDB's ``(md5_number_lower(name) >> 1)::BIGINT``,
#: computed once and frozen): a change of the key function would re-key every warehouse.
_FROZEN = {
    "taliban": 4575383870292244340,
    "Taliban": 7331855597129429002,
    "reuters": 1401859306955153232,
    "": 4549053946144276596,
    "震度5弱": 474636712654329982,
}


@pytest.mark.parametrize("name", _NAMES)
def test_stable_id_fits_a_signed_bigint(name: str) -> None:
    value = stable_id(name)
    assert 0 <= value < 2**63


@pytest.mark.parametrize("name", _NAMES)
def test_stable_id_definition(name: str) -> None:
    """A second implementation: the upper 8 bytes of the MD5 digest, little-endian, halved."""
    digest = hashlib.md5(name.encode("utf-8")).digest()
    assert stable_id(name) == int.from_bytes(digest[8:], "little") >> 1


@pytest.mark.parametrize(("name", "key"), sorted(_FROZEN.items()))
def test_stable_ids_handed_out_never_change(name: str, key: int) -> None:
    assert stable_id(name) == key


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
