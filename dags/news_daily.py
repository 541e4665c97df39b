"""
### news_daily — load one day of raw news articles into the DuckDB warehouse

**Which day a run loads: its logical date *D*.** It picks up files in the landing zone's `D/` or
`dt=D/` folder, and files outside dated folders whose ` date D` header says *D* (or that carry no
date at all). The data interval Airflow shows depends on how the run was made:

| run | logical date | data interval (00:00 UTC) | loads |
|---|---|---|---|
| scheduled (after *D* ends) or backfill | *D* | *D* → *D+1* | *D* |
| manual with logical date *D* (UI, REST, `airflow dags test`) | *D* | *D-1* → *D* | *D* |
| `airflow dags trigger -l` *D* | *D* | trigger day *-1* → trigger day | *D* |
| manual, without a logical date | none | none | the day it was triggered |

A manual run gets the interval that *ends* at its logical date (Airflow's rule for data-interval
timetables), yet loads its logical date like every other run: the partition follows the logical
date, never the interval.

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
wrote new articles, which triggers `news_marts`; each event's extra names the warehouse the run
wrote (`{"warehouse": "<warehouse file>"}`), and that is the warehouse `news_marts` refreshes. A
run that loaded nothing new announces nothing (its `publish` is skipped and its log says why).

**Logs.** Every task logs what it did at INFO: `plan` the run id, landing zone, partition, mode
and files seen / unchanged / deferred / new; `ingest` and `text` each batch's counts; `validate`
the rejected records; `load` the articles loaded, duplicates, quarantined by reason and the
report's path.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import (
    CronDataIntervalTimetable,
    Param,
    TriggerRule,
    dag,
    get_current_context,
    task,
)
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

from etl.daily_run import AUTO, MODE_CHOICES

log = logging.getLogger("airflow.task")


def _day_and_mode(context: Any) -> dict[str, Any]:
    """The day this run loads and its load mode, as :mod:`etl.daily_run` decides them from the
    plain values of the run's context."""
    from etl import daily_run

    dag_run = context["dag_run"]
    return {
        "partition_date": daily_run.partition_date(
            context.get("logical_date"), context.get("data_interval_start"), dag_run.run_after
        ),
        "mode": daily_run.run_mode(context["params"], dag_run.run_type),
    }


@dag(
    dag_id="news_daily",
    description="Daily load of raw news articles into the DuckDB warehouse",
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    tags=["news-etl"],
    params={
        "landing": Param(None, type=["null", "string"], description="Landing zone folder"),
        "warehouse": Param(None, type=["null", "string"], description="DuckDB warehouse file"),
        **run_limit_params(),
        "mode": Param(
            AUTO,
            enum=list(MODE_CHOICES),
            description="auto: rebuild the day in backfill runs, merge new files otherwise",
        ),
    },
    default_args=DEFAULT_ARGS,
)
def news_daily() -> None:
    @task
    def plan() -> list[dict[str, Any]]:
        """List the landing zone, consult the ledger, cut new files into batches."""
        from etl import pipeline
        from etl.task_log import plan_line

        context = get_current_context()
        run = pipeline.plan_run(
            settings_from(context["params"]),
            **_day_and_mode(context),
            trigger="airflow",
            external_run_id=f"{context['dag'].dag_id}/{context['run_id']}",
        )
        log.info("plan: %s", plan_line(run))
        return [{"staging_dir": run.staging_dir, "batch": b} for b in range(run.n_batches)]

    @task
    def ingest(staging_dir: str, batch: int) -> dict[str, Any]:
        """Read, hash, decode and parse one batch of raw files."""
        from etl import pipeline
        from etl.task_log import ingest_line

        counts = pipeline.ingest_batch(staging_dir, batch)
        log.info("%s", ingest_line(batch, counts))
        return {"staging_dir": staging_dir, "batch": batch, **counts}

    @task
    def text(staging_dir: str, batch: int, **_counts: int) -> dict[str, Any]:
        """Clean, split and count one batch."""
        from etl import pipeline
        from etl.task_log import text_line

        counts = pipeline.text_batch(staging_dir, batch)
        log.info("%s", text_line(batch, counts))
        return {"staging_dir": staging_dir, "batch": batch, **counts}

    @task
    def validate(texts: list[dict[str, Any]]) -> dict[str, Any]:
        """Run the Great Expectations suites over the run's batches, together."""
        from etl import pipeline
        from etl.task_log import validate_line

        staging_dir = texts[0]["staging_dir"]
        counts = pipeline.validate_run(staging_dir)
        log.info("%s", validate_line(counts))
        return {"staging_dir": staging_dir, **counts}

    @task(pool=WRITER_POOL)
    def load(validated: dict[str, Any]) -> dict[str, Any]:
        """Commit the run's partitions in one transaction (the only warehouse writer)."""
        from etl import pipeline
        from etl.task_log import load_line

        summary = pipeline.load_run(validated["staging_dir"])
        log.info("load: %s", load_line(summary))
        return {
            "run_id": summary.run_id,
            "articles_loaded": summary.articles_loaded,
            "duplicates": summary.duplicates,
            "quarantined": summary.quarantined,
            "partitions": [d.isoformat() for d in summary.partitions],
        }

    @task(pool=WRITER_POOL, trigger_rule=TriggerRule.ONE_FAILED, retries=0)
    def record_failure(refs: list[dict[str, Any]] | None) -> None:
        """Record the run as failed in `etl_run` when one of its steps failed, with the cause
        the failed step noted (e.g. the batch-level data-quality message, a missing landing
        zone), then fail with it, so the DAG run fails with the real reason too."""
        from etl import pipeline
        from etl.errors import RunFailedError

        if refs:  # planned: the failed step noted its cause in the run's staging folder
            reason = pipeline.record_failure(refs[0]["staging_dir"])
        else:  # the plan failed (and recorded its own error when it could)
            context = get_current_context()
            params = context["params"]
            reason = pipeline.record_plan_failure(
                settings_from(params),
                external_run_id=f"{context['dag'].dag_id}/{context['run_id']}",
                **_day_and_mode(context),
            )
        raise RunFailedError(reason)

    @task(outlets=WAREHOUSE_ASSETS)
    def publish(loaded: dict[str, Any]) -> list[str]:
        """Announce the warehouse tables (Airflow Assets) when the load wrote new articles; each
        event's extra names the warehouse, which is the one ``news_marts`` refreshes."""
        from etl.task_log import publish_line, publish_skip_reason

        partitions = list(loaded["partitions"])
        if not partitions:
            reason = publish_skip_reason(loaded["run_id"], partitions)
            log.info("publish skipped: %s", reason)
            raise AirflowSkipException(reason)
        context = get_current_context()
        settings = settings_from(context["params"])
        announce_warehouse(context["outlet_events"], settings)
        log.info("publish: %s", publish_line(settings.warehouse, partitions))
        return partitions

    refs = plan()
    validated = validate(text.expand_kwargs(ingest.expand_kwargs(refs)))
    loaded = load(validated)
    publish(loaded)
    [validated, loaded] >> record_failure(refs)


news_daily()
