"""A run's time is accounted for in ``etl_run_stage``, and a pool of workers changes no data."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from etl import pipeline
from etl.sample import generate_sample
from etl.timing import STAGES, is_part

from .helpers import DATA_TABLES, checksums, query, settings_for

STORY_TABLES = ("dim_story", "story_member", "story_lsh")


def test_every_step_of_a_run_has_a_stage_row(tmp_path: Path) -> None:
    generate_sample(tmp_path / "landing", days=2, articles_per_day=20)
    settings = settings_for(tmp_path / "landing", tmp_path, batch_size=15, workers=1)
    started = time.perf_counter()
    summary = pipeline.run(settings)
    wall = time.perf_counter() - started
    rows = dict(
        query(
            settings.warehouse,
            "SELECT stage, seconds FROM etl_run_stage WHERE run_id = ?",
            [summary.run_id],
        )
    )
    # Everything but the CLI's start-up and summary (pipeline.run was called directly).
    assert set(rows) == set(STAGES) - {"startup", "summary"}
    assert all(seconds >= 0 for seconds in rows.values())
    whole = sum(seconds for stage, seconds in rows.items() if not is_part(stage))
    assert whole <= wall
    parts = sum(seconds for stage, seconds in rows.items() if stage.startswith("load."))
    assert parts <= rows["load"]


def test_workers_give_the_same_warehouse(tmp_path: Path) -> None:
    generate_sample(tmp_path / "landing", days=3, start=date(2024, 3, 4), articles_per_day=30)
    sums = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        settings = settings_for(tmp_path / "landing", out, batch_size=10, workers=workers)
        summary = pipeline.run(settings)
        assert summary.articles_loaded > 0
        sums[workers] = checksums(settings.warehouse, DATA_TABLES + STORY_TABLES)
    assert sums[1] == sums[2]
