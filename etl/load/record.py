"""The run record: the one writer of ``etl_run``, ``etl_run_stage``, ``quarantine`` and
``fact_check_result``.

The loader records every run it settles here (committed or refused), and so do the paths that
record a run that failed before its load (:func:`record_failed_run`: the pipeline, the CLI and
the DAG's ``record_failure`` task all end there), so a failed run's row has the same columns and
the real cause whichever way it failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import duckdb

from etl.contracts import RunStatus, Stage
from etl.load.account import RunAccount
from etl.load.staging import rows_table
from etl.warehouse import transaction


@dataclass(frozen=True)
class RunFacts:
    """What the record (and the loader) knows about a run besides its staged data."""

    run_id: str
    trigger: str
    external_run_id: str | None
    partition_date: date | None
    mode: str
    landing: str
    started_at: datetime
    code_version: str
    text_version: str
    files_seen: int
    unchanged: list[dict[str, Any]]  # ledger rows of files skipped as unchanged
    files_deferred_plan: int
    max_quarantine_share: float
    quarantine_check_min_files: int
    story_window_days: int  # stories: candidates published at most this many days apart
    #: the new files the plan gave the run to read (its batches'): what the record of a run
    #: that stopped before its load counts as new (:meth:`planned_account`)
    files_new_plan: int = 0
    #: files the plan found refused unread before for the same reason (``ingest_refusal``)
    refused: list[str] = field(default_factory=list)
    #: ``(path, reason, detail)`` of the files the run is to refuse unread (read from their
    #: listing): those it does are remembered (``ingest_refusal``; :func:`write_refusals`)
    refusing: list[tuple[str, str, str]] = field(default_factory=list)
    #: of ``refusing``, the files a rebuild judges again that were refused as before
    refused_again: list[str] = field(default_factory=list)
    #: ``(path, sha256)`` of the files a replay forgot the quarantine of (``""`` for a file
    #: refused unread): those quarantined again as they were are not counted by the rules
    replayed: list[tuple[str, str]] = field(default_factory=list)

    @property
    def planned_unchanged(self) -> int:
        """Files the plan skipped as unchanged: known content, and known refusals."""
        return len(self.unchanged) + len(self.refused)

    def planned_account(self) -> RunAccount:
        """What the plan alone knows of the run (the account of a run that failed before its
        load, or was abandoned): the files it skipped as unchanged, those it left for other days
        and the new ones it was to read; none of them loaded, duplicate or quarantined (an
        abandoned run's row counted 0 new files of a plan that had 4: probe)."""
        return RunAccount(
            files_unchanged=self.planned_unchanged,
            files_deferred=self.files_deferred_plan,
            files_new=self.files_new_plan,
        )


def write_run(
    con: duckdb.DuckDBPyConnection,
    facts: RunFacts,
    account: RunAccount,
    status: RunStatus,
    error: str | None,
    schema_version: int,
) -> None:
    """Insert the run's ``etl_run`` row; its ``ended_at`` is now, this process's clock: inside
    the load transaction that is after every write and check (DuckDB's ``current_timestamp`` is
    the transaction's start, so every duration taken from ``ended_at`` left the load out:
    probe)."""
    con.execute(
        """
        INSERT INTO etl_run BY NAME
        SELECT ? AS run_id, ? AS trigger, ? AS external_run_id, ?::DATE AS partition_date,
               ? AS mode, ? AS landing, ?::TIMESTAMPTZ AS started_at,
               ?::TIMESTAMPTZ AS ended_at, ? AS status, ? AS code_version,
               ? AS text_version, ? AS schema_version, ? AS files_seen,
               ? AS files_unchanged, ? AS files_deferred, ? AS files_new,
               ? AS articles_loaded, ? AS duplicates, ? AS quarantined,
               ?::DATE[] AS partitions, ? AS error, ? AS files_loaded,
               ? AS files_duplicate, ? AS files_quarantined, ? AS articles_removed
        """,
        [
            facts.run_id,
            facts.trigger,
            facts.external_run_id,
            facts.partition_date,
            facts.mode,
            facts.landing,
            facts.started_at,
            datetime.now(UTC),
            str(status),
            facts.code_version,
            facts.text_version,
            schema_version,
            facts.files_seen,
            account.files_unchanged,
            account.files_deferred,
            account.files_new,
            account.articles_loaded,
            account.duplicates,
            account.quarantined,
            account.partitions,
            error,
            account.files_loaded,
            account.files_duplicate,
            account.files_quarantined,
            account.articles_removed,
        ],
    )


def write_stages(con: duckdb.DuckDBPyConnection, facts: RunFacts) -> None:
    """Insert the run's ``etl_run_stage`` rows from its staged stage statistics."""
    con.execute(
        """
        INSERT INTO etl_run_stage BY NAME
        SELECT ? AS run_id, stage, sum(n_in)::INTEGER AS n_in, sum(n_out)::INTEGER AS n_out,
               sum(n_duplicate)::INTEGER AS n_duplicate,
               sum(n_quarantined)::INTEGER AS n_quarantined, sum(seconds) AS seconds
        FROM staged_stage_stats GROUP BY stage
        """,
        [facts.run_id],
    )


def write_quarantine(con: duckdb.DuckDBPyConnection, facts: RunFacts) -> None:
    """Insert the settled run's quarantine rows and its staged check results."""
    con.execute(
        f"""
        INSERT INTO quarantine BY NAME
        SELECT ? AS run_id, ? AS landing, path, sha256, record, stage, reason, detail,
               ?::DATE AS partition_date, current_timestamp AS quarantined_at
        FROM (
            SELECT path, sha256, record, stage, reason, detail FROM run_quarantine
            UNION ALL
            SELECT path, file_sha256, coalesce(record, article_id), '{Stage.VALIDATE}', reason,
                   detail
            FROM run_rejected
        )
        """,
        [facts.run_id, facts.landing, facts.partition_date],
    )
    con.execute(
        """
        INSERT INTO fact_check_result BY NAME
        SELECT ? AS run_id, ?::DATE AS partition_date, batch, suite, expectation, column_name,
               success, element_count, unexpected_count, observed_value, detail, expected
        FROM staged_checks
        """,
        [facts.run_id, facts.partition_date],
    )


def write_results(
    con: duckdb.DuckDBPyConnection, facts: RunFacts, results: list[dict[str, Any]]
) -> None:
    """Insert run-level and post-load check rows (``fact_check_result``)."""
    if not results:
        return
    con.register("run_results", rows_table("checks", results))
    con.execute(
        """
        INSERT INTO fact_check_result BY NAME
        SELECT ? AS run_id, ?::DATE AS partition_date, batch, suite, expectation, column_name,
               success, element_count, unexpected_count, observed_value, detail, expected
        FROM run_results
        """,
        [facts.run_id, facts.partition_date],
    )
    # equivalent: unregistering a name not registered does nothing, and the few check rows
    # would stay registered only until the writer's connection closes after its commit
    con.unregister("run_results")  # pragma: no mutate


def record_settled_run(
    con: duckdb.DuckDBPyConnection,
    facts: RunFacts,
    account: RunAccount,
    results: list[dict[str, Any]],
    refusal: str | None,
    schema_version: int,
) -> None:
    """Everything the record keeps of a settled run, inside the load transaction: quarantine
    rows, check results, the run row (``failed`` with ``refusal`` when refused) and its stages.
    A run recorded before as failed or abandoned (a step failed, then the run was retried: an
    Airflow "Clear") has that record replaced, not kept beside this one."""
    forget_earlier_attempt(con, facts.run_id)
    write_quarantine(con, facts)
    write_results(con, facts, results)
    status = RunStatus.SUCCESS if refusal is None else RunStatus.FAILED
    write_run(con, facts, account, status, refusal, schema_version)
    write_stages(con, facts)


#: The tables whose rows of a run its record writes (see :func:`record_settled_run`).
RECORD_TABLES = ("etl_run", "etl_run_stage", "quarantine", "fact_check_result")


def forget_earlier_attempt(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Remove the record of ``run_id``'s earlier attempt, a run recorded as failed or
    abandoned, from every table of :data:`RECORD_TABLES`. A retried run was inserted beside
    it: two ``etl_run`` rows under one key, and ``status`` said the recovered run failed
    (probe). A committed run (``success``) never loads again: its record stays."""
    earlier = con.execute(
        "SELECT count(*) FROM etl_run WHERE run_id = ? AND status <> ?",
        [run_id, str(RunStatus.SUCCESS)],
    ).fetchone()
    if earlier is None or not earlier[0]:
        return
    for table in RECORD_TABLES:
        con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])


def kept_record(con: duckdb.DuckDBPyConnection, run_id: str) -> tuple[bool, str | None]:
    """Whether ``run_id``'s row stays as it is when a failure of the run is recorded, and the
    error it holds (``""`` for none; ``None``: no row). It stays when the run committed
    (``success``) or the loader settled it: a refusal for its data, with the run-level rules'
    check rows (every settled run has them; a row of :func:`record_failed_run` has none)."""
    # pragma: no mutate start (equivalent: SQL keywords are case-blind)
    found = con.execute(
        "SELECT status, coalesce(error, ''),"
        " EXISTS (SELECT 1 FROM fact_check_result f WHERE f.run_id = r.run_id)"
        " FROM etl_run r WHERE run_id = ?",
        [run_id],
    ).fetchone()
    # pragma: no mutate end
    if found is None:
        return False, None
    return found[0] == RunStatus.SUCCESS or bool(found[2]), str(found[1])


def record_failed_run(
    con: duckdb.DuckDBPyConnection,
    facts: RunFacts,
    cause: str,
    schema_version: int,
    status: RunStatus = RunStatus.FAILED,
) -> str:
    """Record a run that failed before (or outside) its load as ``status`` (``failed``, or
    ``abandoned`` for a killed run found later) with ``cause``, in one transaction; return the
    error the warehouse now holds for it. A row the loader wrote (a refusal, or a committed run)
    is kept as it is; a row recorded here before (the run failed, was cleared, and failed anew)
    takes the new cause: it kept the first error, so a run that failed again for another reason
    was reported with the reason already fixed (probe, session 46)."""
    with transaction(con):
        kept, existing = kept_record(con, facts.run_id)
        if not kept:
            forget_earlier_attempt(con, facts.run_id)
            write_run(con, facts, facts.planned_account(), status, cause, schema_version)
    return (existing or cause) if kept else cause
