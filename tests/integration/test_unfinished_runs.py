"""What `status` and `etl_run` say of a run that ended before its load (an operator probe,
session 44).

- A run killed after its plan (4 files: 1 unchanged, 3 new) was recorded by the next run as
  `abandoned` with `files_new` 0, and `status` said "files: 0 new = 0 would have loaded + ...":
  the plan's 3 new files were nowhere. A run that failed before its load was recorded the same
  way. Its row now counts the plan's new files, and `status` says "planned 3 new, loaded none".
- Until the next run recorded it, `status` showed nothing of a killed run. It now lists a run
  that has a staging folder and no `etl_run` row: stopped (its owner lock free) or in progress
  (held), and it stays read-only: the folder tree is the same before and after.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import leftovers, pipeline
from etl.cli import app
from etl.errors import ConfigError, StagingError
from etl.settings import Settings

from .helpers import query, settings_for

BODY = " date 2024-03-04 {name}: the harbour reopened on Tuesday, the port authority said.\n"


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, " ".join(result.output.split())


def _one_loaded_three_new(tmp_path: Path) -> Settings:
    """A warehouse that loaded ``a.txt``, over a landing zone that now has 3 more files."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text(BODY.format(name="Alpha"), encoding="utf-8")
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 1
    for name in ("b", "c", "d"):
        (landing / f"{name}.txt").write_text(BODY.format(name=name.upper()), encoding="utf-8")
    return settings


def _killed_after_its_plan(settings: Settings) -> pipeline.RunPlan:
    """A one-process run whose process died once its plan was written: its owner lock free."""
    plan = pipeline.plan_run(settings, in_process=True)
    pipeline.release(plan.run_id)  # what the kernel does when the process dies
    return plan


def _row(settings: Settings, run_id: str) -> list[tuple[object, ...]]:
    return query(
        settings.warehouse,
        "SELECT status, files_seen, files_unchanged, files_deferred, files_new, files_loaded,"
        " files_duplicate, files_quarantined, articles_loaded FROM etl_run WHERE run_id = ?",
        [run_id],
    )


def test_an_abandoned_run_counts_the_new_files_its_plan_had(tmp_path: Path) -> None:
    settings = _one_loaded_three_new(tmp_path)
    plan = _killed_after_its_plan(settings)
    (message,) = pipeline.reclaim_leftovers(settings)
    assert message.startswith(f"run {plan.run_id} was abandoned: "), message
    assert _row(settings, plan.run_id) == [("abandoned", 4, 1, 0, 3, 0, 0, 0, 0)]
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    block = out.split(plan.run_id, 1)[1]
    assert "ABANDONED" in block and "recorded " in block.split("files:")[0]
    assert "files: planned 3 new, loaded none (the run ended before its load committed)" in block
    assert "0 new =" not in block


def test_a_row_recorded_with_0_new_files_shows_what_its_plan_had(tmp_path: Path) -> None:
    """An abandoned run's row as news-etl recorded it up to session 44 (``files_new`` 0):
    `status` counts its plan's new files from what the row keeps of the plan (seen, less
    unchanged and deferred), not "0 new"."""
    settings = _one_loaded_three_new(tmp_path)
    plan = _killed_after_its_plan(settings)
    pipeline.reclaim_leftovers(settings)
    with pipeline.writer(settings) as con:
        con.execute("UPDATE etl_run SET files_new = 0 WHERE run_id = ?", [plan.run_id])
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    assert "files: planned 3 new, loaded none" in out.split(plan.run_id, 1)[1]


def test_a_run_failed_before_its_load_counts_its_planned_files(tmp_path: Path) -> None:
    settings = _one_loaded_three_new(tmp_path)
    plan = pipeline.plan_run(settings)
    pipeline.record_failure(plan.staging_dir, ValueError("the tokenizer broke"))
    assert _row(settings, plan.run_id) == [("failed", 4, 1, 0, 3, 0, 0, 0, 0)]
    assert (settings.staging_root / plan.run_id).is_dir()  # kept for inspection
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    assert "files: planned 3 new, loaded none" in out
    assert "Runs not in etl_run yet" not in out  # it has its row: not listed as unrecorded


def _tree(root: Path) -> list[tuple[str, int, int]]:
    """Every path below ``root`` with its size and last change (ns)."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            stat = path.lstat()
            found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return sorted(found)


def _leftover(settings: Settings, run_id: str, warehouse: str, *, lock: bool = True) -> Path:
    """A staging folder as a run into ``warehouse`` that planned 3 files leaves it."""
    folder = Path(settings.staging_root) / run_id
    folder.mkdir(parents=True)
    if lock:
        (folder / leftovers.OWNER_LOCK).touch()
    stored = {**pipeline.stored_settings(settings), "warehouse": warehouse}
    plan = {
        "run_id": run_id,
        "settings": stored,
        "started_at": "2026-12-02T01:02:03.456789+00:00",
        "batches": [[{"path": "b.txt"}, {"path": "c.txt"}], [{"path": "d.txt"}]],
    }
    (folder / leftovers.PLAN_FILE).write_text(json.dumps(plan), encoding="utf-8")
    return folder


def test_status_names_a_killed_run_and_changes_nothing(tmp_path: Path) -> None:
    settings = _one_loaded_three_new(tmp_path)
    killed = "20261202T010203Z-deadbeef"
    _leftover(settings, killed, str(settings.warehouse))
    # another warehouse's run in the same staging root: its own status says it
    _leftover(settings, "20261202T010204Z-feedface", str(tmp_path / "other.duckdb"))
    before = _tree(tmp_path)
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    assert _tree(tmp_path) == before  # nothing created, removed or touched: no lock taken
    assert (
        f"run {killed} (started 2026-12-02 01:02:03 UTC, 3 files planned) stopped before it "
        "finished (killed?); the next run records it as abandoned and removes its files"
    ) in out
    assert "feedface" not in out


def test_status_says_a_run_holding_its_owner_lock_is_in_progress(tmp_path: Path) -> None:
    settings = _one_loaded_three_new(tmp_path)
    running = "20261202T010203Z-0000cafe"
    folder = _leftover(settings, running, str(settings.warehouse))
    lock = leftovers.own(folder)  # as the live run holds it
    assert lock is not None
    try:
        code, out = _cli("status", "-w", str(settings.warehouse))
    finally:
        lock.release()
    assert code == 0, out
    assert f"run {running} (started 2026-12-02 01:02:03 UTC, 3 files planned) is in progress" in (
        out
    )
    assert "stopped" not in out


def test_a_killed_run_found_by_status_is_the_one_the_next_run_records(tmp_path: Path) -> None:
    """The real plan of a killed run: `status` names it, and after the next run records it,
    only its `etl_run` row is shown."""
    settings = _one_loaded_three_new(tmp_path)
    plan = _killed_after_its_plan(settings)
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    assert f"run {plan.run_id} (started " in out
    assert ", 3 files planned) stopped before it finished (killed?)" in out
    pipeline.reclaim_leftovers(settings)
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    assert "Runs not in etl_run yet" not in out and "files: planned 3 new" in out


def test_status_names_the_failure_a_stopped_run_noted(tmp_path: Path) -> None:
    """A run that gave up on a busy warehouse noted why before its process ended: `status`
    said "killed?" (review R1); it now gives the noted failure."""
    settings = _one_loaded_three_new(tmp_path)
    stopped = "20261202T010203Z-0000beef"
    folder = _leftover(settings, stopped, str(settings.warehouse))
    (folder / leftovers.FAILURES_DIR).mkdir()
    note = {"step": "load", "error": "WarehouseLockedError: busy\nfor 2s", "at": "2026-12-02T01:03"}
    (folder / leftovers.FAILURES_DIR / "load.json").write_text(json.dumps(note), encoding="utf-8")
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    assert (
        f"run {stopped} (started 2026-12-02 01:02:03 UTC, 3 files planned) stopped before it "
        "finished (its process ended after a step failed); the next run records it as "
        "abandoned and removes its files; its last noted failure: load: WarehouseLockedError: "
        "busy\\x0afor 2s"
    ) in out
    assert "killed?" not in out


def test_a_run_that_failed_to_plan_is_not_said_to_have_planned_files(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text(BODY.format(name="Alpha"), encoding="utf-8")
    settings = settings_for(landing, tmp_path, write_reports=False)
    pipeline.run(settings)
    missing = settings_for(tmp_path / "no-such-landing", tmp_path, write_reports=False)
    try:
        pipeline.run(missing)
    except Exception as exc:  # the landing zone is not there: the run is recorded as failed
        assert "no-such-landing" in str(exc)
    else:
        raise AssertionError("a run over a missing landing zone succeeded")
    code, out = _cli("status", "-w", str(settings.warehouse))
    assert code == 0, out
    assert "files: none new planned, none loaded (the run ended before its load committed)" in out
    assert "planned 0 new" not in out


def test_an_airflow_runs_folder_gives_the_wait_as_the_settings_show_seconds(
    tmp_path: Path,
) -> None:
    """The wait was written with ``:g`` (``1.23457e+06 s``: review R2); it is written as every
    setting's seconds are (``etl.settings.seconds``)."""
    settings = _one_loaded_three_new(tmp_path)
    waiting = "20261202T010203Z-0000f00d"
    _leftover(settings, waiting, str(settings.warehouse), lock=False)  # no owner lock: Airflow
    env = {"COLUMNS": "200", "NEWS_ETL_ABANDONED_AFTER_S": "1234567"}
    result = CliRunner().invoke(app, ["status", "-w", str(settings.warehouse)], env=env)
    out = " ".join(result.output.split())
    assert result.exit_code == 0, out
    assert (
        f"run {waiting} (started 2026-12-02 01:02:03 UTC, 3 files planned) has no row yet: a run "
        "split over processes (Airflow) still in progress, or one that stopped; the next run "
        "records it as abandoned once nothing in its staging folder has changed for 1234567s "
        "(NEWS_ETL_ABANDONED_AFTER_S)"
    ) in out


def test_a_step_of_a_run_whose_folder_was_reclaimed_says_to_clear_it_from_plan(
    tmp_path: Path,
) -> None:
    """An Airflow run's staging folder, idle past NEWS_ETL_ABANDONED_AFTER_S (0 here), is
    reclaimed by the next run; a Clear of its failed task said only "no run plan at ..." (probe
    T, session 46)."""
    settings = _one_loaded_three_new(tmp_path).model_copy(update={"abandoned_after_s": 0.0})
    idle = pipeline.plan_run(settings, external_run_id="news_daily/manual__1")
    assert pipeline.reclaim_leftovers(settings)  # what the next run does first
    with pytest.raises(StagingError) as cleared:
        pipeline.ingest_batch(idle.staging_dir, 0)
    said = str(cleared.value)
    assert "staging folder is gone" in said and "NEWS_ETL_ABANDONED_AFTER_S" in said
    assert said.endswith("clear the run from its plan task, which plans it again")


def test_a_refused_runs_folder_is_removed_without_saying_its_pages_are_missing(
    tmp_path: Path,
) -> None:
    """A run refused for its data keeps its staging folder for inspection, with its quality page
    and Data Docs written; the next run said it "ended (failed) without cleaning up" and that
    "its pages were not written ... (its GX Data Docs cannot be rebuilt)" (probe V)."""
    folder = tmp_path / "landing" / "2024-03-04"
    folder.mkdir(parents=True)
    for i in range(3):
        (folder / f"empty{i}.txt").write_text("", encoding="utf-8")
    (folder / "good.txt").write_text(
        " date 2024-03-04 Rain fell on the capital for a third day.\n", encoding="utf-8"
    )
    settings = settings_for(tmp_path / "landing", tmp_path, max_quarantine_share=0.5,
                            quarantine_check_min_files=1, abandoned_after_s=0)  # fmt: skip
    with pytest.raises(Exception, match="quarantine"):
        pipeline.run(settings)
    ((run_id, status),) = query(settings.warehouse, "SELECT run_id, status FROM etl_run")
    assert status == "failed"
    assert (settings.reports_root / run_id / "quality.html").is_file()
    (said,) = pipeline.reclaim_leftovers(settings)
    assert said.startswith(
        f"run {run_id} ended (failed) and kept its staging folder for inspection until now: "
        "removed its staging folder ("
    ), said
    assert "without cleaning up" not in said and "pages were not written" not in said
    assert not list(settings.staging_root.iterdir())


def test_an_unknown_load_mode_is_refused_before_the_plan_leaves_anything(tmp_path: Path) -> None:
    """The plan takes a load mode as a string too (the DAG's param): one that is not a mode
    (``replay`` is a trigger) is a configuration error, with no staging folder and no run row."""
    settings = _one_loaded_three_new(tmp_path)
    staged = sorted(p.name for p in (tmp_path / "staging").iterdir())
    with pytest.raises(ConfigError, match="unknown load mode 'replay': one of merge, replace"):
        pipeline.plan_run(settings, mode="replay", in_process=True)
    assert sorted(p.name for p in (tmp_path / "staging").iterdir()) == staged
    assert query(settings.warehouse, "SELECT count(*) FROM etl_run") == [(1,)]
    plan = pipeline.plan_run(settings, mode="rebuild")  # a mode's value is taken as the mode
    assert plan.mode == "rebuild" and type(plan.mode) is str  # plan.json holds plain strings
    pipeline.release(plan.run_id)
