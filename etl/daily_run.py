"""Which day and which load mode a run of the ``news_daily`` DAG loads, from plain values.

The DAG hands over what its run's context says (dates, the run type, the params); this module
decides, and never imports Airflow (``etl`` must not).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from etl.contracts import LoadMode

#: The ``mode`` param's default: rebuild the day in backfill runs, merge new files otherwise.
AUTO = "auto"
#: The ``mode`` param's choices: :data:`AUTO` or a load mode a day's run can take (``replace``
#: is for ``news-etl run --replace`` only).
MODE_CHOICES = (AUTO, LoadMode.MERGE.value, LoadMode.REBUILD.value)
#: The run type of a run that ``airflow backfill create`` made (Airflow's ``DagRunType``).
BACKFILL_RUN = "backfill"


def partition_date(
    logical_date: date | None, data_interval_start: date | None, run_after: date
) -> date:
    """The day a run loads: its logical date.

    Scheduled and backfill runs of a data-interval timetable get the interval's start as logical
    date (the day that just ended); a manual run or ``airflow dags test news_daily D`` gets D (and
    the interval that ends at D: the partition follows the logical date, never the interval). A
    manual run without a logical date falls back to the day it was triggered (``run_after``).
    Datetimes give their own calendar day (Airflow's are in UTC).
    """
    for value in (logical_date, data_interval_start):
        if value is not None:
            return date(value.year, value.month, value.day)
    return date(run_after.year, run_after.month, run_after.day)


def run_mode(params: Mapping[str, Any], run_type: str) -> str:
    """``merge`` for scheduled and manual runs, ``rebuild`` for backfill runs, unless the
    ``mode`` param forces one. ``run_type`` is a string or a string enum (Airflow's
    ``DagRunType``), whose value counts."""
    chosen = params.get("mode") or AUTO
    if chosen != AUTO:
        return str(chosen)
    kind = getattr(run_type, "value", str(run_type))
    return LoadMode.REBUILD.value if kind == BACKFILL_RUN else LoadMode.MERGE.value
