"""Airflow's metadata database is the one requested: Postgres (async driver too) under .ci/run."""

from __future__ import annotations

import os

import pytest

from etl.airflow_env import airflow_environment, async_url
from etl.settings import load_settings

pytestmark = pytest.mark.usefixtures("airflow_db")


def test_the_variable_selects_postgres_with_an_async_driver() -> None:
    env = airflow_environment(
        load_settings(), base={"NEWS_ETL_AIRFLOW_DB": "postgresql://u@127.0.0.1:5432/a"}
    )
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "postgresql://u@127.0.0.1:5432/a"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"].startswith("postgresql+psycopg://")
    assert async_url("sqlite:////x/airflow.db") == "sqlite:////x/airflow.db"
    assert "AIRFLOW__DATABASE__SQL_ALCHEMY_CONNECT_ARGS" not in env


def test_sqlite_connections_wait_for_locks() -> None:
    """On SQLite every Airflow process (and the operator's CLI) waits for a busy write lock
    instead of failing with "database is locked"; Airflow imports the arguments by path."""
    from airflow.configuration import conf

    env = airflow_environment(load_settings(), base={"AIRFLOW_HOME": "/tmp/x"})
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == "sqlite:////tmp/x/airflow.db"
    for key in ("SQL_ALCHEMY_CONNECT_ARGS", "SQL_ALCHEMY_CONNECT_ARGS_ASYNC"):
        path = env[f"AIRFLOW__DATABASE__{key}"]
        os.environ[f"AIRFLOW__DATABASE__{key}"] = path
        try:
            args = conf.getimport("database", key.lower())
        finally:
            del os.environ[f"AIRFLOW__DATABASE__{key}"]
        assert args["timeout"] >= 30


@pytest.mark.skipif(
    "NEWS_ETL_TEST_AIRFLOW_DB" not in os.environ,
    reason="Postgres not started: .ci/run starts one and reruns the DAG tests against it",
)
def test_dag_tests_run_against_postgres() -> None:
    from airflow import settings

    assert settings.engine is not None
    assert settings.engine.dialect.name == "postgresql"
    with settings.engine.connect() as con:
        assert con.exec_driver_sql("SELECT count(*) FROM slot_pool").scalar() >= 1
