"""A replay beside a run planned before it forgot (probe, session 43): the run skipped a
quarantined file as unchanged; the replay forgot that file's verdict and read it again; the
run's load, committed between the two, wrote the forgotten verdict back, and the replay's load
then took the file for one "recorded after it was planned" and dropped its quarantine rows.
The file stayed quarantined in the ledger with no record standing, and no replay read it
again. A file skipped as unchanged is never recorded anew by the run that skipped it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etl import pipeline
from etl.load.replay import forget_quarantined
from etl.load.standing import STANDING_QUARANTINE
from etl.settings import Settings
from etl.storage import Location
from etl.warehouse import writer

from .helpers import query, settings_for


def _copy(names: list[Path], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(name, folder / name.name)


def _planned(settings: Settings, **kwargs: object) -> pipeline.RunPlan:
    """A run planned, its batches processed and validated, not loaded."""
    plan = pipeline.plan_run(settings, in_process=True, **kwargs)  # type: ignore[arg-type]
    pipeline._process_batches(plan, 1, None)
    pipeline._validate_stage(plan, None)
    return plan


def _standing_records_of(settings: Settings, path: str) -> list[tuple[object, ...]]:
    """The file's quarantine records that stand (what summary counts and replay reads)."""
    return query(
        settings.warehouse,
        f"WITH {STANDING_QUARANTINE} SELECT reason FROM standing WHERE path = ?",
        [path],
    )


@pytest.mark.parametrize("run_first", [True, False], ids=["run loads first", "replay first"])
def test_a_run_planned_before_a_replay_forgot_keeps_the_replays_records(
    tmp_path: Path, corpora: Path, run_first: bool
) -> None:
    files = sorted((corpora / "reuters").glob("*.txt"))
    landing = tmp_path / "landing" / "2024-03-01"
    _copy(files[:3], landing)
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(tmp_path / "landing", tmp_path / "w", workers=1)
    first = pipeline.run(settings)
    assert first.quarantined == 1
    empty = "2024-03-01/empty.txt"  # as the ledger names it: relative to the landing zone
    assert _standing_records_of(settings, empty) == [("empty",)]

    _copy(files[3:6], landing)  # new work for the run planned next
    run = _planned(settings)  # skips empty.txt as unchanged (quarantined)

    def forget(staging: Location) -> None:
        with writer(settings) as con:
            forget_quarantined(con, str(settings.landing), keep=(staging, str(settings.warehouse)))

    replay = _planned(settings, trigger="replay", before_plan=forget)  # reads empty.txt again
    try:
        if run_first:
            loaded = pipeline.load_run(run.staging_dir)
            replayed = pipeline.load_run(replay.staging_dir)
        else:
            replayed = pipeline.load_run(replay.staging_dir)
            loaded = pipeline.load_run(run.staging_dir)
    finally:
        pipeline.release(run.run_id)
        pipeline.release(replay.run_id)
    # the three new files: loaded by whichever run committed first (the replay reads them too)
    assert loaded.articles_loaded + replayed.articles_loaded == 3
    assert replayed.quarantined == 1
    # the replay's verdict stands, with its record: what summary counts and replay reads
    ledger = query(
        settings.warehouse,
        "SELECT outcome, first_run_id FROM ingest_ledger WHERE path = ?",
        [empty],
    )
    assert ledger == [("quarantined", replay.run_id)]
    assert _standing_records_of(settings, empty) == [("empty",)]
