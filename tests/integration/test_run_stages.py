"""A run's time is accounted for in ``etl_run_stage``, and a pool of workers changes no data."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from etl import pipeline
from etl.sample import generate_bulk, generate_sample
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
    # One batch runs in this process; several go to a pool of 1 or 2 worker processes.
    generate_sample(tmp_path / "landing", days=3, start=date(2024, 3, 4), articles_per_day=30)
    sums = {}
    for name, batch_size, workers in (("in-process", 1000, 1), ("1", 10, 1), ("2", 10, 2)):
        out = tmp_path / f"w{name}"
        settings = settings_for(tmp_path / "landing", out, batch_size=batch_size, workers=workers)
        summary = pipeline.run(settings)
        assert summary.articles_loaded > 0
        sums[name] = checksums(settings.warehouse, DATA_TABLES + STORY_TABLES)
    assert sums["in-process"] == sums["1"] == sums["2"]


def test_a_one_worker_run_of_several_batches_processes_them_in_a_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The batches' heap must not stay in the run's process through the load, and the run's
    # process imports GX meanwhile: one worker is one pool process, not this process.
    import os

    pids = tmp_path / "pids"
    real = pipeline.text_batch

    def noting(staging_dir: str | Path, batch: int) -> dict[str, int]:
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real(staging_dir, batch)

    monkeypatch.setattr(pipeline, "text_batch", noting)  # called by the worker's process_batch
    generate_sample(tmp_path / "landing", days=2, articles_per_day=10)
    settings = settings_for(tmp_path / "landing", tmp_path / "out", batch_size=5, workers=1)
    assert pipeline.run(settings).articles_loaded > 0
    seen = pids.read_text().split()
    files = sum(1 for f in (tmp_path / "landing").rglob("*") if f.is_file())
    assert len(seen) == -(-files // 5) > 1  # one text step per batch of 5 files
    assert len(set(seen)) == 1 and int(seen[0]) != os.getpid()


def _jsonl_dumps(txt_landing: Path, out: Path) -> list[int]:
    """The articles of a generated landing zone as one JSONL dump per (day, source) folder, the
    way a scraper delivers them; the dumps' sizes."""
    import json

    from etl.ingest.canonical import parse_txt

    sizes = []
    for folder in sorted({f.parent for f in txt_landing.rglob("*.txt")}):
        lines = []
        for f in sorted(folder.glob("*.txt")):
            parsed = parse_txt(f.read_text(encoding="utf-8"))
            assert parsed.header_date is not None
            record = {"text": parsed.body, "date": parsed.header_date.isoformat()}
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
        dump = out / folder.parent.name / f"{folder.name}.jsonl"
        dump.parent.mkdir(parents=True, exist_ok=True)
        dump.write_text("".join(lines), encoding="utf-8")
        sizes.append(dump.stat().st_size)
    return sizes


def test_large_dumps_are_cut_into_batches_by_bytes_with_the_same_warehouse(
    tmp_path: Path,
) -> None:
    # A few multi-record files were one batch (500 files), in one process: cut by bytes, each
    # dump here is a batch alone and the pool shares them, and the warehouse is the same.
    from etl.pipeline import RunPlan

    generate_bulk(tmp_path / "txt", 80, start=date(2024, 3, 4), days=2)
    sizes = _jsonl_dumps(tmp_path / "txt", tmp_path / "landing")
    assert len(sizes) >= 4
    sums, batches = {}, {}
    for name, batch_bytes, workers in (("one batch", 10**9, 1), ("by bytes", min(sizes), 2)):
        out = tmp_path / name
        settings = settings_for(
            tmp_path / "landing", out, batch_bytes=batch_bytes, workers=workers, keep_staging=True
        )
        summary = pipeline.run(settings)
        assert summary.articles_loaded == 80
        batches[name] = RunPlan.load(out / "staging" / summary.run_id).n_batches
        sums[name] = checksums(settings.warehouse, DATA_TABLES + STORY_TABLES)
    assert batches == {"one batch": 1, "by bytes": len(sizes)}
    assert sums["one batch"] == sums["by bytes"]


def test_the_stage_counts_add_up_from_ingest_to_the_quarantine_table(tmp_path: Path) -> None:
    """Ingest counted files in every column: its n_out (files passed on) was not the text
    row's n_in (records), and a broken line of a JSONL file that loads was in no row's
    n_quarantined, so the report's Stages table and its Quarantine table disagreed (probe)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    body = "Cocoa prices rose in Accra on Tuesday, traders said.\n\nA second paragraph follows."
    (landing / "good.txt").write_text(f" date 2024-03-05 {body}", encoding="utf-8")
    lines = [
        f'{{"date": "2024-03-05", "text": "Line {i}: rubber output grew in Bangkok, '
        f'officials said on Monday."}}'
        for i in (1, 2)
    ]
    (landing / "wire.jsonl").write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path, workers=1)
    summary = pipeline.run(settings)
    rows = {
        stage: (n_in, n_out, n_quarantined)
        for stage, n_in, n_out, n_quarantined in query(
            settings.warehouse,
            "SELECT stage, n_in, n_out, n_quarantined FROM etl_run_stage WHERE run_id = ?",
            [summary.run_id],
        )
    }
    # 3 files in; 3 records out (1 + 2); quarantined: the empty file and the broken line
    assert rows["ingest"] == (3, 3, 2)
    assert rows["text"][0] == rows["ingest"][1]
    quarantined = query(
        settings.warehouse, "SELECT count(*) FROM quarantine WHERE run_id = ?", [summary.run_id]
    )[0][0]
    assert quarantined == 2
    assert sum(q for stage, (_, _, q) in rows.items() if stage in STAGES) == quarantined
