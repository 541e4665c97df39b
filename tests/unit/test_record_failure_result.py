"""``pipeline.record_failure`` returns the error the warehouse holds for the run.

The first report of a failed run records its cause and returns it; a later report of the same
run with another cause (the run was cleared and failed again) records and returns that one, in
the run's one row (it kept the first error: probe, session 46). A refusal the loader recorded is
kept (tests/integration/test_run_record.py).

A survivor of the seed-1204 mutation sample (issue #18): ``record_failed_run__mutmut_28``
(``existing or cause`` -> ``existing and cause``) returned None for a first report and the new
cause for a later one; only a slow S3 test read the returned error.
"""

from __future__ import annotations

from pathlib import Path

from etl import pipeline
from tests.integration.helpers import query, settings_for


def test_each_report_records_and_returns_its_cause(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(b" date 2024-03-04 A story said the spokesman on Monday.")
    settings = settings_for(landing, tmp_path)
    with pipeline.writer(settings):
        pass  # the warehouse exists, so the failure can be recorded
    plan = pipeline.plan_run(settings)

    first = pipeline.record_failure(plan.staging_dir, ValueError("the tokenizer broke"))
    assert first == "ValueError: the tokenizer broke"
    again = pipeline.record_failure(plan.staging_dir, RuntimeError("a later failure"))
    assert again == "RuntimeError: a later failure"
    rows = query(
        settings.warehouse, "SELECT status, error FROM etl_run WHERE run_id = ?", [plan.run_id]
    )
    assert rows == [("failed", "RuntimeError: a later failure")]
