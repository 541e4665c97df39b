"""The ``news-etl`` command line: run the pipeline without Airflow, the demo, and summaries."""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import duckdb
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from etl.errors import NewsEtlError
from etl.settings import Settings, load_settings

if TYPE_CHECKING:
    from etl.output import OutputFormat

app = typer.Typer(
    name="news-etl",
    help="Turn raw news-article files into a DuckDB warehouse (see README.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True, soft_wrap=True)  # error messages stay on one line

LandingOpt = Annotated[
    str | None,
    typer.Option(
        "--landing",
        "-l",
        help="Landing zone: a folder or an fsspec URL such as s3://bucket/prefix "
        "(default: $NEWS_ETL_LANDING, else the demo sample).",
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


def _require_warehouse(settings: Settings) -> None:
    """Exit with a clear error (code 2) when the warehouse file does not exist."""
    if not settings.warehouse.exists():
        console.print(f"[red]error:[/red] no warehouse at {settings.warehouse}")
        raise typer.Exit(2)


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _failed(exc: NewsEtlError, where: str = "") -> typer.Exit:
    """Print a pipeline error; the exit to raise: 75 (EX_TEMPFAIL) if a retry may help, else 2."""
    console.print(f"[red]error:[/red] {where}{exc}")
    return typer.Exit(75 if exc.retryable else 2)


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
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes for the ingest and text batches (default: the machine's cores, "
            "NEWS_ETL_WORKERS); the load stays one writer.",
            min=1,
        ),
    ] = None,
) -> None:
    """Run every stage (ingest, clean, tokenize, validate, load) without Airflow."""
    from etl import pipeline
    from etl.report import format_summary, summarise
    from etl.timing import STARTUP, SUMMARY, format_stage_table, recording, since_process_start

    settings = _settings(
        landing=landing, warehouse=warehouse, batch_size=batch_size, workers=workers
    )
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
                    bar.update(job, description="validating")
            elif step == "validate":
                bar.update(job, description="loading")

        try:
            with recording() as recorder:
                recorder.add(STARTUP, since_process_start())
                summary = pipeline.run(
                    settings,
                    partition_date=partition,
                    mode="replace" if replace else "merge",
                    progress=progress,
                )
        except NewsEtlError as exc:
            raise _failed(exc) from exc
    console.print(
        f"files read {summary.files_new} = {summary.files_loaded} loaded + "
        f"{summary.files_duplicate} duplicate + {summary.files_quarantined} quarantined"
    )
    console.print(
        f"run {summary.run_id}: {summary.articles_loaded} articles loaded, "
        f"{summary.duplicates} duplicates, {summary.quarantined} quarantined, "
        f"{summary.files_unchanged} unchanged, {summary.files_deferred} left for other days"
    )
    if summary.report:
        console.print(f"report: {summary.report}")
    if summary.quarantine_reasons:
        console.print(
            "quarantine reasons: "
            + ", ".join(f"{reason} ({n})" for reason, n in summary.quarantine_reasons.items())
        )
    summary_started = time.perf_counter()
    typer.echo(format_summary(summarise(settings.warehouse), settings.warehouse))
    times = pipeline.stage_times(settings, summary.run_id)
    times.append((SUMMARY, time.perf_counter() - summary_started))
    typer.echo(format_stage_table(times, since_process_start()))


quarantine_app = typer.Typer(help="Inspect quarantined files and records.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(
    warehouse: WarehouseOpt = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1)] = 200,
) -> None:
    """List quarantined files and records, newest first: path, record, stage, reason, detail."""
    from etl.load.replay import list_quarantine
    from etl.warehouse import locked_reader

    settings = _settings(warehouse=warehouse)
    with locked_reader(settings) as con:
        rows = [] if con is None else list_quarantine(con, reason, limit)
    for row in rows:
        where = row["path"] + (f" [{row['record']}]" if row["record"] else "")
        typer.echo(f"{row['reason']}\t{row['stage']}\t{where!r}\t{row['detail']}\t{row['run_id']}")
    console.print(f"{len(rows)} quarantine rows")


@app.command()
def replay(
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    reason: Annotated[
        str | None, typer.Option(help="Replay only files quarantined for this reason.")
    ] = None,
) -> None:
    """Re-run quarantined files after a fix: those that now pass load, the rest stay quarantined."""
    from etl import pipeline
    from etl.load.replay import forget_quarantined
    from etl.warehouse import writer

    settings = _settings(landing=landing, warehouse=warehouse)
    try:
        with writer(settings) as con:
            forgotten = forget_quarantined(con, str(settings.landing), reason)
        summary = pipeline.run(settings, trigger="replay")
    except NewsEtlError as exc:
        raise _failed(exc) from exc
    typer.echo(
        f"replayed {forgotten} quarantined files: run {summary.run_id} loaded "
        f"{summary.articles_loaded} articles, {summary.duplicates} duplicates, "
        f"{summary.quarantined} still quarantined"
    )


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
        raise _failed(exc) from exc
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
                raise _failed(exc, f"{p.day}: ") from exc
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
    _require_warehouse(settings)
    typer.echo(format_summary(summarise(settings.warehouse), settings.warehouse))


@app.command()
def quality(
    warehouse: WarehouseOpt = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date", "-d", help="Every run for this day (YYYY-MM-DD); default: the latest run."
        ),
    ] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="One run, by its run id.")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Also write the self-contained HTML page here.")
    ] = None,
) -> None:
    """Print the data-quality summary of a day or a run: failed checks first, then quarantine."""
    from etl.quality import format_quality, load_report, render_html

    settings = _settings(warehouse=warehouse)
    _require_warehouse(settings)
    report = load_report(settings.warehouse, day=_parse_date(day), run_id=run_id)
    typer.echo(format_quality(report))
    if html_out is not None:
        html_out.write_text(render_html(report), encoding="utf-8")
        console.print(f"wrote {html_out}")


@app.command()
def init(warehouse: WarehouseOpt = None) -> None:
    """Create the warehouse file (once) and apply pending schema migrations."""
    from etl.load.migrations import schema_version
    from etl.warehouse import writer

    settings = _settings(warehouse=warehouse)
    with writer(settings) as con:
        version = schema_version(con)
    typer.echo(f"{settings.warehouse}: schema version {version}")


@app.command()
def query(
    sql: Annotated[
        str, typer.Argument(help="SQL to run (read-only: SELECT, WITH, DESCRIBE, ...).")
    ],
    warehouse: WarehouseOpt = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="table | csv | json (one object per line) | parquet"),
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait while a load holds the warehouse.")
    ] = 60.0,
) -> None:
    """Run a read-only SQL query on the warehouse; writes are refused."""
    from etl.output import write_result
    from etl.query import open_reader, run_query

    if fmt not in ("table", "csv", "json", "parquet"):
        raise typer.BadParameter("--format must be table, csv, json or parquet")
    if fmt == "parquet" and out is None and sys.stdout.isatty():
        raise typer.BadParameter("parquet is binary: give --out FILE or redirect the output")
    settings = _settings(warehouse=warehouse)
    try:
        con = open_reader(settings.warehouse, wait_s=wait, notify=console.print)
        try:
            table = run_query(con, sql).table
        finally:
            con.close()
    except NewsEtlError as exc:
        raise _failed(exc) from exc
    except duckdb.Error as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    if table is not None:
        write_result(table, cast("OutputFormat", fmt), out)


@app.command()
def shell(warehouse: WarehouseOpt = None) -> None:
    """Open the DuckDB shell on the warehouse, read-only."""
    import os
    import shutil

    settings = _settings(warehouse=warehouse)
    exe = Path(sys.executable).parent / "duckdb"
    command = str(exe) if exe.exists() else shutil.which("duckdb")
    if command is None:
        console.print("[red]error:[/red] the duckdb shell is not installed; run `make setup`")
        raise typer.Exit(2)
    os.execv(command, [command, "-readonly", str(settings.warehouse)])


@app.command()
def status(warehouse: WarehouseOpt = None) -> None:
    """Partitions, last runs, counts and quarantine of the warehouse."""
    from etl.output import write_result
    from etl.query import open_reader
    from etl.report import format_summary, summarise

    settings = _settings(warehouse=warehouse)
    try:
        con = open_reader(settings.warehouse, notify=console.print)
    except NewsEtlError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc
    try:
        runs = con.sql(
            "SELECT run_id, trigger, partition_date, status, files_new, articles_loaded,"
            " duplicates, quarantined, round(epoch(ended_at - started_at), 1) AS seconds"
            " FROM etl_run ORDER BY started_at DESC LIMIT 10"
        ).to_arrow_table()
        partitions = con.sql(
            "SELECT published_date, count(*) AS articles, sum(n_tokens) AS tokens,"
            " min(text_version) AS text_version FROM fact_article"
            " GROUP BY ALL ORDER BY published_date DESC LIMIT 15"
        ).to_arrow_table()
    finally:
        con.close()
    typer.echo(format_summary(summarise(settings.warehouse), settings.warehouse))
    typer.echo("\nLatest partitions")
    write_result(partitions, "table", None)
    typer.echo("Last runs")
    write_result(runs, "table", None)


@app.command()
def dictionary(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Default: warehouse/README.md.")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only check that the file is up to date.")
    ] = False,
) -> None:
    """Regenerate the data dictionary (warehouse/README.md) from the schema's comments."""
    from etl.dictionary import build
    from etl.settings import PROJECT_ROOT

    settings = _settings()
    target = out or PROJECT_ROOT / "warehouse" / "README.md"
    text = build(settings.migrations_dir)
    if check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            console.print(f"[red]{target} is stale[/red]: run `news-etl dictionary`")
            raise typer.Exit(1)
        typer.echo(f"{target} is up to date")
        return
    target.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {target}")


@app.command()
def report(
    warehouse: WarehouseOpt = None,
    run_id: Annotated[
        str | None, typer.Option("--run", help="Run id (default: the latest run).")
    ] = None,
) -> None:
    """Rebuild the HTML run report (self-contained: inline CSS and charts)."""
    from etl.pipeline import write_report

    settings = _settings(warehouse=warehouse)
    _require_warehouse(settings)
    path = write_report(settings, run_id)
    if path is None:
        console.print("[red]error:[/red] the report could not be written (see the log above)")
        raise typer.Exit(2)
    typer.echo(str(path))


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
