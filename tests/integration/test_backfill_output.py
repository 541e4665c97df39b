"""What `news-etl backfill` prints over a wide range: the days that hold something, whole."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.sample import generate_sample
from etl.settings import Settings

from .helpers import query, settings_for


def test_days_with_nothing_are_counted_not_listed(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    pipeline.run(settings, partition_date=days[0])
    start = days[0] - timedelta(days=400)
    args = ["backfill", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", start.isoformat(), "--end", days[-1].isoformat(), "--dry-run"]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"), "COLUMNS": "60"}
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 0, out.output
    assert f"backfill {start} .. {days[-1]}, mode missing" in out.output  # the title
    assert f"│ {start}" not in out.output
    for day in days:
        assert day.isoformat() in out.output
    assert "2 of 3 days with files or articles to rebuild, " in out.output
    assert "; 400 days of the range with neither not listed" in out.output
    # In 60 columns a text version wraps; no cell is cut short with "…".
    assert "…" not in out.output


def test_the_total_counts_a_file_of_several_days_once(tmp_path: Path) -> None:
    """A file outside dated folders whose articles are on two days is listed on both (the
    rebuild of each reads it); the total counted it twice: "2 of 2 days ..., 3 files" for a zone
    of two files."""
    landing = tmp_path / "landing"
    (landing / "2024-03-04").mkdir(parents=True)
    body = "{} said the spokesman on Monday.\n\nA second paragraph follows here."
    (landing / "2024-03-04" / "a.txt").write_text(f" date 2024-03-04 {body.format('Apple')}")
    lines = [
        json.dumps({"published": day, "text": body.format(words)})
        for day, words in (("2024-03-04", "Banana"), ("2024-03-05", "Cherry"))
    ]
    (landing / "flat.jsonl").write_text("\n".join(lines) + "\n")
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 3
    args = ["backfill", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", "2024-03-04", "--end", "2024-03-05", "--mode", "all", "--dry-run"]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"), "COLUMNS": "100"}
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 0, out.output
    rows = [line.split("│")[1:3] for line in out.output.splitlines() if "│ 2024-03-0" in line]
    assert [(day.strip(), files.strip()) for day, files in rows] == [
        ("2024-03-04", "2"),
        ("2024-03-05", "1"),
    ]
    assert "2 of 2 days with files or articles to rebuild, 2 files" in out.output


def _backfill(
    landing: Path, warehouse: Path, tmp_path: Path, first: str, last: str, *more: str
) -> str:
    args = ["backfill", "--landing", str(landing), "--warehouse", str(warehouse)]
    args += ["--start", first, "--end", last, *more]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"), "NEWS_ETL_WRITE_REPORTS": "false"}
    out = CliRunner().invoke(app, args, env=env)
    return f"{out.exit_code}\n{out.output}"


def _successful_runs_per_day(settings: Settings) -> list[tuple[date, int]]:
    return query(
        settings.warehouse,
        "SELECT partition_date, count(*) FROM etl_run WHERE status = 'success' GROUP BY 1 "
        "ORDER BY 1",
    )


def _sample(tmp_path: Path) -> tuple[Path, list[date], Settings]:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    return landing, days, settings_for(landing, tmp_path / "w", write_reports=False)


def test_a_day_another_run_loaded_since_the_plan_is_skipped_not_rebuilt_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two overlapping `missing` backfills: the later one, planned between the first one's
    # days, rebuilt the days the first loaded meanwhile, its totals doubled (probe).
    from etl import backfill as bf

    landing, days, settings = _sample(tmp_path)
    planned = bf.plan_backfill

    def plan_then_another_run(*args: object, **kwargs: object) -> bf.BackfillPlan:
        plan = planned(*args, **kwargs)  # type: ignore[arg-type]
        pipeline.run(settings, partition_date=days[1])  # another backfill's day, meanwhile
        return plan

    monkeypatch.setattr(bf, "plan_backfill", plan_then_another_run)
    out = _backfill(landing, settings.warehouse, tmp_path, str(days[0]), str(days[-1]))
    assert out.startswith("0\n"), out
    assert f"{days[1]}: skipped, rebuilt by another run since this backfill was planned" in out
    assert _successful_runs_per_day(settings) == [(day, 1) for day in days]


@pytest.mark.parametrize("mode", ["missing", "all"])
def test_a_failed_day_names_the_days_never_tried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """The command that rebuilds the days never tried repeats the mode: without `--mode all`
    it was a `missing` backfill of days already loaded, which rebuilt nothing (probe O)."""
    from etl import backfill as bf
    from etl.errors import ConfigError

    landing, days, settings = _sample(tmp_path)
    if mode == "all":  # every day loaded: `missing` would select none of them
        for day in days:
            pipeline.run(settings, partition_date=day)

    def fails(*_: object, **__: object) -> None:
        raise ConfigError("the suites folder is gone")

    monkeypatch.setattr(bf, "rebuild_partition", fails)
    out = _backfill(
        landing, settings.warehouse, tmp_path, str(days[0]), str(days[-1]), "--mode", mode
    )
    text = " ".join(out.split())
    assert out.startswith("2\n"), out
    assert f"error: {days[0]}: the suites folder is gone" in text
    assert (
        f"not tried: 2 later days of the plan ({days[1]} .. {days[2]}); the days before "
        f"{days[0]} are done: --start {days[1]} --end {days[2]} --mode {mode} rebuilds the rest"
    ) in text


def test_two_backfills_started_together_rebuild_each_day_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `missing` backfills over the same days, started together: each day is rebuilt once,
    the other backfill says it skipped it. Both checked a day before either had loaded it and
    both rebuilt every day (probe O, session 39). Here the other backfill holds its lock and
    rebuilds days[1] once this one is waiting for the lock (or, without the lock, has checked
    days[1] already)."""
    import threading

    from etl import backfill as bf
    from etl import warehouse

    landing, days, settings = _sample(tmp_path)
    planned = bf.plan_backfill
    checked = bf.rebuilt_since
    waiting = threading.Event()
    errors: list[BaseException] = []

    def another_backfill() -> None:
        try:
            with bf.rebuilding(settings):
                started.set()
                waiting.wait(120)
                bf.rebuild_partition(settings, days[1])
        except BaseException as exc:  # pragma: no cover (reported below)
            errors.append(exc)
            started.set()

    started = threading.Event()
    other = threading.Thread(target=another_backfill)

    def plan_then_another_starts(*args: object, **kwargs: object) -> bf.BackfillPlan:
        plan = planned(*args, **kwargs)  # type: ignore[arg-type]
        other.start()
        started.wait(120)
        return plan

    def waits(what: str, *_: object, **__: object) -> None:
        if "another backfill" in what:
            waiting.set()

    def check(s: Settings, day: date, since: object) -> bool:
        if day == days[1]:
            waiting.set()
        return checked(s, day, since)  # type: ignore[arg-type]

    monkeypatch.setattr(bf, "plan_backfill", plan_then_another_starts)
    monkeypatch.setattr(bf, "rebuilt_since", check)
    monkeypatch.setattr(warehouse, "announce_wait", waits)
    out = _backfill(landing, settings.warehouse, tmp_path, str(days[0]), str(days[-1]))
    other.join(120)
    assert not errors, errors
    assert out.startswith("0\n"), out
    assert f"{days[1]}: skipped, rebuilt by another run since this backfill was planned" in out
    assert _successful_runs_per_day(settings) == [(day, 1) for day in days]


def test_a_backfill_whose_reader_stopped_early_still_rebuilds_every_day(tmp_path: Path) -> None:
    """`news-etl backfill … | head -1`: the reader gone, the backfill discards its output and
    rebuilds the days it planned, exit 0. It ended at its first line with 0, having rebuilt
    nothing (probe P, session 39)."""
    import os
    import subprocess
    import sys

    landing, days, settings = _sample(tmp_path)
    env = {
        **os.environ,
        "NEWS_ETL_LANDING": str(landing),
        "NEWS_ETL_WAREHOUSE": str(settings.warehouse),
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        "NEWS_ETL_WRITE_REPORTS": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "backfill", "--start", str(days[0]),
         "--end", str(days[-1]), "--mode", "all"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before it wrote anything: every write meets a closed pipe
    err = process.stderr.read().decode()
    assert process.wait(timeout=600) == 0, err
    assert "Traceback" not in err and "Broken pipe" not in err
    assert _successful_runs_per_day(settings) == [(day, 1) for day in days]


def _flat_feed(landing: Path) -> None:
    """A JSONL file outside dated folders whose two records are dated 2024-03-04 and -05."""
    body = "{} said the spokesman on Monday.\n\nA second paragraph follows here."
    lines = [
        json.dumps({"published": day, "text": body.format(words)})
        for day, words in (("2024-03-04", "Banana"), ("2024-03-05", "Cherry"))
    ]
    landing.mkdir(parents=True)
    (landing / "flat.jsonl").write_text("\n".join(lines) + "\n")


def test_new_files_the_plan_counts_on_no_day_are_named(tmp_path: Path) -> None:
    """A backfill into a new warehouse over a flat JSONL file said "0 of 0 days ..., 0 files"
    and named nothing, though `run` loads both records (probe B): the plan counts a new file
    outside dated folders without a date header on no day, and now names it. With no day to
    rebuild nothing reads it; once a day is rebuilt, that rebuild reads it too (review R2: the
    line first said no rebuild ever did) and its records go in on their own days."""
    landing = tmp_path / "landing"
    _flat_feed(landing)
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    args = ["backfill", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", "2024-03-01", "--end", "2024-03-10", "--mode", "all"]
    env = {
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        "NEWS_ETL_WRITE_REPORTS": "false",
        "COLUMNS": "100",
    }
    out = CliRunner().invoke(app, [*args, "--dry-run"], env=env)
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[-1] == (
        "0 of 0 days with files or articles to rebuild, 0 files; 10 days of the range with "
        "neither not listed; 1 new file outside dated folders with no date header "
        "(flat.jsonl): no day is rebuilt to read it, the next `news-etl run` loads it"
    )
    # A dated day to rebuild: its rebuild reads the flat file too.
    (landing / "2024-03-06").mkdir()
    body = "Rain fell on the capital for the third day and the river rose above its banks."
    (landing / "2024-03-06" / "a.txt").write_text(f" date 2024-03-06 {body}\n")
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 0, out.output
    assert (
        "1 of 1 day with files or articles to rebuild, 1 file; 9 days of the range with "
        "neither not listed; 1 new file outside dated folders with no date header "
        "(flat.jsonl), counted on no day: the first rebuild reads it too (dated records go in "
        "on their own days, undated ones wait for the next `news-etl run`)"
    ) in out.output.splitlines()
    per_day = query(
        settings.warehouse,
        "SELECT published_date, source_file FROM fact_article ORDER BY 1",
    )
    assert per_day == [
        (date(2024, 3, 4), "flat.jsonl"),
        (date(2024, 3, 5), "flat.jsonl"),
        (date(2024, 3, 6), "2024-03-06/a.txt"),
    ]
    # Read now: the next plan counts it on its records' days and names it no more.
    out = CliRunner().invoke(app, [*args, "--dry-run"], env=env)
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[-1] == (
        "3 of 3 days with files or articles to rebuild, 2 files; 7 days of the range with "
        "neither not listed"
    )


def _rebuild_all(settings: Settings, tmp_path: Path, start: str, end: str) -> list[str]:
    """``news-etl backfill --mode all`` of ``start``..``end`` (no reports); its output lines."""
    args = ["backfill", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", start, "--end", end, "--mode", "all"]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"), "NEWS_ETL_WRITE_REPORTS": "false"}
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 0, out.output
    return out.output.splitlines()


def test_a_days_line_names_the_days_its_rebuild_wrote(tmp_path: Path) -> None:
    """The rebuild of 03-04 reads the file of both records and writes both articles: its line
    said "2024-03-04: 2 articles" beside a day that holds one (probe B). It names the days it
    changed (written, or an article removed: review R2)."""
    landing = tmp_path / "landing"
    _flat_feed(landing)
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 2
    lines = _rebuild_all(settings, tmp_path, "2024-03-04", "2024-03-04")
    assert (
        "2024-03-04: 2 articles (days changed: 2024-03-04, 2024-03-05), 0 duplicates, "
        "0 quarantined, 0 removed"
    ) in lines
    per_day = query(
        settings.warehouse,
        "SELECT published_date, count(*) FROM fact_article GROUP BY 1 ORDER BY 1",
    )
    assert per_day == [(date(2024, 3, 4), 1), (date(2024, 3, 5), 1)]


def test_a_days_line_names_a_day_it_only_removed_from(tmp_path: Path) -> None:
    """A file in the folder of 03-04 whose header says 03-05 gave an article on 03-05; emptied,
    the rebuild of 03-04 quarantines it and removes that article: the only day it changed is
    03-05, which the line names (the removal-only case of review R2, untested until now)."""
    landing = tmp_path / "landing"
    (landing / "2024-03-04").mkdir(parents=True)
    moved = landing / "2024-03-04" / "x.txt"
    body = "Markets in the region closed higher on Tuesday after a long week of losses."
    moved.write_text(f" date 2024-03-05 {body}\n")
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 1
    moved.write_text("")
    lines = _rebuild_all(settings, tmp_path, "2024-03-04", "2024-03-05")
    assert (
        "2024-03-04: 0 articles (days changed: 2024-03-05), 0 duplicates, 1 quarantined, 1 removed"
    ) in lines
    assert query(settings.warehouse, "SELECT count(*) FROM fact_article") == [(0,)]


def test_a_bad_mode_is_a_usage_error_that_lists_the_declared_modes(tmp_path: Path) -> None:
    """The modes are declared once (etl.contracts.BackfillMode); the CLI's help and its usage
    error list them as they always did (literals), and a bad mode touches no warehouse."""
    warehouse = tmp_path / "w.duckdb"
    args = ["backfill", "--landing", str(tmp_path), "--warehouse", str(warehouse)]
    args += ["--start", "2024-03-04", "--end", "2024-03-05", "--mode", "fresh"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2
    assert out.stderr == (
        "error: news-etl backfill: Invalid value: --mode must be one of missing, all, stale "
        "(see --help)\n"
    )
    assert not warehouse.exists()
    shown = CliRunner().invoke(app, ["backfill", "--help"], env={"COLUMNS": "300"})
    assert (
        "missing: days never loaded; all: every day with files or articles; stale: days built "
        "by an older text-processing or schema version." in shown.output
    )
