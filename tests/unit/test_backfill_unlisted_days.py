"""What `news-etl airflow backfill` says of the days Airflow selected no run for
(etl.airflow_service.unlisted_days): expected sentences are literals."""

from __future__ import annotations

from datetime import date

from etl.airflow_service import unlisted_days

TODAY = date(2026, 12, 5)


def test_every_day_selected_needs_no_word() -> None:
    runs = ["2026-12-01", "2026-12-02"]
    assert unlisted_days("2026-12-01", "2026-12-02", runs, "news_daily", "none", TODAY) is None


def test_today_is_not_over_yet_not_a_day_with_a_run() -> None:
    """Probe N: today's date was said to have a news_daily run already."""
    assert unlisted_days("2026-12-05", "2026-12-05", [], "news_daily", "none", TODAY) == (
        "no run selected: 2026-12-05 not over yet (UTC): a news_daily run loads its day once "
        "the day has ended"
    )


def test_a_last_day_left_out_is_named() -> None:
    """Probe N: 12-03 .. 12-05 listed 12-03 and 12-04 and said nothing of 12-05."""
    runs = ["2026-12-03", "2026-12-04"]
    assert unlisted_days("2026-12-03", "2026-12-06", runs, "news_daily", "none", TODAY) == (
        "not selected: 2026-12-05, 2026-12-06 not over yet (UTC): a news_daily run loads its "
        "day once the day has ended"
    )


def test_days_skipped_are_named_by_what_skips_them_not_said_to_have_a_run() -> None:
    """Probe T: under a non-UTC default time zone, a day Airflow left out was said to "already
    have a news_daily run" it did not have: the message says what Airflow skips, not that."""
    runs = ["2026-11-02"]
    said = unlisted_days("2026-11-01", "2026-11-03", runs, "news_daily", "failed", TODAY)
    assert said == (
        "not selected: 2026-11-01, 2026-11-03: Airflow did not select them; --reprocess-behavior "
        "failed skips a day whose news_daily run did not fail (--reprocess-behavior completed "
        "runs them again)"
    )
    many = unlisted_days("2026-10-01", "2026-10-31", [], "news_daily", "none", TODAY)
    assert many == (
        "no run selected: 31 days between 2026-10-01 and 2026-10-31: Airflow did not select "
        "them; --reprocess-behavior none skips a day that has a news_daily run already "
        "(--reprocess-behavior completed runs them again; failed, those whose run failed)"
    )
