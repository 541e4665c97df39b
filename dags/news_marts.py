"""
### news_marts — refresh the marts after the warehouse published new data

Scheduled on Airflow **Assets**: runs whenever `news_daily` or `news_backfill` announces one of the
warehouse tables (`news_etl.fact_article`, ...), i.e. after a load that wrote new articles.

    refresh (pool: news_etl_warehouse)

`refresh` rebuilds every mart (`mart_daily_source`, ...) from the star schema in one transaction
under the warehouse's writer lock. Param `warehouse` overrides `NEWS_ETL_WAREHOUSE`.
"""

from __future__ import annotations

from functools import reduce
from typing import Any

import pendulum
from airflow.sdk import (
    Asset,
    ExceptionRetryPolicy,
    Param,
    dag,
    get_current_context,
    task,
)

from etl.errors import RETRY_POLICY as RETRY_POLICY_SPEC
from etl.errors import RETRY_TIMING
from etl.warehouse import PUBLISHED_TABLES, asset_uri

WAREHOUSE_POOL = "news_etl_warehouse"
WAREHOUSE_ASSETS = [Asset(name=f"news_etl.{t}", uri=asset_uri(t)) for t in PUBLISHED_TABLES]

RETRY_POLICY = ExceptionRetryPolicy.deserialize(RETRY_POLICY_SPEC)


@dag(
    dag_id="news_marts",
    description="Refresh marts when the news warehouse has new data",
    doc_md=__doc__,
    schedule=reduce(lambda a, b: a | b, WAREHOUSE_ASSETS),
    start_date=pendulum.datetime(1970, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["news-etl"],
    params={
        "warehouse": Param(None, type=["null", "string"], description="DuckDB warehouse file"),
    },
    default_args={**RETRY_TIMING, "retry_policy": RETRY_POLICY},
)
def news_marts() -> None:
    @task(pool=WAREHOUSE_POOL)
    def refresh() -> dict[str, Any]:
        """Rebuild every mart from the star schema in one transaction."""
        from etl.marts import refresh_marts
        from etl.settings import load_settings

        params = get_current_context()["params"]
        return refresh_marts(load_settings(warehouse=params.get("warehouse")))

    refresh()


news_marts()
