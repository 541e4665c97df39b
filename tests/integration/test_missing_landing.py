"""A run whose landing zone is missing fails, says which folder, and leaves nothing behind
(an operator probe, session 29).

Before, such a run took its staging folder (``staging/<run id>/`` with its owner lock) and left
it there; the next such run found it as a leftover and opened the warehouse to check it,
creating ``w.duckdb`` and its lock for a run that loaded nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from etl.cli import app


def _run(landing: Path, warehouse: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["run", "--landing", str(landing), "-w", str(warehouse)], env={"COLUMNS": "200"}
    )
    return result.exit_code, " ".join(result.output.split())


def _tree(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_missing_landing_zone_leaves_nothing(tmp_path: Path) -> None:
    home = tmp_path / "wh"
    home.mkdir()
    for _ in range(2):  # the second run would find the first one's leftovers
        code, out = _run(tmp_path / "nowhere", home / "w.duckdb")
        assert code != 0
        assert f"landing zone {tmp_path / 'nowhere'} does not exist" in out
        assert _tree(home) == []


def test_a_plan_less_leftover_is_removed_without_creating_the_warehouse(tmp_path: Path) -> None:
    home = tmp_path / "wh"
    killed = home / "staging" / "20260101T000000Z-killed"  # killed before it planned
    killed.mkdir(parents=True)
    (killed / ".owner.lock").touch()
    code, out = _run(tmp_path / "nowhere", home / "w.duckdb")
    assert code != 0 and "does not exist" in out
    assert _tree(home) == ["staging"]  # the leftover is gone; the root is not this run's


def test_an_existing_warehouse_records_the_failed_run_and_keeps_no_staging(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text(" date 2021-04-07 A short article about the harbour.\n")
    warehouse = tmp_path / "wh" / "w.duckdb"
    code, out = _run(landing, warehouse)
    assert code == 0, out
    before = _tree(warehouse.parent / "staging")
    shutil.rmtree(landing)
    code, out = _run(landing, warehouse)
    assert code != 0 and "does not exist" in out
    assert _tree(warehouse.parent / "staging") == before
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT status, error FROM etl_run ORDER BY started_at").fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == ["success", "failed"]
    assert f"landing zone {landing} does not exist" in rows[1][1]
