"""Two ``news-etl run`` over the same landing zone at once end exactly as two runs in series
(issue 14, item 5): same ledger (files ``loaded``, not ``duplicate``), same data, and a later
``backfill --mode stale`` rebuilds the same days with the same counts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

from etl.sample import generate_sample

from .helpers import checksums, query

NEWS_ETL = str(Path(sys.executable).parent / "news-etl")

#: ``news-etl`` that, once its run is planned, waits until the other process has planned too:
#: both read the ledger before either loads (arguments: barrier folder, own name, CLI args).
BARRIER_CLI = """
import sys, time
from pathlib import Path
from etl.cli import app
from etl.load import faults

barrier, me = Path(sys.argv.pop(1)), sys.argv.pop(1)

def wait_for_the_other():
    (barrier / me).write_text("planned", encoding="utf-8")
    deadline = time.monotonic() + 300
    while len(list(barrier.iterdir())) < 2:
        if time.monotonic() > deadline:
            raise SystemExit("the other run never planned")
        time.sleep(0.1)

with faults.inject(faults.FaultPoint.AFTER_PLAN, wait_for_the_other):
    app(prog_name="news-etl")
"""

LEDGER = (
    "SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id FROM ingest_ledger ORDER BY ALL"
)


def _env(tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "NEWS_ETL_STAGING_DIR": str(tmp / "staging"),
        "NEWS_ETL_WRITE_REPORTS": "false",
    }


def _args(landing: Path, warehouse: Path) -> list[str]:
    return ["run", "--landing", str(landing), "--warehouse", str(warehouse)]


def _backfill_stale(landing: Path, warehouse: Path, first: str, last: str, tmp: Path) -> str:
    con = duckdb.connect(str(warehouse))
    try:  # every article built by an older text version: every day is stale
        con.execute("UPDATE fact_article SET text_version = 'text-0'")
    finally:
        con.close()
    args = ["backfill", "--landing", str(landing), "--warehouse", str(warehouse)]
    args += ["--start", first, "--end", last, "--mode", "stale"]
    done = subprocess.run(
        [NEWS_ETL, *args], env=_env(tmp), capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return "\n".join(
        line for line in done.stdout.splitlines() if ": " in line and "articles" in line
    )


def test_two_runs_at_once_end_as_two_runs_in_series(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    serial = tmp_path / "serial" / "warehouse.duckdb"
    for _ in range(2):
        done = subprocess.run(
            [NEWS_ETL, *_args(landing, serial)],
            env=_env(tmp_path / "serial"),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    together = tmp_path / "together" / "warehouse.duckdb"
    init = subprocess.run(
        [NEWS_ETL, "init", "--warehouse", str(together)], capture_output=True, check=False
    )
    assert init.returncode == 0, init.stderr
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BARRIER_CLI, str(barrier), name, *_args(landing, together)],
            env=_env(tmp_path / "together"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in ("first", "second")
    ]
    outputs = [p.communicate(timeout=600)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert sorted(p.name for p in barrier.iterdir()) == ["first", "second"]

    assert query(together, LEDGER) == query(serial, LEDGER)
    outcomes = dict(query(together, "SELECT outcome, count(*) FROM ingest_ledger GROUP BY 1"))
    assert outcomes.get("loaded", 0) > 0
    assert checksums(together) == checksums(serial)
    runs = "SELECT articles_loaded, duplicates, files_new, files_unchanged FROM etl_run ORDER BY 1"
    assert query(together, runs) == query(serial, runs)
    rejected = "SELECT path, record, reason FROM quarantine ORDER BY ALL"
    assert query(together, rejected) == query(serial, rejected)

    first, last = days[0].isoformat(), days[-1].isoformat()
    rebuilt_serial = _backfill_stale(landing, serial, first, last, tmp_path / "serial")
    rebuilt_together = _backfill_stale(landing, together, first, last, tmp_path / "together")
    assert rebuilt_together == rebuilt_serial
    assert " 0 articles" not in rebuilt_together, rebuilt_together
    assert query(together, LEDGER) == query(serial, LEDGER)
    assert checksums(together) == checksums(serial)
