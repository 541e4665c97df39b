"""The run record through public paths: one quarantine-share rule, failures recorded with their
cause, thresholds that are settings, no test hook reachable from the environment."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.errors import BatchValidationError, ConfigError
from etl.settings import PROJECT_ROOT, Settings
from etl.warehouse import writer

from .helpers import query, settings_for

DAY = date(2024, 3, 5)


def _txt(words: str, day: date = DAY) -> bytes:
    return f" date {day} {words} said the spokesman.\n\nA second paragraph follows.".encode()


def test_the_quarantine_share_rule_counts_files_in_the_refusal_and_in_its_check_row(
    tmp_path: Path,
) -> None:
    """20 new files, 5 quarantined, plus 10 bad JSONL lines inside a file that loads: the run
    loads, and the stored check says 5 / 20 = 0.25, passed."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for i in range(14):
        (landing / f"good{i}.txt").write_bytes(_txt(f"Good story number {i} about cocoa"))
    lines = [
        json.dumps({"text": f"A wire line about rubber {i}.", "date": str(DAY)}) for i in (1, 2)
    ]
    lines += ["{not json"] * 10
    (landing / "dump.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i in range(5):
        (landing / f"empty{i}.txt").write_bytes(b"")
    settings = settings_for(
        landing, tmp_path / "w", max_quarantine_share=0.5, quarantine_check_min_files=20
    )

    summary = pipeline.run(settings)

    assert (summary.status, summary.files_new, summary.files_quarantined) == ("success", 20, 5)
    assert summary.quarantined == 5 + 10
    ((success, observed, unexpected, elements),) = query(
        settings.warehouse,
        "SELECT success, observed_value, unexpected_count, element_count FROM fact_check_result"
        " WHERE suite = 'run' AND expectation = 'max_quarantine_share'",
    )
    assert (success, float(observed), unexpected, elements) == (True, 5 / 20, 5, 20)


def _schemas_without_suites(tmp_path: Path) -> Path:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    shutil.copytree(PROJECT_ROOT / "schemas" / "migrations", schemas / "migrations")
    return schemas


def test_a_pipeline_error_before_the_load_leaves_a_failed_run_row_with_its_cause(
    tmp_path: Path,
) -> None:
    """A ConfigError in the validate step (no suites): the CLI exits 2, and etl_run holds a
    failed row with the error and the plan's file counts."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for i in range(3):
        (landing / f"a{i}.txt").write_bytes(_txt(f"Story {i}"))
    warehouse = tmp_path / "w" / "warehouse.duckdb"
    env = {
        "NEWS_ETL_SCHEMAS_DIR": str(_schemas_without_suites(tmp_path)),
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        "NEWS_ETL_WRITE_REPORTS": "false",
    }
    runner = CliRunner()
    init = runner.invoke(app, ["init", "--warehouse", str(warehouse)], env=env)
    assert init.exit_code == 0, init.output

    result = runner.invoke(
        app, ["run", "--landing", str(landing), "--warehouse", str(warehouse)], env=env
    )

    assert result.exit_code == 2, result.output
    assert "no expectation suites" in result.output
    assert "is recorded as failed in etl_run" in result.output
    rows = query(
        warehouse,
        "SELECT status, error, files_seen, files_new, files_loaded, files_duplicate,"
        " files_quarantined, files_unchanged, articles_loaded FROM etl_run",
    )
    assert len(rows) == 1, rows
    status, error, seen, *counts = rows[0]
    assert status == "failed"
    assert "ConfigError" in error and "no expectation suites" in error
    assert seen == 3
    # every count recorded, none NULL; its plan's 3 new files counted new, none loaded (it
    # counted 0 new of a plan that had 3: probe, session 44)
    assert counts == [3, 0, 0, 0, 0, 0]


def test_a_missing_landing_zone_is_recorded_as_a_failed_run(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "no-such-landing", tmp_path / "w")
    runner = CliRunner()
    env = {"NEWS_ETL_STAGING_DIR": str(settings.staging_root)}
    init = runner.invoke(app, ["init", "--warehouse", str(settings.warehouse)], env=env)
    assert init.exit_code == 0, init.output
    result = runner.invoke(
        app,
        ["run", "--landing", str(settings.landing), "--warehouse", str(settings.warehouse)],
        env=env,
    )
    assert result.exit_code == 2, result.output
    assert "is recorded as failed in etl_run" in result.output
    ((status, error),) = query(settings.warehouse, "SELECT status, error FROM etl_run")
    assert status == "failed"
    assert error.startswith("LandingZoneError: ") and "no-such-landing" in error


def _damaged(share: float) -> bytes:
    """A UTF-8 article whose text is ``share`` U+FFFD characters."""
    body = "The harvest was good this year and prices fell sharply in the market. " * 20
    n_bad = int(len(body) * share / (1 - share)) + 1
    return f" date {DAY} {body}{chr(0xFFFD) * n_bad}".encode()


def test_the_replacement_character_limit_is_a_setting(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "damaged.txt").write_bytes(_damaged(0.03))
    strict = pipeline.run(settings_for(landing, tmp_path / "default"))
    assert (strict.articles_loaded, strict.quarantine_reasons) == (
        0,
        {"expect_column_values_to_be_between": 1},
    )
    lenient = pipeline.run(settings_for(landing, tmp_path / "lenient", max_replacement_ratio=0.05))
    assert lenient.articles_loaded == 1


def test_the_future_date_allowance_is_one_setting_for_ingest_and_the_suite(
    tmp_path: Path,
) -> None:
    today = datetime.now(UTC).date()
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "ahead.txt").write_bytes(_txt("Tomorrow's news, early", today + timedelta(days=3)))
    default = pipeline.run(settings_for(landing, tmp_path / "default"))
    assert default.quarantine_reasons == {"future_date": 1}
    allowed = pipeline.run(
        settings_for(landing, tmp_path / "allowed", future_date_allowance_days=3)
    )
    assert (allowed.articles_loaded, allowed.quarantine_reasons) == (1, {})


def test_post_load_checks_take_their_parameters_from_the_planned_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load step may run in another process with another environment (an Airflow worker):
    it uses the run's planned settings, not what NEWS_ETL_* says where it runs."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_txt("A story about tin"))
    settings = settings_for(landing, tmp_path / "w")
    plan = pipeline.plan_run(settings)
    pipeline.process_batch(plan.staging_dir, 0)
    pipeline.validate_run(plan.staging_dir)
    monkeypatch.setenv("NEWS_ETL_MAX_ARTICLE_CHARS", "not a number")
    summary = pipeline.load_run(plan.staging_dir)
    assert (summary.status, summary.articles_loaded) == ("success", 1)


def test_no_environment_variable_pauses_the_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The old test hook (a file named by NEWS_ETL_TEST_PAUSE_BEFORE_COMMIT, then a 120 s
    sleep before COMMIT) is gone: only an injected fault can stop a load there."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_txt("A story about zinc"))
    marker = tmp_path / "about-to-commit"
    monkeypatch.setenv("NEWS_ETL_TEST_PAUSE_BEFORE_COMMIT", str(marker))
    started = time.monotonic()
    summary = pipeline.run(settings_for(landing, tmp_path / "w"))
    assert summary.articles_loaded == 1
    assert not marker.exists()
    assert time.monotonic() - started < 100


def test_a_runs_end_is_after_its_load_not_at_the_start_of_the_load_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``ended_at`` was DuckDB's ``current_timestamp``, the load transaction's start: a load's
    own seconds were missing from every duration taken from it (``status``, the report's total,
    the index page; probe)."""
    import etl.validate.warehouse as post_load

    checked: list[datetime] = []
    check = post_load.check_warehouse

    def slow_check(*args: object, **kwargs: object) -> object:
        time.sleep(1.0)  # a load with seconds of work inside its transaction
        outcome = check(*args, **kwargs)  # type: ignore[arg-type]
        checked.append(datetime.now(UTC))
        return outcome

    monkeypatch.setattr(post_load, "check_warehouse", slow_check)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_txt("Cocoa prices rose in Accra"))
    settings = settings_for(landing, tmp_path)
    summary = pipeline.run(settings)
    assert len(checked) == 1
    ((ended,),) = query(
        settings.warehouse, "SELECT ended_at FROM etl_run WHERE run_id = ?", [summary.run_id]
    )
    assert ended >= checked[0]


def test_a_failed_run_retried_has_one_record_the_retrys(tmp_path: Path) -> None:
    """A step failed (the suites folder was missing), the run was recorded failed; the folder
    back, the run's steps ran again (Airflow's Clear) and it loaded: etl_run had two rows under
    one run id, failed and success, and ``status`` said the run failed (probe)."""
    schemas = tmp_path / "schemas"
    shutil.copytree(PROJECT_ROOT / "schemas", schemas)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_txt("Cocoa prices rose in Accra"))
    (landing / "b.txt").write_bytes(b"")  # quarantined: a quarantine row of the retry
    settings = settings_for(landing, tmp_path, schemas_dir=schemas, workers=1)
    with writer(settings):  # the warehouse exists (a failure is recorded in it)
        pass
    plan = pipeline.plan_run(settings)
    pipeline.ingest_batch(plan.staging_dir, 0)
    pipeline.text_batch(plan.staging_dir, 0)
    (schemas / "expectations").rename(tmp_path / "suites-away")
    with pytest.raises(Exception, match="no expectation suites") as failed:
        pipeline.validate_run(plan.staging_dir)
    pipeline.record_failure(plan.staging_dir, failed.value)
    run = [plan.run_id]
    assert query(settings.warehouse, "SELECT status FROM etl_run WHERE run_id = ?", run) == [
        ("failed",)
    ]
    (tmp_path / "suites-away").rename(schemas / "expectations")
    pipeline.validate_run(plan.staging_dir)
    pipeline.load_run(plan.staging_dir)
    rows = query(
        settings.warehouse,
        "SELECT status, articles_loaded, error FROM etl_run WHERE run_id = ?",
        run,
    )
    assert rows == [("success", 1, None)]
    assert query(settings.warehouse, "SELECT count(*) FROM quarantine WHERE run_id = ?", run) == [
        (1,)
    ]
    stages = query(
        settings.warehouse,
        "SELECT stage, count(*) FROM etl_run_stage WHERE run_id = ? GROUP BY 1 HAVING count(*) > 1",
        run,
    )
    assert stages == []


def _staged_through_text(settings: Settings) -> pipeline.RunPlan:
    """A planned run whose batch was ingested and tokenized (the warehouse made first: a
    failure is recorded in it)."""
    with writer(settings):
        pass
    plan = pipeline.plan_run(settings)
    pipeline.ingest_batch(plan.staging_dir, 0)
    pipeline.text_batch(plan.staging_dir, 0)
    return plan


def test_a_run_that_fails_anew_after_a_clear_is_recorded_with_its_new_error(
    tmp_path: Path,
) -> None:
    """The run's ingest failed once and was cleared; its validate step failed (no suites), the
    suites were put back with one broken and the step cleared: it failed anew. The run was
    reported with its first error, the one already fixed (probe, session 46)."""
    schemas = _schemas_without_suites(tmp_path)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_txt("Cocoa prices rose in Accra"))
    plan = _staged_through_text(settings_for(landing, tmp_path, schemas_dir=schemas))
    # its first ingest's failure, noted as the step notes it; cleared, the ingest ran above
    pipeline.note_failure(plan.staging_dir, "ingest-0", OSError("the disk was full"))
    with pytest.raises(ConfigError, match="no expectation suites"):
        pipeline.validate_run(plan.staging_dir)
    first = pipeline.record_failure(plan.staging_dir)
    assert first.startswith("validate: ConfigError: ") and "no expectation suites" in first
    shutil.copytree(PROJECT_ROOT / "schemas" / "expectations", schemas / "expectations")
    (schemas / "expectations" / "article.json").write_text("{ this is not json")
    with pytest.raises(ConfigError) as again:
        pipeline.validate_run(plan.staging_dir)
    assert "article.json" in str(again.value)

    reported = pipeline.record_failure(plan.staging_dir)

    assert reported == f"validate: ConfigError: {again.value}"
    rows = query(tmp_path / "warehouse.duckdb", "SELECT status, error FROM etl_run")
    assert rows == [("failed", reported)]


def test_a_refusal_the_load_recorded_is_kept_by_the_failure_record(tmp_path: Path) -> None:
    """The load refused the run for its data (its one new file quarantined): the record of the
    failure keeps the loader's row, its error and its check rows."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path, quarantine_check_min_files=1)
    plan = _staged_through_text(settings)
    pipeline.validate_run(plan.staging_dir)
    with pytest.raises(BatchValidationError) as refused:
        pipeline.load_run(plan.staging_dir)

    reported = pipeline.record_failure(plan.staging_dir)

    assert reported == str(refused.value)
    assert reported.startswith(f"run {plan.run_id}: none of the 1 new files produced an article")
    rows = query(settings.warehouse, "SELECT status, error FROM etl_run")
    assert rows == [("failed", reported)]
    checks = query(settings.warehouse, "SELECT count(*) FROM fact_check_result WHERE suite = 'run'")
    assert checks[0][0] > 0
