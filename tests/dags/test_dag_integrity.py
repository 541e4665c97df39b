"""Every DAG file imports cleanly and news_daily has the shape the docs promise."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():  # type: ignore[no-untyped-def]
    from tests.dags.conftest import load_dagbag

    return load_dagbag()


def test_every_dag_file_imports_without_errors(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}
    files = {p.name for p in DAGS.glob("*.py")}
    assert "news_daily.py" in files
    from etl.airflow_env import DAG_IDS

    assert sorted(dagbag.dag_ids) == sorted(DAG_IDS)
    # The shared module is imported by the DAG files, never parsed as a DAG file itself.
    parsed = {Path(stat.file).name for stat in dagbag.dagbag_stats}
    assert parsed == {"news_daily.py", "news_backfill.py", "news_marts.py", "news_maintenance.py"}


def test_the_dags_share_one_pool_one_asset_list_and_one_retry_policy(dagbag) -> None:  # type: ignore[no-untyped-def]
    """Pool name, Assets, retry policy and start date are defined once (dags/news_etl_shared.py,
    the pool name in etl.airflow_env) and every DAG file uses those very objects."""
    import news_etl_shared as shared

    from etl.airflow_env import WAREHOUSE_POOL

    for path in DAGS.glob("news_*.py"):
        if path.name == "news_etl_shared.py":
            continue
        source = path.read_text(encoding="utf-8")
        assert "from news_etl_shared import" in source, path.name
        for defined_elsewhere in ("Asset(", "ExceptionRetryPolicy", "pendulum", '"news_etl_'):
            assert defined_elsewhere not in source, f"{path.name} defines {defined_elsewhere!r}"
    assert shared.WAREHOUSE_POOL == WAREHOUSE_POOL
    writers = {"load", "record_failure", "rebuild", "refresh", "maintain"}
    for dag in dagbag.dags.values():
        assert dag.start_date == shared.START_DATE
        for task in dag.tasks:
            assert task.retry_policy is shared.RETRY_POLICY, (dag.dag_id, task.task_id)
            if task.task_id in writers:
                assert task.pool == WAREHOUSE_POOL, (dag.dag_id, task.task_id)
            if task.task_id == "publish":
                assert [a.uri for a in task.outlets] == [a.uri for a in shared.WAREHOUSE_ASSETS]
    marts = dagbag.dags["news_marts"]
    scheduled_on = [a.uri for a in marts.timetable.asset_condition.objects]
    assert scheduled_on == [a.uri for a in shared.WAREHOUSE_ASSETS]


def test_an_asset_event_names_the_warehouse_without_its_password(  # type: ignore[no-untyped-def]
    dagbag, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The extra of each Asset event (kept in Airflow's database, shown in its UI) masks a
    password in the warehouse URL; news_marts, whose environment names the warehouse, gets the
    password back from there."""
    import collections
    import types

    import news_etl_shared as shared

    from etl import target
    from etl.settings import Settings

    real = "ducklake:postgres:dbname=news host=db port=5432 user=etl password=s3cret"
    masked = "ducklake:postgres:dbname=news host=db port=5432 user=etl password=***"
    events: dict[object, types.SimpleNamespace] = collections.defaultdict(types.SimpleNamespace)
    shared.announce_warehouse(events, Settings(warehouse=real))
    assert len(events) == len(shared.WAREHOUSE_ASSETS)
    assert [e.extra for e in events.values()] == [{"warehouse": masked}] * len(events)

    monkeypatch.setattr(target, "_GIVEN", {})  # news_marts runs in another process
    monkeypatch.setenv("NEWS_ETL_WAREHOUSE", real)
    named = shared.warehouses_of({"news_etl.fact_article": list(events.values())})
    assert named == [masked]
    assert str(shared.settings_from({"warehouse": named[0]}).warehouse) == real


def test_news_daily_shape(dagbag) -> None:  # type: ignore[no-untyped-def]
    dag = dagbag.dags["news_daily"]
    assert dag is not None
    assert set(dag.task_ids) == {
        "plan",
        "ingest",
        "text",
        "validate",
        "load",
        "publish",
        "record_failure",
    }
    assert dag.doc_md and "data interval" in dag.doc_md
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"
    assert dag.max_active_runs == 1
    load = dag.get_task("load")
    assert load.pool == "news_etl_warehouse"
    assert dag.get_task("record_failure").pool == "news_etl_warehouse"
    assert load.upstream_task_ids == {"validate"}


def test_news_daily_offers_the_declared_load_modes(dagbag) -> None:  # type: ignore[no-untyped-def]
    """The mode param's choices are auto and the load modes etl.contracts declares, but replace
    (``news-etl run --replace`` only); each is a mode the pipeline's plan takes."""
    from etl.contracts import LoadMode
    from etl.daily_run import run_mode

    param = dagbag.dags["news_daily"].params.get_param("mode")
    assert param.schema["enum"] == ["auto", "merge", "rebuild"]
    assert param.value == "auto"
    for choice in param.schema["enum"][1:]:
        assert run_mode({"mode": choice}, "scheduled") == LoadMode(choice)


def test_news_backfill_offers_the_declared_modes(dagbag) -> None:  # type: ignore[no-untyped-def]
    """The mode param's choices and its doc are the modes etl.contracts declares."""
    from etl.contracts import BackfillMode

    dag = dagbag.dags["news_backfill"]
    param = dag.params.get_param("mode")
    assert param.schema["enum"] == [m.value for m in BackfillMode] == ["missing", "all", "stale"]
    assert param.value == "missing"
    assert [line[3:].split("`")[0] for line in dag.doc_md.splitlines() if line[:3] == "* `"] == [
        m.value for m in BackfillMode
    ]


def test_only_transient_errors_are_retried(dagbag) -> None:  # type: ignore[no-untyped-def]
    """Every task of every DAG retries transient errors and fails at once on the rest, by the
    one policy in etl.errors (the DAGs cannot drift apart)."""
    from airflow.sdk import RetryAction

    from etl.errors import (
        BatchValidationError,
        StagingError,
        WarehouseBusyError,
        WarehouseLockedError,
    )

    checked = 0
    for dag_id in ("news_daily", "news_backfill", "news_marts", "news_maintenance"):
        for task in dagbag.dags[dag_id].tasks:
            policy = task.retry_policy
            if task.task_id == "record_failure":  # it reports a failure: it never retries
                assert task.retries == 0
                continue
            assert task.retries == 3, task.task_id

            def action(exc: BaseException, policy=policy) -> RetryAction:  # type: ignore[no-untyped-def]
                for rule in policy.rules:
                    if rule.matches(exc):
                        return rule.action
                return policy.default

            assert action(WarehouseLockedError("busy")) == RetryAction.RETRY
            assert action(WarehouseBusyError("busy")) == RetryAction.RETRY
            assert action(ConnectionResetError("peer")) == RetryAction.RETRY
            assert action(TimeoutError("slow")) == RetryAction.RETRY
            assert action(BatchValidationError("bad day")) == RetryAction.FAIL
            assert action(StagingError("missing")) == RetryAction.FAIL
            assert action(KeyError("a bug")) == RetryAction.FAIL
            checked += 1
    assert checked >= 8


def test_dag_modules_stay_thin() -> None:
    """DAG files wire tasks; logic lives in etl (no SQL, no file reading in DAG files)."""
    for path in DAGS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in ("duckdb", "read_bytes", "open(", "SELECT "):
            assert forbidden not in source, f"{path.name} contains {forbidden!r}"


def test_etl_never_imports_airflow() -> None:
    package = Path(__file__).resolve().parents[2] / "etl"
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n == "airflow" or n.startswith("airflow.") for n in names), path
