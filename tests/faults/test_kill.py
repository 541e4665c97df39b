"""SIGKILL at each stage boundary and inside the commit (issue #14, harness and item 10).

The killed run must leave the warehouse as it was (or, once committed, as committed); the next
run must find the dead run's staging folder and half-built Data Docs, record the run as
``abandoned`` when it has no ``etl_run`` row, remove both, say so, and end with exactly the
data of a run without the fault.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

from ..integration.helpers import query
from .conftest import Zones
from .harness import checksums, cli, kill_when, record, start


def _any(root: Path, pattern: str) -> Callable[[], bool]:
    return lambda: any(root.glob(pattern))


POINTS = {
    "after plan": "staging/*/plan.json",
    "after ingest": "staging/*/batch-0001/ingested.parquet",
    "after text": "staging/*/batch-0002/articles.parquet",
    "after validate": "staging/*/batch-0002/rejected.parquet",
    "inside commit": "",
    "building Data Docs": "reports/*/data_docs.tmp",
}


@pytest.mark.slow
@pytest.mark.parametrize("point", list(POINTS))
def test_sigkill_then_rerun(point: str, zones: Zones, tmp_path: Path) -> None:
    warehouse = zones.warehouse(tmp_path)
    folder = warehouse.parent
    marker: Path | None = None
    ready = _any(folder, POINTS[point])
    if point == "inside commit":
        marker = tmp_path / "committing"
        ready = marker.exists
    args = ["run", "--landing", zones.both, "--batch-size", "4"]
    proc = start(args, warehouse, pause_marker=marker)
    assert kill_when(proc, ready), f"the run ended before {point}: {proc.stderr.read()}"  # type: ignore[union-attr]
    committed = point == "building Data Docs"
    intact = checksums(warehouse) == (zones.after if committed else zones.before)
    killed = [p.name for p in (folder / "staging").iterdir()]
    assert len(killed) == 1

    rerun = cli(["run", "--landing", zones.both, "--batch-size", "4"], warehouse)
    assert rerun.returncode == 0, rerun.stderr
    identical = checksums(warehouse) == zones.after
    said = [line for line in rerun.stderr.splitlines() if killed[0] in line]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        status = con.execute("SELECT status FROM etl_run WHERE run_id = ?", killed).fetchall()
    finally:
        con.close()
    leftovers = [*(folder / "staging").iterdir(), *(folder / "reports").glob("*/data_docs.tmp")]
    record(
        f"SIGKILL {point}",
        2,
        "yes" if intact else "NO",
        "yes" if identical else "NO",
        f"-9, then {rerun.returncode}",
        said[0] if said else "(the rerun said nothing of the killed run)",
    )
    assert intact
    assert identical
    assert said, rerun.stderr
    # killed after its COMMIT, before its report: the rerun says how to write it (probe)
    assert ("its pages were not written" in said[0]) == committed, said[0]
    assert not leftovers
    assert status == [("success",)] if committed else [("abandoned",)]


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_a_killed_runs_workers_end_with_it(zones: Zones, tmp_path: Path) -> None:
    """SIGKILL of the run's process alone (the OOM killer, ``kill -9 PID``): its pool workers
    were reparented to init and stayed, idle, ~100-230 MB each (probe)."""
    warehouse = zones.warehouse(tmp_path)
    args: list[str | Path] = ["run", "--landing", zones.both, "--batch-size", "4", "--workers", "2"]
    proc = start(args, warehouse)
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
            workers = _children(proc.pid)
            time.sleep(0.01)
        assert len(workers) >= 2, "the run ended before its pool started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert [w for w in workers if _alive(w)] == []
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _outcomes(warehouse: Path) -> list[tuple[str, int]]:
    rows = query(warehouse, "SELECT outcome, count(*) FROM ingest_ledger GROUP BY 1 ORDER BY 1")
    return [(str(outcome), int(n)) for outcome, n in rows]


@pytest.mark.slow
def test_a_replay_stopped_with_sigterm_keeps_the_verdicts_it_forgot(
    zones: Zones, tmp_path: Path
) -> None:
    """``kill PID`` (systemd's stop) of a replay: the verdicts it had forgotten stayed forgotten,
    so every later run read the accepted files again and failed on them (probe). SIGTERM now
    interrupts the replay as Ctrl-C does, and it puts them back."""
    warehouse, landing, before = _accepted_stubs(zones, tmp_path)
    proc = _replay_paused_before_commit(warehouse, landing, tmp_path)
    try:
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0
    assert "replay interrupted" in err and "kept, as before the replay" in err, err
    assert _outcomes(warehouse) == before
    again = cli(["run", "--landing", landing], warehouse)  # the default quarantine share
    assert again.returncode == 0, again.stderr


@pytest.mark.slow
def test_a_replay_killed_before_its_commit_is_undone_by_the_next_run(
    zones: Zones, tmp_path: Path
) -> None:
    """SIGKILL of a replay (``kill -9``, the OOM killer) after it forgot its verdicts, before
    its run's COMMIT: nothing in the process can put them back. The replay saved them in its
    run's staging folder first, and the next run puts them back and says so."""
    warehouse, landing, before = _accepted_stubs(zones, tmp_path)
    proc = _replay_paused_before_commit(warehouse, landing, tmp_path)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert ("quarantined", 3) not in _outcomes(warehouse)  # forgotten, as the probe saw
    again = cli(["run", "--landing", landing], warehouse)  # the default quarantine share
    assert again.returncode == 0, again.stderr
    assert "put back the verdicts its replay had forgotten on 3 files" in again.stderr
    assert _outcomes(warehouse) == before
    assert not list((warehouse.parent / "staging").iterdir())


def _accepted_stubs(zones: Zones, tmp_path: Path) -> tuple[Path, Path, list[tuple[str, int]]]:
    """A warehouse that loaded zone A plus three files quarantined ``no_text``, accepted by a
    run with the quarantine share raised; the warehouse, the landing zone, ledger outcomes."""
    warehouse = zones.warehouse(tmp_path)
    landing = tmp_path / "landing"
    shutil.copytree(zones.first, landing)
    for i in range(3):  # a date and no text: quarantined no_text
        (landing / f"stub{i}.txt").write_text(" date 1987-03-05 \n", encoding="utf-8")
    done = cli(["run", "--landing", landing], warehouse, NEWS_ETL_MAX_QUARANTINE_SHARE="1")
    assert done.returncode == 0, done.stderr
    before = _outcomes(warehouse)
    assert ("quarantined", 3) in before
    return warehouse, landing, before


def _replay_paused_before_commit(
    warehouse: Path, landing: Path, tmp_path: Path
) -> subprocess.Popen[str]:
    """``news-etl replay`` started, and waiting inside its run's load transaction."""
    marker = tmp_path / "committing"
    proc = start(
        ["replay", "--landing", landing],
        warehouse,
        pause_marker=marker,
        NEWS_ETL_MAX_QUARANTINE_SHARE="1",
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    if not marker.exists():
        os.killpg(proc.pid, signal.SIGKILL)
        raise AssertionError(proc.stderr.read() if proc.stderr else "the replay ended first")
    return proc
