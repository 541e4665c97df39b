"""Modification times of remote landing files (etl.ingest.landing._mtime_ns): object stores give
them as datetimes (S3's ``LastModified``) or as seconds (fsspec's ``mtime``/``created``), and the
ledger compares them in nanoseconds (a survivor of the seed-1201 mutation sample, issue #18).
The expected values are literals: 2026-12-01T12:00:00Z is 1796126400 s after the epoch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from etl.ingest.landing import _mtime_ns

NOON_NS = 1_796_126_400 * 1_000_000_000


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"LastModified": datetime(2026, 12, 1, 12, 0, tzinfo=UTC)}, NOON_NS),
        ({"updated": datetime(2026, 12, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))}, NOON_NS),
        ({"mtime": 1_796_126_400.5}, NOON_NS + 500_000_000),
        ({"created": "1796126400"}, NOON_NS),
        # a key that is missing or unreadable is skipped, the next one is used
        ({"mtime": None, "LastModified": datetime(2026, 12, 1, 12, 0, tzinfo=UTC)}, NOON_NS),
        ({"mtime": "yesterday", "created": 1_796_126_400}, NOON_NS),
        ({"size": 3}, 0),
    ],
)
def test_remote_mtimes_in_nanoseconds(info: dict[str, Any], expected: int) -> None:
    assert _mtime_ns(info) == expected
