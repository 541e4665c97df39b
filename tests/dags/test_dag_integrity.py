"""Every DAG file imports cleanly and news_daily has the shape the docs promise."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():  # type: ignore[no-untyped-def]
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_every_dag_file_imports_without_errors(dagbag) -> None:  # type: ignore[no-untyped-def]
    assert dagbag.import_errors == {}
    files = {p.name for p in DAGS.glob("*.py")}
    assert "news_daily.py" in files
    assert len(dagbag.dags) >= 1


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
    for dag_id in ("news_daily", "news_backfill", "news_marts"):
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
