"""Where a run's time goes: the stage names of ``etl_run_stage`` and a recorder the steps share.

Batch stages (``ingest``, ``text``, ``validate``) are staged per batch with their counts; the
others are measured around one call each. A dotted name is a part of the stage before the dot
(``load.stories`` is inside ``load``): sum only the undotted rows to get a run's total.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from etl.contracts import Stage, stage_stats_row

#: The parts of a run measured besides the pipeline's stages (:class:`Stage`), and the parts
#: of a stage (a dotted name: ``load.stories`` is inside ``load``).
STARTUP = "startup"  # process start, imports and settings, until the run begins (CLI only)
PLAN = Stage.PLAN  # reclaim killed runs, list the landing zone, read the ledger, cut batches
INGEST, TEXT, VALIDATE = Stage.INGEST, Stage.TEXT, Stage.VALIDATE
LOAD = Stage.LOAD  # the load transaction, writer lock wait included
STORIES = f"{Stage.LOAD}.stories"  # story assignment (inside load)
POST_LOAD_CHECKS = f"{Stage.LOAD}.post_load_checks"  # the post-load warehouse suites (in load)
DAILY_SUMS = f"{Stage.LOAD}.daily_sums"  # agg_daily_term of the touched days (inside load)
DATA_DOCS = "data_docs"  # GX Data Docs and the quality page
REPORT = "report"  # the run's HTML report
SUMMARY = "summary"  # the warehouse summary the CLI prints (in its stage table, not stored)

#: Every stage name ``etl_run_stage`` holds, in the order a run passes them: start-up, the
#: pipeline's stages (the load's parts after it), then what follows the load.
STAGES: tuple[str, ...] = (
    STARTUP,
    *Stage,
    STORIES,
    POST_LOAD_CHECKS,
    DAILY_SUMS,
    DATA_DOCS,
    REPORT,
    SUMMARY,
)


def is_part(stage: str) -> bool:
    """Whether ``stage`` is a part of another stage (its time is inside its parent's)."""
    return "." in stage


@dataclass
class StageTime:
    """One measured stage: seconds and the records that entered and left it."""

    stage: str
    seconds: float
    n_in: int = 0
    n_out: int = 0

    def row(self) -> dict[str, object]:
        """As an ``etl_run_stage`` row (without the run id)."""
        return stage_stats_row(self.stage, self.n_in, self.n_out, 0, 0, self.seconds)


@dataclass
class Recorder:
    """Stage times measured in this process, in the order they were taken."""

    times: list[StageTime] = field(default_factory=list)

    def add(self, stage: str, seconds: float, n_in: int = 0, n_out: int = 0) -> None:
        """Record ``stage`` (added to an earlier record of the same stage)."""
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        for t in self.times:
            if t.stage == stage:
                t.seconds += seconds
                t.n_in += n_in
                t.n_out += n_out
                return
        self.times.append(StageTime(stage, seconds, n_in, n_out))

    def take(self) -> list[StageTime]:
        """The records not taken yet; the recorder is empty afterwards."""
        taken, self.times = self.times, []
        return taken


_current: ContextVar[Recorder | None] = ContextVar("news_etl_stage_recorder", default=None)


@contextmanager
def recording() -> Iterator[Recorder]:
    """The active recorder, or a new one active inside the block."""
    active = _current.get()
    if active is not None:
        yield active
        return
    recorder = Recorder()
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Add the block's wall time to ``stage`` of the active recorder (none: not recorded)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        recorder = _current.get()
        if recorder is not None:
            recorder.add(stage, time.perf_counter() - started)


def since_process_start() -> float:
    """Seconds since this process was started (interpreter start-up and imports included),
    from Linux's ``/proc``; 0 where that is not available."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            # Fields after the command name (which may hold spaces): field 22 is the start time.
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0
    return max(0.0, up - started)


def format_stage_table(times: list[tuple[str, float]], wall: float) -> str:
    """The stage table the CLI prints after a run: seconds and share of ``wall`` per stage,
    parts indented under their stage, then the stages' total against the wall time."""
    order = {name: i for i, name in enumerate(STAGES)}
    rows = sorted(times, key=lambda t: (order.get(t[0], len(order)), t[0]))
    total = sum(seconds for stage, seconds in rows if not is_part(stage))

    def share(seconds: float) -> str:
        return f"{100 * seconds / wall:5.1f}%" if wall > 0 else ""

    lines = [f"{'stage':<26}{'seconds':>9}{'share':>8}"]
    for stage, seconds in rows:
        name = f"  {stage}" if is_part(stage) else stage
        lines.append(f"{name:<26}{seconds:>9.2f}{share(seconds):>8}")
    lines.append(f"{'stages total':<26}{total:>9.2f}{share(total):>8}")
    lines.append(f"{'wall (process start..now)':<26}{wall:>9.2f}")
    return "\n".join(lines)
