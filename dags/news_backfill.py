"""
### news_backfill — rebuild day partitions over a date range (for operators who prefer the UI)

Trigger with params `start`, `end` (YYYY-MM-DD, inclusive) and `mode`:

* `missing` — days that have files in the landing zone but were never loaded;
* `all` — every day in the range with files or articles;
* `stale` — days whose articles were built by an older text-processing version
  (`fact_article.text_version`) or whose last run used an older warehouse schema.

    select ─► rebuild[day] (pool: news_etl_warehouse, one at a time) ─► publish (assets)

*Rebuilding* day D re-reads every file selected for D (its `D/` or `dt=D/` folder, and undated
folders' files whose header says D) and replaces, in one transaction, the articles those files
produced before. `news-etl backfill --start A --end B --mode M [--dry-run]` does the same without
Airflow; `select` logs the same preview table the CLI's `--dry-run` prints. To fan text
processing out over batches instead, backfill `news_daily` itself (`airflow backfill create`).
"""

from __future__ import annotations

from datetime import date
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
from airflow.sdk.exceptions import AirflowSkipException

from etl.errors import RETRY_POLICY as RETRY_POLICY_SPEC
from etl.errors import RETRY_TIMING
from etl.warehouse import PUBLISHED_TABLES, asset_uri

WAREHOUSE_POOL = "news_etl_warehouse"
WAREHOUSE_ASSETS = [Asset(name=f"news_etl.{t}", uri=asset_uri(t)) for t in PUBLISHED_TABLES]

RETRY_POLICY = ExceptionRetryPolicy.deserialize(RETRY_POLICY_SPEC)


def _settings(params: dict[str, Any]) -> Any:
    from etl.settings import load_settings

    return load_settings(landing=params.get("landing"), warehouse=params.get("warehouse"))


@dag(
    dag_id="news_backfill",
    description="Rebuild missing, all or stale day partitions of the news warehouse",
    doc_md=__doc__,
    schedule=None,
    start_date=pendulum.datetime(1970, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["news-etl"],
    params={
        "start": Param(type="string", format="date", description="First day (YYYY-MM-DD)"),
        "end": Param(type="string", format="date", description="Last day, inclusive"),
        "mode": Param("missing", enum=["missing", "all", "stale"], description="What to rebuild"),
        "landing": Param(None, type=["null", "string"], description="Landing zone folder"),
        "warehouse": Param(None, type=["null", "string"], description="DuckDB warehouse file"),
    },
    default_args={**RETRY_TIMING, "retry_policy": RETRY_POLICY},
)
def news_backfill() -> None:
    @task
    def select() -> list[str]:
        """Choose the partitions to rebuild (logged as a table: day, files, articles, reason)."""
        from etl import backfill

        params = get_current_context()["params"]
        plan = backfill.plan_backfill(
            _settings(params),
            date.fromisoformat(params["start"]),
            date.fromisoformat(params["end"]),
            params["mode"],
        )
        for p in plan.partitions:
            print(f"{p.day} files={p.files} articles={p.articles} rebuild={p.reason or '-'}")
        return [p.day.isoformat() for p in plan.selected]

    @task(pool=WAREHOUSE_POOL, max_active_tis_per_dagrun=1)
    def rebuild(day: str) -> dict[str, Any]:
        """Rebuild one day partition in one transaction (the warehouse's only writer)."""
        from etl import backfill

        context = get_current_context()
        summary = backfill.rebuild_partition(
            _settings(context["params"]),
            date.fromisoformat(day),
            trigger="airflow-backfill",
            external_run_id=f"news_backfill/{context['run_id']}/{day}",
        )
        return {"day": day, "articles_loaded": summary.articles_loaded}

    @task(outlets=WAREHOUSE_ASSETS)
    def publish(rebuilt: list[dict[str, Any]]) -> list[str]:
        """Announce the warehouse tables (Airflow Assets) once the partitions are rebuilt."""
        days = [r["day"] for r in rebuilt]
        if not days:
            raise AirflowSkipException("no partition was rebuilt: no asset event")
        return days

    publish(rebuild.expand(day=select()))


news_backfill()
