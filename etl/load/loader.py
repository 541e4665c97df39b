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
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from etl.contracts import RunStatus
from etl.errors import BatchValidationError
from etl.load import faults, record, rules, write
from etl.load.account import STAGED_TABLES, RunAccount, attach_staged, expected_counts, settle
from etl.load.modes import mode_for
from etl.load.record import RunFacts

__all__ = ["STAGED_TABLES", "LoadSummary", "PostLoadCheck", "RunFacts", "load_staged"]

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
    """
    attach_staged(con, staged, facts.unchanged)
    account = settle(
        con,
        mode_for(facts.mode),
        facts.landing,
        len(facts.unchanged),
        facts.files_deferred_plan,
    )
    limits = rules.RunLimits(facts.max_quarantine_share, facts.quarantine_check_min_files)
    verdict = rules.judge(facts.run_id, account, limits)
    results, refusal = list(verdict.checks), verdict.refusal
    expected = expected_counts(con) if refusal is None else {}

    con.execute("BEGIN TRANSACTION")
    try:
        if refusal is None:
            refusal = _write_data(con, facts, expected, post_load, results)
        if refusal is not None:
            account = account.refused()
        record.record_settled_run(con, facts, account, results, refusal, schema_version)
        faults.reach(faults.FaultPoint.BEFORE_COMMIT)
        con.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (disk full) has already ended the transaction: keep its error.
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise
    if refusal is not None:
        raise BatchValidationError(refusal)
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
    write.write_facts(con)
    write.write_ledger(con, facts.run_id, facts.landing)
    if post_load is None or not expected:
        return None
    checked = post_load(con, expected)
    results += checked
    refusal = rules.post_load_refusal(facts.run_id, checked)
    if refusal is not None:  # nothing half-loaded: undo the data, keep the evidence
        con.execute("ROLLBACK")
        con.execute("BEGIN TRANSACTION")
    return refusal
