"""The partition loader: one transaction per run, idempotent, under the single-writer lock.

:func:`load_staged` composes the rooms of the load, each of which owns one piece of knowledge:

* :mod:`etl.load.account` settles the staged rows and the ledger into a :class:`RunAccount`;
* :mod:`etl.load.rules` turns the account and the run's limits into check rows and a refusal;
* :mod:`etl.load.modes` says, per load mode (``merge``, ``replace``, ``rebuild``), what the run
  replaces and what counts as new;
* :mod:`etl.load.write` writes dimensions, facts, stories, daily sums and the ledger;
* :mod:`etl.load.record` writes the run record (run row, stages, quarantine, check results).

Either all of a run's rows appear or none do: a crash or a failed check leaves every partition as
it was, and the next run simply tries again. A refused run keeps its record (``failed``, with its
quarantine rows and check results) and loads no data.

**On DuckLake** (:mod:`etl.lake`) there is no writer lock: several runs load at once and commit
optimistically. A run's transaction must then rest on what it settled, so the loader notes the
snapshot before settling and refuses to go on (a conflict) when the transaction reads another
one; every load rewrites the one-row commit token (:func:`etl.lake.claim_commit`), so two loads
that overlap in time always conflict at ``COMMIT``, whatever tables they touch. A conflict
(:class:`~etl.errors.LakeCommitConflictError`) makes the loader settle and write the whole run
again, up to :data:`LAKE_COMMIT_ATTEMPTS` times: the retry sees the other run's articles and
ledger rows, so each article is loaded exactly once. The committed snapshot is named after the
run (its commit message) and recorded in ``etl_run_snapshot``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from etl import interrupts, lake
from etl.contracts import RunStatus
from etl.errors import BatchValidationError, LakeCommitConflictError
from etl.load import faults, record, rules, write
from etl.load.account import STAGED_TABLES, RunAccount, attach_staged, expected_counts, settle
from etl.load.modes import mode_for
from etl.load.record import RunFacts
from etl.warehouse import transaction

__all__ = ["STAGED_TABLES", "LoadSummary", "PostLoadCheck", "RunFacts", "load_staged"]

log = logging.getLogger(__name__)

#: How many times a DuckLake load settles and commits before a conflict is raised (retryable).
LAKE_COMMIT_ATTEMPTS = 8

#: Post-load checks: given the writer connection (inside the load transaction, facts written) and
#: the article count each written partition must hold, return ``fact_check_result`` rows.
PostLoadCheck = Callable[[duckdb.DuckDBPyConnection, dict[date, int]], list[dict[str, Any]]]


@dataclass(kw_only=True)
class LoadSummary(RunAccount):
    """A committed (or refused) run: its account, status and where its pages are."""

    run_id: str
    status: RunStatus = RunStatus.SUCCESS
    error: str | None = None
    report: Path | None = None  # the HTML run report, once written
    data_docs: Path | None = None  # the index.html of the run's GX Data Docs, once built


def load_staged(
    con: duckdb.DuckDBPyConnection,
    facts: RunFacts,
    staged: dict[str, list[str]],  # Parquet paths or object-storage URLs, by staged table
    schema_version: int,
    post_load: PostLoadCheck | None = None,
) -> LoadSummary:
    """Commit one run's staged batches to the warehouse (see the module docstring).

    ``post_load`` checks the written partitions inside the transaction; if any of its results
    failed, the data writes are rolled back and the run is recorded as failed with its results.
    On DuckLake a commit conflict retries the whole load (settle, write, commit).
    """
    if not lake.is_lake(con):
        return _load_once(con, facts, staged, schema_version, post_load, on_lake=False)
    for attempt in range(1, LAKE_COMMIT_ATTEMPTS + 1):
        try:
            summary = _load_once(con, facts, staged, schema_version, post_load, on_lake=True)
        except LakeCommitConflictError as exc:
            if attempt == LAKE_COMMIT_ATTEMPTS:
                raise
            delay = min(5.0, 0.1 * 2**attempt) * (0.5 + random.random())
            log.warning("run %s: %s; settling again in %.1fs (attempt %d of %d)",
                        facts.run_id, exc, delay, attempt + 1, LAKE_COMMIT_ATTEMPTS)  # fmt: skip
            time.sleep(delay)
            continue
        _record_snapshot(con, facts.run_id)
        return summary
    # equivalent whatever its message (seed 1225): the loop above returns or raises
    raise AssertionError("unreachable")  # pragma: no cover  # pragma: no mutate


def _record_snapshot(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Record the committed run's DuckLake snapshot; the data is committed, so a failure here
    (its own small commit) is only logged: the snapshot's commit message still names the run."""
    try:
        lake.record_snapshot(con, run_id)
    except duckdb.Error as exc:
        log.warning("run %s: snapshot not recorded in etl_run_snapshot: %s", run_id, exc)


def _load_once(
    con: duckdb.DuckDBPyConnection,
    facts: RunFacts,
    staged: dict[str, list[str]],
    schema_version: int,
    post_load: PostLoadCheck | None,
    *,
    on_lake: bool,
) -> LoadSummary:
    """Settle, write and commit the run once (see :func:`load_staged`)."""
    settled_at = lake.current_snapshot(con) if on_lake else None
    attach_staged(con, staged, facts.unchanged, facts.refused, facts.refused_again, facts.replayed)
    account = settle(
        con,
        mode_for(facts.mode),
        facts.landing,
        facts.partition_date,
        facts.planned_unchanged,
        facts.files_deferred_plan,
    )
    limits = rules.RunLimits(facts.max_quarantine_share, facts.quarantine_check_min_files)
    verdict = rules.judge(facts.run_id, account, limits)
    results, refusal = list(verdict.checks), verdict.refusal
    expected = expected_counts(con) if refusal is None else {}

    try:
        with transaction(con):  # a failed COMMIT (disk full) keeps its error
            if on_lake and lake.current_snapshot(con) != settled_at:
                raise LakeCommitConflictError("another run committed while this one settled")
            if refusal is None:
                refusal = _write_data(con, facts, expected, post_load, results)
            if refusal is not None:
                account = account.refused()
            record.record_settled_run(con, facts, account, results, refusal, schema_version)
            if on_lake:
                lake.claim_commit(con, facts.run_id)
                lake.name_commit(con, facts.run_id)
            faults.reach(faults.FaultPoint.BEFORE_COMMIT)
            interrupts.check()  # a Ctrl-C a library caught during the load: no COMMIT
    except BaseException as exc:
        conflict = lake.conflict_error(exc) if on_lake else None
        if conflict is not None:
            raise conflict from exc
        raise
    if refusal is not None:
        refused = BatchValidationError(refusal)
        if verdict.hint is not None:  # the run-level rules refused it (a post-load check: none)
            refused.add_note(verdict.hint)
        raise refused
    return LoadSummary(run_id=facts.run_id, **vars(account))


def _write_data(
    con: duckdb.DuckDBPyConnection,
    facts: RunFacts,
    expected: dict[date, int],
    post_load: PostLoadCheck | None,
    results: list[dict[str, Any]],
) -> str | None:
    """Write the run's data in the open transaction and check it; when a post-load check fails,
    undo the data (the transaction stays open for the record) and return why."""
    write.write_facts(con, facts.story_window_days)
    write.write_ledger(con, facts.run_id, facts.landing)
    write.write_refusals(con, facts.run_id, facts.landing, facts.refused, facts.refusing)
    if post_load is None or not expected:
        return None
    checked = post_load(con, expected)
    results += checked
    refusal = rules.post_load_refusal(facts.run_id, checked)
    if refusal is not None:  # nothing half-loaded: undo the data, keep the evidence
        con.execute("ROLLBACK")
        con.execute("BEGIN TRANSACTION")
    return refusal
