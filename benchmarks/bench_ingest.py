"""No-op ingest benchmark: a run over N small files that the ledger already knows.

Usage::

    .venv/bin/python benchmarks/bench_ingest.py [--files 10000] [--repeat 3]

Writes N small canonical articles (``news-etl sample`` bulk generator) to a temporary landing
zone, loads them once (untimed), then times whole ``pipeline.run`` calls that find nothing new
(listing, ledger lookup, plan, an empty batch and the load transaction), and the plan step
alone. Prints milliseconds per 1,000 files for the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from etl import pipeline
from etl.ingest.landing import list_landing
from etl.sample import generate_bulk
from etl.settings import load_settings


def main() -> None:
    """Build the landing zone, load it once, then time the no-op runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        root = Path(tmp)
        landing = root / "landing"
        generate_bulk(landing, args.files, start=date(2024, 3, 4), days=5)
        n_files = len(list_landing(landing))  # hidden files (the sample's manifest) are skipped
        settings = load_settings(
            landing=landing,
            warehouse=root / "w.duckdb",
            staging_dir=root / "staging",
            batch_size=1000,
        )
        started = time.perf_counter()
        first = pipeline.run(settings)
        load_s = time.perf_counter() - started
        print(
            f"first run: {n_files} files, {first.articles_loaded} articles, "
            f"{first.duplicates} duplicates, {first.quarantined} quarantined in {load_s:.1f} s"
        )
        runs, plans = [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            again = pipeline.run(settings)
            runs.append(time.perf_counter() - started)
            assert again.files_new == 0 and again.files_unchanged == n_files
            started = time.perf_counter()
            plan = pipeline.plan_run(settings)
            plans.append(time.perf_counter() - started)
            plan.staging().remove()
        per_k = 1000 / n_files
        print(
            f"no-op run over {n_files} known files: best {min(runs) * 1000:.0f} ms "
            f"= {min(runs) * 1000 * per_k:.1f} ms per 1,000 files "
            f"(plan alone {min(plans) * 1000 * per_k:.1f} ms per 1,000 files)"
        )


if __name__ == "__main__":
    main()
