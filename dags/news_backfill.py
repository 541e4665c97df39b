"""
### news_backfill — rebuild day partitions over a date range (for operators who prefer the UI)

Trigger with params `start`, `end` (YYYY-MM-DD, inclusive) and `mode`:

* `missing` — days that have files in the landing zone but were never loaded;
* `all` — every day in the range with files or articles;
* `stale` — days whose articles were built by an older text-processing version
  (`fact_article.text_version`) or whose last run used an older warehouse schema.

    select ─► rebuild[day] (pool: news_etl_warehouse, one at a time) ─┬► publish (assets)
                                                                       └► every_day_rebuilt

A day whose rebuild fails does not stop the others (each is its own transaction, and the
result does not depend on their order). `publish` announces the days that were rebuilt as soon
as every rebuild has ended, if any succeeded, so `news_marts` refreshes them; `every_day_rebuilt`
then fails the run (upstream_failed) when one did not: fix it and Clear that `rebuild`.

*Rebuilding* day D re-reads every file selected for D (its `D/` or `dt=D/` folder, and files
outside dated folders whose header says D or whose articles are on D) and replaces, in one
transaction, the articles those files produced before; an article that a copy in another day's
folder still holds is kept, from the copy (README, Backfills).
`news-etl backfill --start A --end B --mode M [--dry-run]` does the same without Airflow;
`select` logs the same preview table the CLI's `--dry-run` prints. To fan text processing out
over batches instead, backfill `news_daily` itself (`airflow backfill create`).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from airflow.sdk import Param, TriggerRule, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException
from news_etl_shared import (
    DEFAULT_ARGS,
    START_DATE,
    WAREHOUSE_ASSETS,
    WRITER_POOL,
    announce_warehouse,
    run_limit_params,
    settings_from,
)

from etl.contracts import BackfillMode

log = logging.getLogger("airflow.task")


@dag(
    dag_id="news_backfill",
    description="Rebuild missing, all or stale day partitions of the news warehouse",
    doc_md=__doc__,
    schedule=None,
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["news-etl"],
    params={
        "start": Param(type="string", format="date", description="First day (YYYY-MM-DD)"),
        "end": Param(type="string", format="date", description="Last day, inclusive"),
        "mode": Param(
            BackfillMode.MISSING.value,
            enum=[mode.value for mode in BackfillMode],
            description="What to rebuild",
        ),
        "landing": Param(None, type=["null", "string"], description="Landing zone folder"),
        "warehouse": Param(None, type=["null", "string"], description="DuckDB warehouse file"),
        **run_limit_params(),
    },
    default_args=DEFAULT_ARGS,
)
def news_backfill() -> None:
    @task
    def select() -> list[str]:
        """Choose the partitions to rebuild (logged as a table: day, files, articles, reason)."""
        from etl import backfill

        params = get_current_context()["params"]
        settings = settings_from(params)
        plan = backfill.plan_backfill(
            settings,
            date.fromisoformat(params["start"]),
            date.fromisoformat(params["end"]),
            params["mode"],
        )
        log.info(
            "select: landing %s, warehouse %s, %s to %s, mode %s: %d of %d day(s) selected\n%s",
            settings.landing,
            settings.target.display,
            params["start"],
            params["end"],
            params["mode"],
            len(plan.selected),
            len(plan.partitions),
            backfill.plan_preview(plan),
        )
        return [p.day.isoformat() for p in plan.selected]

    @task(pool=WRITER_POOL, max_active_tis_per_dagrun=1)
    def rebuild(day: str) -> dict[str, Any]:
        """Rebuild one day partition in one transaction (the warehouse's only writer)."""
        from etl import backfill
        from etl.task_log import load_line

        context = get_current_context()
        summary = backfill.rebuild_partition(
            settings_from(context["params"]),
            date.fromisoformat(day),
            trigger="airflow-backfill",
            external_run_id=f"news_backfill/{context['run_id']}/{day}",
        )
        log.info("rebuild %s: %s", day, load_line(summary))
        return {"day": day, "articles_loaded": summary.articles_loaded}

    # Every rebuild has ended and one at least committed: a failed day kept the days rebuilt
    # before it from being announced, and the marts stayed stale (probe N, session 39).
    @task(outlets=WAREHOUSE_ASSETS, trigger_rule=TriggerRule.ALL_DONE_MIN_ONE_SUCCESS)
    def publish(rebuilt: list[dict[str, Any] | None]) -> list[str]:
        """Announce the warehouse tables (Airflow Assets) once the partitions are rebuilt (those
        whose rebuild succeeded); each event's extra names the warehouse, which is the one
        ``news_marts`` refreshes."""
        from etl.task_log import publish_line

        days = [r["day"] for r in rebuilt if r]
        if not days:
            reason = "no partition was selected, so none was rebuilt: no asset event"
            log.info("publish skipped: %s", reason)
            raise AirflowSkipException(reason)
        context = get_current_context()
        settings = settings_from(context["params"])
        announce_warehouse(context["outlet_events"], settings)
        log.info("publish: %s", publish_line(settings.warehouse, days))
        return days

    @task
    def every_day_rebuilt(rebuilt: list[dict[str, Any] | None]) -> int:
        """Runs only when every selected day's rebuild succeeded (else upstream_failed, and the
        run fails with it, though ``publish`` announced the days that were rebuilt)."""
        days = [r["day"] for r in rebuilt if r]
        log.info("every selected day was rebuilt: %d day(s)", len(days))
        return len(days)

    rebuilt = rebuild.expand(day=select())
    publish(rebuilt)
    every_day_rebuilt(rebuilt)


news_backfill()
