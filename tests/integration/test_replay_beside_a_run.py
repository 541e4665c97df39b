"""A replay beside a run planned before it forgot (probe, session 43): the run skipped a
quarantined file as unchanged; the replay forgot that file's verdict and read it again; the
run's load, committed between the two, wrote the forgotten verdict back, and the replay's load
then took the file for one "recorded after it was planned" and dropped its quarantine rows.
The file stayed quarantined in the ledger with no record standing, and no replay read it
again. A file skipped as unchanged is never recorded anew by the run that skipped it."""

from __future__ import annotations

import shutil
from pathlib import Path

from etl import pipeline
from etl.load.replay import forget_quarantined
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
    return query(
        settings.warehouse,
        "SELECT reason FROM quarantine WHERE path = ? AND run_id IN "
        "(SELECT last_run_id FROM ingest_ledger WHERE path = ?)",
        [path, path],
    )


def test_a_run_loaded_between_a_replays_forgetting_and_its_load_keeps_the_replays_records(
    tmp_path: Path, corpora: Path
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
        loaded = pipeline.load_run(run.staging_dir)  # commits first
        replayed = pipeline.load_run(replay.staging_dir)
    finally:
        pipeline.release(run.run_id)
        pipeline.release(replay.run_id)
    assert loaded.articles_loaded == 3
    assert replayed.quarantined == 1
    # the replay's verdict stands, with its record: what summary counts and replay reads
    ledger = query(
        settings.warehouse,
        "SELECT outcome, last_run_id FROM ingest_ledger WHERE path = ?",
        [empty],
    )
    assert ledger == [("quarantined", replay.run_id)]
    assert _standing_records_of(settings, empty) == [("empty",)]
