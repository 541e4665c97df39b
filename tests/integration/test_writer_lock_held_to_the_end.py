"""A run holds the warehouse's writer lock from its load to its last read (pages, stage times,
the CLI's summary): another writer that asks for the lock meanwhile gets it only then, and the
committed run never waits behind that writer's load (it waited 66 s of a 92 s run: probe,
session 40). The other writer here takes the lock file and DuckDB's file as a run's load does,
with ``filelock`` and ``duckdb`` directly."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from etl import cli, pipeline
from etl.children import gx_helper
from etl.sample import generate_sample
from etl.settings import Settings

from .helpers import query, settings_for

#: Another writer: waits for the lock file, says when it got it, writes the warehouse for a
#: while (with ``lock-only``: holds the lock file alone), says when it let go.
OTHER_WRITER = """
import sys, time
import duckdb
from filelock import FileLock
lock_path, warehouse, hold_s, how = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
print("waiting", flush=True)
with FileLock(lock_path, timeout=120):
    print("got", time.time(), flush=True)
    if how == "write":
        con = duckdb.connect(warehouse)
        con.execute("CREATE TABLE IF NOT EXISTS other_writer (x INTEGER)")
    time.sleep(hold_s)
    if how == "write":
        con.close()
    print("released", time.time(), flush=True)
"""

#: Whether the lock file is free: takes it at once or says it is held.
LOCK_PROBE = """
import sys
from filelock import FileLock, Timeout
try:
    with FileLock(sys.argv[1], timeout=0):
        print("free")
except Timeout:
    print("held")
"""


def _settings(tmp_path: Path) -> Settings:
    landing = tmp_path / "landing"
    generate_sample(landing, days=1, articles_per_day=3)
    return settings_for(landing, tmp_path / "w", workers=1, write_reports=True)


def _start_other_writer(
    settings: Settings, hold_s: float, how: str = "write"
) -> subprocess.Popen[str]:
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            OTHER_WRITER,
            str(settings.lock_path),
            str(settings.warehouse),
            str(hold_s),
            how,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert other.stdout is not None
    assert other.stdout.readline().strip() == "waiting"
    time.sleep(0.5)  # asking for the lock by now
    return other


def _times(other: subprocess.Popen[str]) -> dict[str, float]:
    """When the other writer got the lock and when it let go."""
    assert other.wait(timeout=120) == 0
    assert other.stdout is not None
    # read through the same buffer as the first line (communicate's timed read bypasses it)
    out = other.stdout.read()
    lines = [line.split() for line in out.splitlines()]
    assert [word for word, _ in lines] == ["got", "released"]
    return {word: float(at) for word, at in lines}


def test_another_writer_gets_the_lock_only_after_the_runs_last_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    publish, record = pipeline._publish, pipeline._record_stage_times
    others: list[subprocess.Popen[str]] = []
    recorded: list[float] = []

    def publish_after_another_writer_asked(*args: Any, **kwargs: Any) -> Any:
        others.append(_start_other_writer(settings, hold_s=3.0))
        return publish(*args, **kwargs)

    def recording(*args: Any, **kwargs: Any) -> None:
        record(*args, **kwargs)
        recorded.append(time.time())

    monkeypatch.setattr(pipeline, "_publish", publish_after_another_writer_asked)
    monkeypatch.setattr(pipeline, "_record_stage_times", recording)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 3
    assert summary.report is not None and summary.report.is_file()
    # The other writer asked before the run's pages and got the lock only once the run's last
    # step was over (its stage times, recorded after its report): the run never waited behind
    # its 3 s of writing.
    assert len(others) == 1 and len(recorded) == 2
    assert _times(others[0])["got"] >= recorded[-1]


def test_the_wait_for_the_lock_counts_in_the_load_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    validate_stage = pipeline._validate_stage
    others: list[subprocess.Popen[str]] = []

    def then_another_writer(*args: Any, **kwargs: Any) -> None:
        validate_stage(*args, **kwargs)
        others.append(_start_other_writer(settings, hold_s=2.0, how="lock-only"))

    monkeypatch.setattr(pipeline, "_validate_stage", then_another_writer)
    summary = pipeline.run(settings)
    times = _times(others[0])
    rows = dict(
        query(
            settings.warehouse,
            "SELECT stage, seconds FROM etl_run_stage WHERE run_id = ?",
            [summary.run_id],
        )
    )
    # the load waited for the rest of the other writer's 2 s (it asked 0.5 s after it began)
    assert rows["load"] >= times["released"] - times["got"] - 0.5 - 0.05


def test_the_new_warehouse_is_not_made_early_when_another_writer_holds_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's readying thread makes a new warehouse only when the lock is free at once: a
    wait for it stays the load's (a Ctrl-C waited for the lock's whole timeout: review)."""
    settings = _settings(tmp_path)
    ready = pipeline._ready_the_load
    others: list[subprocess.Popen[str]] = []
    readied: list[float] = []

    def ready_while_another_writer_holds_the_lock(s: Settings) -> None:
        others.append(_start_other_writer(settings, hold_s=4.0, how="lock-only"))
        ready(s)
        readied.append(time.time())

    monkeypatch.setattr(pipeline, "_ready_the_load", ready_while_another_writer_holds_the_lock)
    gx = gx_helper(staging_is_process_local=False)
    try:
        summary = pipeline.run(settings, gx=gx)
    finally:
        if gx is not None:
            gx.close()
    assert summary.articles_loaded == 3
    assert len(readied) == 1
    assert readied[0] < _times(others[0])["released"]


def test_the_cli_holds_the_lock_for_its_summary_and_prints_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    seen: list[tuple[str, str]] = []
    read_summary, print_run = cli._read_summary, cli._print_run

    def probed(name: str, step: Any) -> Any:
        def probing(*args: Any, **kwargs: Any) -> Any:
            probe = subprocess.run(
                [sys.executable, "-c", LOCK_PROBE, str(settings.lock_path)],
                capture_output=True,
                text=True,
                check=True,
            )
            seen.append((name, probe.stdout.strip()))
            return step(*args, **kwargs)

        return probing

    monkeypatch.setattr(cli, "_read_summary", probed("read", read_summary))
    monkeypatch.setattr(cli, "_print_run", probed("print", print_run))
    result = CliRunner().invoke(
        cli.app,
        [
            "run",
            "--landing",
            str(settings.landing),
            "--warehouse",
            str(settings.warehouse),
            "--workers",
            "1",
        ],
        env={"NEWS_ETL_STAGING_DIR": str(tmp_path / "w" / "staging")},
    )
    assert result.exit_code == 0, result.output
    assert "3 articles loaded" in result.output
    # held for the summary's reads, let go before anything is printed
    assert seen == [("read", "held"), ("print", "free")]
    probe = subprocess.run(
        [sys.executable, "-c", LOCK_PROBE, str(settings.lock_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "free"  # and let go afterwards
