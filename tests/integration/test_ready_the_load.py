"""While a CLI run's helper validates, the run readies its load (``pipeline._ready_the_load``):
a warehouse that does not exist yet is made then, with its whole schema; the validate stage's
seconds are the run's wall time in the stage, whichever finished last; a failed validation is
recorded only once the readying is over."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from etl import pipeline
from etl.children import gx_helper
from etl.errors import PermanentError
from etl.load.migrations import discover
from etl.sample import generate_sample
from etl.settings import Settings

from .helpers import query, settings_for

MIGRATIONS = Path(__file__).resolve().parents[2] / "schemas" / "migrations"


def _settings(tmp_path: Path) -> Settings:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1, articles_per_day=4)
    return settings_for(landing, tmp_path / "w", workers=1)


def _run_with_helper(settings: Settings) -> Any:
    gx = gx_helper(staging_is_process_local=False)
    assert gx is not None
    try:
        return pipeline.run(settings, gx=gx)
    finally:
        gx.close()


def test_a_new_warehouse_is_made_with_its_schema_before_the_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    assert not settings.warehouse.exists()
    seen: list[tuple[bool, list[tuple[Any, ...]]]] = []
    load_run = pipeline.load_run

    def looking(staging_dir: Any, **kwargs: Any) -> Any:
        exists = settings.warehouse.exists()
        versions = query(settings.warehouse, "SELECT max(version) FROM schema_migrations")
        seen.append((exists, versions))
        return load_run(staging_dir, **kwargs)

    monkeypatch.setattr(pipeline, "load_run", looking)
    summary = _run_with_helper(settings)
    assert summary.articles_loaded == 4
    # the migration files, counted here, not by the code under test
    latest = len(list(MIGRATIONS.glob("[0-9][0-9][0-9][0-9]_*.sql")))
    assert latest == max(m.version for m in discover(MIGRATIONS))
    assert seen == [(True, [(latest,)])]


def test_the_validate_stage_lasts_until_the_readying_is_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    ready = pipeline._ready_the_load

    def slow(s: Settings) -> None:
        time.sleep(1.5)
        ready(s)

    monkeypatch.setattr(pipeline, "_ready_the_load", slow)
    summary = _run_with_helper(settings)
    ((seconds,),) = query(
        settings.warehouse,
        "SELECT sum(seconds) FROM etl_run_stage WHERE run_id = ? AND stage = 'validate'",
        [summary.run_id],
    )
    assert seconds >= 1.5


def _failing_validation(*args: Any) -> None:
    raise PermanentError("the suites could not be read")


def test_a_failed_validation_is_recorded_after_the_readying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    ready = pipeline._ready_the_load
    events: list[str] = []

    def slow(s: Settings) -> None:
        time.sleep(1.0)
        ready(s)
        events.append("readied")

    def recording(staging_dir: Any, exc: BaseException) -> Any:
        events.append("failure recorded")
        return record(staging_dir, exc)

    record = pipeline._record_failure
    monkeypatch.setattr(pipeline, "_ready_the_load", slow)
    monkeypatch.setattr(pipeline, "_validate", _failing_validation)
    monkeypatch.setattr(pipeline, "_record_failure", recording)
    with pytest.raises(PermanentError, match="the suites could not be read"):
        _run_with_helper(settings)
    assert events == ["readied", "failure recorded"]
    rows = query(settings.warehouse, "SELECT status, error FROM etl_run")
    assert len(rows) == 1
    assert rows[0][0] == "failed"
    assert "the suites could not be read" in rows[0][1]
