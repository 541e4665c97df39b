"""What ``news-etl airflow …`` says when Airflow fails, and the rerun it suggests (probe)."""

from __future__ import annotations

from etl.airflow_env import airflow_failure
from etl.airflow_service import _first_span

TRACEBACK = """\
Backfill create
Traceback (most recent call last):
  File "/venv/bin/airflow", line 10, in <module>
    sys.exit(main())
  File "/venv/lib/python3.11/site-packages/airflow/models/backfill.py", line 612, in _create
    raise AlreadyRunningBackfill(
airflow.models.backfill.AlreadyRunningBackfill: Another backfill is running for Dag news_daily
"""


def test_a_failed_airflow_command_is_said_by_its_exception_not_its_traceback() -> None:
    assert airflow_failure(TRACEBACK) == (
        "airflow.models.backfill.AlreadyRunningBackfill: Another backfill is running for Dag "
        "news_daily"
    )
    plain = "line 1\n\nline 2\nusage: airflow backfill create ...\nerror: bad date\n"
    assert airflow_failure(plain) == (
        "line 1 / line 2 / usage: airflow backfill create ... / error: bad date"
    )


def test_the_suggested_rerun_covers_the_first_span_of_days_only() -> None:
    # The banner suggested --from-date 2024-03-01 --to-date 2026-12-04: about a thousand runs.
    days = ["2024-03-01", "2024-03-02", "2024-03-05", "2024-03-06", "2026-12-04"]
    assert _first_span(days) == ("2024-03-01", "2024-03-02")
    assert _first_span(["2024-02-28", "2024-02-29", "2024-03-01"]) == ("2024-02-28", "2024-03-01")
    assert _first_span(["2026-12-04"]) == ("2026-12-04", "2026-12-04")
