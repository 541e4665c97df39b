"""``pipeline.record_failure`` returns the error the warehouse holds for the run.

The first report of a failed run records its cause and returns it; a later report of the same
run (an Airflow ``record_failure`` task run again, or a refusal the loader already recorded)
changes nothing and returns the error first recorded, not its own cause.

A survivor of the seed-1204 mutation sample (issue #18): ``record_failed_run__mutmut_28``
(``existing or cause`` -> ``existing and cause``) returned None for a first report and the new
cause for a later one; only a slow S3 test read the returned error.
"""

from __future__ import annotations

from pathlib import Path

from etl import pipeline
from tests.integration.helpers import query, settings_for


def test_the_first_cause_is_recorded_and_returned_by_every_report(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(b" date 2024-03-04 A story said the spokesman on Monday.")
    settings = settings_for(landing, tmp_path)
    with pipeline.writer(settings):
        pass  # the warehouse exists, so the failure can be recorded
    plan = pipeline.plan_run(settings)

    first = pipeline.record_failure(plan.staging_dir, ValueError("the tokenizer broke"))
    assert first == "ValueError: the tokenizer broke"
    again = pipeline.record_failure(plan.staging_dir, RuntimeError("a later report"))
    assert again == "ValueError: the tokenizer broke"
    rows = query(
        settings.warehouse, "SELECT status, error FROM etl_run WHERE run_id = ?", [plan.run_id]
    )
    assert rows == [("failed", "ValueError: the tokenizer broke")]
