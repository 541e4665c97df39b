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
from etl.sample import generate_sample
from etl.settings import Settings

from .helpers import settings_for

#: Another writer: waits for the lock file, says when it got it, writes the warehouse for a while.
OTHER_WRITER = """
import sys, time
import duckdb
from filelock import FileLock
lock_path, warehouse, hold_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
print("waiting", flush=True)
with FileLock(lock_path, timeout=120):
    print("got", time.time(), flush=True)
    con = duckdb.connect(warehouse)
    con.execute("CREATE TABLE IF NOT EXISTS other_writer (x INTEGER)")
    time.sleep(hold_s)
    con.close()
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


def _start_other_writer(settings: Settings, hold_s: float) -> subprocess.Popen[str]:
    other = subprocess.Popen(
        [
            sys.executable,
            "-c",
            OTHER_WRITER,
            str(settings.lock_path),
            str(settings.warehouse),
            str(hold_s),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert other.stdout is not None
    assert other.stdout.readline().strip() == "waiting"
    time.sleep(0.5)  # asking for the lock by now
    return other


def _got_at(other: subprocess.Popen[str]) -> float:
    out, _ = other.communicate(timeout=120)
    assert other.returncode == 0
    word, at = out.split()
    assert word == "got"
    return float(at)


def test_another_writer_gets_the_lock_only_after_the_runs_last_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    publish = pipeline._publish
    others: list[subprocess.Popen[str]] = []

    def publish_after_another_writer_asked(*args: Any, **kwargs: Any) -> Any:
        others.append(_start_other_writer(settings, hold_s=3.0))
        return publish(*args, **kwargs)

    monkeypatch.setattr(pipeline, "_publish", publish_after_another_writer_asked)
    summary = pipeline.run(settings)
    finished = time.time()
    assert summary.articles_loaded == 3
    assert summary.report is not None and summary.report.is_file()
    # The other writer asked before the run's pages and got the lock only once the run was
    # over (pages, report and stage times): the run never waited behind its 3 s of writing.
    assert len(others) == 1
    assert _got_at(others[0]) >= finished


def test_the_cli_holds_the_lock_until_its_summary_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    seen: list[str] = []
    print_run = cli._print_run

    def printing(*args: Any, **kwargs: Any) -> None:
        probe = subprocess.run(
            [sys.executable, "-c", LOCK_PROBE, str(settings.lock_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        seen.append(probe.stdout.strip())
        print_run(*args, **kwargs)

    monkeypatch.setattr(cli, "_print_run", printing)
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
    assert seen == ["held"]
    probe = subprocess.run(
        [sys.executable, "-c", LOCK_PROBE, str(settings.lock_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == "free"  # and let go afterwards
