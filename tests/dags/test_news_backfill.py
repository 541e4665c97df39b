"""news_backfill through Airflow's dag.test(): stale mode rebuilds exactly the stale days."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.sample import generate_sample
from etl.settings import Settings
from tests.dags.conftest import load_dag
from tests.integration.helpers import checksums, query, settings_for

pytestmark = pytest.mark.usefixtures("airflow_db")


def _conf(landing: Path, settings: Settings, start: str, end: str, mode: str) -> dict[str, str]:
    """The params of a news_backfill run over ``landing`` into ``settings``' warehouse."""
    return {
        "start": start,
        "end": end,
        "mode": mode,
        "landing": str(landing),
        "warehouse": str(settings.warehouse),
    }


def test_stale_mode_rebuilds_only_partitions_built_by_another_version(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    for day in days:
        pipeline.run(settings, partition_date=day)
    original = checksums(settings.warehouse)
    con = duckdb.connect(str(settings.warehouse))
    try:  # day 2 was built by an older text version, day 3's run by an older schema
        con.execute(
            "UPDATE fact_article SET text_version = 'text-0' WHERE source_file LIKE ?",
            [f"%{days[1].isoformat()}/%"],
        )
        con.execute("UPDATE etl_run SET schema_version = 1 WHERE partition_date = ?", [days[2]])
    finally:
        con.close()

    dag = load_dag("news_backfill")
    conf = _conf(landing, settings, days[0].isoformat(), days[-1].isoformat(), "stale")
    run = dag.test(logical_date=datetime.now(UTC), run_conf=conf)
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states
    assert states[("publish", -1)] == "success"

    rebuilt = query(
        settings.warehouse,
        "SELECT partition_date FROM etl_run WHERE trigger = 'airflow-backfill' ORDER BY 1",
    )
    assert [d for (d,) in rebuilt] == days[1:]
    assert checksums(settings.warehouse) == original  # text-0 rows rebuilt with the current code

    # Nothing is stale any more: a second stale backfill rebuilds nothing and announces nothing.
    again = dag.test(logical_date=datetime.now(UTC), run_conf=conf)
    states = {(ti.task_id, ti.map_index): ti.state for ti in again.get_task_instances()}
    assert again.state == "success", states
    assert states[("publish", -1)] == "skipped"


def test_a_failed_day_fails_the_run_but_the_days_rebuilt_are_announced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three days, the second refused for its quarantine share: the other two are rebuilt and
    announced (an asset event, so news_marts refreshes them), and the run fails. `publish` was
    upstream_failed: the two days were never announced and the marts stayed stale (probe N,
    session 39)."""
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    folder = next(landing.glob(f"*{days[1].isoformat()}"))  # the sample's dt=D folder
    for i in range(len(list(folder.rglob("*.txt"))) + 2):  # over half its files empty
        (folder / f"empty{i}.txt").write_bytes(b"")
    monkeypatch.setenv("NEWS_ETL_QUARANTINE_CHECK_MIN_FILES", "2")
    settings = settings_for(landing, tmp_path / "w")
    dag = load_dag("news_backfill")
    conf = _conf(landing, settings, days[0].isoformat(), days[-1].isoformat(), "missing")
    run = dag.test(logical_date=datetime.now(UTC), run_conf=conf)
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert run.state == "failed", states
    assert sorted(s for (task, _), s in states.items() if task == "rebuild") == [
        "failed",
        "success",
        "success",
    ]
    assert states[("publish", -1)] == "success"
    assert states[("every_day_rebuilt", -1)] == "upstream_failed"
    loaded = query(
        settings.warehouse,
        "SELECT partition_date FROM etl_run WHERE status = 'success' ORDER BY 1",
    )
    assert [d for (d,) in loaded] == [days[0], days[2]]
    with create_session() as session:
        events = session.scalars(
            select(AssetEvent).where(
                AssetEvent.source_dag_id == "news_backfill",
                AssetEvent.source_run_id == run.run_id,
            )
        ).all()
        assert events, "publish announced nothing"
        assert {e.extra.get("warehouse") for e in events} == {str(settings.warehouse)}

    # The error's advice, from Airflow: a new run with the limit raised in its params (the
    # workers' NEWS_ETL_MAX_QUARANTINE_SHARE is not the run's to change) loads the good files of
    # the failed day and leaves the empty ones quarantined.
    again = dag.test(logical_date=datetime.now(UTC), run_conf={**conf, "max_quarantine_share": 0.9})
    states = {(ti.task_id, ti.map_index): ti.state for ti in again.get_task_instances()}
    assert again.state == "success", states
    loaded = query(
        settings.warehouse,
        "SELECT partition_date FROM etl_run WHERE status = 'success' ORDER BY 1",
    )
    assert [d for (d,) in loaded] == [days[0], days[1], days[2]]


def test_select_logs_the_table_the_cli_dry_run_prints(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The DAG doc says `select` logs the CLI's preview; it logged one `day files= articles=
    rebuild=` line per day, without the text versions or the days left unlisted (probe N)."""
    import logging

    from typer.testing import CliRunner

    from etl.cli import app

    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    pipeline.run(settings, partition_date=days[0])
    start = days[0].replace(day=1)  # days of the month before the sample's: not listed
    args = ["backfill", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", start.isoformat(), "--end", days[-1].isoformat(), "--dry-run"]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"), "COLUMNS": "100"}
    printed = CliRunner().invoke(app, args, env=env)
    assert printed.exit_code == 0, printed.output

    conf = _conf(landing, settings, start.isoformat(), days[-1].isoformat(), "missing")
    with caplog.at_level(logging.INFO, logger="airflow.task"):
        run = load_dag("news_backfill").test(logical_date=datetime.now(UTC), run_conf=conf)
    assert run.state == "success"
    (logged,) = [r.getMessage() for r in caplog.records if r.getMessage().startswith("select:")]
    table = logged.partition("\n")[2]
    # the same lines (a log centres the title in its width; a terminal's is its own)
    assert [x.strip() for x in table.splitlines()] == [
        x.strip() for x in printed.output.splitlines()
    ]
    assert "days of the range with neither not listed" in table
