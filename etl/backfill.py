"""Backfills: which day partitions to rebuild over a date range, and rebuilding them.

A *partition* is a run date D: the files a run for D selects (those in a ``D/`` or ``dt=D/``
folder, and files outside dated folders whose header says D or whose articles the warehouse holds
on D). An article belongs to the partition of its file's folder date, else to its published date.
*Rebuilding* D runs the pipeline for D in ``rebuild`` mode: every selected file is read again (the
ledger's "unchanged" shortcut is ignored) and the articles those files produced before are
replaced, in one transaction, by what they produce now; an article a copy outside D still holds is
kept, from the copy, and undated articles keep their day, so rebuilds of different days commute
(see :mod:`etl.load.modes` and :mod:`etl.ingest.reader`). Three ways to choose the partitions of
``[start, end]``:

* ``missing``: days with selectable files but neither a successful run for D nor articles of D,
  one of whose files no run has judged as it is now (a day whose every file a run without a date
  quarantined is not missing: its rebuild would quarantine them again);
* ``all``: days with selectable files or articles;
* ``stale``: days whose articles carry a ``text_version`` other than :data:`etl.TEXT_VERSION`, or
  whose latest successful run is older than the latest migration that changes stored rows (one
  made only of views, macros and comments does not: :func:`etl.load.migrations.rows_version`).

Like :mod:`etl.pipeline`, this module composes stages; the CLI and the ``news_backfill`` DAG call
it, so both choose and rebuild exactly the same partitions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from etl import TEXT_VERSION, pipeline
from etl.contracts import BackfillMode, LoadMode, RunStatus, plural
from etl.errors import ConfigError
from etl.ingest.landing import folder_date, list_landing
from etl.ingest.ledger import read_ledger
from etl.ingest.reader import header_date, judged_as_it_is
from etl.load.loader import LoadSummary
from etl.load.migrations import discover, rows_version
from etl.settings import Settings, seconds
from etl.warehouse import file_lock, locked_reader, migrate_if_behind

if TYPE_CHECKING:
    from rich.table import Table

#: The modes, in the order the CLI and the DAG list them.
MODES: tuple[str, ...] = tuple(BackfillMode)


@dataclass(frozen=True)
class PartitionState:
    """What the landing zone and the warehouse hold for one day, and why it is (not) rebuilt."""

    day: date
    files: int  # files a run for this day selects
    articles: int  # articles of this partition in the warehouse now
    text_versions: tuple[str, ...]  # text versions those articles were built with
    schema_version: int | None  # schema version of the latest successful run for the day
    loaded: bool  # a successful run for the day exists, or the day has articles
    #: of ``files``, those no run has judged as they are now (new or changed since; see
    #: :func:`etl.ingest.reader.judged_as_it_is`)
    unjudged: int
    reason: str  # why it is selected ("" when it is not)
    #: the files counted in ``files`` (a file outside dated folders may be another day's too)
    paths: frozenset[str] = frozenset()


@dataclass
class BackfillPlan:
    """The partitions of a range, and the ones the mode selects."""

    start: date
    end: date
    mode: str
    partitions: list[PartitionState] = field(default_factory=list)
    #: New or changed files outside dated folders that the plan counts on no day: no ``.txt``
    #: date header (JSONL, CSV, JSON and HTML files among them, whose records may carry dates).
    #: Every rebuild reads new files, so the first day rebuilt reads them too (their dated
    #: records go in on their own days); with no day to rebuild nothing reads them, and the
    #: next ``news-etl run`` loads them (README, Backfills).
    undated: list[str] = field(default_factory=list)

    @property
    def selected(self) -> list[PartitionState]:
        """Partitions to rebuild, in date order."""
        return [p for p in self.partitions if p.reason]

    @property
    def selected_files(self) -> int:
        """Files the selected partitions read, each once: a file outside dated folders whose
        articles are on several days is read by the rebuild of each."""
        return len(frozenset().union(*(p.paths for p in self.selected)))


def plan_table(plan: BackfillPlan) -> Table:
    """The preview of ``plan``: one row per day with files or articles (day, files, articles
    now, text versions, why it is rebuilt), as ``news-etl backfill`` prints it and
    ``news_backfill``'s ``select`` logs it."""
    from rich.table import Table

    table = Table(title=f"backfill {plan.start} .. {plan.end}, mode {plan.mode}")
    for column in ("day", "files", "articles now", "text versions", "rebuild"):
        table.add_column(column, overflow="fold")  # a long text version wraps, never cut
    for p in _listed(plan):
        table.add_row(
            p.day.isoformat(),
            str(p.files),
            str(p.articles),
            ", ".join(p.text_versions) or "-",
            p.reason or "-",
        )
    return table


def plan_total(plan: BackfillPlan) -> str:
    """The line under :func:`plan_table`: days and files to rebuild, days left unlisted."""
    listed = _listed(plan)
    empty = len(plan.partitions) - len(listed)
    return (
        f"{len(plan.selected)} of {plural(len(listed), 'day')} with files or articles to "
        f"rebuild, {plural(plan.selected_files, 'file')}"
        + (f"; {plural(empty, 'day')} of the range with neither not listed" if empty else "")
        + _undated_note(plan)
    )


#: Undated files a plan's line names; past this many it says how many more.
_UNDATED_NAMED = 3


def _undated_note(plan: BackfillPlan) -> str:
    undated = plan.undated
    if not undated:
        return ""
    named = ", ".join(undated[:_UNDATED_NAMED])
    more = len(undated) - _UNDATED_NAMED
    them = "it" if len(undated) == 1 else "them"
    files = (
        f"{plural(len(undated), 'new file')} outside dated folders with no date header ({named}"
        + (f" and {more:,} more" if more > 0 else "")
        + ")"
    )
    if plan.selected:
        return (
            f"; {files}, counted on no day: the first rebuild reads {them} too (dated records "
            f"go in on their own days, undated ones wait for the next `news-etl run`)"
        )
    return f"; {files}: no day is rebuilt to read {them}, the next `news-etl run` loads {them}"


def plan_preview(plan: BackfillPlan, width: int = 100) -> str:
    """:func:`plan_table` and :func:`plan_total` as text ``width`` columns wide (for a log)."""
    import io

    from etl.output import make_console

    out = io.StringIO()
    make_console(file=out, width=width).print(plan_table(plan))
    return out.getvalue() + plan_total(plan)


def _listed(plan: BackfillPlan) -> list[PartitionState]:
    return [p for p in plan.partitions if p.files or p.articles or p.reason]


def _days(start: date, end: date) -> list[date]:
    if end < start:
        raise ConfigError(f"backfill range ends ({end}) before it starts ({start})")
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def plan_backfill(
    settings: Settings, start: date, end: date, mode: str, *, dry_run: bool = False
) -> BackfillPlan:
    """Inspect landing zone and warehouse and choose the partitions ``mode`` rebuilds; a
    ``dry_run``'s plan reads without the writer lock (see :func:`etl.warehouse.locked_reader`)."""
    if mode not in MODES:
        raise ConfigError(f"backfill mode must be one of {', '.join(MODES)}, not {mode!r}")
    days = _days(start, end)
    wanted = set(days)
    landing = str(settings.landing)
    files: Counter[date] = Counter()
    unjudged: Counter[date] = Counter()
    paths: dict[date, set[str]] = {}
    articles: Counter[date] = Counter()
    versions: dict[date, set[str]] = {}
    run_schema: dict[date, int] = {}
    succeeded: set[date] = set()
    # Files outside dated folders: the days the warehouse holds their articles on (a rebuild of
    # any of them reads the file, see etl.ingest.reader), else those of the articles they copy.
    known_flat: dict[str, set[date]] = {}
    copied_flat: dict[str, set[date]] = {}
    if not dry_run:
        migrate_if_behind(settings)
    with locked_reader(settings, lock=not dry_run) as con:
        ledger = read_ledger(con, landing)
        if con is not None:
            for source_file, published, text_version in con.execute(
                "SELECT source_file, published_date, text_version FROM fact_article"
            ).fetchall():
                day = folder_date(source_file) or published
                if day in wanted:
                    articles[day] += 1
                    versions.setdefault(day, set()).add(text_version)
                if folder_date(source_file) is None:
                    known_flat.setdefault(source_file, set()).add(day)
            for path, day in con.execute(
                "SELECT l.path, a.published_date FROM ingest_ledger l "
                "JOIN fact_article a ON a.article_id = l.article_id WHERE l.landing = ?",
                [landing],
            ).fetchall():
                if folder_date(path) is None:
                    copied_flat.setdefault(path, set()).add(day)
            # Latest successful run per day (ordered by start, the last one wins).
            for day, schema in con.execute(
                "SELECT partition_date, schema_version FROM etl_run "
                f"WHERE status = '{RunStatus.SUCCESS}' AND partition_date IS NOT NULL "
                "ORDER BY started_at"
            ).fetchall():
                if day in wanted:
                    run_schema[day] = int(schema)
                    succeeded.add(day)
    undated: list[str] = []
    for f in list_landing(settings.landing):
        if (f.outside or f.bad_name or f.unlisted is not None) and f.path_date is None:
            continue  # never opened, so no header to date it by; in a dated folder, of that day
        file_days = {f.path_date} if f.path_date is not None else set()
        if f.path_date is None:
            file_days = known_flat.get(f.path) or copied_flat.get(f.path, set())
            # New, or changed since it was read: its header may name another day now.
            if not file_days or ledger.unchanged(f.path, f.size, f.mtime_ns) is None:
                header = header_date(
                    settings.landing, f.path, settings.max_file_bytes, settings.txt_layout
                )
                file_days = file_days | ({header} if header is not None else set())
        judged = judged_as_it_is(f, ledger, settings.max_file_bytes)
        if f.path_date is None and not file_days and not judged:
            undated.append(f.path)
        for day in file_days & wanted:
            files[day] += 1
            unjudged[day] += not judged
            paths.setdefault(day, set()).add(f.path)
    current_schema = rows_version(discover(settings.migrations_dir))
    plan = BackfillPlan(start, end, mode, undated=sorted(undated))
    for day in days:
        loaded = day in succeeded or articles[day] > 0
        stale_text = sorted(v for v in versions.get(day, set()) if v != TEXT_VERSION)
        schema = run_schema.get(day)
        reason = ""
        if mode == BackfillMode.MISSING and unjudged[day] and not loaded:
            reason = BackfillMode.MISSING.value
        elif mode == BackfillMode.ALL and (files[day] or articles[day]):
            reason = BackfillMode.ALL.value
        elif mode == BackfillMode.STALE and stale_text:
            reason = f"text version {', '.join(stale_text)} != {TEXT_VERSION}"
        elif (
            mode == BackfillMode.STALE
            and schema is not None
            and schema < current_schema
            # with or without articles: a day whose files were all quarantined is judged anew
            # by the newer rules too (probe B: it was skipped when it had no article)
            and (files[day] or articles[day])
        ):
            reason = f"schema version {schema} < {current_schema}"
        plan.partitions.append(
            PartitionState(
                day=day,
                files=files[day],
                articles=articles[day],
                text_versions=tuple(sorted(versions.get(day, set()))),
                schema_version=schema,
                loaded=loaded,
                unjudged=unjudged[day],
                reason=reason,
                paths=frozenset(paths.get(day, ())),
            )
        )
    return plan


def rebuild_partition(
    settings: Settings,
    day: date,
    *,
    trigger: str = "backfill",
    external_run_id: str | None = None,
    progress: pipeline.Progress | None = None,
) -> LoadSummary:
    """Rebuild one partition: a ``rebuild`` run of the pipeline for ``day``."""
    return pipeline.run(
        settings,
        partition_date=day,
        mode=LoadMode.REBUILD,
        trigger=trigger,
        external_run_id=external_run_id,
        progress=progress,
    )


@contextmanager
def rebuilding(settings: Settings) -> Iterator[None]:
    """Held by ``news-etl backfill`` from its check that a day still needs rebuilding
    (:func:`rebuilt_since`) to that rebuild's end, so that a second backfill over the same days
    waits, then finds them rebuilt and skips them. Checked without it, two backfills started
    together both rebuilt every day (each passed the check before either had loaded; probe O,
    session 39). Other runs and replays do not take it; writers of a DuckLake whose catalog is
    in Postgres take no lock at all (they may be on other machines)."""
    if not settings.target.uses_lock:
        yield
        return
    lock = settings.lock_path
    with file_lock(
        lock.with_name(lock.name + ".backfill"),
        settings.lock_timeout_s,
        f"another backfill is rebuilding days of {settings.target.display}",
        f"another backfill has held the backfill lock of {settings.target.display} for more "
        f"than {seconds(settings.lock_timeout_s)} without a run ending; try again later",
        # It hands the lock on between its days and takes it back at once: while its runs
        # end, the wait goes on (a wait of one timeout for all its days failed: review).
        progress=lambda: last_run_ended(settings),
    ):
        yield


def last_run_ended(settings: Settings) -> object:
    """When the warehouse's newest run ended, and how many runs it holds (``None`` before it
    exists): what changes whenever a run of it ends."""
    with locked_reader(settings, lock=False) as con:
        if con is None:
            return None
        return con.execute("SELECT max(ended_at), count(*) FROM etl_run").fetchone()


def rebuilt_since(settings: Settings, day: date, since: datetime) -> bool:
    """Whether a run for ``day`` that started after ``since`` (a backfill's plan) succeeded: a
    ``missing`` or ``stale`` backfill planned before another one loaded its days rebuilt them
    again, its totals doubled (probe)."""
    with locked_reader(settings, lock=False) as con:
        if con is None:
            return False
        row = con.execute(
            "SELECT count(*) FROM etl_run WHERE partition_date = ? "
            f"AND status = '{RunStatus.SUCCESS}' "
            "AND started_at > ?",
            [day, since],
        ).fetchone()
    return bool(row and row[0])
