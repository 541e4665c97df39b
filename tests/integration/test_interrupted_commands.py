"""Ctrl-C or SIGTERM, stood for by the error DuckDB raises when it arrives inside a statement
or by the interrupt itself, at the moments probes hit: after a replay's COMMIT (its run's
verdicts stand; putting the old ones back said nothing was replayed) and inside a run's load (a
failed run, "a bug in news-etl", exit 2). Expected values are literals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app

from .helpers import settings_for

BODY = " date {day} {words} said the spokesman on Monday.\n\nA second paragraph follows here.\n"


def _interrupt(wrapped: bool) -> BaseException:
    ctrl_c = KeyboardInterrupt("signal 15")
    if not wrapped:
        return ctrl_c
    error = RuntimeError("Query interrupted")  # as DuckDB raises it
    error.__cause__ = ctrl_c
    return error


def _stopped(wrapped: bool) -> Callable[..., None]:
    """A step that is stopped: it raises :func:`_interrupt`."""

    def stopped(*_: object, **__: object) -> None:  # a step's arguments (the run's helper too)
        raise _interrupt(wrapped)

    return stopped


def _zone(tmp_path: Path) -> Path:
    zone = tmp_path / "zone"
    zone.mkdir()
    ahead = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    (zone / "ahead.txt").write_text(BODY.format(day=ahead, words="Ahead"))
    (zone / "today.txt").write_text(BODY.format(day="2024-03-04", words="Today"))
    return zone


def _env(zone: Path, warehouse: Path, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "NEWS_ETL_LANDING": str(zone),
        "NEWS_ETL_WAREHOUSE": str(warehouse),
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        **extra,
    }


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_replay_stopped_after_its_commit_keeps_its_runs_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrapped: bool
) -> None:
    zone = _zone(tmp_path)
    s = settings_for(zone, tmp_path / "wh", write_reports=False)
    assert pipeline.run(s).articles_loaded == 1  # ahead.txt: future_date

    monkeypatch.setattr(pipeline, "_quality_page", _stopped(wrapped))  # the first step after COMMIT
    env = _env(zone, s.warehouse, tmp_path, NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS="10")
    result = CliRunner().invoke(app, ["replay"], env=env)
    assert result.exit_code == 130, result.output
    assert "error: replay interrupted: replay: its run " in result.output
    assert "committed before it stopped: the 1 file it read again are judged as that run says" in (
        " ".join(result.output.split())
    )
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        ledger = con.execute("SELECT path, outcome FROM ingest_ledger ORDER BY path").fetchall()
        runs = con.execute("SELECT status FROM etl_run ORDER BY run_id").fetchall()
    assert ledger == [("ahead.txt", "loaded"), ("today.txt", "loaded")]
    assert runs == [("success",), ("success",)]


@pytest.mark.parametrize("wrapped", [False, True])
def test_a_run_interrupted_in_its_load_is_one_line_exit_130_and_no_failed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrapped: bool
) -> None:
    zone = _zone(tmp_path)
    s = settings_for(zone, tmp_path / "wh", write_reports=False)
    with pipeline.writer(s):
        pass  # the warehouse exists: a failure would be recorded in it

    monkeypatch.setattr(pipeline, "load_run", _stopped(wrapped))
    result = CliRunner().invoke(
        app, ["run", "--workers", "1"], env=_env(zone, s.warehouse, tmp_path)
    )
    assert result.exit_code == 130, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: interrupted: what committed before it stays")
    assert "a bug in news-etl" not in result.output
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM etl_run").fetchone() == (0,)
