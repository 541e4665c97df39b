"""The demo: generate the sample landing zone and load it through Airflow, day by day.

``make demo`` calls ``news-etl demo``, which calls :func:`run_demo`. Airflow runs as a
subprocess (``airflow dags test news_daily DATE``) with a project-local ``AIRFLOW_HOME`` and
SQLite metadata, so the demo exercises the same DAG as production, then ``news_marts`` once,
as the scheduler does after loads that publish (the marts and the boilerplate lines the rankings
leave out); ``--no-airflow`` runs the identical pipeline through the CLI path instead, then
:func:`etl.marts.refresh_marts`. The demo leaves the project's DAGs unpaused,
ready for ``make airflow``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl import pipeline
from etl.airflow_env import (
    DAG_IDS,
    PAUSED_DAG_IDS,
    airflow_environment,
    prepare_airflow,
    run_airflow,
    unpause_dags,
)
from etl.marts import refresh_marts
from etl.report import WarehouseSummary, summarise
from etl.sample import generate_sample
from etl.settings import Settings
from etl.storage import location
from etl.warehouse import writer


@dataclass(frozen=True)
class DemoResult:
    """What the demo did."""

    dates: list[str]
    summary: WarehouseSummary


def run_demo(
    settings: Settings,
    *,
    use_airflow: bool = True,
    fresh: bool = False,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    """Generate the sample into ``settings.landing`` and load each of its days."""
    if fresh:
        if settings.warehouse.is_dir():
            shutil.rmtree(settings.warehouse)
        elif settings.warehouse.exists():
            settings.warehouse.unlink()
        location(settings.staging_root).remove()
    manifest = generate_sample(Path(settings.landing))
    echo(
        f"sample landing zone: {settings.landing} ({len(manifest.files)} files, "
        f"{len(manifest.dates)} days)"
    )
    with writer(settings):
        pass  # creates the warehouse file once and applies migrations, under the writer lock
    dates = [d.isoformat() for d in manifest.dates]
    if use_airflow:
        env = airflow_environment(settings)
        echo(f"preparing Airflow metadata in {env['AIRFLOW_HOME']} ...")
        prepare_airflow(env)
        for day in dates:
            echo(f"airflow dags test news_daily {day} ...")
            run_airflow(["dags", "test", "news_daily", day], env)
        if dates:  # what the scheduler runs after loads that publish: marts and boilerplate
            echo("airflow dags test news_marts ...")
            run_airflow(["dags", "test", "news_marts", dates[-1]], env)
        unpause_dags(env)
        unpaused = [d for d in DAG_IDS if d not in PAUSED_DAG_IDS]
        echo(
            f"DAGs {', '.join(unpaused)} are unpaused: `make airflow` starts the scheduler, which "
            "at once runs news_daily for the latest complete day (yesterday, UTC; catchup is off)."
            f" {', '.join(PAUSED_DAG_IDS)} stays paused: unpause it for a DuckLake warehouse."
        )
        if dates:
            echo(
                f"The sample days ({dates[0]} .. {dates[-1]}) already have news_daily runs: "
                "trigger them again with another logical date, or backfill them with "
                "`--reprocess-behavior completed`."
            )
    else:
        from datetime import date

        for day in dates:
            result = pipeline.run(settings, partition_date=date.fromisoformat(day), trigger="demo")
            echo(
                f"{day}: {result.articles_loaded} loaded, {result.duplicates} duplicates, "
                f"{result.quarantined} quarantined"
            )
        if dates:  # as news_marts does after loads that publish: marts and boilerplate lines
            rows = refresh_marts(settings)
            echo(f"marts refreshed: {', '.join(f'{t} {n:,}' for t, n in rows.items())}")
    return DemoResult(dates, summarise(settings.warehouse))
