"""
### news_daily — load one day of raw news articles into the DuckDB warehouse

Runs once a day for the **data interval** that just ended: the run with logical date *D*
(interval *D* 00:00 → *D+1* 00:00 UTC) loads partition *D*. It picks up files in the landing
zone's `D/` or `dt=D/` folder, and files outside dated folders whose ` date D` header says *D*
(or that carry no date at all).

    plan ─► ingest[batch] ─► text[batch] ─► validate ─► load (pool: news_etl_warehouse)
                              record_failure (only when a step failed; fails the run) ◄┘

* Each task calls one function of `etl.pipeline`; tasks pass only the staging folder, batch
  numbers and counts through XCom, the data itself goes through run-scoped Parquet files.
* `validate` checks the run's batches together (Great Expectations runs once per suite, not
  once per batch, and is imported by one task instead of one per batch).
* `load` is the only writer of the warehouse: one transaction, in a pool of one slot, under the
  warehouse's file lock, so scheduled runs, backfills and the CLI never write at the same time.
* Retries happen only for transient errors (`etl.errors.RetryableError`, I/O hiccups); bad data
  and bugs fail at once.

Params `landing` and `warehouse` override `NEWS_ETL_LANDING` / `NEWS_ETL_WAREHOUSE`.

**Backfills.** `airflow backfill create --dag-id news_daily --from-date A --to-date B
--reprocess-behavior none|failed|completed` creates one run per day. A backfill run *rebuilds*
its day (param `mode` = `auto`: re-reads every file of day D and replaces the articles they
produced, in one transaction); scheduled and manual runs *merge* new files only. Set `mode` to
`merge` or `rebuild` to force either. For range/mode choices in the UI, use `news_backfill`.

**Assets.** `publish` announces the warehouse tables (`news_etl.fact_article`, ...) when the load
wrote new articles, which triggers `news_marts`; a run that loaded nothing new announces nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pendulum
from airflow.sdk import (
    Asset,
    CronDataIntervalTimetable,
    ExceptionRetryPolicy,
    Param,
    TriggerRule,
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


def _partition_date(context: Any) -> date:
    """The day this run loads: its logical date.

    Scheduled and backfill runs of a data-interval timetable get the interval's start as logical
    date (the day that just ended); a manual run or `airflow dags test news_daily D` gets D. A
    manual run without a logical date falls back to the day it was triggered.
    """
    for key in ("logical_date", "data_interval_start"):
        value = context.get(key)
        if value is not None:
            return date(value.year, value.month, value.day)
    run_after = context["dag_run"].run_after
    return date(run_after.year, run_after.month, run_after.day)


def _mode(context: Any) -> str:
    """`merge` for scheduled and manual runs, `rebuild` for backfill runs, unless forced."""
    chosen = context["params"].get("mode") or "auto"
    if chosen != "auto":
        return str(chosen)
    run_type = context["dag_run"].run_type  # a DagRunType enum; its value is "backfill"
    return "rebuild" if getattr(run_type, "value", str(run_type)) == "backfill" else "merge"


@dag(
    dag_id="news_daily",
    description="Daily load of raw news articles into the DuckDB warehouse",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    # Early on purpose: runs (and backfills) for older dates get no tasks before start_date.
    start_date=pendulum.datetime(1970, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["news-etl"],
    params={
        "landing": Param(None, type=["null", "string"], description="Landing zone folder"),
        "warehouse": Param(None, type=["null", "string"], description="DuckDB warehouse file"),
        "mode": Param(
            "auto",
            enum=["auto", "merge", "rebuild"],
            description="auto: rebuild the day in backfill runs, merge new files otherwise",
        ),
    },
    default_args={**RETRY_TIMING, "retry_policy": RETRY_POLICY},
)
def news_daily() -> None:
    @task
    def plan() -> list[dict[str, Any]]:
        """List the landing zone, consult the ledger, cut new files into batches."""
        from etl import pipeline
        from etl.settings import load_settings

        context = get_current_context()
        params = context["params"]
        settings = load_settings(landing=params.get("landing"), warehouse=params.get("warehouse"))
        run = pipeline.plan_run(
            settings,
            partition_date=_partition_date(context),
            mode=_mode(context),
            trigger="airflow",
            external_run_id=f"{context['dag'].dag_id}/{context['run_id']}",
        )
        return [{"staging_dir": run.staging_dir, "batch": b} for b in range(run.n_batches)]

    @task
    def ingest(staging_dir: str, batch: int) -> dict[str, Any]:
        """Read, hash, decode and parse one batch of raw files."""
        from etl import pipeline

        return {
            "staging_dir": staging_dir,
            "batch": batch,
            **pipeline.ingest_batch(staging_dir, batch),
        }

    @task
    def text(staging_dir: str, batch: int, **_counts: int) -> dict[str, Any]:
        """Clean, split and count one batch."""
        from etl import pipeline

        return {
            "staging_dir": staging_dir,
            "batch": batch,
            **pipeline.text_batch(staging_dir, batch),
        }

    @task
    def validate(texts: list[dict[str, Any]]) -> dict[str, Any]:
        """Run the Great Expectations suites over the run's batches, together."""
        from etl import pipeline

        staging_dir = texts[0]["staging_dir"]
        return {"staging_dir": staging_dir, **pipeline.validate_run(staging_dir)}

    @task(pool=WAREHOUSE_POOL)
    def load(validated: dict[str, Any]) -> dict[str, Any]:
        """Commit the run's partitions in one transaction (the only warehouse writer)."""
        from etl import pipeline

        summary = pipeline.load_run(validated["staging_dir"])
        return {
            "run_id": summary.run_id,
            "articles_loaded": summary.articles_loaded,
            "duplicates": summary.duplicates,
            "quarantined": summary.quarantined,
            "partitions": [d.isoformat() for d in summary.partitions],
        }

    @task(pool=WAREHOUSE_POOL, trigger_rule=TriggerRule.ONE_FAILED, retries=0)
    def record_failure(refs: list[dict[str, Any]] | None) -> None:
        """Record the run as failed in `etl_run` when one of its steps failed, with the cause
        the failed step noted (e.g. the batch-level data-quality message, a missing landing
        zone), then fail with it, so the DAG run fails with the real reason too."""
        from etl import pipeline
        from etl.errors import RunFailedError
        from etl.settings import load_settings

        if refs:  # planned: the failed step noted its cause in the run's staging folder
            reason = pipeline.record_failure(refs[0]["staging_dir"])
        else:  # the plan failed (and recorded its own error when it could)
            context = get_current_context()
            params = context["params"]
            reason = pipeline.record_plan_failure(
                load_settings(landing=params.get("landing"), warehouse=params.get("warehouse")),
                external_run_id=f"{context['dag'].dag_id}/{context['run_id']}",
                partition_date=_partition_date(context),
                mode=_mode(context),
            )
        raise RunFailedError(reason)

    @task(outlets=WAREHOUSE_ASSETS)
    def publish(loaded: dict[str, Any]) -> list[str]:
        """Announce the warehouse tables (Airflow Assets) when the load wrote new articles."""
        if not loaded["partitions"]:
            raise AirflowSkipException("nothing new was loaded: no asset event")
        return list(loaded["partitions"])

    refs = plan()
    validated = validate(text.expand_kwargs(ingest.expand_kwargs(refs)))
    loaded = load(validated)
    publish(loaded)
    [validated, loaded] >> record_failure(refs)


news_daily()
