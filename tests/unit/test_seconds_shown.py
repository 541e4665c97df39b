"""A seconds setting is shown in messages as it was given: ``NEWS_ETL_LOCK_TIMEOUT_S=0.4`` was
"waiting up to 0s" and "for more than 0s" (``:.0f``) until session 42; what is left of a
timeout after the writer lock's wait is shown to the hundredth."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from etl.cli import app
from etl.settings import seconds


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.4, "0.4s"),
        (60, "60s"),
        (60.0, "60s"),
        (2.5, "2.5s"),
        (0.0, "0s"),
        (59.998723456, "60s"),
        (0.05, "0.05s"),
        (1e-05, "0.00001s"),
        (3600.123, "3600.12s"),
        (float("inf"), "infs"),  # NEWS_ETL_LOCK_TIMEOUT_S=inf is accepted: not "Infinitys"
    ],
)
def test_seconds_are_shown_as_given(value: float, shown: str) -> None:
    assert seconds(value) == shown


def test_a_fractional_lock_timeout_is_shown_as_given(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    warehouse = tmp_path / "news.duckdb"
    env = {"NEWS_ETL_LOCK_TIMEOUT_S": "0.4"}
    with caplog.at_level(logging.WARNING), FileLock(str(tmp_path / "news.duckdb.lock")):
        result = CliRunner().invoke(app, ["init", "-w", str(warehouse)], env=env)
    assert result.exit_code == 75, result.output
    assert result.stderr.splitlines() == [
        f"error: another process has been writing {warehouse} for more than 0.4s; try again later"
    ]
    said = [r.getMessage() for r in caplog.records if "waiting" in r.getMessage()]
    assert said == [
        f"another process holds the writer lock of {warehouse} (a run, backfill or replay "
        "writing it); waiting up to 0.4s"
    ]
