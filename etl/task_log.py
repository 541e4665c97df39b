"""One log line per stage result: what an orchestrator task writes to its log after its one call.

The DAG tasks call one function of :mod:`etl.pipeline` (or :mod:`etl.backfill`, :mod:`etl.marts`)
and log what it returned with these formatters, so an operator reading a task's log sees the
landing zone, partition, mode, file and article counts, quarantine reasons, run id and report
path without opening XCom. Pure functions of the results: no I/O, no Airflow.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl.output import visible
from etl.target import redact

if TYPE_CHECKING:
    from etl.load.loader import LoadSummary
    from etl.maintenance import Maintained
    from etl.pipeline import RunPlan

#: Libraries whose INFO chatter (GX's decorator registry, matplotlib's unit notes, ...) would
#: bury the task's own lines; their loggers run at WARNING in task processes.
QUIET_LOGGERS = ("great_expectations", "matplotlib", "fsspec", "numba", "urllib3")


#: Modules that set their own logger to INFO when imported (after this set-up, so a level on
#: their parent cannot quiet them): a filter on the logger itself drops their INFO records.
SELF_LEVELLED_LOGGERS = (
    "great_expectations.data_context.types.base",
    "great_expectations.core.expectation_diagnostics.expectation_doctor",
)


class _WarningsAndAbove(logging.Filter):
    """Passes records of level WARNING and above."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def quiet_libraries() -> None:
    """Set :data:`QUIET_LOGGERS` to WARNING and filter :data:`SELF_LEVELLED_LOGGERS` (stdlib
    logging: Airflow's ``namespace_levels`` filters only its structlog loggers, not the stdlib
    ones these libraries use). Idempotent."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in SELF_LEVELLED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _WarningsAndAbove) for f in logger.filters):
            logger.addFilter(_WarningsAndAbove())


def _shown(value: object) -> str:
    """A path or URL as a log line shows it: one line, control and invisible characters escaped
    (:func:`etl.output.visible`), so a landing folder named with a line break or an ESC cannot
    forge a line of the task's log nor drive the terminal that prints it."""
    return visible(str(value), keep="")


def _reasons(reasons: Mapping[str, int]) -> str:
    """``(empty: 2, no_text: 1)``, most frequent first; empty when there are none."""
    from etl.contracts import reason_counts  # pyarrow: loaded by the load, not by a DAG parse

    return f" ({reason_counts(reasons)})" if reasons else ""


def plan_line(plan: RunPlan) -> str:
    """What ``plan`` decided: where it looked, for which partition and mode, and the files."""
    new = plan.files_new
    partition = plan.partition_date or f"none (undated files dated {plan.fallback_date})"
    return (
        f"run {plan.run_id}: landing {_shown(plan.settings.get('landing'))}, partition "
        f"{partition}, mode {plan.mode}, warehouse {_shown(plan.settings.get('warehouse'))}; "
        "files seen "
        f"{plan.files_seen}: {len(plan.unchanged)} unchanged, {plan.files_deferred} deferred to "
        f"other days, {new} new in {plan.n_batches} batch(es)"
    )


def ingest_line(batch: int, counts: Mapping[str, int]) -> str:
    """What ``ingest`` did with one batch of files. Its duplicates are the files whose bytes a
    run loaded before; copies within the run are settled by ``load``, whose line counts every
    duplicate (the ingest line said "0 duplicate files" beside the load's "duplicate 1": probe)."""
    return (
        f"ingest batch {batch}: {counts.get('files', 0)} files read: "
        f"{counts.get('articles', 0)} article records, {counts.get('duplicates', 0)} files "
        f"loaded before (copies within the run: see load), {counts.get('quarantined', 0)} "
        f"quarantined, {counts.get('deferred', 0)} deferred to other days, "
        f"{counts.get('unchanged', 0)} unchanged"
    )


def text_line(batch: int, counts: Mapping[str, int]) -> str:
    """What ``text`` did with one batch of articles."""
    return (
        f"text batch {batch}: {counts.get('articles', 0)} articles cleaned and tokenized, "
        f"{counts.get('terms', 0)} article-term rows, {counts.get('quarantined', 0)} quarantined"
    )


def validate_line(counts: Mapping[str, int]) -> str:
    """What ``validate`` found over the run's batches."""
    return (
        f"validate: {counts.get('articles', 0)} articles checked, {counts.get('rejected', 0)} "
        f"records rejected (quarantined), {counts.get('failed_expectations', 0)} failed "
        "expectation(s)"
    )


def load_line(summary: LoadSummary) -> str:
    """What ``load`` committed: the run's outcome, counts, reasons and report."""
    from etl.contracts import plural  # pyarrow: loaded by the load, not by every DAG parse

    partitions = ", ".join(d.isoformat() for d in summary.partitions) or "none"
    report = _shown(summary.report) if summary.report else "not written"
    return (
        f"run {summary.run_id} {summary.status}: partitions written: {partitions}; "
        f"{plural(summary.articles_loaded, 'article')} loaded, "
        f"{plural(summary.duplicates, 'duplicate')}, "
        + (f"{summary.articles_removed} removed, " if summary.articles_removed else "")
        + f"{summary.quarantined} quarantined{_reasons(summary.quarantine_reasons)}; files new "
        f"{summary.files_new} (loaded {summary.files_loaded}, duplicate "
        f"{summary.files_duplicate}, quarantined {summary.files_quarantined}), unchanged "
        f"{summary.files_unchanged}, deferred {summary.files_deferred}; report {report}"
    )


def publish_skip_reason(run_id: str | None, partitions: list[str]) -> str:
    """Why ``publish`` announces nothing (the reason its skip carries into the log)."""
    if partitions:
        raise ValueError("a run that wrote partitions is published, not skipped")
    return (
        f"run {run_id or '-'} wrote no new articles (nothing new in the landing zone for this "
        "partition): no Asset event, so news_marts is not triggered"
    )


def publish_line(warehouse: Path | str, partitions: list[str]) -> str:
    """What ``publish`` announced."""
    return (
        f"announced the warehouse tables of {_shown(redact(str(warehouse)))} "
        f"(partitions {', '.join(partitions)}): "
        "news_marts will refresh that warehouse"
    )


def marts_line(warehouse: Path | str, rows: Mapping[str, Any]) -> str:
    """What ``refresh`` rebuilt."""
    parts = ", ".join(f"{name}: {n} rows" for name, n in rows.items())
    return f"marts of {_shown(redact(str(warehouse)))} rebuilt: {parts}"


def maintenance_line(done: Maintained) -> str:
    """What ``maintain`` did to the warehouse: its files before and after, then the summary."""
    if done.before is None or done.after is None:
        return done.summary()
    return (
        f"{done.warehouse}: data files read {done.before.live:,} -> {done.after.live:,}, files in "
        f"the data path {done.before.stored:,} -> {done.after.stored:,}, bytes "
        f"{done.before.stored_bytes:,} -> {done.after.stored_bytes:,}; {done.summary()}"
    )
