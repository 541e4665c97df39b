"""``make mutation-sample MUTATION_UNTIL=HH:MM``: the next such time, even past midnight.

Started at 23:18 with ``--until 00:15``, the sample stopped at once ("0 of 4 invocations run"):
the deadline was that day's 00:15, long past (session 49).
"""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutation_sample.py"


def _deadline():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("mutation_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module._deadline


def test_a_time_already_past_today_is_tomorrow() -> None:
    deadline = _deadline()
    now = datetime(2026, 12, 6, 23, 18, 30, tzinfo=UTC)
    assert deadline("00:15", now) == datetime(2026, 12, 7, 0, 15, tzinfo=UTC)
    assert deadline("23:45", now) == datetime(2026, 12, 6, 23, 45, tzinfo=UTC)
    assert deadline("23:18", now) == datetime(2026, 12, 7, 23, 18, tzinfo=UTC)
    assert deadline(None, now) is None
