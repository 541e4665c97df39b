"""The day and load mode a news_daily run loads (etl.daily_run), from the plain values the DAG
passes: the expected values are the DAG doc's table, as literals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum

import pytest

from etl.daily_run import partition_date, run_mode

D = datetime(2024, 3, 4, tzinfo=UTC)
TRIGGERED = datetime(2024, 3, 9, 17, 30, tzinfo=UTC)


class RunType(str, Enum):  # noqa: UP042 - as Airflow declares it (its str() is not its value)
    """Shaped like Airflow's ``DagRunType`` (a ``str`` enum), without importing Airflow."""

    BACKFILL = "backfill"
    SCHEDULED = "scheduled"
    MANUAL = "manual"


@pytest.mark.parametrize(
    ("logical", "interval_start", "expected"),
    [
        (D, D, date(2024, 3, 4)),  # scheduled or backfill run: interval D -> D+1
        (D, D - timedelta(days=1), date(2024, 3, 4)),  # manual with D: the interval ends at D
        (None, D, date(2024, 3, 4)),  # no logical date: the interval's start
        (None, None, date(2024, 3, 9)),  # manual, neither: the day it was triggered
        # a datetime's own calendar day, not converted to another zone
        (datetime(2024, 3, 4, 23, 0, tzinfo=timezone(timedelta(hours=-5))), None, date(2024, 3, 4)),
        (date(2024, 3, 4), None, date(2024, 3, 4)),  # a plain date
    ],
)
def test_a_run_loads_its_logical_date(
    logical: date | None, interval_start: date | None, expected: date
) -> None:
    assert partition_date(logical, interval_start, TRIGGERED) == expected


@pytest.mark.parametrize(
    ("params", "run_type", "expected"),
    [
        ({}, "scheduled", "merge"),
        ({"mode": None}, "manual", "merge"),
        ({"mode": "auto"}, "backfill", "rebuild"),
        ({"mode": ""}, RunType.BACKFILL, "rebuild"),
        ({"mode": "auto"}, RunType.SCHEDULED, "merge"),
        ({"mode": "auto"}, RunType.MANUAL, "merge"),
        ({"mode": "merge"}, RunType.BACKFILL, "merge"),  # forced
        ({"mode": "rebuild"}, "scheduled", "rebuild"),  # forced
    ],
)
def test_backfill_runs_rebuild_and_the_others_merge_unless_forced(
    params: dict[str, str | None], run_type: str, expected: str
) -> None:
    mode = run_mode(params, run_type)
    assert mode == expected
    assert type(mode) is str  # as pipeline.plan_run and etl_run.mode take it


def test_the_mode_choices_are_auto_and_load_modes() -> None:
    from etl.contracts import LoadMode
    from etl.daily_run import AUTO, MODE_CHOICES

    assert MODE_CHOICES == ("auto", "merge", "rebuild")
    assert AUTO == "auto"
    assert all(LoadMode(choice) for choice in MODE_CHOICES[1:])
