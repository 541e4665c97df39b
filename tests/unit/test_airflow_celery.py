"""The Celery cluster's configuration and command lines, and its stop (no Airflow, no servers)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.airflow_cluster import (
    check_broker,
    cluster_components,
    cluster_environment,
    start_cluster,
    worker_name,
)
from etl.airflow_env import celery_environment, result_backend, task_hostname
from etl.airflow_service import _alive, _stat, stop_airflow
from etl.cli import app
from etl.errors import ConfigError
from etl.settings import load_settings

DB = "postgresql+psycopg://airflow@127.0.0.1:5432/airflow"
BROKER = "redis://127.0.0.1:6379/0"


def _base(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "AIRFLOW_HOME": str(tmp_path / "home"), **extra}


def test_celery_environment_names_broker_backend_executor_and_sizes(tmp_path: Path) -> None:
    settings = load_settings(airflow_celery_workers=3, airflow_worker_concurrency=2)
    env = celery_environment(
        settings, _base(tmp_path, NEWS_ETL_AIRFLOW_DB=DB, NEWS_ETL_AIRFLOW_BROKER=BROKER)
    )
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == BROKER
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == f"db+{DB}"
    assert env["AIRFLOW__CELERY__WORKER_CONCURRENCY"] == "2"
    assert env["AIRFLOW__CORE__PARALLELISM"] == "6"  # 3 workers x 2 tasks each
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == DB
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC"] == DB


def test_celery_environment_reads_the_settings_too(tmp_path: Path) -> None:
    settings = load_settings(airflow_db="postgresql://u@127.0.0.1/a", airflow_broker=BROKER)
    env = celery_environment(settings, _base(tmp_path))
    # psycopg 3 is the driver here: a bare postgresql:// would mean psycopg2 to SQLAlchemy.
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+postgresql+psycopg://u@127.0.0.1/a"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == BROKER
    assert result_backend("postgresql+psycopg2://u@h/d") == "db+postgresql+psycopg://u@h/d"


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ({"NEWS_ETL_AIRFLOW_BROKER": BROKER}, "NEWS_ETL_AIRFLOW_DB=postgresql"),
        (
            {"NEWS_ETL_AIRFLOW_BROKER": BROKER, "NEWS_ETL_AIRFLOW_DB": "sqlite:////tmp/a.db"},
            "needs a Postgres metadata database, not sqlite",
        ),
        ({"NEWS_ETL_AIRFLOW_DB": DB}, "NEWS_ETL_AIRFLOW_BROKER=redis://"),
    ],
)
def test_celery_environment_says_what_is_missing(
    tmp_path: Path, extra: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError, match=says):
        celery_environment(load_settings(), _base(tmp_path, **extra))


def test_components_api_on_loopback_and_distinct_workers() -> None:
    settings = load_settings(airflow_celery_workers=2, airflow_worker_concurrency=3)
    components = cluster_components(settings, 18123, host="box.example")
    assert [c.name for c in components] == [
        "api-server",
        "scheduler",
        "dag-processor",
        "celery-worker-1",
        "celery-worker-2",
    ]
    api, scheduler, _, first, second = components
    assert api.args == ("api-server", "--host", "127.0.0.1", "--port", "18123")
    assert "--skip-serve-logs" in scheduler.args
    assert first.args == (
        "celery",
        "worker",
        "--celery-hostname",
        "news-etl-worker1@box.example",
        "--concurrency",
        "3",
        "--skip-serve-logs",  # the log server would listen on every interface
    )
    assert second.args[3] == "news-etl-worker2@box.example"
    # Each worker's tasks record its node name as their host name.
    assert first.env == {
        "NEWS_ETL_AIRFLOW_HOSTNAME": "news-etl-worker1@box.example",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "etl.airflow_env.task_hostname",
    }
    assert worker_name(7, "h") == "news-etl-worker7@h"


def test_cluster_environment_serves_and_reaches_the_execution_api_on_loopback(
    tmp_path: Path,
) -> None:
    env = cluster_environment(
        load_settings(),
        18124,
        _base(tmp_path, NEWS_ETL_AIRFLOW_DB=DB, NEWS_ETL_AIRFLOW_BROKER=BROKER),
    )
    assert env["AIRFLOW__API__HOST"] == "127.0.0.1"
    assert env["AIRFLOW__API__BASE_URL"] == "http://127.0.0.1:18124"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18124/execution/"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_task_hostname(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ETL_AIRFLOW_HOSTNAME", "news-etl-worker2@h")
    assert task_hostname() == "news-etl-worker2@h"
    monkeypatch.delenv("NEWS_ETL_AIRFLOW_HOSTNAME")
    assert task_hostname() == socket.getfqdn()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_silent_broker_is_named_with_how_to_start_redis() -> None:
    with pytest.raises(ConfigError, match=r"does not answer.*scripts/ci_redis.sh start"):
        check_broker(f"redis://127.0.0.1:{_closed_port()}/0", timeout_s=2)


def test_start_refuses_a_home_that_already_runs_airflow(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "cluster.pid").write_text("123456 scheduler\n", encoding="utf-8")
    base = _base(tmp_path, NEWS_ETL_AIRFLOW_DB=DB, NEWS_ETL_AIRFLOW_BROKER=BROKER)
    with pytest.raises(ConfigError, match="already runs from"):
        start_cluster(load_settings(), port=18125, base_env=base, echo=lambda _: None)


def test_cli_celery_without_metadata_db_says_so(tmp_path: Path) -> None:
    env = {"AIRFLOW_HOME": str(tmp_path / "home"), "NEWS_ETL_AIRFLOW_BROKER": BROKER}
    result = CliRunner().invoke(app, ["airflow", "start", "--executor", "celery"], env=env)
    assert result.exit_code == 2
    assert "NEWS_ETL_AIRFLOW_DB" in result.output
    assert not (tmp_path / "home" / "cluster.pid").exists()


@pytest.mark.parametrize(
    "args",
    [["--workers", "2"], ["--executor", "kubernetes"], ["--executor", "celery", "--workers", "0"]],
)
def test_cli_rejects_bad_executor_options(args: list[str]) -> None:
    result = CliRunner().invoke(app, ["airflow", "start", *args])
    assert result.exit_code == 2, result.output


LEADER = "import time; time.sleep(600)"


def test_stop_ends_every_recorded_group_and_spares_the_caller(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "AIRFLOW_HOME": str(home)}
    leaders = [
        subprocess.Popen([sys.executable, "-c", LEADER], env=env, start_new_session=True)
        for _ in range(3)
    ]
    bystander = subprocess.Popen(["sleep", "300"], env=env)
    try:
        lines = [f"{p.pid} component-{i}\n" for i, p in enumerate(leaders)]
        (home / "cluster.pid").write_text("".join(lines), encoding="utf-8")
        started = {p.pid: _stat(p.pid) for p in leaders}
        assert stop_airflow(home, grace_s=10) == 3
        for proc in leaders:
            proc.wait(timeout=30)
        stat = {pid: s for pid, s in started.items() if s is not None}
        assert not any(_alive(pid, s[2]) for pid, s in stat.items())
        time.sleep(0.2)
        assert bystander.poll() is None, "a process that start did not launch was signalled"
        assert not (home / "cluster.pid").exists()
    finally:
        for proc in [*leaders, bystander]:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_a_cluster_for_workers_elsewhere_listens_where_told_and_starts_none() -> None:
    settings = load_settings(airflow_celery_workers=0, airflow_api_host="10.1.2.3")
    components = cluster_components(settings, 18124, host="box.example")
    assert [c.name for c in components] == ["api-server", "scheduler", "dag-processor"]
    assert components[0].args == ("api-server", "--host", "10.1.2.3", "--port", "18124")


def test_cluster_environment_binds_the_api_host_of_the_settings(tmp_path: Path) -> None:
    settings = load_settings(airflow_api_host="0.0.0.0")
    env = cluster_environment(
        settings, 18125, _base(tmp_path, NEWS_ETL_AIRFLOW_DB=DB, NEWS_ETL_AIRFLOW_BROKER=BROKER)
    )
    assert env["AIRFLOW__API__HOST"] == "0.0.0.0"
    # the workers on this machine still reach the Execution API on loopback
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18125/execution/"


def test_a_remote_worker_joins_the_cluster_of_its_api_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`news-etl airflow worker` becomes `airflow celery worker` with the cluster's broker,
    metadata DB and the Execution API at the given URL (os.execve is caught, not run)."""
    import etl.airflow_cluster as cluster

    for name in [n for n in os.environ if n.startswith("AIRFLOW__")]:
        monkeypatch.delenv(name)  # this machine's own settings are the test's inputs only
    for name, value in _base(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NEWS_ETL_AIRFLOW_DB", DB)
    monkeypatch.setenv("NEWS_ETL_AIRFLOW_BROKER", BROKER)
    monkeypatch.setenv("NEWS_ETL_AIRFLOW_WORKER_CONCURRENCY", "4")
    pinged: list[str] = []
    monkeypatch.setattr(cluster, "check_broker", pinged.append)
    became: list[tuple[str, list[str], dict[str, str]]] = []

    def execve(path: str, argv: list[str], env: dict[str, str]) -> None:
        became.append((path, argv, env))
        raise SystemExit(0)

    monkeypatch.setattr(cluster.os, "execve", execve)
    result = CliRunner().invoke(
        app, ["airflow", "worker", "--api-url", "http://sched.example:8080/", "--index", "3"]
    )
    assert result.exit_code == 0, result.output
    assert pinged == [BROKER]
    [(path, argv, env)] = became
    assert argv[0] == path and argv[1:5] == ["celery", "worker", "--celery-hostname", argv[4]]
    assert argv[4].startswith("news-etl-worker3@")
    assert argv[5:] == ["--concurrency", "4", "--skip-serve-logs"]
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://sched.example:8080/execution/"
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"] == BROKER
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == DB
    assert env["NEWS_ETL_AIRFLOW_HOSTNAME"] == argv[4]  # what its tasks record as host name


def test_a_remote_worker_without_a_broker_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _base(tmp_path).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("NEWS_ETL_AIRFLOW_DB", DB)
    monkeypatch.delenv("NEWS_ETL_AIRFLOW_BROKER", raising=False)
    result = CliRunner().invoke(app, ["airflow", "worker", "--api-url", "http://s:8080"])
    assert result.exit_code == 2
    assert "NEWS_ETL_AIRFLOW_BROKER" in result.output
