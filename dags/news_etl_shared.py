"""What the three news-etl DAGs share, defined once: the warehouse pool, the Assets they announce,
the retry policy, the start date, settings from DAG params and the Asset events' warehouse.

Airflow puts the DAGs folder on ``sys.path`` before it imports a DAG file (``BundleDagBag``), so
the DAG files import this module by its name; ``.airflowignore`` keeps it from being parsed as a
DAG file itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pendulum
from airflow.sdk import Asset, ExceptionRetryPolicy

from etl.airflow_env import WAREHOUSE_POOL
from etl.errors import RETRY_POLICY as RETRY_POLICY_SPEC
from etl.errors import RETRY_TIMING
from etl.settings import Settings
from etl.task_log import quiet_libraries
from etl.warehouse import PUBLISHED_TABLES, asset_uri

__all__ = [
    "DEFAULT_ARGS",
    "RETRY_POLICY",
    "START_DATE",
    "WAREHOUSE_ASSETS",
    "WAREHOUSE_EXTRA_KEY",
    "WAREHOUSE_POOL",
    "WRITER_POOL",
    "announce_warehouse",
    "settings_from",
    "warehouses_of",
]

# Task logs carry the tasks' own INFO lines, not the libraries' chatter (a task process imports
# this module when it parses its DAG file, before the task runs).
quiet_libraries()

#: The tables ``news_daily`` and ``news_backfill`` announce after a load that wrote new articles.
WAREHOUSE_ASSETS = [Asset(name=f"news_etl.{t}", uri=asset_uri(t)) for t in PUBLISHED_TABLES]

#: Only transient errors are retried (``etl.errors.RETRY_POLICY``), with ``RETRY_TIMING``.
RETRY_POLICY = ExceptionRetryPolicy.deserialize(RETRY_POLICY_SPEC)
DEFAULT_ARGS: dict[str, Any] = {**RETRY_TIMING, "retry_policy": RETRY_POLICY}

#: Early on purpose: runs (and backfills) for older dates get no tasks before start_date.
START_DATE = pendulum.datetime(1970, 1, 1, tz="UTC")

#: The pool of the tasks that write the warehouse: the one-slot pool for a DuckDB file (and a
#: DuckLake whose catalog is a DuckDB file: one writer at a time); Airflow's default pool for a
#: DuckLake on Postgres, whose writers commit concurrently (etl.load.loader retries conflicts).
#: Decided from NEWS_ETL_WAREHOUSE when the DAG files are parsed.
WRITER_POOL = WAREHOUSE_POOL if Settings().target.uses_lock else "default_pool"

#: The key of an Asset event's extra that names the warehouse file the load wrote.
WAREHOUSE_EXTRA_KEY = "warehouse"


#: DAG params that override a setting of the same name for one run when they are set: the
#: run-level data-quality limits, so that "make one run with NEWS_ETL_MAX_QUARANTINE_SHARE
#: raised" can be done from Airflow, whose workers' environment a run cannot change (probe N,
#: session 39).
RUN_LIMIT_PARAMS = ("max_quarantine_share", "quarantine_check_min_files")


def run_limit_params() -> dict[str, Any]:
    """The DAG params of :data:`RUN_LIMIT_PARAMS` (unset: the environment's setting)."""
    from airflow.sdk import Param

    return {
        "max_quarantine_share": Param(
            None,
            type=["null", "number"],
            minimum=0,
            maximum=1,
            description="This run only: fail when more than this share of its new files is "
            "quarantined (default: NEWS_ETL_MAX_QUARANTINE_SHARE)",
        ),
        "quarantine_check_min_files": Param(
            None,
            type=["null", "integer"],
            minimum=1,
            description="This run only: the run-level checks apply from this many new files "
            "(default: NEWS_ETL_QUARANTINE_CHECK_MIN_FILES)",
        ),
    }


def settings_from(params: Mapping[str, Any]) -> Settings:
    """The run's settings: the environment's, overridden by the DAG params ``landing``,
    ``warehouse`` and those of :data:`RUN_LIMIT_PARAMS` when they are set."""
    from etl.settings import load_settings

    limits = {k: params[k] for k in RUN_LIMIT_PARAMS if params.get(k) is not None}
    return load_settings(landing=params.get("landing"), warehouse=params.get("warehouse"), **limits)


def announce_warehouse(outlet_events: Any, settings: Settings) -> None:
    """Name the warehouse the run wrote in the extra of each Asset event it emits, so
    ``news_marts`` refreshes that warehouse and not the default one."""
    for asset in WAREHOUSE_ASSETS:
        outlet_events[asset].extra = {WAREHOUSE_EXTRA_KEY: settings.target.display}


def warehouses_of(triggering_events: Mapping[Any, Iterable[Any]]) -> list[str]:
    """The distinct warehouses named by the Asset events that triggered a run, in order of first
    appearance (events from before the warehouse was carried name none and are left out)."""
    found: list[str] = []
    for events in triggering_events.values():
        for event in events:
            warehouse = (getattr(event, "extra", None) or {}).get(WAREHOUSE_EXTRA_KEY)
            if warehouse and warehouse not in found:
                found.append(str(warehouse))
    return found
