"""The ``news-etl`` command line: run the pipeline without Airflow, the demo, and summaries."""

from __future__ import annotations

import contextlib
import errno
import re
import shlex
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import duckdb
import typer
from pydantic import ValidationError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from typer._click.core import Command
from typer._click.core import Context as ClickContext
from typer._click.exceptions import NoArgsIsHelpError, NoSuchOption, UsageError
from typer.core import TyperGroup

from etl.contracts import BACKFILL_MODE_HELP, BackfillMode, LoadMode
from etl.errors import (
    NewsEtlError,
    UnknownReasonError,
    UnknownRunError,
    interrupt_of,
    is_retryable,
)
from etl.interrupts import noticing_interrupts
from etl.output import (
    FORMATS,
    discard_stdout,
    error,
    escape_unconfigured_logging,
    make_console,
    say,
    visible,
    warning,
    work_through_a_broken_pipe,
    write_whole,
)
from etl.settings import Settings, describe_invalid, ignored_variables, load_settings

if TYPE_CHECKING:
    from etl.children import Helper
    from etl.load.loader import LoadSummary
    from etl.output import OutputFormat
    from etl.report.summary import WarehouseSummary


#: ``ctx.meta`` key: the command line asks for a command's help (``news-etl run --help``).
_HELP_ASKED = "news_etl.help_asked"


def _asks_for_help(args: list[str], names: list[str]) -> bool:
    """Whether ``args``, a command line after the command's name, holds a help option
    (``names``) before any ``--`` (after it every word is an argument)."""
    options = args[: args.index("--")] if "--" in args else args
    return any(arg in names for arg in options)


class _OneLineErrors(TyperGroup):
    """Every command's failure ends as one line on standard error with exit code 2 (permanent)
    or 75 (transient, try again later), never as a traceback with exit code 1."""

    def resolve_command(
        self, ctx: ClickContext, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """The command ``args`` name, noting in ``ctx.meta`` whether its help is asked for:
        the callback runs before the command's own options are read, so it cannot tell."""
        ctx.meta[_HELP_ASKED] = _asks_for_help(args[1:], ctx.help_option_names)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        """Run the command; turn an error that escaped it into one line and exit 2 or 75."""
        try:
            with noticing_interrupts():  # a Ctrl-C a library swallowed is raised again
                return super().invoke(ctx)
        except NoArgsIsHelpError:  # `news-etl warehouse` alone: its help is the answer, as
            raise typer.Exit(2) from None  # for `news-etl` alone (it said "error: … : ")
        except UsageError as exc:  # a bad option or value: one line too, not Click's box
            error(f"{_usage_of(exc)}{exc.format_message()} (see --help)")
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:  # the reader of the output (head, less) stopped: not an error
            discard_stdout()
            raise typer.Exit(0) from None
        except KeyboardInterrupt as exc:  # Ctrl-C (SIGTERM too, in replay)
            error(f"interrupted: {_INTERRUPTED}")
            raise typer.Exit(130) from exc
        except duckdb.CatalogException as exc:  # a table or view the commands read is missing
            exc.add_note(_OLDER_SCHEMA)
            raise _failed(exc) from exc
        except duckdb.BinderException as exc:
            if _MISSING_COLUMN.search(str(exc)):  # a column the commands read is missing
                exc.add_note(_OLDER_SCHEMA)
            raise _failed(exc) from exc
        except (NewsEtlError, OSError, duckdb.Error) as exc:
            raise _failed(exc) from exc
        except Exception as exc:
            if interrupt_of(exc) is not None:  # an interrupt that arrived inside DuckDB
                error(f"interrupted: {_INTERRUPTED}")
                raise typer.Exit(130) from exc
            error(f"unexpected {type(exc).__name__}: {exc} (a bug in news-etl: please report it)")
            raise typer.Exit(2) from exc


#: What an interrupted command leaves (see README, Reliability).
_INTERRUPTED = (
    "what committed before it stays; a run it cut short is cleaned up by the next one "
    "(news-etl status shows the runs)"
)


#: Said under a command's catalog error (``query``, whose SQL is the analyst's, says its own):
#: read-only commands never migrate, so a warehouse made before a view they read was added
#: lacks it until a run or ``init`` applies the pending migrations.
#: DuckDB's binder error for a column a query names that its table lacks: ``status`` on a
#: warehouse of schema 20 (no ``etl_run.articles_removed``) said it without the hint the other
#: read-only commands gave (probe W, session 41).
_MISSING_COLUMN = re.compile(r'Referenced column "[^"]*" not found')
_OLDER_SCHEMA = (
    "a warehouse made by an older news-etl lacks it: `news-etl init` applies the pending "
    "migrations (read-only commands change nothing)"
)


def _written_to(out: Path | None) -> str:
    """`` written to PATH`` for a status line (empty without a file): the path with every
    control character escaped, a newline too, so that the line stays one line (a file named
    ``a<newline>b.csv`` split it in two; probe X)."""
    return f" written to {visible(str(out), keep='')}" if out else ""


def _usage_of(exc: UsageError) -> str:
    """``news-etl run: `` for an error in a command's options (the command's full name)."""
    return f"{exc.ctx.command_path}: " if exc.ctx is not None else ""


app = typer.Typer(
    name="news-etl",
    help="Turn raw news-article files into a DuckDB warehouse (see README.md).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=_OneLineErrors,
)
console = make_console(stderr=True)  # never interprets markup from values; errors on one line


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            say(f"news-etl {version('news-etl')}")
        except PackageNotFoundError:  # pragma: no cover - running from an uninstalled checkout
            say("news-etl (not installed)")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Turn raw news-article files into a DuckDB warehouse (see README.md)."""
    from etl.heap import skip_final_collection

    skip_final_collection()
    escape_unconfigured_logging()
    if ctx.meta.get(_HELP_ASKED):  # `news-etl run --help` prints its help only
        return
    for message in ignored_variables():  # before the command reads a setting
        warning(message)


LandingOpt = Annotated[
    str | None,
    typer.Option(
        "--landing",
        "-l",
        help="Landing zone: a folder or an fsspec URL such as s3://bucket/prefix "
        "(default: $NEWS_ETL_LANDING, else the demo sample).",
    ),
]
#: Kept as given (a str): the settings judge it (etl.target), so ``x.duckdb/`` keeps the slash
#: that says it names a folder, and a ducklake: URL is not taken for a path.
WarehouseOpt = Annotated[
    str | None,
    typer.Option(
        "--warehouse",
        "-w",
        help="DuckDB warehouse file, or a ducklake: URL (default: $NEWS_ETL_WAREHOUSE, else "
        "warehouse/news.duckdb).",
    ),
]


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # the form is right, the day is not
            raise typer.BadParameter(
                f"{value!r} is not a day of the calendar (YYYY-MM-DD)"
            ) from exc
        raise typer.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form") from exc


def _require_warehouse(settings: Settings) -> None:
    """Exit with a clear error (code 2) when the warehouse file does not exist."""
    if not settings.target.exists():
        error(f"no warehouse at {settings.warehouse}")
        raise typer.Exit(2)


def _note_schema(
    settings: Settings, con: duckdb.DuckDBPyConnection | None = None, *, tables: bool = True
) -> None:
    """Say on standard error, in one line, when the warehouse has another schema than this
    news-etl's (:func:`etl.warehouse.schema_note`): a read-only command never migrates, so its
    answers are those of the warehouse's own views and macros. ``con``: the command's own
    read-only connection; without it the warehouse is opened read-only for the moment of the
    look. Creates and changes nothing. A command that reads the warehouse's ``tables`` ends
    (exit 2) on an empty database, a new warehouse no ``init`` or run has filled (what an
    ``init`` of a new file that failed or was stopped leaves): it said "schema 0", then failed
    on a missing table with a hint about "an older news-etl" (review R2, session 46)."""
    from etl.load.migrations import schema_version
    from etl.warehouse import holds_anything, reader, schema_note

    own = None
    if con is None:  # waiting for a load as long as the command's own read does (not a writer's)
        own = con = reader(settings.warehouse)
    try:
        empty = tables and schema_version(con) == 0 and not holds_anything(con)
        note = None if empty else schema_note(con, settings.migrations_dir)
    finally:
        if own is not None:
            own.close()
    if empty:
        error(
            f"{settings.target.display} is an empty database, not a warehouse yet: "
            "`news-etl init` (or a run) makes it one"
        )
        raise typer.Exit(2)
    if note is not None:
        say(note, err=True)


def _settings(**overrides: object) -> Settings:
    """The settings of the environment and the command's options; an invalid one is a usage
    error (exit 2) that names the setting, what is wrong and the value given."""
    try:
        return load_settings(**overrides)
    except ValidationError as exc:
        given = [name for name, value in overrides.items() if value is not None]
        raise typer.BadParameter(describe_invalid(exc, given)) from exc
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


#: File-system errors that waiting does not cure (a read-only mount, permissions).
_PERMANENT_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EISDIR})


def _failed(exc: BaseException, where: str = "") -> typer.Exit:
    """Print an error as one line; the exit to raise: 75 (EX_TEMPFAIL) if a retry may help, else 2.

    Classified by type, never by the words of the message: a DuckDB error that says it could
    not reach an object store is retryable (:func:`etl.storage.unreachable_error`, DuckDB's
    fixed words, as the warehouse's own errors); a :class:`NewsEtlError` says whether
    it is retryable; an ``OSError`` (a read-only folder, a full disk) names its file and is
    retryable as :func:`etl.errors.is_retryable` says; any other error (a DuckDB error the
    warehouse module did not type) is permanent. Notes on the error (e.g. the failed run's id in
    ``etl_run``) follow on their own lines.
    """
    from etl.storage import unreachable_error  # duckdb is loaded if a DuckDB error is here

    unreachable = unreachable_error(exc)
    if unreachable is not None:
        message, code = str(unreachable), 75
    elif isinstance(exc, NewsEtlError):
        message, code = str(exc), 75 if exc.retryable else 2
    elif isinstance(exc, OSError):
        what = exc.strerror or str(exc)
        message = f"{what}: {exc.filename}" if exc.filename else what
        code = 75 if is_retryable(exc) and exc.errno not in _PERMANENT_ERRNOS else 2
    else:
        message, code = f"{type(exc).__name__}: {exc}", 2
    error(where + message)
    for note in getattr(exc, "__notes__", ()):
        say(f"  {note}", err=True)
    return typer.Exit(code)


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
            help="Make the partitions of the run's new articles hold exactly the run's "
            "articles and those of the files it skipped as unchanged (an old version of a "
            "changed file is removed) instead of merging new articles into them.",
        ),
    ] = False,
    batch_size: Annotated[
        int | None,
        typer.Option(help="Files per batch (default 500, NEWS_ETL_BATCH_SIZE).", min=1),
    ] = None,
    batch_bytes: Annotated[
        int | None,
        typer.Option(
            help="Raw bytes per batch (default 8 MiB, NEWS_ETL_BATCH_BYTES; a .gz file counts "
            "its gzip trailer's size, at least four times its own): a batch ends at "
            "--batch-size files or at this many bytes.",
            min=1,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            help="Processes for the ingest and text batches (default: the cores this process "
            "may use, NEWS_ETL_WORKERS); the load stays one writer.",
            min=1,
        ),
    ] = None,
) -> None:
    """Run every stage (ingest, clean, tokenize, validate, load) without Airflow."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.children import gx_helper
    from etl.storage import location

    settings = _settings(
        landing=landing,
        warehouse=warehouse,
        batch_size=batch_size,
        batch_bytes=batch_bytes,
        workers=workers,
    )
    partition = _parse_date(run_date)
    # Started before the pipeline's own imports: it imports GX meanwhile (etl.children).
    gx = gx_helper(location(settings.staging_root).is_process_local)
    try:
        _run(settings, partition, replace, gx)
    finally:
        if gx is not None:
            gx.close()


def _progress_bar(*, transient: bool = False) -> Progress:
    """The CLI's progress bar: what it does, the bar, steps done of all, the time spent
    (``transient``: gone once done)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
    )


def _run(settings: Settings, partition: date | None, replace: bool, gx: Helper | None) -> None:
    """The ``run`` command once its settings are read; ``gx`` the run's GX helper, if any. The
    writer lock the load takes stays held until the summary's reads are done: no other run's
    load can start in between and make them wait for it. It is let go before anything is
    printed (a terminal paused with Ctrl-S, a pipe nobody reads, would hold it)."""
    from etl import pipeline
    from etl.contracts import Stage
    from etl.timing import STARTUP, recording, since_process_start

    with contextlib.ExitStack() as hold:
        with _progress_bar(transient=True) as bar:
            job = bar.add_task("planning", total=None)

            def progress(step: str, batch: int, total: int) -> None:
                if step == Stage.PLAN:
                    bar.update(job, description="processing batches", total=total, completed=0)
                elif step == "batch":
                    bar.update(job, completed=batch + 1)
                    if batch + 1 == total:
                        bar.update(job, description="validating")
                elif step == Stage.VALIDATE:
                    bar.update(job, description="loading")

            try:
                with recording() as recorder:
                    recorder.add(STARTUP, since_process_start())
                    summary = pipeline.run(
                        settings,
                        partition_date=partition,
                        mode=LoadMode.REPLACE if replace else LoadMode.MERGE,
                        progress=progress,
                        gx=gx,
                        hold=hold,
                    )
            except NewsEtlError as exc:
                raise _failed(exc) from exc
        read = _read_summary(settings, summary.run_id)
    _print_run(settings, summary, replace, read)


@dataclass
class _SummaryRead:
    """What ``run`` reads of the warehouse for its summary, and when it started reading."""

    started: float
    headline: WarehouseSummary
    times: list[tuple[str, float]]


def _read_summary(settings: Settings, run_id: str) -> _SummaryRead:
    """The warehouse's headline figures and the run's stage times, read once it is committed."""
    from etl import pipeline
    from etl.report import summarise

    started = time.perf_counter()
    return _SummaryRead(
        started, summarise(settings.warehouse), pipeline.stage_times(settings, run_id)
    )


def _print_run(settings: Settings, summary: LoadSummary, replace: bool, read: _SummaryRead) -> None:
    """What ``run`` prints once its run is committed: its counts, the warehouse's summary and
    the run's stage table (``read`` before)."""
    from etl.contracts import plural, reason_counts
    from etl.report import format_summary
    from etl.timing import SUMMARY, format_stage_table, since_process_start

    console.print(
        f"files read {summary.files_new} = {summary.files_loaded} loaded + "
        f"{summary.files_duplicate} duplicate + {summary.files_quarantined} quarantined"
    )
    console.print(
        f"run {summary.run_id}: {plural(summary.articles_loaded, 'article')} loaded, "
        f"{plural(summary.duplicates, 'duplicate')}, {summary.quarantined} quarantined, "
        f"{summary.files_unchanged} unchanged, {summary.files_deferred} left for other days"
        + (f", {summary.articles_removed} removed" if replace else "")
    )
    if summary.report:
        say(f"report: {summary.report}")
    if summary.quarantine_reasons:
        console.print(f"quarantine reasons: {reason_counts(summary.quarantine_reasons)}")
    say(format_summary(read.headline, settings.warehouse))
    times = [*read.times, (SUMMARY, time.perf_counter() - read.started)]
    say(format_stage_table(times, since_process_start()))


quarantine_app = typer.Typer(help="Inspect quarantined files and records.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
def quarantine_list(
    warehouse: WarehouseOpt = None,
    reason: Annotated[str | None, typer.Option(help="Only this reason code.")] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="Only this run, by its id.")] = None,
    day: Annotated[
        str | None,
        typer.Option(
            "--date",
            "-d",
            metavar="YYYY-MM-DD",
            help="Only rows of this day: the run's --date, else the file's dated folder, else "
            "the UTC day the row was quarantined (the records quality --date counts).",
        ),
    ] = None,
    standing: Annotated[
        bool,
        typer.Option(
            "--standing",
            help="Only the refusals that stand now (what summary counts and replay reads "
            "again), each once, by the newest run that made it; not those of a file's earlier "
            "content or replaced by a later verdict.",
        ),
    ] = False,
    limit: Annotated[int, typer.Option(help="At most this many rows.", min=1)] = 200,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="table | csv | json (one object per line) | parquet"),
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """List quarantined files and records, newest first: reason, stage, path, record, detail,
    run. Reads only: a missing warehouse is an error, and nothing is created."""
    from etl.load.replay import check_reason
    from etl.output import write_result
    from etl.quality import quarantine_count, quarantine_relation
    from etl.query import open_reader
    from etl.warehouse import closing

    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    settings = _settings(warehouse=warehouse)
    _check_out(out, settings)
    reader = open_reader(settings.warehouse, notify=lambda message: say(message, err=True))
    with closing(reader) as con:
        _note_schema(settings, con)
        if (
            run_id is not None
            and not con.execute("SELECT 1 FROM etl_run WHERE run_id = ?", [run_id]).fetchall()
        ):
            raise _failed(UnknownRunError(run_id))
        try:  # a misspelt reason listed nothing, as if nothing had that reason (probe)
            check_reason(con, None, reason, standing=standing)
        except UnknownReasonError as exc:
            raise _failed(exc) from exc
        chosen_day = _parse_date(day)
        relation = quarantine_relation(
            con, reason=reason, run_id=run_id, day=chosen_day, standing=standing, limit=limit
        )
        rows = write_result(relation, cast("OutputFormat", fmt), out)
        every = rows
        if rows == limit:
            every = quarantine_count(
                con, reason=reason, run_id=run_id, day=chosen_day, standing=standing
            )
    if fmt != "table" and (out is not None or sys.stderr.isatty()):
        say(f"{rows:,} quarantine rows" + _written_to(out), err=True)
    if every > rows:  # never cut without saying so, whatever the format or destination
        say(
            f"note: the newest {rows:,} of {every:,} quarantine rows are listed; "
            f"--limit {every} lists them all",
            err=True,
        )


@app.command()
def replay(
    landing: LandingOpt = None,
    warehouse: WarehouseOpt = None,
    reason: Annotated[
        str | None, typer.Option(help="Replay only files quarantined for this reason.")
    ] = None,
) -> None:
    """Re-run quarantined files after a fix: those that now pass load, the rest stay quarantined."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl import pipeline
    from etl.contracts import RunStatus, plural
    from etl.load.replay import (
        Forgotten,
        check_reason,
        forget_quarantined,
        remember_again,
        replay_message,
        replayed_outcomes,
    )
    from etl.storage import Location, location
    from etl.warehouse import writer

    settings = _settings(landing=landing, warehouse=warehouse)
    # nothing to replay in a warehouse that is not there: a mistyped --warehouse made a new one
    # and loaded the whole landing zone into it (probe)
    _require_warehouse(settings)
    landing_zone = str(settings.landing)
    forgot: list[Forgotten] = []
    run_ids: list[str] = []

    def forget(staging: Location) -> None:
        # inside the run, once it owns its staging folder: what is forgotten is saved there
        # first, so that the next run puts it back if this one is killed before its COMMIT
        run_ids.append(staging.name)  # a run's staging folder is named by its run id
        with writer(settings) as con:
            keep = (staging, str(settings.warehouse))
            forgot.append(forget_quarantined(con, landing_zone, reason, keep=keep))

    try:
        with writer(settings) as con:
            check_reason(con, landing_zone, reason, standing=True)
        try:
            with _sigterm_interrupts():
                summary = pipeline.run(settings, trigger="replay", before_plan=forget)
        except BaseException as exc:
            # the run failed (refused, say): what it read again is forgotten no more, unless
            # the run committed before it was stopped (writing its pages): then its verdicts
            # stand, and putting the old ones back said nothing was replayed (probe)
            forgotten = forgot[0] if forgot else Forgotten(())
            try:
                with writer(settings) as con:
                    committed = bool(run_ids) and _run_succeeded(con, run_ids[0])
                    if not committed:
                        remember_again(con, forgotten)
            except Exception as unremembered:
                exc.add_note(
                    f"replay: the verdicts it forgot could not be put back: {unremembered}"
                )
            else:
                if committed:
                    exc.add_note(
                        f"replay: its run {run_ids[0]} committed before it stopped: the "
                        f"{plural(len(forgotten.paths), 'file')} it read again are judged as "
                        "that run says (news-etl quarantine list)"
                    )
                elif forgotten.rows:
                    exc.add_note(
                        f"replay: the verdicts on the {plural(len(forgotten.paths), 'file')} it "
                        "forgot are kept, as before the replay"
                    )
            if interrupt_of(exc) is not None:  # Ctrl-C or SIGTERM, inside DuckDB or not
                error("replay interrupted: " + "; ".join(getattr(exc, "__notes__", [])))
                raise typer.Exit(130) from exc
            raise
        forgotten = forgot[0]
        with writer(settings) as con:
            replayed = replayed_outcomes(con, landing_zone, forgotten, summary.run_id)
            # a forgotten file the run did not read because it is gone keeps its verdict:
            # nothing would judge it again, and its quarantine stood with no ledger row
            gone = [p for p in replayed.not_read if not (location(landing_zone) / p).exists()]
            if gone and summary.status == RunStatus.SUCCESS:
                remember_again(con, forgotten, gone)
    except NewsEtlError as exc:
        raise _failed(exc) from exc
    say(replay_message(forgotten, replayed, summary))


def _run_succeeded(con: duckdb.DuckDBPyConnection, run_id: str) -> bool:
    """Whether the run ``run_id`` committed (its ``etl_run`` row says ``success``)."""
    from etl.contracts import RunStatus

    row = con.execute("SELECT status FROM etl_run WHERE run_id = ?", [run_id]).fetchone()
    return row is not None and row[0] == RunStatus.SUCCESS


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (``kill PID``, systemd's stop, a container's) raises :class:`KeyboardInterrupt`
    inside the block, as Ctrl-C does, so that the clean-up around it runs: a replay stopped so
    kept the verdicts it had forgotten forgotten, and every later run failed on the files they
    had accepted (probe). Only in the main thread, where Python delivers signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)


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
            help="; ".join(f"{mode}: {rebuilds}" for mode, rebuilds in BACKFILL_MODE_HELP.items())
            + ".",
        ),
    ] = BackfillMode.MISSING.value,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only show what would be rebuilt.")
    ] = False,
) -> None:
    """Rebuild day partitions over a date range, without Airflow (see README, Backfills)."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work

    from etl import backfill as bf
    from etl.contracts import plural

    settings = _settings(landing=landing, warehouse=warehouse)
    first, last = _parse_date(start), _parse_date(end)
    assert first is not None and last is not None
    # A usage error (exit 2, naming the option); plan_backfill checks it too, for its other
    # caller (the news_backfill DAG), as a ConfigError.
    if mode not in bf.MODES:
        raise typer.BadParameter(f"--mode must be one of {', '.join(bf.MODES)}")
    planned_at = datetime.now(UTC)
    try:
        plan = bf.plan_backfill(settings, first, last, mode, dry_run=dry_run)
    except NewsEtlError as exc:
        raise _failed(exc) from exc
    make_console().print(bf.plan_table(plan))
    say(bf.plan_total(plan))
    selected = plan.selected
    if dry_run or not selected:
        return
    with _progress_bar() as bar:
        job = bar.add_task("rebuilding", total=len(selected))
        for i, p in enumerate(selected):
            bar.update(job, description=f"rebuilding {p.day}")
            try:
                with bf.rebuilding(settings):
                    if mode != BackfillMode.ALL and bf.rebuilt_since(settings, p.day, planned_at):
                        summary = None
                    else:
                        summary = bf.rebuild_partition(settings, p.day, trigger="cli-backfill")
            except Exception as exc:
                rest = selected[i + 1 :]
                if rest:  # the error named the day that failed, not those never tried
                    exc.add_note(
                        f"not tried: {plural(len(rest), 'later day')} of the plan "
                        f"({rest[0].day} .. {rest[-1].day}); the days before {p.day} are "
                        f"done: --start {rest[0].day} --end {last} --mode {mode} rebuilds "
                        "the rest"
                    )
                if isinstance(exc, NewsEtlError):
                    raise _failed(exc, f"{p.day}: ") from exc
                raise
            bar.advance(job)
            if summary is None:
                say(f"{p.day}: skipped, rebuilt by another run since this backfill was planned")
                continue
            # The days it changed when they are not the day alone: a rebuild writes an article
            # on its published date, takes one over from a copy on another day, and removes
            # articles its files no longer give (probe B: "2 articles" beside a day of one).
            days = sorted(set(summary.partitions))
            written_on = (
                f" (days changed: {', '.join(d.isoformat() for d in days)})"
                if days and days != [p.day]
                else ""
            )
            say(
                f"{p.day}: {plural(summary.articles_loaded, 'article')}{written_on}, "
                f"{plural(summary.duplicates, 'duplicate')}, "
                f"{summary.quarantined} quarantined, {summary.articles_removed} removed"
            )


@app.command()
def demo(
    airflow: Annotated[bool, typer.Option(help="Run the news_daily DAG through Airflow.")] = True,
    fresh: Annotated[bool, typer.Option(help="Start from an empty warehouse.")] = False,
) -> None:
    """Generate the sample landing zone and load it day by day through the news_daily DAG."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.demo import run_demo
    from etl.report import format_summary

    settings = _settings()
    try:
        result = run_demo(settings, use_airflow=airflow, fresh=fresh, echo=say)
    except NewsEtlError as exc:
        error(str(exc))
        raise typer.Exit(2) from exc
    say("")
    say(format_summary(result.summary, settings.warehouse))
    say("")
    say("Open the warehouse read-only, in DuckDB's safe mode (no writes, no other files):")
    say(f"  .venv/bin/news-etl shell --warehouse {settings.target.display}")
    say("  e.g.  SELECT published_date, count(*) FROM fact_article GROUP BY ALL ORDER BY 1;")


@app.command()
def sample(
    out: Annotated[str, typer.Option("--out", "-o", metavar="DIR", help="Folder to (re)create.")],
    days: Annotated[int, typer.Option(help="Consecutive days.", min=1)] = 3,
    articles: Annotated[
        int | None,
        typer.Option(help="Generate this many plain articles instead of the demo mix.", min=0),
    ] = None,
    start: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")] = "2024-03-04",
) -> None:
    """Write a synthetic landing zone (the demo's, or a large one for benchmarks)."""
    from etl.contracts import plural
    from etl.sample import generate_bulk, generate_sample

    # Read as text: a Path made "" the working folder, refused as "not a generated sample"
    # in words that called it a bug in news-etl (probe V). Other refusals (a folder that is not
    # a sample's, days past 9999-12-31) are etl.sample's ConfigError, before anything is written.
    if not out.strip():
        raise typer.BadParameter(
            "the folder is empty: give the folder to write the sample into", param_hint="'--out'"
        )
    first = _parse_date(start)
    assert first is not None
    if articles is None:
        manifest = generate_sample(Path(out), days=days, start=first)
        written, over = len(manifest.files), len(manifest.dates)
    else:
        written, over = len(generate_bulk(Path(out), articles, start=first, days=days).files), days
    say(f"{plural(written, 'file')} over {plural(over, 'day')} in {out}")


@app.command()
def summary(warehouse: WarehouseOpt = None) -> None:
    """Print headline figures of the warehouse: articles, sources, quarantine, runs, top terms."""
    from etl.report import format_summary, summarise

    settings = _settings(warehouse=warehouse)
    _require_warehouse(settings)
    _note_schema(settings)
    say(format_summary(summarise(settings.warehouse), settings.warehouse))


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

    if day is not None and run_id is not None:  # --date was ignored without a word (probe)
        raise typer.BadParameter("give --date or --run, not both: a run has its own day")
    settings = _settings(warehouse=warehouse)
    _require_warehouse(settings)
    _check_out(html_out, settings)
    _note_schema(settings)
    report = load_report(
        settings.warehouse,
        day=_parse_date(day),
        run_id=run_id,
        expectations_dir=settings.expectations_dir,
    )
    if run_id is not None and not report.runs:
        raise _failed(UnknownRunError(run_id))
    say(format_quality(report))
    if html_out is not None:
        write_whole(html_out, render_html(report))
        say(f"wrote {html_out}", err=True)


@app.command()
def init(warehouse: WarehouseOpt = None) -> None:
    """Create the warehouse file (once) and apply pending schema migrations."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.load.migrations import schema_version
    from etl.warehouse import writer

    settings = _settings(warehouse=warehouse)
    with writer(settings) as con:
        version = schema_version(con)
    say(f"{settings.target.display}: schema version {version}")


def _read_sql(sql: str | None, sql_file: Path | None) -> str:
    """The SQL to run: the argument, standard input for ``-``, or the file given with --file."""
    if (sql is None) == (sql_file is None):
        error("give the SQL as an argument, as - (standard input) or with --file FILE")
        raise typer.Exit(2)
    if sql_file is not None:
        try:
            return sql_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            error(f"cannot read {sql_file}: {exc}")
            raise typer.Exit(2) from exc
    if sql == "-":
        return sys.stdin.read()
    assert sql is not None
    return sql


def _check_out(out: Path | None, settings: Settings) -> None:
    """Refuse an --out path whose folder is missing, that is a folder, or that is one of the
    warehouse's own files (before any work): ``--out`` naming the warehouse replaced it with the
    printed result, exit 0 (probe)."""
    if out is None:
        return
    if out.is_dir():
        error(f"{out} is a folder; give a file name")
        raise typer.Exit(2)
    folder = out.resolve().parent  # through a link: one into a missing folder failed late
    if not folder.is_dir():
        error(f"cannot write {out}: the folder {folder} does not exist")
        raise typer.Exit(2)
    file = settings.target.file
    if file is None:
        return
    own = {p.resolve() for p in (file, file.with_name(file.name + ".wal"), settings.lock_path)}
    if out.resolve() in own:
        error(f"{out} is the warehouse's own file ({file.name}); give another file name")
        raise typer.Exit(2)


#: A word that reads as an option (``--formt``, ``-x``, ``--out=f``), not as SQL starting with a
#: dash: SQL has a space, a line break or a digit after its dash ("-- a comment", "-1").
_OPTION_LIKE = re.compile(r"--?[A-Za-z][\w-]*(=\S*)?")


def _sql_not_an_option(ctx: typer.Context, sql: str | None) -> None:
    """Refuse what the ``query`` command's parser let through as SQL (it reads words it does not
    know as arguments, so that SQL may start with a dash): a word that reads as an option is
    "No such option", as the parser says of any other command's; a second SQL argument is an
    extra argument."""
    import difflib

    for word in ([sql] if sql is not None else []) + list(ctx.args):
        if _OPTION_LIKE.fullmatch(word):
            name = word.split("=", 1)[0]
            known = [o for p in ctx.command.get_params(ctx) for o in p.opts if o.startswith("--")]
            close = difflib.get_close_matches(name, known) if name.startswith("--") else []
            raise NoSuchOption(name, possibilities=close, ctx=ctx)
    if ctx.args:
        s = "s" if len(ctx.args) > 1 else ""
        raise UsageError(f"Got unexpected extra argument{s} ({' '.join(ctx.args)})", ctx=ctx)


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def query(
    ctx: typer.Context,
    sql: Annotated[
        str | None,
        typer.Argument(
            help="SQL to run (read-only: SELECT, WITH, DESCRIBE, ...); - reads it from "
            "standard input."
        ),
    ] = None,
    sql_file: Annotated[
        Path | None,
        typer.Option("--file", "-F", help="Read the SQL from this file.", dir_okay=False),
    ] = None,
    warehouse: WarehouseOpt = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", help="table | csv | json (one object per line) | parquet"),
    ] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    wait: Annotated[
        float, typer.Option(help="Seconds to wait while a load holds the warehouse.")
    ] = 60.0,
    timeout: Annotated[
        float | None,
        typer.Option(
            help="Stop the query after this many seconds (0: no limit; "
            "default: $NEWS_ETL_QUERY_TIMEOUT_S, 300).",
            min=0,
        ),
    ] = None,
) -> None:
    """Run a read-only SQL query on the warehouse; writes are refused.

    Values are written whole and exactly (see README, The CLI); the row count goes to standard
    error (and under the table). Every failure is one line on standard error, exit code 2.
    """
    from etl.output import write_result
    from etl.query import deadline, open_reader, run_query
    from etl.warehouse import closing

    _sql_not_an_option(ctx, sql)
    if fmt not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "parquet" and out is None and sys.stdout.isatty():
        raise typer.BadParameter("parquet is binary: give --out FILE or redirect the output")
    text = _read_sql(sql, sql_file)
    settings = _settings(warehouse=warehouse, query_timeout_s=timeout)
    _check_out(out, settings)
    try:
        reader = open_reader(
            settings.warehouse,
            wait_s=wait,
            notify=lambda message: say(message, err=True),
            memory_limit=settings.reader_memory_limit,
        )
        with closing(reader) as con:  # an interrupted query stopped, not awaited
            _note_schema(settings, con, tables=False)
            with deadline(con, settings.query_timeout_s):
                relation = run_query(con, text)
                statements = con.extract_statements(text)
                if len(statements) > 1:  # their results are not shown: say so, not drop them
                    say(
                        f"note: {len(statements)} statements ran; only the last one's result "
                        "is shown",
                        err=True,
                    )
                explained = statements[-1].type == duckdb.StatementType.EXPLAIN
                rows = (
                    None
                    if relation is None
                    else write_result(relation, cast("OutputFormat", fmt), out, explained=explained)
                )
    except NewsEtlError as exc:
        raise _failed(exc) from exc
    except duckdb.OutOfMemoryException as exc:  # DuckDB's advice names settings no query sets
        error(
            f"the query needed more memory than a reader may use "
            f"({settings.reader_memory_limit}, NEWS_ETL_READER_MEMORY_LIMIT): raise it, or "
            f"narrow the query ({str(exc).splitlines()[0]})"
        )
        raise typer.Exit(2) from exc
    except duckdb.Error as exc:
        error(str(exc))
        raise typer.Exit(2) from exc
    except BrokenPipeError:  # the reader of the pipe (head, less) stopped early: not an error
        discard_stdout()
        raise typer.Exit(0) from None
    if rows is not None and fmt != "table" and (out is not None or sys.stderr.isatty()):
        from etl.output import rows_footer

        say(rows_footer(rows) + _written_to(out), err=True)


@app.command()
def shell(warehouse: WarehouseOpt = None) -> None:
    """Open the DuckDB shell on the warehouse: read-only and in DuckDB's safe mode (no .open,
    .sh, .output; no other files; configuration locked)."""
    import os

    from etl.query import shell_command

    settings = _settings(warehouse=warehouse)
    command = shell_command(settings.warehouse)
    _note_schema(settings, tables=False)
    say(
        "read-only, safe mode: dot-commands that touch files or processes, other files and "
        "SET are refused",
        err=True,
    )
    os.execv(command[0], command)


@app.command()
def status(warehouse: WarehouseOpt = None) -> None:
    """Headline figures, partitions (missing days flagged) and the last runs with their errors."""
    from etl.leftovers import unfinished
    from etl.query import open_reader
    from etl.report import format_status, format_summary, summarise
    from etl.warehouse import closing

    settings = _settings(warehouse=warehouse)
    reader = open_reader(settings.warehouse, notify=lambda message: say(message, err=True))
    with closing(reader) as con:
        _note_schema(settings, con)
        text = format_status(
            con,
            min_files=settings.quarantine_check_min_files,
            unfinished=unfinished(settings.staging_root, settings.target),
            idle_after_s=settings.abandoned_after_s,
        )
    say(format_summary(summarise(settings.warehouse), settings.warehouse))
    say("")
    say(text)


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
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.dictionary import build
    from etl.settings import PROJECT_ROOT

    settings = _settings()
    target = out or PROJECT_ROOT / "warehouse" / "README.md"
    text = build(settings.migrations_dir)
    if check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text:
            # the command that writes this file: with its --out (probe R3: the advice for a
            # stale --out file rewrote the project's dictionary instead)
            again = "news-etl dictionary" + (f" --out {shlex.quote(str(out))}" if out else "")
            error(f"{target} is {'missing' if current is None else 'stale'}: run `{again}`")
            raise typer.Exit(1)
        say(f"{target} is up to date")
        return
    target.write_text(text, encoding="utf-8")
    say(f"wrote {target}")


@app.command()
def report(
    warehouse: WarehouseOpt = None,
    run_id: Annotated[
        str | None, typer.Option("--run", help="Run id (default: the latest run).")
    ] = None,
) -> None:
    """Rebuild the HTML run report (self-contained: inline CSS and charts)."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.pipeline import render_report

    settings = _settings(warehouse=warehouse)
    _require_warehouse(settings)
    _note_schema(settings)
    say(str(render_report(settings, run_id)))


airflow_app = typer.Typer(
    help="A local Airflow for this project on loopback: standalone, or on the Celery executor."
)
app.add_typer(airflow_app, name="airflow")


@airflow_app.command("start")
def airflow_start(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8080,
    executor: Annotated[
        str | None,
        typer.Option(
            help="local: `airflow standalone` (LocalExecutor); celery: API server, scheduler, "
            "DAG processor and Celery workers, with NEWS_ETL_AIRFLOW_DB (Postgres) and "
            "NEWS_ETL_AIRFLOW_BROKER (Redis) (default: $NEWS_ETL_AIRFLOW_EXECUTOR, else local).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Celery workers to start (celery only; 0: they run on other machines, "
            "`news-etl airflow worker`; default: $NEWS_ETL_AIRFLOW_CELERY_WORKERS, else 2).",
        ),
    ] = None,
) -> None:
    """Prepare metadata DB, pool and warehouse, then start Airflow (make airflow, make
    airflow-celery)."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.airflow_service import Standalone, standalone_banner, start_standalone

    settings = _settings(airflow_executor=executor, airflow_celery_workers=workers)
    if workers is not None and settings.airflow_executor != "celery":
        raise typer.BadParameter("--workers applies to --executor celery only")
    try:
        info: Standalone
        if settings.airflow_executor == "celery":
            from etl.airflow_cluster import start_cluster

            info = start_cluster(settings, port=port, echo=say)
        else:
            info = start_standalone(settings, port=port, echo=say)
        for line in standalone_banner(info, settings):
            say(line)
    except NewsEtlError as exc:
        error(str(exc))
        raise typer.Exit(2) from exc


@airflow_app.command("worker")
def airflow_worker(
    api_url: Annotated[
        str,
        typer.Option(
            help="The cluster's API server as this machine reaches it, e.g. "
            "http://scheduler.internal:8080 (its `news-etl airflow start --executor celery` "
            "listens on NEWS_ETL_AIRFLOW_API_HOST).",
        ),
    ],
    index: Annotated[
        int, typer.Option(min=1, help="This worker's number on this machine (its node name).")
    ] = 1,
) -> None:
    """Run one Celery worker of a cluster started on another machine, in the foreground (for
    systemd or another supervisor): NEWS_ETL_AIRFLOW_DB and NEWS_ETL_AIRFLOW_BROKER as there."""
    from etl.airflow_cluster import run_worker

    try:
        run_worker(_settings(airflow_executor="celery"), api_url=api_url, index=index)
    except NewsEtlError as exc:
        error(str(exc))
        raise typer.Exit(2) from exc


@airflow_app.command("backfill")
def airflow_backfill(
    from_date: Annotated[str, typer.Option("--from-date", help="First day (YYYY-MM-DD).")],
    to_date: Annotated[str, typer.Option("--to-date", help="Last day, inclusive.")],
    reprocess_behavior: Annotated[
        str,
        typer.Option(help="none: skip days with a run; failed: rerun failed ones; completed: all."),
    ] = "none",
    dry_run: Annotated[bool, typer.Option(help="List the runs it would create.")] = False,
    dag_id: Annotated[str, typer.Option(help="The DAG to backfill.")] = "news_daily",
) -> None:
    """`airflow backfill create` in the project's Airflow; says why when it selects no run."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.airflow_service import backfill_dag

    try:
        result = backfill_dag(
            _settings(),
            from_date,
            to_date,
            dag_id=dag_id,
            reprocess_behavior=reprocess_behavior,
            dry_run=dry_run,
        )
    except NewsEtlError as exc:
        error(str(exc))
        raise typer.Exit(2) from exc
    verb = "would create" if dry_run else "created"
    say(f"{dag_id}: {verb} {len(result.runs)} run(s): {', '.join(result.runs) or '-'}")
    if result.explanation:
        say(result.explanation)
    if result.runs and not dry_run:  # queued runs wait, and block every later backfill
        say(
            "the runs wait for Airflow's scheduler (`news-etl airflow start` if none runs); "
            "until they are done, another backfill of this DAG is refused"
        )
    elif result.runs:  # Airflow's dry run does not look for one (probe N, session 39)
        say(
            "(not checked: while runs of an earlier backfill of this DAG are queued or running, "
            "Airflow refuses a new one)"
        )


@airflow_app.command("stop")
def airflow_stop() -> None:
    """Stop the Airflow `start` started (standalone or the Celery cluster) and every process it
    started, and only those (make airflow-stop)."""
    from etl.airflow_env import airflow_home
    from etl.airflow_service import stop_airflow

    stopped = stop_airflow(airflow_home())
    say(f"stopped ({stopped} process group(s)/process(es) signalled)")


warehouse_app = typer.Typer(help="Move or convert the warehouse.", no_args_is_help=True)
app.add_typer(warehouse_app, name="warehouse")


@warehouse_app.command("to-ducklake")
def warehouse_to_ducklake(
    target: Annotated[
        str,
        typer.Option(
            "--target",
            "-t",
            help="The new DuckLake: ducklake:postgres:dbname=... host=... or "
            "ducklake:/path/catalog.ducklake.",
        ),
    ],
    warehouse: WarehouseOpt = None,
    data_path: Annotated[
        str | None,
        typer.Option(
            "--data-path",
            help="Where the lake's Parquet files go (a folder or s3://...; default: "
            "$NEWS_ETL_DUCKLAKE_DATA_PATH, or <catalog>.files/ for a file catalog).",
        ),
    ] = None,
) -> None:
    """Copy every table of a DuckDB-file warehouse (--warehouse) into a new DuckLake, and
    check each copy against the source (row counts and checksums)."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.lake_copy import copy_to_lake

    source = _settings(warehouse=warehouse)
    lake_settings = _settings(warehouse=Path(target), ducklake_data_path=data_path)
    result = copy_to_lake(source, lake_settings)
    copied = result.tables
    for table in copied:
        say(f"{table.table:<24} {table.rows:>12} rows  {'equal' if table.equal else 'DIFFERENT'}")
    different = [t.table for t in copied if not t.equal]
    if different:
        error(f"copied tables differ from the source: {', '.join(different)}")
        raise typer.Exit(2)
    if result.already:
        say(
            f"{lake_settings.target.display} already held this copy (the same runs; an earlier "
            f"copy committed, then stopped): compared, {len(copied)} tables, each equals the source"
        )
        return
    say(f"{len(copied)} tables copied into {lake_settings.target.display}; each equals the source")


@warehouse_app.command("maintain")
def warehouse_maintain(
    warehouse: WarehouseOpt = None,
    grace_hours: Annotated[
        float,
        typer.Option(
            "--grace",
            min=0.0,
            metavar="HOURS",
            help="Delete only files that no snapshot needs (or no catalog entry names) and that "
            "are older than this.",
        ),
    ] = 24.0,
    expire_days: Annotated[
        float | None,
        typer.Option(
            "--expire-after",
            min=0.0,
            metavar="DAYS",
            help="Also expire the snapshots older than this (time travel to them ends; "
            "default: keep every snapshot).",
        ),
    ] = None,
) -> None:
    """Compact a DuckLake warehouse: merge small files, rewrite files with many deleted rows,
    delete files nothing needs (see README, DuckLake warehouse); CHECKPOINT on a DuckDB file."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.maintenance import maintain

    done = maintain(
        _settings(warehouse=warehouse),
        grace=timedelta(hours=grace_hours),
        expire_after=None if expire_days is None else timedelta(days=expire_days),
    )
    if done.before is None or done.after is None:
        say(done.summary())
        return
    say(done.warehouse)
    say(f"{'':<26}{'before':>14}{'after':>14}")
    for label, field in _LAKE_FIGURES:
        was, now = getattr(done.before, field), getattr(done.after, field)
        say(f"{label:<26}{was:>14,}{now:>14,}")
    say(done.summary())


#: The rows of ``warehouse maintain``'s table: label, field of :class:`etl.maintenance.LakeFiles`.
_LAKE_FIGURES = (
    ("data files read now", "live"),
    ("files in the data path", "stored"),
    ("bytes in the data path", "stored_bytes"),
    ("snapshots", "snapshots"),
)


@app.command()
def marts(warehouse: WarehouseOpt = None) -> None:
    """Rebuild the marts from the star schema (what the news_marts DAG does)."""
    work_through_a_broken_pipe()  # its reader stopping early stops no work
    from etl.marts import refresh_marts

    try:
        refreshed = refresh_marts(_settings(warehouse=warehouse))
    except NewsEtlError as exc:
        raise _failed(exc) from exc
    for name, rows in refreshed.items():
        say(f"{name}: {rows} rows")


if __name__ == "__main__":  # pragma: no cover
    app()
