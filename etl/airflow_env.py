"""Environment for running this project's Airflow: project-local home, our DAGs, SQLite by default.

Only builds environment variables and command lines; it never imports Airflow (``etl`` must not).
Set ``NEWS_ETL_AIRFLOW_DB`` to a SQLAlchemy URL (e.g. ``postgresql+psycopg://...``) to use another
metadata database. :func:`celery_environment` adds what the Celery executor needs (Redis broker,
Postgres metadata database and result backend).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from etl.errors import ConfigError
from etl.settings import PROJECT_ROOT, TASK_HOSTNAME_VAR, Settings
from etl.task_log import QUIET_LOGGERS

#: The Airflow pool of one slot that every warehouse-writing task uses.
WAREHOUSE_POOL = "news_etl_warehouse"

#: The project's DAGs (``dags/news_*.py``; a DAG test checks the folder defines exactly these).
DAG_IDS = ("news_daily", "news_backfill", "news_marts", "news_maintenance")
#: Of those, the DAGs that come up paused and stay so until an operator unpauses them:
#: ``news_maintenance`` is for a DuckLake warehouse (a DuckDB file needs none).
PAUSED_DAG_IDS = ("news_maintenance",)

#: Connection arguments for a SQLite metadata database (Airflow imports them by this module's
#: path): a connection waits up to a minute for another's write lock instead of failing with
#: "database is locked" after sqlite3's default five seconds. The scheduler, DAG processor,
#: API server, triggerer and an operator's CLI command all write to the one file.
SQLITE_CONNECT_ARGS: dict[str, object] = {"timeout": 60}


def airflow_home() -> Path:
    """``$AIRFLOW_HOME`` if set, else ``<project>/.airflow``."""
    return Path(os.environ.get("AIRFLOW_HOME") or PROJECT_ROOT / ".airflow").absolute()


def airflow_environment(
    settings: Settings, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) plus what our Airflow needs."""
    env = dict(os.environ if base is None else base)
    home = Path(env["AIRFLOW_HOME"]).absolute() if env.get("AIRFLOW_HOME") else airflow_home()
    env["AIRFLOW_HOME"] = str(home)
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "False")
    env.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO")
    env.setdefault(
        "AIRFLOW__LOGGING__NAMESPACE_LEVELS", " ".join(f"{name}=WARNING" for name in QUIET_LOGGERS)
    )
    # DAGs registered by any command (the demo's `airflow dags test`, the DAG processor) start
    # unpaused: set-up leaves them ready to run (see prepare_airflow).
    env.setdefault("AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION", "False")
    # Sized from the machine: Airflow's default of 32 starts 32 LocalExecutor workers anywhere.
    env.setdefault("AIRFLOW__CORE__PARALLELISM", str(settings.airflow_workers))
    env.setdefault("GX_ANALYTICS_ENABLED", "false")
    # Partitions are UTC days: `airflow dags test news_daily D` and `backfill create --from-date
    # D` read D as midnight in the default time zone. An inherited Europe/Berlin made "run day
    # D" the logical date D-1 23:00 UTC, which loads D-1, and a backfill lost its last day
    # (probe T, session 46): the project's Airflow runs in UTC, whatever the shell says.
    env["AIRFLOW__CORE__DEFAULT_TIMEZONE"] = "UTC"
    # The processes' environment first, then the settings (etl.settings.DIRECT_READS).
    db = env.get("NEWS_ETL_AIRFLOW_DB") or settings.airflow_db
    if db:
        env["NEWS_ETL_AIRFLOW_DB"] = db
        env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", db)
        # Airflow 3 also opens an async engine; psycopg 3 URLs serve both.
        env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC", async_url(db))
    else:
        env.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    if env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("sqlite"):
        for key in ("SQL_ALCHEMY_CONNECT_ARGS", "SQL_ALCHEMY_CONNECT_ARGS_ASYNC"):
            env.setdefault(f"AIRFLOW__DATABASE__{key}", f"{__name__}.SQLITE_CONNECT_ARGS")
    env["NEWS_ETL_LANDING"] = str(settings.landing)
    env["NEWS_ETL_WAREHOUSE"] = str(settings.warehouse)
    # Every folder given to these settings (an option, not only the environment) reaches the
    # task processes: without it a worker wrote its quality pages to the default folder.
    optional = {
        "NEWS_ETL_STAGING_DIR": settings.staging_dir,
        "NEWS_ETL_REPORTS_DIR": settings.reports_dir,
        "NEWS_ETL_DUCKLAKE_DATA_PATH": settings.ducklake_data_path,
    }
    env.update({name: str(value) for name, value in optional.items() if value is not None})
    return env


def async_url(url: str) -> str:
    """The async twin of a metadata database URL (Postgres via psycopg 3; others unchanged)."""
    for prefix in ("postgresql+psycopg2://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def task_hostname() -> str:
    """The host name Airflow records for a task run by one of our Celery workers.

    The workers' ``[core] hostname_callable``: ``$NEWS_ETL_AIRFLOW_HOSTNAME``, which each worker
    gets set to its Celery node name (``news-etl-worker1@<host>``), so that the tasks of several
    workers on one machine can be told apart (the task instance's ``hostname``); else the
    machine's fully qualified name, Airflow's default. Imported by Airflow by its dotted path.
    """
    return os.environ.get(TASK_HOSTNAME_VAR) or socket.getfqdn()


def result_backend(db_url: str) -> str:
    """Celery's result backend in the metadata database: ``db+`` and its SQLAlchemy URL, with
    Postgres through psycopg 3 (the driver installed here; ``postgresql://`` means psycopg2)."""
    return "db+" + async_url(db_url)


def celery_environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our Airflow environment (:func:`airflow_environment`) for the Celery executor.

    Needs a Postgres metadata database (``NEWS_ETL_AIRFLOW_DB``, in ``base`` or the settings),
    which is also Celery's result backend, and a broker (``NEWS_ETL_AIRFLOW_BROKER``, e.g.
    ``redis://127.0.0.1:6379/0``); raises :class:`ConfigError` saying how to get them when one
    is missing. Each worker runs ``airflow_worker_concurrency`` tasks at once; Airflow's
    ``parallelism`` (tasks running at once in the whole cluster) is workers x concurrency unless
    ``NEWS_ETL_AIRFLOW_PARALLELISM`` says otherwise.
    """
    env = dict(os.environ if base is None else base)
    db = env.get("NEWS_ETL_AIRFLOW_DB") or settings.airflow_db
    broker = env.get("NEWS_ETL_AIRFLOW_BROKER") or settings.airflow_broker
    if not db:
        raise ConfigError(
            "the celery executor needs Postgres as Airflow's metadata database: set "
            "NEWS_ETL_AIRFLOW_DB=postgresql+psycopg://USER@127.0.0.1:PORT/DB "
            "(scripts/ci_postgres.sh start prints one; see README, Airflow on Celery)"
        )
    if not db.startswith(("postgresql", "postgres://")):
        raise ConfigError(
            f"the celery executor needs a Postgres metadata database, not {db.split(':')[0]}: "
            "several machines' processes write it at once (NEWS_ETL_AIRFLOW_DB)"
        )
    if not broker:
        raise ConfigError(
            "the celery executor needs a broker: set NEWS_ETL_AIRFLOW_BROKER=redis://127.0.0.1:"
            "6379/0 (scripts/ci_redis.sh start prints one; see README, Airflow on Celery)"
        )
    env["NEWS_ETL_AIRFLOW_DB"] = db
    env["NEWS_ETL_AIRFLOW_BROKER"] = broker
    concurrency = settings.airflow_worker_concurrency
    slots = settings.airflow_parallelism or settings.airflow_celery_workers * concurrency
    env.setdefault("AIRFLOW__CORE__PARALLELISM", str(slots))
    env = airflow_environment(settings, env)
    env["AIRFLOW__CORE__EXECUTOR"] = "CeleryExecutor"
    env.setdefault("AIRFLOW__CELERY__BROKER_URL", broker)
    env.setdefault("AIRFLOW__CELERY__RESULT_BACKEND", result_backend(db))
    env.setdefault("AIRFLOW__CELERY__WORKER_CONCURRENCY", str(concurrency))
    return env


def airflow_executable() -> str:
    """The ``airflow`` command of this virtual environment."""
    candidate = Path(sys.executable).parent / "airflow"
    if not candidate.exists():
        raise ConfigError(f"Airflow is not installed next to {sys.executable}; run `make setup`")
    return str(candidate)


def run_airflow(args: Sequence[str], env: Mapping[str, str], *, quiet: bool = True) -> str:
    """Run ``airflow <args>``; return its output, raise :class:`ConfigError` with it on failure."""
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [airflow_executable(), *args],
        env=dict(env),
        capture_output=quiet,
        text=True,
        check=False,
    )
    output = (proc.stdout or "") + (proc.stderr or "")
    if proc.returncode != 0:
        raise ConfigError(
            f"`airflow {' '.join(args)}` failed ({proc.returncode}): {airflow_failure(output)}"
        )
    return output


def airflow_failure(output: str) -> str:
    """What an ``airflow`` command that failed said: the exception its traceback ends with
    (``AlreadyRunningBackfill: Another backfill is running for Dag news_daily``), not the whole
    traceback flattened into one error line (probe); else its last lines of output."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    if "Traceback (most recent call last):" in output:
        traced = [line for line in lines if not line.startswith((" ", "\t"))]
        if traced:
            return traced[-1][:2000]
    return " / ".join(lines[-5:])[-2000:]


def unpause_dags(env: Mapping[str, str]) -> None:
    """Unpause the project's DAGs (:data:`DAG_IDS`), e.g. ones an earlier set-up registered paused.

    Once unpaused, a running scheduler starts ``news_daily`` for the latest complete day at
    once (``catchup`` is off, so no older day); ``news_marts`` waits for Asset events and
    ``news_backfill`` for a trigger. :data:`PAUSED_DAG_IDS` are left as they are.
    """
    pattern = "^(" + "|".join(d for d in DAG_IDS if d not in PAUSED_DAG_IDS) + ")$"
    run_airflow(["dags", "unpause", "--treat-dag-id-as-regex", "--yes", pattern], env)


def prepare_airflow(env: Mapping[str, str]) -> None:
    """Create or upgrade the metadata database and the warehouse pool (idempotent)."""
    run_airflow(["db", "migrate"], env)
    run_airflow(
        ["pools", "set", WAREHOUSE_POOL, "1", "news-etl: one writer of the DuckDB warehouse"], env
    )
