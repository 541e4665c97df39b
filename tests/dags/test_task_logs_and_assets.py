"""news_daily through Airflow's dag.test(): each task logs what it did, the Asset events name the
warehouse the run loaded, and the partition follows the logical date as the DAG doc says."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from etl.sample import generate_sample
from tests.dags.conftest import load_dag
from tests.integration.helpers import query, settings_for

pytestmark = pytest.mark.usefixtures("airflow_db")


def _run(day: date, conf: dict[str, str], caplog: pytest.LogCaptureFixture) -> tuple[Any, str]:
    dag = load_dag("news_daily")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="airflow.task"):
        run = dag.test(
            logical_date=datetime(day.year, day.month, day.day, tzinfo=UTC), run_conf=conf
        )
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "airflow.task")
    states = {(ti.task_id, ti.map_index): ti.state for ti in run.get_task_instances()}
    assert run.state == "success", states
    return run, logged


def _asset_extras(run_id: str) -> list[dict[str, Any]]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        events = session.scalars(
            select(AssetEvent).where(
                AssetEvent.source_dag_id == "news_daily", AssetEvent.source_run_id == run_id
            )
        ).all()
        return [dict(e.extra or {}) for e in events]


def test_task_logs_say_what_happened_and_events_name_the_warehouse(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    landing = tmp_path / "landing"
    manifest = generate_sample(landing)
    day = manifest.dates[0]
    settings = settings_for(landing, tmp_path / "other")  # not the environment's warehouse
    conf = {"landing": str(landing), "warehouse": str(settings.warehouse)}

    run, logged = _run(day, conf, caplog)
    ((run_id, files_seen, deferred, loaded, quarantined),) = query(
        settings.warehouse,
        "SELECT run_id, files_seen, files_deferred, articles_loaded, quarantined FROM etl_run",
    )
    # The libraries' INFO chatter (GX, matplotlib) stays out of the task logs.
    from etl.task_log import QUIET_LOGGERS

    chatter = [
        r.name
        for r in caplog.records
        if r.name.startswith(QUIET_LOGGERS) and r.levelno < logging.WARNING
    ]
    assert chatter == []
    # plan: where, which partition and mode, the files
    assert f"run {run_id}: landing {landing}, partition {day}, mode merge" in logged
    assert f"files seen {files_seen}: 0 unchanged, {deferred} deferred" in logged
    # ingest/text per batch, validate, then the load's outcome with reasons and report
    assert "ingest batch 0:" in logged and "text batch 0:" in logged
    assert "validate:" in logged
    assert f"{loaded:,} {'article' if loaded == 1 else 'articles'} loaded" in logged
    assert f"{quarantined} quarantined (empty: {quarantined})" in logged
    report = settings.warehouse.parent / "reports" / run_id / "report.html"
    assert report.exists() and f"report {report}" in logged
    # publish: the events carry the warehouse this run loaded (news_marts refreshes that one)
    extras = _asset_extras(run.run_id)
    assert len(extras) == 4
    assert extras == [{"warehouse": str(settings.warehouse)}] * 4

    # news_marts, run by hand with the warehouse as param, refreshes that warehouse and says so.
    marts = load_dag("news_marts")
    with caplog.at_level(logging.INFO, logger="airflow.task"):
        refreshed = marts.test(
            logical_date=datetime.now(UTC), run_conf={"warehouse": conf["warehouse"]}
        )
    assert refreshed.state == "success"
    ((rows,),) = query(settings.warehouse, "SELECT count(*) FROM mart_daily_source")
    assert rows > 0
    assert f"marts of {settings.warehouse} rebuilt: mart_daily_source: {rows} rows" in caplog.text

    # A backfill over a day that has a run selects nothing by default, and says so.
    from etl.airflow_service import backfill_dag

    taken = backfill_dag(settings, str(day), str(day), dry_run=True)
    assert "Runs to be attempted:" in taken.output
    assert taken.runs == []
    assert taken.explanation and "--reprocess-behavior completed" in taken.explanation
    later = str(day + timedelta(days=1))
    rerun = backfill_dag(settings, str(day), later, reprocess_behavior="completed", dry_run=True)
    assert rerun.runs == [str(day), later]
    assert rerun.explanation is None

    # The same day again: nothing new, publish is skipped and says why.
    again, logged = _run(day, conf, caplog)
    states = {ti.task_id: ti.state for ti in again.get_task_instances()}
    assert states["publish"] == "skipped"
    assert "publish skipped:" in logged and "wrote no new articles" in logged
    assert _asset_extras(again.run_id) == []


def test_a_manual_run_loads_its_logical_date_with_the_interval_the_doc_states(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The DAG doc's table: a manual run with logical date D shows the interval D-1 → D and loads
    D; a scheduled run for D has the interval D → D+1."""
    from airflow.timetables.base import DataInterval, TimeRestriction

    landing = tmp_path / "landing"
    day = generate_sample(landing).dates[1]
    settings = settings_for(landing, tmp_path / "w")
    run, _ = _run(day, {"landing": str(landing), "warehouse": str(settings.warehouse)}, caplog)
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    assert run.run_type == "manual"
    assert run.logical_date == midnight
    assert (run.data_interval_start, run.data_interval_end) == (
        midnight - timedelta(days=1),
        midnight,
    )
    assert query(settings.warehouse, "SELECT partition_date FROM etl_run") == [(day,)]

    from airflow.serialization.decoders import decode_timetable
    from airflow.serialization.encoders import encode_timetable

    dag = load_dag("news_daily")
    # The timetable as the scheduler holds it (serialized, then decoded into the core class).
    timetable = decode_timetable(encode_timetable(dag.timetable))
    scheduled = timetable.next_dagrun_info(
        last_automated_data_interval=DataInterval(midnight - timedelta(days=1), midnight),
        restriction=TimeRestriction(earliest=None, latest=None, catchup=True),
    )
    assert scheduled is not None
    # The scheduled run for D: logical date D (its interval's start), interval D → D+1, created
    # once D has ended.
    assert scheduled.data_interval.start == midnight
    assert scheduled.data_interval.end == midnight + timedelta(days=1)
    assert scheduled.run_after == midnight + timedelta(days=1)

    doc = dag.doc_md
    assert "| scheduled (after *D* ends) or backfill | *D* | *D* → *D+1* | *D* |" in doc
    assert (
        "| manual with logical date *D* (UI, REST, `airflow dags test`) | *D* | *D-1* → *D* | *D* |"
        in doc
    )
