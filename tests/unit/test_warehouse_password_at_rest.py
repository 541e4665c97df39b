"""A password in a DuckLake URL is never stored or printed by the project, yet every process that
was given it still reaches the warehouse.

A run's ``plan.json`` (staging may be shared object storage) and an Airflow Asset event's extra
name the warehouse with ``password=***``; a process that reads them back puts the password back
from the URL it was given itself (its settings, ``--warehouse``, ``NEWS_ETL_WAREHOUSE``), and one
that was not given it is refused before it connects, saying what to do. Expected values are
literal strings.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl import target
from etl.errors import ConfigError
from etl.lake import connect
from etl.pipeline import RunPlan, stored_settings
from etl.report.summary import WarehouseSummary, format_summary
from etl.settings import Settings
from etl.target import has_masked_password, parse_target, unmask
from etl.task_log import marts_line, publish_line

REAL = "ducklake:postgres:dbname=news host=db port=5432 user=etl password=s3cret"
MASKED = "ducklake:postgres:dbname=news host=db port=5432 user=etl password=***"


@pytest.fixture(autouse=True)
def _nothing_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh process: no URL given yet, no ``NEWS_ETL_WAREHOUSE``."""
    monkeypatch.setattr(target, "_GIVEN", {})
    monkeypatch.delenv("NEWS_ETL_WAREHOUSE", raising=False)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (MASKED, True),
        ("ducklake:postgres:dbname=news password=*** host=db", True),
        ("ducklake:postgres:dbname=news PASSWORD = ***", True),
        (REAL, False),
        ("ducklake:postgres:dbname=news password=***x", False),  # a password that starts ***
        ("ducklake:postgres:dbname=news password=x***", False),
        ("ducklake:postgres:dbname=news user=etl", False),
    ],
)
def test_a_masked_password_is_told_from_a_real_one(text: str, masked: bool) -> None:
    assert has_masked_password(text) is masked


def test_a_process_given_the_url_puts_its_password_back() -> None:
    assert parse_target(REAL).location == REAL  # given: remembered
    assert parse_target(MASKED).location == REAL
    assert unmask(MASKED) == REAL
    # Another database on the same server is not the URL this process was given.
    other = MASKED.replace("dbname=news", "dbname=archive")
    assert parse_target(other).location == other


def test_the_password_comes_from_news_etl_warehouse_written_any_way_libpq_allows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An Airflow worker that never parsed the URL itself: its environment names the warehouse
    # (spaces around `=`, the password quoted), and the stored, masked URL resolves from it.
    monkeypatch.setenv(
        "NEWS_ETL_WAREHOUSE",
        "ducklake:postgres:dbname = news  host=db port=5432 user=etl password='two words'",
    )
    expected = "ducklake:postgres:dbname=news host=db port=5432 user=etl password='two words'"
    assert parse_target(MASKED).location == expected
    assert str(Settings(warehouse=MASKED).warehouse) == expected


def test_an_environment_naming_another_warehouse_gives_no_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWS_ETL_WAREHOUSE", REAL.replace("host=db", "host=elsewhere"))
    assert parse_target(MASKED).location == MASKED


def test_a_process_not_given_the_password_is_refused_before_it_connects() -> None:
    with pytest.raises(ConfigError) as caught:
        connect(parse_target(MASKED), read_only=True, wait_s=0)
    message = str(caught.value)
    assert message.startswith(MASKED + ": the password was masked where")
    assert "NEWS_ETL_WAREHOUSE" in message
    assert "PGPASSWORD" in message


def test_a_run_plan_stores_the_url_masked_and_reads_it_back_whole(tmp_path: Path) -> None:
    settings = Settings(warehouse=REAL, landing=tmp_path, staging_dir=tmp_path / "staging")
    stored = stored_settings(settings)
    assert stored["warehouse"] == MASKED
    assert stored["landing"] == str(tmp_path)  # the rest as it was
    plan = RunPlan(
        run_id="r1",
        staging_dir=str(tmp_path / "staging" / "r1"),
        settings=stored,
        partition_date=None,
        fallback_date="2024-03-04",
        mode="merge",
        trigger="cli",
        external_run_id=None,
        started_at="2024-03-04T00:00:00+00:00",
        files_seen=0,
        files_deferred=0,
    )
    (tmp_path / "staging" / "r1").mkdir(parents=True)
    plan.save()
    text = (tmp_path / "staging" / "r1" / "plan.json").read_text()
    assert "s3cret" not in text
    assert "password=***" in text
    assert str(RunPlan.load(plan.staging_dir).settings_obj().warehouse) == REAL


def test_lines_that_name_the_warehouse_mask_its_password() -> None:
    summary = WarehouseSummary(
        articles=0, sources=0, terms=0, first_date=None, last_date=None, quarantined_files=0,
        quarantine_reasons=[], runs=0, last_run=None, top_terms=[],
    )  # fmt: skip
    lines = [
        format_summary(summary, Path(REAL)),
        publish_line(REAL, [date(2024, 3, 4).isoformat()]),
        marts_line(REAL, {"mart_daily_source": 3}),
    ]
    for line in lines:
        assert "s3cret" not in line
        assert "password=***" in line
    assert lines[2] == f"marts of {MASKED} rebuilt: mart_daily_source: 3 rows"
