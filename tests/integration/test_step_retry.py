"""Every batch step is idempotent under retry (issue 16): a worker may die after a step wrote
its staged files and before Airflow marked the task done, and the retry runs the step again on
the same batch. The staged files after the retry must equal those after a single run.

Each step (ingest, text, validate) is run, its staged files read back, the step run again, and
the files compared: the same file names, the same rows in every Parquet table (the stage
timings of ``stage_stats`` aside: they are measured, not computed) and the same GX results.
The landing zone has a quarantine at ingest (an empty file) and one at the text stage (a JSONL
record whose text is only control characters), so that both writers of ``quarantine`` are hit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from etl import pipeline
from etl.settings import load_settings

#: Measured per try, so not part of what a retry must reproduce: the stage timings and the
#: time GX loaded each batch of its results.
TIMED = {"stage_stats": "seconds"}


def _untimed_gx(result: dict[str, Any]) -> dict[str, Any]:
    result["result"]["meta"]["batch_markers"].pop("ge_load_time")
    return result


def _landing(root: Path) -> Path:
    day = root / "2024-03-04"
    day.mkdir(parents=True)
    stories = (
        "Markets rallied strongly on Tuesday as investors cheered new factory figures",
        "Rain fell across the northern counties, causing floods in several market towns",
    )
    for index, lead in enumerate(stories):
        body = f"{lead}. " + "Officials said more details would follow later in the week. " * 3
        (day / f"story-{index}.txt").write_text(f" date 2024-03-04 {body}", encoding="utf-8")
    (day / "empty.txt").write_text("", encoding="utf-8")  # quarantined by ingest
    records = [
        {"title": "Bell", "text": "\u0007\u0008\u0001"},  # no text after cleaning: by text
        {"title": "Ports", "text": "Shipping through the northern ports rose for a third month"},
    ]
    (day / "feed.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    return root


def _staged(run_dir: Path) -> dict[str, Any]:
    """Every staged file of the run: Parquet tables as rows (timings aside), JSON as data."""
    found: dict[str, Any] = {}
    for path in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        name = path.relative_to(run_dir).as_posix()
        if path.suffix == ".parquet":
            table = pq.read_table(path)
            timed = TIMED.get(path.stem)
            if timed is not None:
                table = table.drop_columns([timed])
            found[name] = table.to_pylist()
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            found[name] = _untimed_gx(data) if name.startswith("gx-results/") else data
        else:
            found[name] = path.read_bytes()
    return found


@pytest.mark.slow
def test_each_batch_step_run_twice_stages_what_one_run_stages(tmp_path: Path) -> None:
    settings = load_settings(
        landing=_landing(tmp_path / "landing"),
        warehouse=tmp_path / "warehouse.duckdb",
        staging_dir=tmp_path / "staging",
        keep_staging=True,
        workers=1,
    )
    plan = pipeline.plan_run(settings)
    assert plan.n_batches == 1
    run_dir = Path(plan.staging_dir)
    steps: tuple[tuple[str, Callable[[], dict[str, int]]], ...] = (
        ("ingest", lambda: pipeline.ingest_batch(plan.staging_dir, 0)),
        ("text", lambda: pipeline.text_batch(plan.staging_dir, 0)),
        ("validate", lambda: pipeline.validate_run(plan.staging_dir)),
    )
    for name, step in steps:
        first_counts = step()
        once = _staged(run_dir)
        again_counts = step()  # the retry: the same step on the same batch
        assert again_counts == first_counts, name
        assert _staged(run_dir) == once, f"a retried {name} step staged different files"

    quarantine = once["batch-0000/quarantine.parquet"]
    assert sorted((Path(r["path"]).name, r["record"], r["stage"], r["reason"])
                  for r in quarantine) == [
        ("empty.txt", None, "ingest", "empty"),
        ("feed.jsonl", "line 1", "text", "no_text"),
    ]  # fmt: skip
    stages = [r["stage"] for r in once["batch-0000/stage_stats.parquet"]]
    assert stages == ["plan", "ingest", "text", "validate"]
    # The staged run still loads: one copy of each article, both quarantines recorded once.
    summary = pipeline.load_run(plan.staging_dir)
    assert (summary.articles_loaded, summary.quarantined) == (3, 2)
