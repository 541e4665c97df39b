"""A failed validation is recorded as ``validate: <error>`` on every path a run takes: in this
process (one batch), in a forked child (several batches) and in the CLI's GX helper. The note
that carries the reason was named after every argument of the step, the suites' parameters
included (session 44's probe): its file name was too long to write, the reason was lost, and
the row read ``ConfigError: ...`` (or ``validate-0.0-None: ...`` on a backfill) instead."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from etl import pipeline
from etl.children import gx_helper
from etl.errors import ConfigError
from etl.settings import PROJECT_ROOT
from etl.warehouse import writer

from .helpers import query, settings_for

BODY = "Cocoa prices rose in Accra as the harvest came in late again this year.\n\n" * 3


@pytest.mark.parametrize(
    ("batch_size", "helper"),
    [(100, False), (1, False), (100, True)],
    ids=["one batch here", "several batches in a child", "the GX helper"],
)
def test_a_failed_validation_is_recorded_under_its_step(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, batch_size: int, helper: bool
) -> None:
    schemas = tmp_path / "schemas"  # the migrations, but no expectation suites
    schemas.mkdir()
    shutil.copytree(PROJECT_ROOT / "schemas" / "migrations", schemas / "migrations")
    landing = tmp_path / "landing"
    landing.mkdir()
    for name in ("a", "b"):
        (landing / f"{name}.txt").write_text(f" date 2024-03-04 {name} {BODY}", encoding="utf-8")
    settings = settings_for(
        landing, tmp_path, batch_size=batch_size, workers=1, schemas_dir=schemas
    )
    with writer(settings):
        pass  # the warehouse exists: the failed run is recorded in it
    gx = gx_helper(staging_is_process_local=False) if helper else None
    try:
        with caplog.at_level(logging.WARNING), pytest.raises(ConfigError):
            pipeline.run(settings, gx=gx)
    finally:
        if gx is not None:
            gx.close()
    ((status, error),) = query(tmp_path / "warehouse.duckdb", "SELECT status, error FROM etl_run")
    assert status == "failed"
    assert error.startswith("validate: ConfigError: no expectation suites at "), error
    assert "could not note why" not in caplog.text


@pytest.mark.parametrize("batch_size", [100, 1], ids=["one batch", "several batches"])
def test_a_first_run_that_fails_after_its_plan_makes_the_warehouse_to_record_it(
    tmp_path: Path, batch_size: int
) -> None:
    """Without the CLI's GX helper (a backfill, the DAG's tasks) a first run that failed was
    not recorded (``no warehouse at ...``), while ``news-etl run`` made the warehouse as it
    validated and recorded it (probe N2)."""
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    shutil.copytree(PROJECT_ROOT / "schemas" / "migrations", schemas / "migrations")
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text(f" date 2024-03-04 {BODY}", encoding="utf-8")
    settings = settings_for(
        landing, tmp_path, batch_size=batch_size, workers=1, schemas_dir=schemas
    )
    with pytest.raises(ConfigError):
        pipeline.run(settings)
    rows = query(tmp_path / "warehouse.duckdb", "SELECT status, error, files_seen FROM etl_run")
    ((status, error, seen),) = rows
    assert (status, seen) == ("failed", 1)
    assert error.startswith("validate: ConfigError: no expectation suites at "), error


def test_a_run_whose_landing_zone_is_missing_makes_no_warehouse(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "no-such-landing", tmp_path, workers=1)
    with pytest.raises(Exception, match="no-such-landing"):
        pipeline.run(settings)
    assert not (tmp_path / "warehouse.duckdb").exists()
