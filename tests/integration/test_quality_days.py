"""``quality --date D`` and ``v_quality_by_day`` count the same runs on a day (session 28).

A probe found them apart: after a run without ``--date`` that loaded 2024-03-04 and a backfill
of that day, ``quality --date 2024-03-04`` listed two runs and the view one; on the UTC day the
runs ran, the view had a row and the command "no runs found". Expected run ids are the runs'
own, compared as sets written out here.
"""

from __future__ import annotations

from datetime import UTC, date
from pathlib import Path

from etl import pipeline
from etl.quality import format_quality, load_report

from .helpers import query, settings_for

DAY = date(2024, 3, 4)
ROW_COUNT = "expect_table_row_count_to_be_between"


def _view_runs(warehouse: Path, day: date) -> list[tuple[int]]:
    return query(
        warehouse,
        "SELECT runs FROM v_quality_by_day WHERE day = ? AND suite = 'article'",
        [day],
    )


def test_a_day_counts_the_runs_that_loaded_it_in_the_command_and_the_view(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(" date 2024-03-04 Rain fell on the capital.\n", "utf-8")
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    first = pipeline.run(settings)  # no --date: it loads 2024-03-04
    rebuilt = pipeline.run(settings, partition_date=DAY, mode="rebuild", trigger="cli-backfill")

    report = load_report(settings.warehouse, day=DAY)
    assert {run_id for run_id, _, _ in report.runs} == {first.run_id, rebuilt.run_id}
    assert _view_runs(settings.warehouse, DAY) == [(2,)]
    ((started,),) = query(settings.warehouse, "SELECT min(started_at) FROM etl_run")
    ran_on = started.astimezone(UTC).date()
    assert load_report(settings.warehouse, day=ran_on).runs == []
    assert _view_runs(settings.warehouse, ran_on) == []
    assert query(settings.warehouse, "SELECT DISTINCT day FROM v_quality_by_day") == [(DAY,)]


def test_a_run_that_loaded_no_day_counts_on_the_day_it_started(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path, write_reports=False)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 0
    ((started,),) = query(settings.warehouse, "SELECT started_at FROM etl_run")
    ran_on = started.astimezone(UTC).date()
    assert [r[0] for r in load_report(settings.warehouse, day=ran_on).runs] == [summary.run_id]
    assert query(
        settings.warehouse, "SELECT day, runs FROM v_quality_by_day WHERE suite = 'run'"
    ) == [(ran_on, 1)]


def test_a_day_of_several_runs_shows_every_batch_observation(tmp_path: Path) -> None:
    """Counts were summed over the day's runs but "observed" was one batch's value, any one:
    a day of runs of 1 and 2 articles said "2 checked ...; observed 1" (or 2)."""
    folder = tmp_path / "landing" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(" date 2024-03-04 Rain fell on the capital.\n", "utf-8")
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    pipeline.run(settings, partition_date=DAY)
    (folder / "b.txt").write_text(" date 2024-03-04 Snow closed the mountain pass.\n", "utf-8")
    (folder / "c.txt").write_text(" date 2024-03-04 The river rose overnight.\n", "utf-8")
    pipeline.run(settings, partition_date=DAY)

    report = load_report(settings.warehouse, day=DAY)
    (rows,) = [
        i for i in report.passes if i["expectation"] == "expect_table_row_count_to_be_between"
    ]
    assert (rows["observed"], rows["observed_per_batch"], rows["batches"]) == ("1 | 2", True, 2)
    assert "observed per batch 1 | 2" in format_quality(report)
    one = load_report(settings.warehouse, run_id=report.runs[0][0])
    (rows,) = [i for i in one.passes if i["expectation"] == ROW_COUNT]
    assert (rows["observed"], rows["observed_per_batch"]) == ("1", False)
    assert "; observed 1" in format_quality(one)
