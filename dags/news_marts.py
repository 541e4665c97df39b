"""
### news_marts — refresh the marts after the warehouse published new data

Scheduled on Airflow **Assets**: runs whenever `news_daily` or `news_backfill` announces one of the
warehouse tables (`news_etl.fact_article`, ...), i.e. after a load that wrote new articles.

    refresh (pool: news_etl_warehouse)

`refresh` rebuilds every mart (`mart_daily_source`, ...) from the star schema in one transaction
under the warehouse's writer lock, in **the warehouse the triggering run loaded**: each Asset
event names it in its extra (`warehouse`); events of several warehouses refresh each of them.
Param `warehouse` (a manual run, or events that name none) overrides `NEWS_ETL_WAREHOUSE`.
"""

from __future__ import annotations

import logging
from functools import reduce
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task
from news_etl_shared import (
    DEFAULT_ARGS,
    START_DATE,
    WAREHOUSE_ASSETS,
    WRITER_POOL,
    settings_from,
    warehouses_of,
)

log = logging.getLogger("airflow.task")


@dag(
    dag_id="news_marts",
    description="Refresh marts when the news warehouse has new data",
    doc_md=__doc__,
    schedule=reduce(lambda a, b: a | b, WAREHOUSE_ASSETS),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["news-etl"],
    params={
        "warehouse": Param(None, type=["null", "string"], description="DuckDB warehouse file"),
    },
    default_args=DEFAULT_ARGS,
)
def news_marts() -> None:
    @task(pool=WRITER_POOL)
    def refresh() -> dict[str, dict[str, int]]:
        """Rebuild every mart from the star schema in one transaction, in each warehouse the
        triggering Asset events name (else the param's or the environment's)."""
        from etl.marts import refresh_marts
        from etl.task_log import marts_line

        context = get_current_context()
        events: Any = context.get("triggering_asset_events") or {}
        warehouses = warehouses_of(events) or [context["params"].get("warehouse")]
        refreshed = {}
        for warehouse in warehouses:
            settings = settings_from({"warehouse": warehouse})
            rows = refresh_marts(settings)
            log.info("refresh: %s", marts_line(settings.warehouse, rows))
            refreshed[settings.target.display] = rows
        return refreshed

    refresh()


news_marts()
