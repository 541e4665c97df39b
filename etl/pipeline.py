"""One run of the pipeline, composed from the stages; the only module that knows them all.

A run is planned once, then processed batch by batch, then validated as a whole, then loaded in
one transaction::

    plan_run ─► for each batch: ingest_batch ─► text_batch ─► validate_run ─► load_run

Every step reads and writes the run's staging folder (``<staging_root>/<run_id>``, a local folder
or an object-storage URL: :mod:`etl.storage`), so each can run in a different process (on another
machine when the staging is on object storage): the CLI calls :func:`run`, which does all steps
in order, and each Airflow task calls exactly one of the step functions. Both paths share this
code and cannot drift.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

import duckdb
from filelock import BaseFileLock

from etl import TEXT_VERSION, __version__, heap, interrupts, leftovers
from etl.children import Helper, worker_pool
from etl.contracts import (
    LOAD_MODES,
    LedgerOutcome,
    LoadMode,
    RunStatus,
    Stage,
    plural,
    stage_stats_row,
)
from etl.errors import (
    BatchValidationError,
    ConfigError,
    NewsEtlError,
    StagingError,
    WarehouseBusyError,
    WarehouseLockedError,
    interrupt_of,
)
from etl.ingest.landing import LandingFile, batches_of, gzip_sizes, list_landing
from etl.ingest.ledger import (
    LedgerView,
    read_held,
    read_ledger,
    read_placements,
    rebuild_holders,
)
from etl.load import faults
from etl.load.migrations import schema_version
from etl.load.record import record_failed_run
from etl.load.staging import RunStaging
from etl.settings import Settings
from etl.storage import Location, location, reaching_with_duckdb
from etl.target import redact
from etl.timing import (
    DATA_DOCS,
    INGEST,
    LOAD,
    PLAN,
    POST_LOAD_CHECKS,
    REPORT,
    TEXT,
    VALIDATE,
    StageTime,
    recording,
    timed,
)
from etl.warehouse import (
    holding_writer_lock,
    locked_reader,
    refuse_the_wrong_kind,
    schema_behind,
    writer,
)

log = logging.getLogger(__name__)
if TYPE_CHECKING:
    from etl.load.loader import LoadSummary, PostLoadCheck, RunFacts
    from etl.report.run_report import Charts

T = TypeVar("T")
#: Owner locks of the staging folders of the runs this process does from start to end.
_OWNED: dict[str, BaseFileLock] = {}

#: A run's load mode (declared in :class:`etl.contracts.LoadMode`): ``merge`` adds new articles;
#: ``replace`` rewrites the published-date partitions the run's new articles fall in; ``rebuild``
#: re-reads every file selected for the run's partition date (ledger ignored) and replaces exactly
#: the articles those files produced before (see README, Backfills). A plain string is taken
#: too (the DAG's param), and refused at the plan unless it is one of them.
Mode = LoadMode | str
#: Called after each finished step with (step name, batch number or -1, batches in the run).
Progress = Callable[[str, int, int], None]


@dataclass
class RunPlan:
    """Everything later steps need to know about a run; stored as ``plan.json``."""

    run_id: str
    staging_dir: str  # a local path, or a URL (s3://...) when the staging is on object storage
    settings: dict[str, Any]
    partition_date: str | None
    fallback_date: str
    mode: str
    trigger: str
    external_run_id: str | None
    started_at: str
    files_seen: int
    files_deferred: int
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    #: Files refused unread before for the same reason and detail (``ingest_refusal``): not read,
    #: counted as unchanged.
    refused: list[str] = field(default_factory=list)
    #: ``[path, reason, detail]`` of the files in ``batches`` the plan found refused from their
    #: listing, not as before: the run refuses them unread and remembers them.
    refusing: list[list[str]] = field(default_factory=list)
    #: Of ``refusing``, the paths a rebuild judges again that were refused as before: refused
    #: again, they do not count towards the run-level rules (:mod:`etl.load.rules`).
    refused_again: list[str] = field(default_factory=list)
    batches: list[list[dict[str, Any]]] = field(default_factory=list)
    #: A rebuild's copies from outside its partition, read only to keep what they hold
    #: (:func:`etl.ingest.ledger.rebuild_holders`); they are in ``batches`` too.
    holders: list[str] = field(default_factory=list)
    #: Done by one process from plan to load (``run``), which holds the staging folder's owner
    #: lock all along (see :mod:`etl.leftovers`); Airflow's runs are split over processes.
    in_process: bool = False

    @property
    def n_batches(self) -> int:
        """Number of batches in the run."""
        return len(self.batches)

    @property
    def files_new(self) -> int:
        """The new files the plan gave the run to read: those of its batches."""
        return leftovers.files_planned(self.batches)

    def settings_obj(self) -> Settings:
        """The run's settings, as planned (CLI and DAG overrides included)."""
        return Settings(**self.settings)

    def staging(self) -> RunStaging:
        """The run's staging folder."""
        return RunStaging(self.staging_dir)

    def save(self) -> Location:
        """Write the plan to its staging folder, atomically."""
        path = self.staging().plan_path
        # Compact JSON of the fields as they are: ``asdict`` deep-copies every file entry and an
        # indented dump runs json's pure-Python encoder (1.4 s for 20,000 files, 7 s for 100,000).
        fields_ = {f.name: getattr(self, f.name) for f in fields(self)}
        path.write_text(json.dumps(fields_, separators=(",", ":")))
        return path

    @classmethod
    def load(cls, staging_dir: str | Path) -> RunPlan:
        """Read the plan of the run staged at ``staging_dir`` (a path or URL)."""
        path = RunStaging(staging_dir).plan_path
        try:
            return cls(**_read_json(path))
        except FileNotFoundError:
            if RunStaging(staging_dir).root.is_dir():
                raise StagingError(f"no run plan at {path}") from None
            # Reclaimed: a clear of a failed Airflow task hours later said only "no run plan"
            # (probe T, session 46).
            raise StagingError(
                f"no run plan at {path}: the run's staging folder is gone (a later run removes "
                "the folder of a run that nothing touched for NEWS_ETL_ABANDONED_AFTER_S, 6 h by "
                "default, and records the run as abandoned); clear the run from its plan task, "
                "which plans it again"
            ) from None


#: The last few staged JSON files this process parsed: ``url -> (bytes, parsed value)``.
_PARSED: dict[str, tuple[bytes, Any]] = {}


def _read_json(path: Location) -> Any:
    """The JSON value of the staged file ``path``, parsed once per process while its bytes stay
    the same. Every batch step reads the run's plan and ledger snapshot, which list every file of
    the run: parsing them again in each of the 200 batches of a 100,000-file run cost more CPU
    than the load. The bytes are still read (and compared) each time, so a rewritten file is
    parsed anew; they are not decoded first (decoding the 16 MB plan of such a run took 28 ms a
    step, comparing its bytes takes 4). Callers do not modify the value."""
    data = path.read_bytes()
    cached = _PARSED.get(path.url)
    if cached is not None and cached[0] == data:
        return cached[1]
    if len(_PARSED) >= 4:
        _PARSED.clear()
    value = json.loads(data)
    _PARSED[path.url] = (data, value)
    return value


def stored_settings(settings: Settings) -> dict[str, Any]:
    """``settings`` as a run's ``plan.json`` keeps them: the warehouse URL's password masked
    (staging may be shared object storage); the processes that read the plan back put it back
    from the URL they were given (:func:`etl.target.unmask`)."""
    data = settings.model_dump(mode="json")
    data["warehouse"] = redact(str(data["warehouse"]))
    return data


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id: ``YYYYMMDDTHHMMSSZ-<8 hex>``."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _file_dict(f: LandingFile) -> dict[str, Any]:
    return {
        "path": f.path,
        "size": f.size,
        "mtime_ns": f.mtime_ns,
        "path_date": f.path_date.isoformat() if f.path_date else None,
        "outside": f.outside,
        "special": f.special,
        "bad_name": f.bad_name,
        "broken": f.broken,
        "unlisted": f.unlisted,
    }


def _file_from(d: dict[str, Any]) -> LandingFile:
    return LandingFile(
        d["path"],
        d["size"],
        d["mtime_ns"],
        date.fromisoformat(d["path_date"]) if d["path_date"] else None,
        d["outside"],
        d.get("special"),
        d.get("bad_name", False),
        d.get("broken"),
        d.get("unlisted"),
    )


def plan_run(
    settings: Settings,
    *,
    partition_date: date | None = None,
    mode: Mode = LoadMode.MERGE,
    trigger: str = "cli",
    external_run_id: str | None = None,
    run_id: str | None = None,
    in_process: bool = False,
    before_plan: Callable[[Location], None] | None = None,
) -> RunPlan:
    """List the landing zone, skip what the ledger says is unchanged, and cut the rest into batches.

    With ``partition_date`` D, files in a dated folder other than D are left for their own run;
    files without a dated folder are read and kept when their header date is D (or absent).
    A plan that fails (e.g. the landing zone is missing) is recorded as a failed run with its
    error when the warehouse exists, then the error is raised.
    First, what killed runs left behind is cleaned up (:func:`reclaim_leftovers`). With
    ``in_process``, this process owns the run's staging folder until :func:`release` (``run``
    does both). ``before_plan`` is called with that folder once it is owned, before the plan
    reads the ledger (a replay forgets its verdicts there, saving them in the folder first).
    """
    # The plan stage's time starts here: the checks and the reclaiming are part of it (the
    # first connection to DuckDB also imports pandas, ~0.2 s when nothing did before).
    started = datetime.now(UTC)
    if mode not in LOAD_MODES:  # before a staging folder or a failed run is left
        raise ConfigError(f"unknown load mode {mode!r}: one of {', '.join(LoadMode)}")
    mode = LoadMode(mode)
    refuse_the_wrong_kind(settings.target)  # before a staging folder or a failed run is left
    overlap = settings.overlap()
    if overlap is not None:
        raise ConfigError(overlap)
    with reaching_with_duckdb():
        reclaim_leftovers(settings)
    run_id = run_id or new_run_id(started)
    root = location(settings.staging_root)
    made_root = in_process and root.is_local and not root.exists()
    if in_process:
        lock = leftovers.own(root / run_id)
        if lock is not None:  # object storage has no owner lock (see etl.leftovers)
            _OWNED[run_id] = lock
    try:
        if before_plan is not None:
            before_plan(root / run_id)
        with reaching_with_duckdb():
            plan = _plan(settings, partition_date, mode, trigger, external_run_id, run_id, started)
    except Exception as exc:
        _unplanned(run_id, root, made_root)
        _raise_interrupt(exc)  # Ctrl-C or SIGTERM inside DuckDB: not a failure
        if not _is_transient(exc):
            facts = unplanned_facts(settings, run_id, started, trigger, external_run_id,
                                    partition_date, mode)  # fmt: skip
            exc.add_note(_record(settings, facts, describe_error(exc)).note(run_id))
        raise
    except BaseException:
        _unplanned(run_id, root, made_root)
        raise
    faults.reach(faults.FaultPoint.AFTER_PLAN)
    return plan


def _unplanned(run_id: str, root: Location, made_root: bool) -> None:
    """Let go of, and remove, the staging folder a run whose plan failed took (before the plan
    was written it holds only its owner lock), and the staging root this run created when
    nothing else is there: a run that could not plan (a missing landing zone) leaves nothing."""
    owned = run_id in _OWNED
    release(run_id)
    if not owned:
        return
    staging = RunStaging(root / run_id)
    if not staging.plan_path.exists():
        shutil.rmtree(staging.root.local_path, ignore_errors=True)
    if made_root:
        with contextlib.suppress(OSError):  # another run's folder is there: keep the root
            root.local_path.rmdir()


def release(run_id: str) -> None:
    """Let go of the staging folder of a run this process owns (nothing if it owns none)."""
    lock = _OWNED.pop(run_id, None)
    if lock is not None:
        lock.release()


def _plan(
    settings: Settings,
    partition_date: date | None,
    mode: Mode,
    trigger: str,
    external_run_id: str | None,
    run_id: str,
    started: datetime,
) -> RunPlan:
    from etl.ingest.reader import refused_as_before, unread_refusal

    landing = str(settings.landing)
    files = list_landing(settings.landing)
    ledger = _read_known(settings, files, partition_date, mode)
    holders = rebuild_holders(files, ledger, partition_date) if mode == LoadMode.REBUILD else set()
    unchanged: list[dict[str, Any]] = []
    refused: list[str] = []
    refusing: list[list[str]] = []
    refused_again: list[str] = []
    todo: list[LandingFile] = []
    deferred = 0
    for f in files:
        if (
            partition_date is not None
            and f.path_date is not None
            and f.path_date != partition_date
            and f.path not in holders
        ):
            deferred += 1
            continue
        refusal = unread_refusal(f, settings.max_file_bytes)
        if refusal is not None:
            # Refused unread before for the same reason and detail: unchanged, unless a rebuild
            # of its day (or of every day) judges its files again.
            rejudged = mode == LoadMode.REBUILD and partition_date in (None, f.path_date)
            as_before = refused_as_before(ledger, f.path, refusal)
            if as_before and not rejudged:
                refused.append(f.path)
            else:
                refusing.append([f.path, *refusal])
                todo.append(f)
                if as_before:
                    refused_again.append(f.path)
            continue
        reread = mode == LoadMode.REBUILD and _rebuild_reads(
            settings, f, ledger, partition_date, holders
        )
        entry = None if reread else ledger.unchanged(f.path, f.size, f.mtime_ns)
        if (
            entry is not None
            and partition_date is not None
            and f.path_date is None
            and (mode == LoadMode.REBUILD or not _of_day(settings, f, ledger, partition_date))
        ):
            # Another day's file outside dated folders: for that day's run (a rebuild of this
            # day reads again every file of it, so one it does not read is another day's; it
            # was counted unchanged: probe).
            deferred += 1
            continue
        if entry is not None:
            unchanged.append(
                {
                    "path": f.path,
                    "sha256": entry.sha256,
                    "size_bytes": f.size,
                    "mtime_ns": f.mtime_ns,
                    "outcome": entry.outcome,
                    "article_id": entry.article_id,
                }
            )
        else:
            todo.append(f)
    plan = RunPlan(
        run_id=run_id,
        staging_dir=(location(settings.staging_root) / run_id).url,
        settings=stored_settings(settings),
        partition_date=partition_date.isoformat() if partition_date else None,
        fallback_date=(partition_date or started.date()).isoformat(),
        mode=LoadMode(mode).value,
        trigger=trigger,
        external_run_id=external_run_id,
        started_at=started.isoformat(),
        files_seen=len(files),
        files_deferred=deferred,
        unchanged=unchanged,
        refused=refused,
        refusing=refusing,
        refused_again=refused_again,
        # At least one (possibly empty) batch, so every run has the same shape of steps.
        batches=[
            [_file_dict(f) for f in batch]
            for batch in batches_of(
                todo, settings.batch_size, settings.batch_bytes, gzip_sizes(landing, todo)
            )
        ]
        or [[]],
        in_process=run_id in _OWNED,
        holders=sorted(holders),
    )
    plan.save()
    # The ledger snapshot lets batches recognise known content without opening the warehouse.
    if mode == LoadMode.REBUILD:
        ledger = _forget(ledger, {f.path for f in todo} - holders)
    _save_known(plan, ledger)
    # The row is written twice: staging's first Parquet write imports pyarrow's writer and
    # pandas (~0.3 s of a first run, whose plan read no warehouse), which fell between the plan
    # and the ingest, in no stage: a first run's stages were 86-92 % of its wall (probe).
    for _ in range(2):
        seconds = (datetime.now(UTC) - started).total_seconds()
        _append_stats(
            plan.staging(), 0, stage_stats_row(PLAN, len(files), len(todo), 0, 0, seconds)
        )
    return plan


def _read_known(
    settings: Settings, files: list[LandingFile], partition_date: date | None, mode: Mode
) -> LedgerView:
    """What the warehouse knows of the landing zone, for the plan: its ledger, and where the
    articles of a rebuild's files (or of the undated files of a day's run) are. A warehouse
    whose schema is older than this code's is migrated first (the loader would migrate it
    anyway): the plan read the old tables with this code's queries, and the first run after an
    upgrade failed on a missing column (probe)."""
    with locked_reader(settings) as con:
        if con is None or not schema_behind(con, settings.migrations_dir):
            return _ledger_view(con, str(settings.landing), files, partition_date, mode)
    with writer(settings):  # migrates the schema
        pass
    with locked_reader(settings) as con:
        return _ledger_view(con, str(settings.landing), files, partition_date, mode)


def _ledger_view(
    con: duckdb.DuckDBPyConnection | None,
    landing: str,
    files: list[LandingFile],
    partition_date: date | None,
    mode: Mode,
) -> LedgerView:
    """The ledger of ``landing`` read through ``con`` (None: no warehouse yet), with the
    placements a rebuild, or a day's run with undated files, needs."""
    ledger = read_ledger(con, landing)
    if mode == LoadMode.REBUILD:
        ledger.placed = read_placements(con, landing)
        ledger.held = read_held(con, landing)
    elif partition_date is not None:  # where the undated files' articles are
        undated = [f.path for f in files if f.path_date is None]
        ledger.placed = read_placements(con, landing, undated) if undated else {}
    return ledger


def _rebuild_reads(
    settings: Settings,
    f: LandingFile,
    ledger: LedgerView,
    partition: date | None,
    holders: set[str],
) -> bool:
    """Whether a rebuild of ``partition`` reads ``f`` again: a file of its dated folder, a copy
    it keeps articles from (``holders``), a file changed since the ledger recorded it, and an
    unchanged file outside dated folders that belongs to the day: the warehouse holds its
    articles there, or, holding none of them (quarantined, say), its header names the day. Any
    other unchanged file outside dated folders is another day's (a rebuild of every day read
    the zone's refused pages again, and a day with two files of its own was refused for a
    quarantine share of 99 %)."""
    if f.path_date is not None or f.path in holders or partition is None:
        return True
    if ledger.unchanged(f.path, f.size, f.mtime_ns) is None:
        return True
    return _of_day(settings, f, ledger, partition, undated_too=False)


def _of_day(
    settings: Settings, f: LandingFile, ledger: LedgerView, day: date, undated_too: bool = True
) -> bool:
    """Whether the unchanged file ``f``, outside dated folders, belongs to ``day``: the
    warehouse holds articles of it on that day, or, holding none (quarantined, say), its date
    header names the day, or it has none (``undated_too``: the README's "files outside dated
    folders whose date header says D or that have no date")."""
    placed = ledger.placed_days(f.path)
    if placed:
        return day in placed
    from etl.ingest.reader import header_date

    layout = settings.txt_layout
    header = header_date(settings.landing, f.path, settings.max_file_bytes, layout)
    return header == day or (undated_too and header is None)


def _forget(ledger: LedgerView, paths: set[str]) -> LedgerView:
    """The ledger as a rebuild of ``paths`` sees it: their articles and quarantine verdicts unknown.

    Content loaded from a file outside ``paths`` stays known, so a copy of it inside the rebuilt
    partition is still a duplicate. Where the warehouse places files outside dated folders is
    kept (:attr:`LedgerView.placed`).
    """
    kept = {path: entries for path, entries in ledger.by_path.items() if path not in paths}
    return LedgerView(by_path=kept, placed=ledger.placed)


def _known_path(plan: RunPlan) -> Location:
    return plan.staging().root / "known.json"


def _save_known(plan: RunPlan, ledger: LedgerView) -> None:
    """Snapshot what batches need from the ledger: the article each known file content gave,
    and the ledger entries of the files they will read (a file whose content is unchanged keeps
    its outcome)."""
    paths = {f["path"] for batch in plan.batches for f in batch}
    known = {
        "file_articles": ledger.file_articles,
        "entries": sorted(
            [path, e.sha256, e.outcome, e.article_id, e.latest]
            for path, entries in ledger.by_path.items()
            if path in paths
            for e in entries
        ),
        "placed": {
            path: {record: [d.isoformat() for d in days] for record, days in records.items()}
            for path, records in ledger.placed.items()
            if path in paths
        },
    }
    _known_path(plan).write_text(json.dumps(known))


#: The ledger snapshot this process built last: ``url -> (parsed JSON, view)`` (read-only).
_KNOWN: dict[str, tuple[Any, LedgerView]] = {}


def _load_known(plan: RunPlan) -> LedgerView:
    from etl.ingest.ledger import LedgerEntry

    path = _known_path(plan)
    data = _read_json(path)
    cached = _KNOWN.get(path.url)
    if cached is not None and cached[0] is data:
        return cached[1]  # the same snapshot: its view is built already
    view = LedgerView(file_articles=data["file_articles"])
    view.placed = {
        path: {record: [date.fromisoformat(d) for d in days] for record, days in records.items()}
        for path, records in data.get("placed", {}).items()
    }
    for file_path, sha, outcome, article_id, *latest in data["entries"]:
        # a run planned before `latest` was recorded (cleared in Airflow after an upgrade) has
        # four fields: every entry counts, as it did then (review, session 39)
        newest = bool(latest[0]) if latest else True
        view.by_path.setdefault(file_path, []).append(
            LedgerEntry(sha, -1, None, outcome, article_id, latest=newest)
        )
    _KNOWN.clear()
    _KNOWN[path.url] = (data, view)
    return view


_P = ParamSpec("_P")
_R = TypeVar("_R")

#: Where each step of a run notes why it failed, inside the run's staging folder.
FAILURES_DIR = leftovers.FAILURES_DIR


def describe_error(error: BaseException) -> str:
    """How a run's failure is recorded: the error's type and its whole message (any password
    in a DuckLake URL it quotes masked)."""
    return redact(f"{type(error).__name__}: {error}")


def _is_transient(error: BaseException) -> bool:
    """Whether recording the failure would only wait for the lock the error says is held."""
    return isinstance(error, NewsEtlError) and error.retryable


def note_failure(staging_dir: str | Path, step: str, error: BaseException) -> None:
    """Write why ``step`` failed into the run's staging folder, for :func:`record_failure`
    (which may run in another process, e.g. the DAG's ``record_failure`` task)."""
    root = location(staging_dir)
    if not root.is_dir():
        return  # no run staged there: nothing to note against
    note = {"step": step, "error": describe_error(error), "at": datetime.now(UTC).isoformat()}
    (root / FAILURES_DIR / f"{step}.json").write_text(json.dumps(note))


#: The failures a run's steps noted, earliest first (read by ``status`` too).
noted_failures = leftovers.noted_failures


def _notes_failure(
    step: str, per_batch: bool = False
) -> Callable[
    [Callable[Concatenate[str | Path, _P], _R]], Callable[Concatenate[str | Path, _P], _R]
]:
    """A run step that notes its failure (see :func:`note_failure`) before raising it; a DuckDB
    statement of the step that could not reach an object store (the staging's, or a lake's data
    path) is raised as the retryable :class:`~etl.errors.ObjectStoreUnavailableError`. The note
    is named by the step (``validate``) and, for a ``per_batch`` step, the batch its first
    argument after the staging folder gives (``ingest-3``); the step's other arguments stay out
    of it (the suites' parameters made a file name too long to write: the reason was lost)."""

    def wrap(
        fn: Callable[Concatenate[str | Path, _P], _R],
    ) -> Callable[Concatenate[str | Path, _P], _R]:
        @functools.wraps(fn)
        def noted(staging_dir: str | Path, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                with reaching_with_duckdb():
                    return fn(staging_dir, *args, **kwargs)
            except Exception as exc:
                batch = args[0] if args else kwargs.get("batch")
                name = f"{step}-{batch}" if per_batch else step
                try:
                    note_failure(staging_dir, name, exc)
                except Exception as unnoted:  # e.g. the object store is unreachable too
                    log.warning("%s failed and could not note why: %s", name, unnoted)
                raise

        return noted

    return wrap


@_notes_failure(Stage.INGEST, per_batch=True)
def ingest_batch(staging_dir: str | Path, batch: int) -> dict[str, int]:
    """Ingest stage for one batch: read, hash, decode and parse its files."""
    started = time.perf_counter()
    from etl.ingest.reader import IngestContext, ingest_files

    plan = RunPlan.load(staging_dir)
    settings = plan.settings_obj()
    ctx = IngestContext(
        landing=settings.landing,
        partition_date=date.fromisoformat(plan.partition_date) if plan.partition_date else None,
        fallback_date=date.fromisoformat(plan.fallback_date),
        today=datetime.now(UTC).date(),
        max_file_bytes=settings.max_file_bytes,
        txt_layout=settings.txt_layout,
        future_date_allowance_days=settings.future_date_allowance_days,
        max_article_chars=settings.max_article_chars,
        rebuild=plan.mode == LoadMode.REBUILD,
        holders=frozenset(plan.holders),
    )
    files = [_file_from(d) for d in plan.batches[batch]]
    result = ingest_files(files, ctx, _load_known(plan))
    staging = plan.staging()
    staging.write("ingested", batch, result.articles)
    staging.write("ledger", batch, result.ledger)
    staging.write("quarantine", batch, result.quarantine)
    # The counts of the caller (files), and the stage row: files in, records out (the text
    # row's n_in), files whose bytes were loaded before, and every quarantine row written (a
    # file refused whole is one; a broken line of a file that loads, another).
    duplicates = result.files_duplicate
    quarantined = result.files_quarantined
    counts = {
        "files": len(files),
        "articles": len(result.articles),
        "duplicates": duplicates,
        "quarantined": quarantined,
        "deferred": result.deferred,
        "unchanged": result.unchanged,
    }
    _append_stats(
        staging,
        batch,
        stage_stats_row(
            INGEST,
            len(files),
            len(result.articles),
            duplicates,
            len(result.quarantine),
            time.perf_counter() - started,
        ),
    )
    return counts


@_notes_failure(Stage.TEXT, per_batch=True)
def text_batch(staging_dir: str | Path, batch: int) -> dict[str, int]:
    """Text stage for one batch: clean, split into sentences and tokens, count terms."""
    started = time.perf_counter()  # the text modules' import is part of the stage
    from etl.text.batch import process_batch

    plan = RunPlan.load(staging_dir)
    settings = plan.settings_obj()
    staging = plan.staging()
    ingested = staging.read("ingested", batch)
    out = process_batch(ingested, settings.max_article_chars)
    staging.write("articles", batch, out.articles)
    staging.write("terms", batch, out.terms)
    # Ingest's rows, then this step's: rows an earlier try of this step appended (a worker that
    # died after this write) are replaced, not appended again, so a retry stages the same file.
    previous = staging.read("quarantine", batch).to_pylist()
    kept = [row for row in previous if row["stage"] != Stage.TEXT]
    if out.quarantine or len(kept) != len(previous):
        staging.write("quarantine", batch, kept + out.quarantine)
    _append_stats(
        staging,
        batch,
        stage_stats_row(
            TEXT,
            ingested.num_rows,
            len(out.articles),
            0,
            len(out.quarantine),
            time.perf_counter() - started,
        ),
    )
    return {
        "articles": len(out.articles),
        "terms": len(out.terms["term"]),
        "quarantined": len(out.quarantine),
    }


def _append_stats(staging: RunStaging, batch: int, row: dict[str, Any]) -> None:
    """Stage ``row`` for ``batch``, replacing an earlier row of the same stage (a retry)."""
    rows: list[dict[str, Any]] = []
    if staging.path("stage_stats", batch).exists():
        rows = staging.read("stage_stats", batch).to_pylist()
    rows = [r for r in rows if r["stage"] != row["stage"]]
    staging.write("stage_stats", batch, [*rows, row])


@_notes_failure(Stage.VALIDATE)
def validate_run(
    staging_dir: str | Path, setup_seconds: float = 0.0, params: dict[str, Any] | None = None
) -> dict[str, int]:
    """Validate stage for the whole run: every expectation suite over the run's batches, checked
    together (see :mod:`etl.validate.stage`); failing records are rejected. ``setup_seconds``:
    time the caller already spent on this stage (importing GX before forking it). ``params``:
    the suites' parameters (:func:`_suite_parameters`) when the caller has them already."""
    started = time.perf_counter() - setup_seconds  # the validate modules' import is part of it
    from etl.validate.stage import validate_staged
    from etl.validate.suites import load_suites

    plan = RunPlan.load(staging_dir)
    settings = plan.settings_obj()
    staging = plan.staging()
    has_articles = any(staging.rows("articles", b) for b in range(plan.n_batches))
    # Without articles (e.g. a rerun with nothing new) GX, which costs seconds to import, and
    # the language model behind the suite parameters are not loaded at all.
    if params is None:
        params = _suite_parameters(plan, settings) if has_articles else {}
    specs = load_suites(settings.expectations_dir)
    staging.clear_gx_results()  # a retried step leaves no stale results behind
    result = validate_staged(
        staging, plan.n_batches, specs, params, settings.validate_chunk_articles
    )
    for batch in range(plan.n_batches):
        staging.write("checks", batch, result.checks.get(batch, []))
        staging.write("rejected", batch, result.rejected.get(batch, []))
    for index, (name, gx_result) in enumerate(result.results):
        staging.write_gx_result(
            f"{index:03d}-{gx_result.get('suite_name', 'suite')}",
            {"batch_identifier": name, "result": gx_result},
        )
    seconds = time.perf_counter() - started
    total = sum(result.articles.values())
    for batch in range(plan.n_batches):
        n_in, n_rejected = result.articles[batch], len(result.rejected.get(batch, []))
        # The run is checked as a whole: each batch is charged its share of the time.
        share = n_in / total if total else 1 / plan.n_batches
        _append_stats(
            staging,
            batch,
            stage_stats_row(VALIDATE, n_in, n_in - n_rejected, 0, n_rejected, seconds * share),
        )
    return {
        "articles": total,
        "rejected": sum(len(rows) for rows in result.rejected.values()),
        "failed_expectations": result.failed_expectations,
    }


def _suite_parameters(plan: RunPlan, settings: Settings) -> dict[str, Any]:
    """The ``$PARAMETER`` values of the run's suites (date range, thresholds, languages)."""
    from etl.text.language import known_languages
    from etl.validate.runner import suite_parameters

    run_date = date.fromisoformat(plan.partition_date) if plan.partition_date else None
    return suite_parameters(run_date, datetime.now(UTC).date(), settings, known_languages())


def process_batch(staging_dir: str | Path, batch: int) -> None:
    """Ingest and text stages of one batch, in order (validation runs over the whole run)."""
    ingest_batch(staging_dir, batch)
    text_batch(staging_dir, batch)


def _post_load_check(
    plan: RunPlan, settings: Settings, staging: RunStaging, gx: Helper | None = None
) -> PostLoadCheck:
    """The post-load warehouse suites as the loader's callback; GX's results of each suite are
    staged for the run's Data Docs. With a helper ``gx``, this process reads the frames and the
    helper judges them.

    When the batches ran GX (they had articles), GX is imported here, before the warehouse's
    writer lock is taken, so the lock is not held for the seconds the import costs.
    """
    from etl.validate.runner import suite_parameters, warm_up
    from etl.validate.warehouse import check_frames, check_warehouse

    judge = check_frames if gx is None else functools.partial(gx.call, check_frames)
    if gx is None and any(staging.rows("checks", b) for b in range(plan.n_batches)):
        warm_up()

    # The suites' parameters come from the run's planned settings, never from this process's
    # environment (an Airflow load task may run with other variables than the plan task).
    run_date = date.fromisoformat(plan.partition_date) if plan.partition_date else None
    params = suite_parameters(run_date, datetime.now(UTC).date(), settings)

    def check(con: Any, expected: dict[date, int]) -> list[dict[str, Any]]:
        with timed(POST_LOAD_CHECKS):
            outcome = check_warehouse(con, expected, settings.expectations_dir, params, judge)
        for index, result in enumerate(outcome.results):
            staging.write_gx_result(
                f"post-load-{index:03d}-{result.get('suite_name', 'suite')}",
                {"batch_identifier": "warehouse", "result": result},
            )
        return outcome.checks

    return check


def _quality_page(settings: Settings, run_id: str) -> Path:
    """Write the run's self-contained HTML quality page (see :mod:`etl.quality`)."""
    from etl.quality import write_quality_page

    return write_quality_page(settings.warehouse, run_id, settings.reports_root)


def write_data_docs(settings: Settings, plan: RunPlan) -> Path | None:
    """Build the GX Data Docs of a run from its staged validation results into
    ``<reports dir>/<run_id>/data_docs/``; the path of its ``index.html``, or ``None`` when the
    run validated nothing or the docs could not be built (logged: the data is committed)."""
    from etl.validate.suites import load_suites

    results = plan.staging().read_gx_results()
    if not results:
        return None
    try:
        from etl.validate.docs import DOCS_DIR, build_data_docs

        specs = load_suites(settings.expectations_dir)
        specs += load_suites(settings.expectations_dir, stage="post_load")
        return build_data_docs(
            results,
            specs,
            settings.reports_root / plan.run_id / DOCS_DIR,
            plan.run_id,
            datetime.fromisoformat(plan.started_at),
        )
    except Exception as exc:  # a rendering problem must not fail a committed run
        _raise_interrupt(exc)
        first = (str(exc).splitlines() or [""])[0]
        log.warning("GX Data Docs for %s not built: %s: %s", plan.run_id, type(exc).__name__, first)
        return None


def _raise_interrupt(exc: Exception) -> None:
    """Raise the Ctrl-C or SIGTERM that ``exc`` stands for (:func:`~etl.errors.interrupt_of`):
    a step that goes on after a failure went on after an interrupt too, and SIGTERM was ignored
    (probe)."""
    if (interrupt := interrupt_of(exc)) is not None:
        raise KeyboardInterrupt(*interrupt.args) from exc


def _after_commit(what: str, run_id: str, step: Callable[[], T]) -> T | None:
    """Run a step that follows the run's COMMIT (pages, clean-up): if it fails (a full disk, a
    read-only folder), warn and go on; the run is committed and stays a success."""
    try:
        return step()
    except Exception as exc:
        _raise_interrupt(exc)
        log.warning(
            "run %s is committed, but %s failed: %s: %s", run_id, what, type(exc).__name__, exc
        )
        return None


def _publish(
    settings: Settings, plan: RunPlan, built: Callable[[], Path | None] | None = None
) -> Path | None:
    """The run's GX Data Docs when reports are written (``built``: the wait for the docs built
    elsewhere, by the run's helper; else they are built here), then its quality page (which
    names them); the Data Docs' index, if built."""
    docs = None
    if built is not None:
        docs = _after_commit("building the GX Data Docs", plan.run_id, built)
    elif settings.write_reports:
        docs = write_data_docs(settings, plan)
    _after_commit(
        "writing the quality page", plan.run_id, lambda: _quality_page(settings, plan.run_id)
    )
    return docs


def _docs_in_helper(settings: Settings, staging: RunStaging) -> bool:
    """Whether a run with a GX helper has it build the Data Docs: reports are written and the
    run has GX results (without them there are no docs, and waiting for the helper's GX import
    would cost a second; review)."""
    return settings.write_reports and staging.has_gx_results()


def _data_docs_of(staging_dir: str | Path) -> Path | None:
    """:func:`write_data_docs` of the run staged in ``staging_dir`` (a call the run's helper
    runs)."""
    plan = RunPlan.load(staging_dir)
    return write_data_docs(plan.settings_obj(), plan)


def unplanned_facts(
    settings: Settings,
    run_id: str,
    started: datetime,
    trigger: str,
    external_run_id: str | None,
    partition_date: date | None,
    mode: Mode,
) -> RunFacts:
    """What the run record knows of a run that has no plan (its plan step failed)."""
    from etl.load.loader import RunFacts

    return RunFacts(
        run_id=run_id,
        trigger=trigger,
        external_run_id=external_run_id,
        partition_date=partition_date,
        mode=mode,
        landing=str(settings.landing),
        started_at=started,
        code_version=__version__,
        text_version=TEXT_VERSION,
        files_seen=0,
        unchanged=[],
        files_deferred_plan=0,
        max_quarantine_share=settings.max_quarantine_share,
        quarantine_check_min_files=settings.quarantine_check_min_files,
        story_window_days=settings.story_window_days,
    )


def _replayed(plan: RunPlan) -> list[tuple[str, str]]:
    """``(path, sha256)`` of the quarantined files whose verdict the replay of ``plan`` forgot
    (saved in its staging folder first; ``""`` for a refusal); none for any other run."""
    from etl.load.replay import saved_forgotten

    forgotten = saved_forgotten(plan.staging().root)
    if forgotten is None:
        return []
    quarantined = str(LedgerOutcome.QUARANTINED)
    return [(path, sha) for path, sha, outcome in forgotten.rows if outcome == quarantined]


def run_facts(plan: RunPlan, settings: Settings) -> RunFacts:
    """What the loader and the run record know of a planned run besides its staged data."""
    from etl.load.loader import RunFacts

    return RunFacts(
        run_id=plan.run_id,
        trigger=plan.trigger,
        external_run_id=plan.external_run_id,
        partition_date=date.fromisoformat(plan.partition_date) if plan.partition_date else None,
        mode=plan.mode,
        landing=str(settings.landing),
        started_at=datetime.fromisoformat(plan.started_at),
        code_version=__version__,
        text_version=TEXT_VERSION,
        files_seen=plan.files_seen,
        unchanged=plan.unchanged,
        refused=plan.refused,
        refusing=[(path, reason, detail) for path, reason, detail in plan.refusing],
        refused_again=plan.refused_again,
        replayed=_replayed(plan),
        files_deferred_plan=plan.files_deferred,
        files_new_plan=plan.files_new,
        max_quarantine_share=settings.max_quarantine_share,
        quarantine_check_min_files=settings.quarantine_check_min_files,
        story_window_days=settings.story_window_days,
    )


@_notes_failure(Stage.LOAD)
def load_run(
    staging_dir: str | Path, gx: Helper | None = None, hold: contextlib.ExitStack | None = None
) -> LoadSummary:
    """Load stage: commit all staged batches of the run in one transaction, then build its Data
    Docs and report; the times of these steps go to ``etl_run_stage``. The writer lock is held
    from the load to the last page (:func:`~etl.warehouse.holding_writer_lock`), and with
    ``hold`` until the caller's stack ends (the CLI prints its summary first). ``gx``: the
    run's helper process (:mod:`etl.children`), which then runs the post-load suites and
    builds the Data Docs while this process draws the report's charts."""
    with recording() as recorder, contextlib.ExitStack() as own:
        plan = RunPlan.load(staging_dir)
        settings = plan.settings_obj()
        with timed(LOAD):  # the wait for the lock too, as the load's own writer counted it
            (own if hold is None else hold).enter_context(holding_writer_lock(settings))
            summary = _load(plan, settings, gx)
        charts, drawn = None, 0.0
        built: Callable[[], Path | None] | None = None
        if gx is not None and _docs_in_helper(settings, plan.staging()):
            with timed(DATA_DOCS):
                gx.submit(_data_docs_of, plan.staging_dir)
            built = gx.result
            drawing = time.perf_counter()
            charts = _after_commit(
                "drawing the report's charts", plan.run_id, lambda: _charts(settings, plan)
            )
            drawn = time.perf_counter() - drawing  # a part of the report, recorded with it
        with timed(DATA_DOCS):
            summary.data_docs = _publish(settings, plan, built)
        staging = plan.staging()
        if settings.keep_staging:
            (staging.root / leftovers.KEPT).touch()
        else:
            _after_commit("removing its staging folder", plan.run_id, staging.remove)
        _record_stage_times(settings, plan.run_id, recorder.take(), summary)
        if settings.write_reports:
            with timed(REPORT):
                summary.report = write_report(settings, plan.run_id, charts)
            recorder.add(REPORT, drawn)
            _record_stage_times(settings, plan.run_id, recorder.take(), summary)
    return summary


def _charts(settings: Settings, plan: RunPlan) -> Charts:
    """The charts of ``plan``'s run report, drawn from the committed warehouse."""
    from etl.report.run_report import report_charts

    return _reading(settings, lambda con: report_charts(con, plan.run_id))


def _load(plan: RunPlan, settings: Settings, gx: Helper | None = None) -> LoadSummary:
    """The load transaction of ``plan``'s staged batches; a refused run gets its Data Docs
    before its :class:`BatchValidationError` is raised."""
    from etl.load.loader import STAGED_TABLES, load_staged

    staging = plan.staging()
    batches = range(plan.n_batches)
    staged = {table: staging.files(table, batches) for table in STAGED_TABLES}
    missing = [b for b in batches if not staging.path("rejected", b).exists()]
    if missing:
        raise StagingError(f"run {plan.run_id}: batches {missing} were not validated")
    facts = run_facts(plan, settings)
    post_load = _post_load_check(plan, settings, staging, gx)
    try:
        with writer(settings) as con:
            return load_staged(con, facts, staged, schema_version(con), post_load)
    except BatchValidationError:
        # the refused run's results are recorded: show them
        built = None
        if gx is not None and _docs_in_helper(settings, staging):
            built = functools.partial(gx.call, _data_docs_of, plan.staging_dir)
        _publish(settings, plan, built)
        raise


def _record_stage_times(
    settings: Settings, run_id: str, times: list[StageTime], summary: LoadSummary
) -> None:
    """Add the stages measured around the load (and the CLI's start-up) to ``etl_run_stage``
    of a committed run; their record counts are the run's loaded articles, and the ``load``
    row also counts the duplicates it settled."""
    if not times:
        return
    import pyarrow as pa

    rows = [{"run_id": run_id, **t.row()} for t in times]
    for row in rows:
        row["n_in"] = row["n_out"] = summary.articles_loaded
        if row["stage"] == LOAD:
            row["n_in"] = summary.articles_loaded + summary.duplicates
            row["n_duplicate"] = summary.duplicates
    try:
        with writer(settings) as con:
            con.register("run_stage_times", pa.Table.from_pylist(rows))
            con.execute(
                "DELETE FROM etl_run_stage WHERE run_id = ? "
                "AND stage IN (SELECT stage FROM run_stage_times)",
                [run_id],
            )
            con.execute(
                "INSERT INTO etl_run_stage BY NAME SELECT run_id, stage, n_in::INTEGER AS n_in,"
                " n_out::INTEGER AS n_out, n_duplicate::INTEGER AS n_duplicate,"
                " n_quarantined::INTEGER AS n_quarantined, seconds FROM run_stage_times"
            )
            con.unregister("run_stage_times")
    except NewsEtlError as exc:  # the data is committed; a busy warehouse must not undo that
        log.warning("stage times of %s not recorded: %s", run_id, exc)


def _reading(settings: Settings, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """``read`` over a reader of the warehouse, closed afterwards."""
    from etl.query import open_reader
    from etl.warehouse import closing

    with closing(open_reader(settings.warehouse, wait_s=settings.lock_timeout_s)) as con:
        return read(con)


def render_report(
    settings: Settings, run_id: str | None = None, charts: Charts | None = None
) -> Path:
    """Write the HTML report of ``run_id`` (default: the latest run) and return its path;
    raises what reading the warehouse raises (no such run, no warehouse, ...). ``charts``: the
    pages' charts drawn already (:func:`etl.report.run_report.report_charts`)."""
    from etl.report.run_report import write_run_report

    return _reading(
        settings, lambda con: write_run_report(con, settings.reports_root, run_id, charts)
    )


def write_report(
    settings: Settings, run_id: str | None = None, charts: Charts | None = None
) -> Path | None:
    """:func:`render_report` after a run: ``None`` if it failed. A report that cannot be
    rendered never fails a run whose data is already committed; the reason is logged and
    ``news-etl report`` can rebuild it later."""
    try:
        return render_report(settings, run_id, charts)
    except Exception as exc:  # the data is committed; a report problem must not undo that
        log.warning("run report for %s not written: %s", run_id or "the latest run",
                    redact(str(exc)))  # fmt: skip
        return None


def _abandoned_why(staging: Location) -> str:
    """The error recorded for an abandoned run: the failure one of its steps noted (a run that
    gave up on a busy warehouse, exit 75, was said to have been killed: probe, session 40),
    else that its process ended before it did."""
    notes = noted_failures(staging)
    if notes:  # the last: a step tried again may have failed anew, or been killed (review)
        return (
            f"abandoned: nothing loaded; its last noted failure: {notes[-1]['step']}: "
            + (notes[-1]["error"])
        )
    return "abandoned: its process ended before the run did (killed?); nothing loaded"


def reclaim_leftovers(settings: Settings) -> list[str]:
    """Find runs into this warehouse that were killed (see :mod:`etl.leftovers`), record each
    that has no ``etl_run`` row as ``abandoned`` (through the one run-record writer), remove
    their staging folders and half-built Data Docs, and say so (logged as warnings); the
    messages. Another warehouse's leftovers in a shared staging root are left to it."""
    from etl.load.replay import remember_again, saved_for, saved_forgotten

    found = [
        item
        for item in leftovers.find_abandoned(settings.staging_root, settings.abandoned_after_s)
        if leftovers.same_warehouse(item.plan or saved_for(item.staging), settings.target)
    ]
    if not found:
        return []
    messages: list[str] = []
    # Plan-less folders (killed before planning) have nothing to record: a warehouse that does
    # not exist is not created for them (it would be, by a run whose landing zone is missing).
    needed = settings.target.exists() or any(item.plan is not None for item in found)
    with writer(settings) if needed else contextlib.nullcontext() as con:
        for item in found:
            what = f"removed its staging folder ({item.size_bytes / 1e6:.1f} MB)"
            known = (
                con.execute("SELECT status FROM etl_run WHERE run_id = ?", [item.run_id]).fetchone()
                if con is not None
                else None
            )
            if known is None and item.plan is not None and con is not None:
                why = _abandoned_why(item.staging)
                try:
                    plan = RunPlan(**item.plan)
                    facts = run_facts(plan, plan.settings_obj())
                    record_failed_run(
                        con, facts, why, schema_version(con), status=RunStatus.ABANDONED
                    )
                    what = "recorded as 'abandoned' in etl_run; " + what
                except (TypeError, ValueError, duckdb.Error) as exc:
                    what = f"could not be recorded ({exc}); " + what
            forgotten = saved_forgotten(item.staging)
            if (
                forgotten is not None
                and con is not None
                and _uncommitted(known)
                and remember_again(con, forgotten)  # 0: put back already (a failed run)
            ):
                # a replay killed before its run's COMMIT: what it forgot is remembered again
                what = (
                    f"put back the verdicts its replay had forgotten on "
                    f"{plural(len(forgotten.paths), 'file')}; " + what
                )
            if known is not None and known[0] == RunStatus.SUCCESS and con is not None:
                # killed between its lake COMMIT and the row naming its snapshot (probe)
                from etl import lake

                if lake.is_lake(con) and lake.record_missing_snapshot(con, item.run_id):
                    what = "recorded its snapshot in etl_run_snapshot; " + what
            if leftovers.remove(item, settings.reports_root):  # said only when there was one
                what += f" and {leftovers.DOCS_TMP}"
            if known is None:
                state = "was abandoned"
            elif known[0] == RunStatus.FAILED:  # kept for inspection (README): not killed
                state = "ended (failed) and kept its staging folder for inspection until now"
            else:
                state = f"ended ({known[0]}) without cleaning up"
            message = f"run {item.run_id} {state}: {what}"
            if (
                known is not None
                and known[0] == RunStatus.SUCCESS  # a failed run's pages are not missing
                and settings.write_reports
                and not _has_report(settings, item.run_id)
            ):
                # killed after its COMMIT, before its pages: say so, or latest.html goes on
                # showing the run before it without a word (probe)
                message += (
                    f"; its pages were not written: `news-etl report --run {item.run_id}` "
                    "writes its report (its GX Data Docs cannot be rebuilt)"
                )
            log.warning("%s", message)
            messages.append(message)
    return messages


def _uncommitted(known: tuple[Any, ...] | None) -> bool:
    """Whether a leftover run, by its ``etl_run`` row (``None``: none), committed nothing."""
    return known is None or known[0] != RunStatus.SUCCESS


def _has_report(settings: Settings, run_id: str) -> bool:
    """Whether the run's report page was written."""
    from etl.report.run_report import REPORT_PAGE

    return (settings.reports_root / run_id / REPORT_PAGE).exists()


@dataclass(frozen=True)
class RecordedFailure:
    """What became of a failure: the error the warehouse holds for the run, and whether the
    run's row is there."""

    error: str
    recorded: bool
    why_not: str = ""  # why the run's row could not be written, when it could not

    def note(self, run_id: str) -> str:
        """Where an operator finds the failed run (said after the error by the CLI)."""
        if self.recorded:
            return f"run {run_id} is recorded as failed in etl_run (news-etl status)"
        return f"run {run_id} is not recorded in etl_run: {self.why_not}"


def _record(
    settings: Settings, facts: RunFacts, cause: str, create: bool = False
) -> RecordedFailure:
    """Record ``facts``' run as failed with ``cause`` (see
    :func:`etl.load.record.record_failed_run`). A failure that cannot be recorded is logged and
    said in the result, never raised over the run's own error. ``create``: a warehouse that
    does not exist yet is made (its schema, then the record), as a first ``news-etl run`` makes
    it while it validates; without it (a run that failed to plan: its landing zone may be a
    typo) the failure is only logged."""
    if not create and not settings.target.exists():
        log.warning("run %s failed (%s); no warehouse at %s to record it in",
                    facts.run_id, cause, settings.warehouse)  # fmt: skip
        why_not = f"no warehouse at {settings.warehouse}"
        return RecordedFailure(f"{cause} (not recorded: {why_not})", False, why_not)
    try:
        with writer(settings) as con:
            return RecordedFailure(record_failed_run(con, facts, cause, schema_version(con)), True)
    except (NewsEtlError, OSError) as exc:
        why_not = describe_error(exc)
        if why_not == cause:  # e.g. the warehouse cannot be opened: the error says it already
            why_not = "the warehouse refused it with the same error"
        else:
            log.warning("run %s failed (%s) and could not be recorded: %s",
                        facts.run_id, cause, why_not)  # fmt: skip
        return RecordedFailure(f"{cause} (not recorded in etl_run: {why_not})", False, why_not)


#: The cause recorded when a step failed without noting why (e.g. its process was killed).
UNNOTED_CAUSE = "a step of the run failed without noting why (killed?); see its log"


def _record_failure(staging_dir: str | Path, error: BaseException | None) -> RecordedFailure:
    plan = RunPlan.load(staging_dir)
    notes = noted_failures(staging_dir)
    if notes:  # the last: a step cleared and run again fails anew, its old note is stale
        cause = f"{notes[-1]['step']}: {notes[-1]['error']}"
    else:
        cause = describe_error(error) if error is not None else UNNOTED_CAUSE
    settings = plan.settings_obj()
    # planned: its landing zone is there, so a first run's failure makes the warehouse to record
    # it in, whichever path ran it (the DAG's tasks, a backfill, a run without its GX helper)
    return _record(settings, run_facts(plan, settings), cause, create=True)


def record_failure(staging_dir: str | Path, error: BaseException | None = None) -> str:
    """Record a run that failed as ``failed`` in ``etl_run``, with the real cause, unless the
    load already recorded it (e.g. a batch-level data-quality refusal); a failure recorded
    before (the run was cleared and failed again) is replaced.

    The cause is the last failure a step noted in the run's staging folder (the steps of a
    cleared run note theirs anew), else ``error``.
    Returns the error the warehouse holds for the run (or would, when it cannot be written).
    """
    return _record_failure(staging_dir, error).error


def record_plan_failure(
    settings: Settings,
    *,
    external_run_id: str,
    partition_date: date | None = None,
    mode: Mode = LoadMode.MERGE,
    trigger: str = "airflow",
) -> str:
    """The recorded error of the run ``external_run_id`` whose plan failed (the plan records its
    own failure); when the plan could not record it, record the failure now."""
    if settings.target.exists():
        with locked_reader(settings) as con:
            row = None if con is None else con.execute(
                "SELECT error FROM etl_run WHERE external_run_id = ? "
                f"AND status = '{RunStatus.FAILED}' "
                "ORDER BY started_at DESC LIMIT 1",
                [external_run_id],
            ).fetchone()  # fmt: skip
        if row is not None and row[0]:
            return str(row[0])
    started = datetime.now(UTC)
    facts = unplanned_facts(settings, new_run_id(started), started, trigger, external_run_id,
                            partition_date, mode)  # fmt: skip
    cause = "plan: the plan step failed without recording why; see its log"
    return _record(settings, facts, cause).error


def _process_batches(
    plan: RunPlan, workers: int, progress: Progress | None, gx: Helper | None = None
) -> None:
    """Ingest and text stages of every batch: in this process when there is one batch, else in
    a pool of ``workers`` processes (one worker too: this process meanwhile imports GX for the
    validate step, and the batches' heap, ~0.3 GB at 100,000 articles, goes back to the system
    with the worker instead of staying through the load). A staging store only this process
    sees (``memory://``) keeps every batch here. Each batch writes only its own staged files, so
    the order batches finish in changes nothing. (A single batch in a worker was tried: its
    text step then imports scipy, which GX's import in this process needs as well, so the wait
    for GX stays as long and nothing is gained.)"""
    n = plan.n_batches
    if n <= 1 or location(plan.staging_dir).is_process_local:
        for batch in range(n):
            process_batch(plan.staging_dir, batch)
            if progress:
                progress("batch", batch, n)
        return
    import multiprocessing
    from concurrent.futures import as_completed

    # fork: a worker starts with this process's imports instead of importing them again.
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    heap.freeze_inherited_heap_in_forked_children()
    started = time.perf_counter()
    with worker_pool(min(workers, n), context) as pool:
        futures = [pool.submit(process_batch, plan.staging_dir, b) for b in range(n)]
        # While the workers read and tokenize, this process imports GX for the validate step
        # (the workers were forked at the first submit, without it), unless a helper does.
        if gx is None:
            from etl.validate.runner import warm_up

            warm_up()
        for done, future in enumerate(as_completed(futures)):
            future.result()
            if progress:
                progress("batch", done, n)
    _share_wall_time(plan, time.perf_counter() - started)


def _validate(
    staging_dir: str | Path, setup_seconds: float = 0.0, params: dict[str, Any] | None = None
) -> None:
    """The validate stage of an in-process run (in this process, or in the run's GX helper:
    see :mod:`etl.children`); ``setup_seconds`` and ``params`` as for :func:`validate_run`. A
    run of several batches with articles is validated in a forked child process: the frames of
    its chunks (~0.8 GB left in a heap after a 100,000-article run) go back to the system when
    the child exits, instead of staying through the load, the run's memory peak. GX is
    imported first: the post-load checks need it in this process anyway, and the child starts
    with it."""
    import multiprocessing

    plan = RunPlan.load(staging_dir)
    staging = plan.staging()
    if (
        plan.n_batches <= 1
        or not Helper.can_fork()
        or location(plan.staging_dir).is_process_local
        or not any(staging.rows("articles", b) for b in range(plan.n_batches))
    ):
        validate_run(plan.staging_dir, setup_seconds, params)
        return
    from etl.validate.runner import warm_up

    started = time.perf_counter() - setup_seconds
    warm_up()  # a no-op when the pool's wait (or the helper) already imported GX
    imported = time.perf_counter() - started
    context = multiprocessing.get_context("fork")
    heap.freeze_inherited_heap_in_forked_children()
    with worker_pool(1, context) as child:
        child.submit(validate_run, plan.staging_dir, imported, params).result()


def _validate_stage(plan: RunPlan, gx: Helper | None) -> None:
    """Validate ``plan``'s batches: in the helper ``gx`` when there is one, else here. With a
    helper, this process works out the suites' parameters (the language codes need the language
    model, which the text stage loaded here: ~0.1 s more for the helper); then, in a thread,
    while the helper finishes importing GX and validates, readies the load: imports the load's
    and the report's modules (~0.3 s) and makes a warehouse that does not exist yet (its ~40
    migrations: ~0.3 s). The stage's seconds are the wall time this process spent in it,
    whichever of the two finished last."""
    staging = plan.staging()
    if gx is None or not any(staging.rows("articles", b) for b in range(plan.n_batches)):
        _validate(plan.staging_dir)  # without articles, GX is not needed: no wait for it
        return
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    settings = plan.settings_obj()
    params = _suite_parameters(plan, settings)
    # The thread ends before the stage does, whatever happens: a failure is recorded after it.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="news-etl-ready") as thread:
        readied = thread.submit(_ready_the_load, settings)
        gx.settle()
        gx.call(_validate, plan.staging_dir, time.perf_counter() - started, params)
        readied.result()
    _share_wall_time(plan, time.perf_counter() - started, (VALIDATE,))


def _ready_the_load(settings: Settings) -> None:
    """What the load would otherwise do first, done while the run waits for its validation: the
    load's and the report's imports, and a new warehouse made with its schema (the plan
    migrated an existing one already), when its writer lock is free at once: a wait for
    another writer stays the load's (it kept a Ctrl-C waiting for the lock's whole timeout,
    and was counted as validation: review). A first run that then fails leaves the warehouse
    made, with the failed run recorded in ``etl_run`` (without it, nothing was recorded)."""
    import etl.load.loader

    if settings.write_reports:
        import etl.report.run_report  # noqa: F401  (matplotlib: ~0.2 s)
    if settings.target.exists():
        return
    with (
        contextlib.suppress(WarehouseLockedError, WarehouseBusyError),
        writer(settings, wait=False),
    ):
        pass  # made, with every migration applied


def _share_wall_time(plan: RunPlan, wall: float, pooled: tuple[str, ...] = (INGEST, TEXT)) -> None:
    """Scale the batches' seconds of the ``pooled`` stages, measured in other processes (the
    batches' pool; the helper that validates), so that they add up to the wall time this
    process spent on them (each batch keeps its share): a run's stage seconds then add up to
    its wall time whatever the number of workers."""
    staging = plan.staging()
    rows = {b: staging.read("stage_stats", b).to_pylist() for b in range(plan.n_batches)}
    busy = sum(r["seconds"] for batch in rows.values() for r in batch if r["stage"] in pooled)
    if busy <= 0:
        return
    for batch, batch_rows in rows.items():
        for r in batch_rows:
            if r["stage"] in pooled:
                r["seconds"] *= wall / busy
        staging.write("stage_stats", batch, batch_rows)


def stage_times(settings: Settings, run_id: str) -> list[tuple[str, float]]:
    """``(stage, seconds)`` of a run as ``etl_run_stage`` holds them."""
    from etl.warehouse import reader

    con = reader(settings.warehouse)
    try:
        rows = con.execute(
            "SELECT stage, seconds FROM etl_run_stage WHERE run_id = ?", [run_id]
        ).fetchall()
    finally:
        con.close()
    return [(str(stage), float(seconds)) for stage, seconds in rows]


def run(
    settings: Settings,
    *,
    partition_date: date | None = None,
    mode: Mode = LoadMode.MERGE,
    trigger: str = "cli",
    external_run_id: str | None = None,
    progress: Progress | None = None,
    before_plan: Callable[[Location], None] | None = None,
    gx: Helper | None = None,
    hold: contextlib.ExitStack | None = None,
) -> LoadSummary:
    """Plan, process every batch and load: a whole run in this process (the CLI's path);
    ``before_plan`` as for :func:`plan_run`. ``gx``: a helper process for the run's GX steps
    (:func:`etl.children.gx_helper`), else they run here. ``hold``: the writer lock taken for
    the load stays held until this stack ends (see :func:`load_run`). A run that fails (and
    is recorded) rewrites the pages of the newest run and the index, which lists it
    (:func:`_pages_after_failure`)."""
    try:
        plan = plan_run(
            settings,
            partition_date=partition_date,
            mode=mode,
            trigger=trigger,
            external_run_id=external_run_id,
            in_process=True,
            before_plan=before_plan,
        )
        try:
            return _run_planned(plan, progress, gx, hold)
        finally:
            release(plan.run_id)
    except NewsEtlError as exc:
        _pages_after_failure(settings, exc)
        raise


def _pages_after_failure(settings: Settings, error: NewsEtlError) -> None:
    """After a failed run: the newest run's report (the failed run's, once recorded),
    ``latest.html`` and the index, which lists every run: up to session 46 a failed run left
    the index without it (probe V). Skipped for a busy warehouse, and not waited for; never
    raises: the run's own error is what it ends with."""
    if not settings.write_reports or _is_transient(error) or not settings.target.exists():
        return
    try:
        # not waited for: a writer holding the warehouse made a run whose failure could not be
        # recorded wait out the lock's timeout (600 s) a second time, silently (review R1)
        render_report(settings.model_copy(update={"lock_timeout_s": 0.0}))
    except Exception as exc:
        _raise_interrupt(exc)
        log.info("pages not rewritten after the failed run: %s", redact(str(exc)))


def _run_planned(
    plan: RunPlan,
    progress: Progress | None,
    gx: Helper | None,
    hold: contextlib.ExitStack | None = None,
) -> LoadSummary:
    """Every step of a planned run, in this process (its GX steps in ``gx`` if given; ``hold``
    as for :func:`load_run`)."""
    if progress:
        progress(Stage.PLAN, -1, plan.n_batches)
    try:
        interrupts.check()  # a Ctrl-C caught inside the plan (DuckDB's lazy imports): stop
        _process_batches(plan, plan.settings_obj().workers, progress, gx)
        interrupts.check()
        _validate_stage(plan, gx)
        interrupts.check()
        if progress:
            progress(Stage.VALIDATE, -1, plan.n_batches)
        summary = load_run(plan.staging_dir, gx=gx, hold=hold)
    except Exception as exc:
        _raise_interrupt(exc)  # Ctrl-C or SIGTERM inside DuckDB: not a failure
        if not _is_transient(exc):
            exc.add_note(_record_failure(plan.staging_dir, exc).note(plan.run_id))
        else:  # the warehouse may still be busy: a later run records it (reclaim_leftovers)
            later = (
                "the next run"
                if location(plan.staging_dir).is_local
                else "a run once NEWS_ETL_ABANDONED_AFTER_S has passed"
            )
            exc.add_note(
                f"run {plan.run_id} loaded nothing; {later} records it in etl_run as "
                "abandoned, with this error"
            )
        raise
    if progress:
        progress(Stage.LOAD, -1, plan.n_batches)
    return summary
