"""
### news_maintenance — keep a DuckLake warehouse compact, weekly

**Registered paused**: unpause it where the warehouse is a DuckLake (a DuckDB file needs no
maintenance; there the task only checkpoints).

DuckLake never rewrites or deletes a data file by itself: every load adds about 30 small Parquet
files, a rebuilt day keeps the files it replaced, and a killed load leaves orphans. Once a week
(and whenever triggered by hand) this DAG runs `news-etl warehouse maintain`:

    maintain (pool: the warehouse's writer pool)

It merges each table's small files, rewrites files with many deleted rows, and deletes files
that no snapshot needs and orphans, only those older than the grace period (param
`grace_hours`, default 24): the files one run replaces are deleted by the next. Param
`expire_after_days` also expires older snapshots (time travel to them ends; default: keep all).
Every answer stays the same, now and as of every snapshot. On a DuckDB-file warehouse the task
only checkpoints; where no warehouse exists yet, it is skipped and says so. Param `warehouse`
overrides `NEWS_ETL_WAREHOUSE`.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import Param, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException
from news_etl_shared import DEFAULT_ARGS, START_DATE, WRITER_POOL, settings_from

log = logging.getLogger("airflow.task")


@dag(
    dag_id="news_maintenance",
    description="Compact the news warehouse (DuckLake): merge small files, delete unneeded ones",
    doc_md=__doc__,
    schedule="@weekly",
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    is_paused_upon_creation=True,  # unpause it for a DuckLake warehouse (see the doc)
    tags=["news-etl"],
    params={
        "warehouse": Param(None, type=["null", "string"], description="DuckDB file or ducklake:"),
        "grace_hours": Param(24.0, type="number", minimum=0, description="delete only older files"),
        "expire_after_days": Param(
            None, type=["null", "number"], minimum=0, description="expire older snapshots"
        ),
    },
    default_args=DEFAULT_ARGS,
)
def news_maintenance() -> None:
    @task(pool=WRITER_POOL)
    def maintain() -> dict[str, Any]:
        """Merge, rewrite and delete what the warehouse no longer needs (see the DAG doc)."""
        from datetime import timedelta

        from etl.maintenance import maintain as maintain_warehouse
        from etl.task_log import maintenance_line
        from etl.warehouse import warehouse_exists

        params = get_current_context()["params"]
        settings = settings_from({"warehouse": params.get("warehouse")})
        if not warehouse_exists(settings.target):  # a new install: nothing loaded, nothing to do
            reason = f"no warehouse at {settings.target.display} yet: nothing to maintain"
            log.info("maintain skipped: %s", reason)
            raise AirflowSkipException(reason)
        expire = params.get("expire_after_days")
        done = maintain_warehouse(
            settings,
            grace=timedelta(hours=float(params["grace_hours"])),
            expire_after=None if expire is None else timedelta(days=float(expire)),
        )
        log.info("maintain: %s", maintenance_line(done))
        return {"warehouse": done.warehouse, "deleted": done.deleted_files + done.orphans_deleted}

    maintain()


news_maintenance()
