"""Runs into different warehouses may share one staging root (an Airflow run whose ``warehouse``
param differs from the default): a killed run's leftovers belong to its own warehouse."""

from __future__ import annotations

import json
from pathlib import Path

from etl import leftovers, pipeline
from etl.settings import Settings, load_settings

from .helpers import query

RUN = "20261202T000000Z-deadbeef"


def _settings(landing: Path, warehouse: Path, staging: Path) -> Settings:
    return load_settings(landing=landing, warehouse=warehouse, staging_dir=staging)


def test_leftovers_are_reclaimed_by_their_own_warehouse_only(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    staging = tmp_path / "staging"
    mine = _settings(landing, tmp_path / "w" / "warehouse.duckdb", staging)
    other = _settings(landing, tmp_path / "s" / "warehouse.duckdb", staging)
    folder = staging / RUN
    folder.mkdir(parents=True)
    (folder / leftovers.OWNER_LOCK).touch()  # a one-process run whose process died
    plan = {"run_id": RUN, "settings": pipeline.stored_settings(mine)}
    (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")

    assert pipeline.reclaim_leftovers(other) == []
    assert folder.is_dir()  # left for its warehouse, whose run it was
    assert not other.warehouse.exists()  # and no writer opened a warehouse for nothing

    mine.warehouse.parent.mkdir(parents=True, exist_ok=True)
    (message,) = pipeline.reclaim_leftovers(mine)
    assert message.startswith(f"run {RUN} was abandoned: ")
    assert not folder.exists()


def test_a_plan_naming_the_same_file_another_way_is_this_warehouse(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    mine = _settings(landing, tmp_path / "w" / "warehouse.duckdb", tmp_path / "staging")
    folder = tmp_path / "staging" / RUN
    folder.mkdir(parents=True)
    (folder / leftovers.OWNER_LOCK).touch()
    stored = pipeline.stored_settings(mine)
    stored["warehouse"] = str(tmp_path / "w" / "x" / ".." / "warehouse.duckdb")
    (folder / "plan.json").write_text(json.dumps({"settings": stored}), encoding="utf-8")
    mine.warehouse.parent.mkdir(parents=True, exist_ok=True)
    assert len(pipeline.reclaim_leftovers(mine)) == 1
    assert not folder.exists()
    assert query(mine.warehouse, "SELECT count(*) FROM etl_run") == [(0,)]  # plan too thin


def test_the_message_names_the_half_built_data_docs_only_when_there_were_some(
    tmp_path: Path,
) -> None:
    """A run killed before its Data Docs: "removed its staging folder (…)" alone. The message
    said "… and data_docs.tmp" of every leftover, with or without one (probe O, session 39)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    mine = _settings(landing, tmp_path / "w" / "warehouse.duckdb", tmp_path / "staging")
    mine.warehouse.parent.mkdir(parents=True, exist_ok=True)
    messages = []
    for run, docs in ((RUN, False), ("20261202T000001Z-feedface", True)):
        folder = tmp_path / "staging" / run
        folder.mkdir(parents=True)
        (folder / leftovers.OWNER_LOCK).touch()
        plan = {"run_id": run, "settings": pipeline.stored_settings(mine)}
        (folder / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        built = mine.reports_root / run / leftovers.DOCS_TMP
        if docs:
            built.mkdir(parents=True)
            (built / "index.html").write_text("<html></html>", encoding="utf-8")
        (message,) = pipeline.reclaim_leftovers(mine)
        messages.append(message)
        assert not built.exists()
    assert messages[0].endswith("MB)"), messages[0]
    assert "data_docs.tmp" not in messages[0]
    assert messages[1].endswith("MB) and data_docs.tmp"), messages[1]
