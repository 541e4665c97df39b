"""A first run's plan read no warehouse, so nothing had imported pandas when its stage time was
taken; staging's first Parquet write then imported it (~0.3 s), in no stage: a first run's
stages added up to 86-92 % of its wall time (probe, session 43). Measured in a fresh
interpreter, as a run starts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from etl.sample import generate_sample

MEASURE = """
import json, sys, time
from pathlib import Path
from etl import pipeline
from etl.settings import load_settings
landing, tmp = Path(sys.argv[1]), Path(sys.argv[2])
settings = load_settings(landing=landing, warehouse=tmp / "w.duckdb", staging_dir=tmp / "staging")
started = time.perf_counter()
plan = pipeline.plan_run(settings, in_process=True)
wall = time.perf_counter() - started
rows = plan.staging().read("stage_stats", 0).to_pylist()
print(json.dumps({"wall": wall, "plan": [r["seconds"] for r in rows if r["stage"] == "plan"]}))
"""


def test_a_first_runs_plan_stage_holds_its_whole_time(tmp_path: Path) -> None:
    generate_sample(tmp_path / "landing", days=1, articles_per_day=3)
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path / "landing"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    measured = json.loads(out.strip().splitlines()[-1])
    assert not (tmp_path / "w.duckdb").exists()  # a first run: no warehouse yet
    (plan,) = measured["plan"]
    # all of it but the write of this very row (milliseconds)
    assert plan >= 0.9 * measured["wall"], measured
