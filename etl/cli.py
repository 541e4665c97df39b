"""The ``news-etl`` command line: run the pipeline without Airflow, the demo, and summaries."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from etl.errors import NewsEtlError
from etl.settings import Settings, load_settings

app = typer.Typer(
    name="news-etl",
    help="Turn raw news-article files into a DuckDB warehouse (see README.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)

LandingOpt = Annotated[
    Path | None,
    typer.Option(
        "--landing",
        "-l",
        help="Landing zone folder (default: $NEWS_ETL_LANDING, else the demo sample).",
        file_okay=False,
    ),
]
WarehouseOpt = Annotated[
    Path | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="DuckDB warehouse file (default: $NEWS_ETL_WAREHOUSE, else warehouse/news.duckdb).",
        dir_okay=False,
    ),
]


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from exc


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def run(
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    run_date: Annotated[
        str | None,
        typer.Option(
            "--date",
            "-d",
            metavar="YYYY-MM-DD",
            help="Load the partition of this day only (files in its D/ or dt=D/ folder, "
            "or whose header says D). Default: every new file.",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Rewrite the affected partitions from this run's "
            "files instead of merging new articles into them.",
        ),
    ] = False,
    batch_size: Annotated[int | None, typer.Option(help="Files per batch.", min=1)] = None,
) -> None:
    """Run every stage (ingest, clean, tokenize, validate, load) without Airflow."""
    from etl import pipeline
    from etl.report import format_summary, summarise

    settings = _settings(landing=landing, warehouse=warehouse, batch_size=batch_size)
    partition = _parse_date(run_date)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        job = bar.add_task("planning", total=None)

        def progress(step: str, batch: int, total: int) -> None:
            if step == "plan":
                bar.update(job, description="processing batches", total=total, completed=0)
            elif step == "batch":
                bar.update(job, completed=batch + 1)
                if batch + 1 == total:
                    bar.update(job, description="loading")

        try:
            summary = pipeline.run(
                settings,
                partition_date=partition,
                mode="replace" if replace else "merge",
                progress=progress,
            )
        except NewsEtlError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2 if not exc.retryable else 75) from exc
    console.print(
        f"run {summary.run_id}: {summary.articles_loaded} articles loaded, "
        f"{summary.duplicates} duplicates, {summary.quarantined} quarantined, "
        f"{summary.files_unchanged} unchanged, {summary.files_deferred} left for other days"
    )
    if summary.quarantine_reasons:
        console.print(
            "quarantine reasons: "
            + ", ".join(f"{reason} ({n})" for reason, n in summary.quarantine_reasons.items())
        )
    typer.echo(format_summary(summarise(settings.warehouse), settings.warehouse))


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--start", metavar="YYYY-MM-DD", help="First day.")],
    end: Annotated[str, typer.Option("--end", metavar="YYYY-MM-DD", help="Last day (inclusive).")],
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode",
            "-m",
            help="missing: days never loaded; all: every day with files or articles; "
            "stale: days built by an older text-processing or schema version.",
        ),
    ] = "missing",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be rebuilt.")
    ] = False,
) -> None:
    """Rebuild day partitions over a date range, without Airflow (see README, Backfills)."""
    from rich.table import Table

    from etl import backfill as bf

    settings = _settings(landing=landing, warehouse=warehouse)
    first, last = _parse_date(start), _parse_date(end)
    assert first is not None and last is not None
    if mode not in bf.MODES:
        raise typer.BadParameter(f"--mode must be one of {', '.join(bf.MODES)}")
    try:
        plan = bf.plan_backfill(settings, first, last, mode)
    except NewsEtlError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2 if not exc.retryable else 75) from exc
    table = Table(title=f"backfill {first} .. {last}, mode {mode}")
    for column in ("day", "files", "articles now", "text versions", "rebuild"):
        table.add_column(column)
    for p in plan.partitions:
        table.add_row(
            p.day.isoformat(),
            str(p.files),
            str(p.articles),
            ", ".join(p.text_versions) or "-",
            p.reason or "-",
        )
    Console().print(table)
    selected = plan.selected
    typer.echo(
        f"{len(selected)} of {len(plan.partitions)} partitions to rebuild, "
        f"{sum(p.files for p in selected)} files"
    )
    if dry_run or not selected:
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        job = bar.add_task("rebuilding", total=len(selected))
        for p in selected:
            bar.update(job, description=f"rebuilding {p.day}")
            try:
                summary = bf.rebuild_partition(settings, p.day, trigger="cli-backfill")
            except NewsEtlError as exc:
                console.print(f"[red]error:[/red] {p.day}: {exc}")
                raise typer.Exit(2 if not exc.retryable else 75) from exc
            bar.advance(job)
            typer.echo(
                f"{p.day}: {summary.articles_loaded} articles, {summary.duplicates} duplicates, "
                f"{summary.quarantined} quarantined"
            )


@app.command()
def demo(
    airflow: Annotated[bool, typer.Option(help="Run the news_daily DAG through Airflow.")] = True,
    fresh: Annotated[bool, typer.Option(help="Start from an empty warehouse.")] = False,
) -> None:
    """Generate the sample landing zone and load it day by day through the news_daily DAG."""
    from etl.demo import run_demo
    from etl.report import format_summary

    settings = _settings()
    try:
        result = run_demo(settings, use_airflow=airflow, fresh=fresh, echo=typer.echo)
    except NewsEtlError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo("")
    typer.echo(format_summary(result.summary, settings.warehouse))
    typer.echo("")
    typer.echo("Open the warehouse read-only with the DuckDB shell:")
    typer.echo(f"  .venv/bin/duckdb -readonly {settings.warehouse}")
    typer.echo("  e.g.  SELECT published_date, count(*) FROM fact_article GROUP BY ALL ORDER BY 1;")


@app.command()
def sample(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to (re)create.", file_okay=False)
    ],
    days: Annotated[int, typer.Option(help="Consecutive days.", min=1)] = 3,
    articles: Annotated[
        int | None, typer.Option(help="Generate this many plain articles instead of the demo mix.")
    ] = None,
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")] = "2024-03-04",
) -> None:
    """Write a synthetic landing zone (the demo's, or a large one for benchmarks)."""
    from etl.sample import generate_bulk, generate_sample

    first = _parse_date(start)
    assert first is not None
    if articles is None:
        manifest = generate_sample(out, days=days, start=first)
        typer.echo(f"{len(manifest.files)} files over {len(manifest.dates)} days in {out}")
    else:
        bulk = generate_bulk(out, articles, start=first, days=days)
        typer.echo(f"{len(bulk.files)} files over {days} days in {out}")


@app.command()
def summary(warehouse: WarehouseOpt = None) -> None:
    """Print headline figures of the warehouse: articles, sources, quarantine, runs, top terms."""
    from etl.report import format_summary, summarise

    settings = _settings(warehouse=warehouse)
    if not settings.warehouse.exists():
        console.print(f"[red]error:[/red] no warehouse at {settings.warehouse}")
        raise typer.Exit(2)
    typer.echo(format_summary(summarise(settings.warehouse), settings.warehouse))


@app.command()
def init(warehouse: WarehouseOpt = None) -> None:
    """Create the warehouse file (once) and apply pending schema migrations."""
    from etl.load.migrations import schema_version
    from etl.warehouse import writer

    settings = _settings(warehouse=warehouse)
    with writer(settings) as con:
        version = schema_version(con)
    typer.echo(f"{settings.warehouse}: schema version {version}")


airflow_app = typer.Typer(help="A local Airflow (standalone, loopback) for this project.")
app.add_typer(airflow_app, name="airflow")


@airflow_app.command("start")
def airflow_start(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8080,
) -> None:
    """Prepare metadata DB, pool and warehouse, then start `airflow standalone` (make airflow)."""
    from etl.airflow_service import start_standalone

    try:
        info = start_standalone(_settings(), port=port, echo=typer.echo)
    except NewsEtlError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    typer.echo(f"Airflow is up at {info.url}  (pid {info.pid}, log {info.log})")
    typer.echo(f"  user: {info.user}   password: {info.password}")
    typer.echo("  stop it with: make airflow-stop")


@airflow_app.command("stop")
def airflow_stop() -> None:
    """Stop the standalone Airflow and every process it started (make airflow-stop)."""
    from etl.airflow_env import airflow_home
    from etl.airflow_service import stop_standalone

    stopped = stop_standalone(airflow_home())
    typer.echo(f"stopped ({stopped} process group(s)/process(es) signalled)")


@app.command()
def marts(warehouse: WarehouseOpt = None) -> None:
    """Rebuild the marts from the star schema (what the news_marts DAG does)."""
    from etl.marts import refresh_marts

    for name, rows in refresh_marts(_settings(warehouse=warehouse)).items():
        typer.echo(f"{name}: {rows} rows")


if __name__ == "__main__":  # pragma: no cover
    app()
