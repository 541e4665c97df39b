"""What a check expected (stored with the run's values), UTC days in quality views, and
term_trend_by's empty periods and NULL unit (migration 0018)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from etl import pipeline
from etl.load.account import attach_staged
from etl.quality import format_quality, load_report

from .helpers import day_warehouse, query, settings_for

DAY = date(2024, 3, 4)
BODY = "The harbour board met on Monday and approved the new ferry timetable for the islands."


def _zone(root: Path, dated: int, undated: int = 0) -> Path:
    folder = root / DAY.isoformat()
    folder.mkdir(parents=True)
    for i in range(dated):
        (folder / f"a{i}.txt").write_text(f" date {DAY} Story {i}. {BODY}\n", encoding="utf-8")
    for i in range(undated):  # no header, no dated folder: the run's day
        (root / f"u{i}.txt").write_text(f"Undated story {i}. {BODY}\n", encoding="utf-8")
    return root


def test_checks_store_the_values_the_run_used(tmp_path: Path) -> None:
    landing = _zone(tmp_path / "landing", dated=3)
    settings = settings_for(
        landing, tmp_path, write_reports=False, min_article_terms=7, max_quarantine_share=0.3
    )
    pipeline.run(settings)
    rows = dict(
        query(
            settings.warehouse,
            "SELECT suite || '.' || expectation || '(' || coalesce(column_name, '') || ')',"
            " expected FROM fact_check_result",
        )
    )
    assert rows["article.expect_column_values_to_be_between(n_terms)"] == (
        "min_value=7 ($min_article_terms)"
    )
    # The date bound: the later of the run date (none here) and today (UTC), plus the allowance.
    latest = datetime.now(UTC).date() + timedelta(days=settings.future_date_allowance_days)
    assert rows["article.expect_column_values_to_be_between(published_date)"] in {
        f"min_value=1900-01-01 ($min_date), max_value={d} ($max_date)"
        for d in (latest, latest + timedelta(days=1))  # the test may cross midnight
    }
    assert rows["run.max_quarantine_share()"] == (
        f"share <= 0.3 ($max_quarantine_share), from {settings.quarantine_check_min_files}"
        " new files ($quarantine_check_min_files)"
    )
    # A constant argument is shown as the suite writes it (JSON), a check without one is empty.
    assert rows["raw_file.expect_column_values_to_be_in_set(outcome)"].startswith('value_set=["')
    report = format_quality(load_report(settings.warehouse))
    assert "expects min_value=7 ($min_article_terms)" in report
    assert "$min_article_terms;" not in report.replace("($min_article_terms)", "")


def test_rows_stored_before_the_column_show_the_suite_names(tmp_path: Path) -> None:
    warehouse = day_warehouse(tmp_path, DAY, {"a.txt": BODY})
    con = duckdb.connect(str(warehouse))
    con.execute("UPDATE fact_check_result SET expected = NULL")
    con.close()
    report = format_quality(load_report(warehouse))
    assert "expects min_value=$min_article_terms" in report


def test_a_run_staged_by_an_older_version_still_loads(tmp_path: Path) -> None:
    """Staged check files without ``expected`` (written before it existed) read it as NULL."""
    old = pa.table(
        {
            "batch": pa.array([0], pa.int32()),
            "suite": ["article"],
            "expectation": ["expect_x"],
            "column_name": ["n_terms"],
            "success": [True],
            "element_count": pa.array([1], pa.int64()),
            "unexpected_count": pa.array([0], pa.int64()),
            "observed_value": pa.array([None], pa.string()),
            "detail": pa.array([None], pa.string()),
        }
    )
    path = tmp_path / "checks.parquet"
    pq.write_table(old, path)
    con = duckdb.connect()
    attach_staged(con, {"checks": [path]}, [])
    assert con.execute("SELECT suite, expected FROM staged_checks").fetchall() == [
        ("article", None)
    ]


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_quality_days_are_utc_days_in_every_session_time_zone(tmp_path: Path, zone: str) -> None:
    """UTC+14 and UTC-11 are 25 hours apart: one of them always names another date."""
    landing = _zone(tmp_path / "landing", dated=0, undated=2)
    settings = settings_for(landing, tmp_path, write_reports=False)
    pipeline.run(settings)  # no --date: partition_date is NULL, the day is the day it ran
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        ((started,),) = con.execute("SELECT started_at FROM etl_run").fetchall()
        utc_day = started.astimezone(UTC).date()
        con.execute(f"SET TimeZone = '{zone}'")
        days = {d for (d,) in con.execute("SELECT DISTINCT day FROM v_quality_by_day").fetchall()}
    finally:
        con.close()
    assert days == {utc_day}


def test_quarantine_list_by_day_uses_the_utc_day(tmp_path: Path) -> None:
    landing = _zone(tmp_path / "landing", dated=0, undated=2)
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path, write_reports=False)
    pipeline.run(settings)
    ((started,),) = query(settings.warehouse, "SELECT started_at FROM etl_run")
    utc_day = started.astimezone(UTC).date()
    command = [sys.executable, "-m", "etl.cli", "quarantine", "list", "--date", str(utc_day)]
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        out = subprocess.run(
            [*command, "--format", "csv", "-w", str(settings.warehouse)],
            capture_output=True,
            text=True,
            env={"TZ": zone, "PATH": "/usr/bin:/bin"},
            check=True,
        ).stdout
        assert "empty.txt" in out, zone


def test_term_trend_by_says_when_a_period_has_no_articles(tmp_path: Path) -> None:
    warehouse = day_warehouse(tmp_path, DAY, {"a.txt": BODY})
    rows = query(
        warehouse,
        "SELECT period, articles, period_articles, note FROM term_trend_by('ferry',"
        " DATE '2024-02-01', DATE '2024-03-31', 'month')",
    )
    assert rows == [
        (date(2024, 2, 1), None, 0, "no articles this period"),
        (date(2024, 3, 1), 1, 1, None),
    ]
    rows = query(
        warehouse,
        "SELECT period, note FROM term_trend_by('zeppelin', DATE '2024-02-01',"
        " DATE '2024-03-31', 'month')",
    )
    assert rows == [
        (date(2024, 2, 1), "not in the vocabulary"),
        (date(2024, 3, 1), "not in the vocabulary"),
    ]


def test_term_trend_by_refuses_a_null_unit(tmp_path: Path) -> None:
    warehouse = day_warehouse(tmp_path, DAY, {"a.txt": BODY})
    with pytest.raises(duckdb.InvalidInputException, match="needs a unit"):
        query(
            warehouse,
            "SELECT * FROM term_trend_by('ferry', DATE '2024-03-01', DATE '2024-03-31', NULL)",
        )


def test_tfidf_names_an_id_that_is_not_an_article(tmp_path: Path) -> None:
    warehouse = day_warehouse(tmp_path, DAY, {"a.txt": BODY})
    ((aid,),) = query(warehouse, "SELECT article_id FROM fact_article")
    words = {t for t, *_ in query(warehouse, "SELECT * FROM tfidf(?, 100)", [aid])}
    assert {"harbour", "ferry", "timetable", "islands"} <= words
    for wrong in ("0" * 64, None):
        with pytest.raises(duckdb.InvalidInputException, match="no article with id"):
            query(warehouse, "SELECT * FROM tfidf(?, 10)", [wrong])


def test_a_rejected_record_says_what_its_expectation_expects(tmp_path: Path) -> None:
    """A record quarantined by an expectation named its value but not the bound it broke
    (``n_terms: {"n_terms": "1"}``): the detail now ends with what the expectation expects, in
    the words of its check's ``expected``; the check rows' own details stay the failing rows."""
    folder = tmp_path / "landing" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "real.txt").write_text(f" date {DAY} {BODY}\n", encoding="utf-8")
    (folder / "stub.txt").write_text(f" date {DAY} Ferry ferry ferry.\n", encoding="utf-8")
    (tmp_path / "landing" / "old.txt").write_text(
        " date 1850-06-01 The old harbour board met on Monday and approved a ferry timetable.\n",
        encoding="utf-8",
    )
    settings = settings_for(
        tmp_path / "landing",
        tmp_path,
        write_reports=False,
        min_article_terms=5,
        future_date_allowance_days=3,
    )
    pipeline.run(settings)
    rows = dict(query(settings.warehouse, "SELECT path, detail FROM quarantine"))
    rejected = dict(
        query(settings.warehouse, "SELECT parse_filename(path), record FROM quarantine")
    )
    assert rows.pop(f"{DAY}/stub.txt") == (
        'n_terms: {"n_terms": "1"}; expects min_value=5 ($min_article_terms)'
    )
    # The upper date bound: the later of the run date (none here) and today (UTC), plus 3 days.
    latest = datetime.now(UTC).date() + timedelta(days=3)
    assert rows.pop("old.txt") in {
        'published_date: {"published_date": "1850-06-01 00:00:00"}; expects'
        f" min_value=1900-01-01 ($min_date), max_value={d} ($max_date)"
        for d in (latest - timedelta(days=1), latest)  # the test may cross midnight
    }
    assert rows == {}
    checks = query(
        settings.warehouse,
        "SELECT column_name, detail FROM fact_check_result WHERE NOT success ORDER BY ALL",
    )
    assert [(column, json.loads(detail)) for column, detail in checks] == [
        ("n_terms", [{"n_terms": "1", "article_id": rejected["stub.txt"]}]),
        (
            "published_date",
            [{"published_date": "1850-06-01 00:00:00", "article_id": rejected["old.txt"]}],
        ),
    ]
