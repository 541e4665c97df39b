"""Stable surrogate keys: the same name gets the same id in every warehouse and every run.

``stable_id(s)`` is the lower 64 bits of MD5(s) (little-endian), shifted right by one so that it
fits a signed BIGINT. DuckDB computes the same value as ``(md5_number_lower(s) >> 1)::BIGINT``,
so the loader derives keys in SQL and tests (or other tools) can reproduce them in Python.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from etl.memo import Memo

#: SQL expression template computing :func:`stable_id` of a VARCHAR expression in DuckDB.
STABLE_ID_SQL = "(md5_number_lower({expr}) >> 1)::BIGINT"


def stable_id(name: str) -> int:
    """The stable BIGINT key of ``name`` (see the module docstring)."""
    digest = hashlib.md5(name.encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[8:], "little") >> 1


def stable_id_sql(expr: str) -> str:
    """The DuckDB SQL for the stable key of the VARCHAR expression ``expr``."""
    return STABLE_ID_SQL.format(expr=expr)


#: Keys already computed in this process: names recur from batch to batch (a day's vocabulary is
#: mostly yesterday's).
_KEYS: Memo[int] = Memo(stable_id, limit=1 << 21)


def stable_ids(names: Sequence[str]) -> np.ndarray:
    """:func:`stable_id` of every name, as int64; each distinct name is hashed once a process."""
    return np.fromiter(_KEYS(names), dtype=np.int64, count=len(names))
