"""Airflow's evaluation of the DAGs' retry policy equals ``etl.errors.is_retryable`` and the
literal verdict table of the unit test, so the CLI's exit codes and Airflow's retries agree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from etl.errors import RETRY_POLICY, is_retryable
from tests.unit.test_retry_rule import VERDICTS

DAGS = Path(__file__).resolve().parents[2] / "dags"


@pytest.mark.parametrize(("exc", "retried"), VERDICTS, ids=[type(e).__name__ for e, _ in VERDICTS])
def test_airflow_retries_exactly_what_is_retryable_says(exc: BaseException, retried: bool) -> None:
    """What every DAG does (``ExceptionRetryPolicy.deserialize(RETRY_POLICY)``), evaluated."""
    from airflow.sdk.definitions.retry_policy import ExceptionRetryPolicy, RetryAction

    decision = ExceptionRetryPolicy.deserialize(RETRY_POLICY).evaluate(exc, 1, 4)
    assert (decision.action is RetryAction.RETRY) is retried
    assert is_retryable(exc) is retried


def _imports(source: str) -> set[tuple[str | None, str]]:
    return {
        (node.module, alias.name)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_dags_policy_is_built_once_from_the_one_rule() -> None:
    """``dags/news_etl_shared.py`` builds the policy from ``etl.errors.RETRY_POLICY``."""
    shared = (DAGS / "news_etl_shared.py").read_text(encoding="utf-8")
    assert ("etl.errors", "RETRY_POLICY") in _imports(shared)
    assert "ExceptionRetryPolicy.deserialize(RETRY_POLICY_SPEC)" in shared


@pytest.mark.parametrize(
    "dag_file", ["news_daily.py", "news_backfill.py", "news_marts.py", "news_maintenance.py"]
)
def test_every_dag_takes_the_shared_policy(dag_file: str) -> None:
    """Each DAG takes its default arguments (the policy among them) from the shared module and
    builds no policy of its own."""
    source = (DAGS / dag_file).read_text(encoding="utf-8")
    assert ("news_etl_shared", "DEFAULT_ARGS") in _imports(source)
    assert "ExceptionRetryPolicy" not in source
    assert "default_args=DEFAULT_ARGS" in source
