"""Replay: forget the ledger's verdict on quarantined files (``news-etl replay``), then say what
became of exactly those files in the run that read them again."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from etl.contracts import LedgerOutcome, RunStatus, Stage, plural
from etl.errors import UnknownReasonError
from etl.leftovers import REPLAY_SAVED_FOR
from etl.load.standing import STANDING_QUARANTINE
from etl.warehouse import transaction

if TYPE_CHECKING:
    from etl.load.loader import LoadSummary
    from etl.storage import Location

#: What a replay forgets, saved in its run's staging folder before the forgetting commits: the
#: ``ingest_ledger`` rows, the ``ingest_refusal`` rows (Arrow IPC) and, written last, whose
#: warehouse they are (as a plan names it). A replay killed before its run's COMMIT left them
#: forgotten, and every later run read the accepted files again (probe); the next run puts
#: them back from here (``etl.pipeline.reclaim_leftovers``).
SAVED_LEDGER = "replay_forgotten_ledger.arrow"
SAVED_REFUSALS = "replay_forgotten_refusal.arrow"
SAVED_FOR = REPLAY_SAVED_FOR

#: What became of a forgotten file that the replay's run did not read (it is gone from the
#: landing zone, or a dated folder the run did not select holds it).
NOT_READ = "not read"


@dataclass(frozen=True)
class Forgotten:
    """The ledger rows a replay forgot: ``(path, sha256, outcome)`` each; a refusal of a file
    never read (``ingest_refusal``) is ``(path, "", "quarantined")``."""

    rows: tuple[tuple[str, str, str], ...]
    #: the forgotten ``ingest_ledger`` and ``ingest_refusal`` rows whole, for
    #: :func:`remember_again` (``None``: not kept)
    saved: tuple[pa.Table, pa.Table] | None = field(default=None, compare=False, repr=False)

    @property
    def paths(self) -> list[str]:
        """The files (paths) forgotten, sorted: a path may have had several contents."""
        return sorted({path for path, _, _ in self.rows})

    @property
    def refused_whole(self) -> int:
        """Forgotten files the ledger had refused whole (outcome ``quarantined``)."""
        quarantined = str(LedgerOutcome.QUARANTINED)
        return len({path for path, _, outcome in self.rows if outcome == quarantined})

    @property
    def with_bad_records(self) -> int:
        """Forgotten files that had loaded, some of their records quarantined."""
        return len(self.paths) - self.refused_whole


def _known_reason(
    con: duckdb.DuckDBPyConnection, landing: str | None, reason: str, standing: bool
) -> None:
    """Refuse a reason no quarantine row of ``landing`` (``None``: of any landing zone) has (a
    misspelt one forgot nothing and ran a whole run anyway, or listed nothing), naming the
    reasons its rows have; with ``standing``, the reasons of the quarantine that stands
    (:data:`~etl.load.standing.STANDING_QUARANTINE`): a replay of a reason no refusal stands for
    any more ran a whole run for nothing (probe R3)."""
    rows = (
        f"(WITH {STANDING_QUARANTINE} SELECT landing, reason FROM standing)"
        if standing
        else "quarantine"
    )
    reasons = [
        str(r)
        for (r,) in con.execute(
            f"SELECT DISTINCT reason FROM {rows} WHERE ?::VARCHAR IS NULL OR landing = ? "
            "ORDER BY reason",
            [landing, landing],
        ).fetchall()
    ]
    if reason in reasons:
        return
    has = (
        f"its reasons{' that stand' if standing else ''}: {', '.join(reasons)}"
        + (f" (news-etl quarantine list{' --standing' if standing else ''})" if landing else "")
        if reasons
        else ("none stands" if standing else "it has none")
    )
    of = f" of {landing}" if landing is not None else ""
    whose = "whose refusal stands " if standing else ""
    raise UnknownReasonError(f"no quarantined record{of} {whose}has the reason {reason!r}; {has}")


def check_reason(
    con: duckdb.DuckDBPyConnection,
    landing: str | None,
    reason: str | None,
    *,
    standing: bool = False,
) -> None:
    """Refuse (:class:`UnknownReasonError`) a ``reason`` no quarantine row of ``landing``
    (``None``: of any landing zone) has, before a replay starts its run or a listing runs; with
    ``standing``, no row of the quarantine that stands now (what a replay reads again)."""
    if reason is not None:
        _known_reason(con, landing, reason, standing)


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue().to_pybytes())


def _save(keep: tuple[Location, str], ledger_rows: pa.Table, refusal_rows: pa.Table) -> None:
    folder, warehouse = keep
    (folder / SAVED_LEDGER).write_bytes(_ipc(ledger_rows))
    (folder / SAVED_REFUSALS).write_bytes(_ipc(refusal_rows))
    (folder / SAVED_FOR).write_text(json.dumps({"settings": {"warehouse": warehouse}}))


def saved_for(folder: Location) -> dict[str, object] | None:
    """Whose warehouse the verdicts a replay saved in ``folder`` are (a plan's shape:
    ``{"settings": {"warehouse": …}}``); ``None`` when it saved none."""
    try:
        data = json.loads((folder / SAVED_FOR).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def saved_forgotten(folder: Location) -> Forgotten | None:
    """The verdicts a replay saved in its run's staging folder ``folder`` before forgetting
    them (:func:`forget_quarantined`), for :func:`remember_again`; ``None`` when it saved none."""
    if saved_for(folder) is None:
        return None
    tables = []
    for name in (SAVED_LEDGER, SAVED_REFUSALS):
        with pa.ipc.open_stream((folder / name).read_bytes()) as reader:
            tables.append(reader.read_all())
    return _forgotten(*tables)


def forget_quarantined(
    con: duckdb.DuckDBPyConnection,
    landing: str,
    reason: str | None = None,
    keep: tuple[Location, str] | None = None,
) -> Forgotten:
    """Delete the ledger rows of ``landing``'s files whose verdict quarantined them or some of
    their records (for ``reason``).

    The next run reads those files again: what now passes loads, what still fails is quarantined
    again. Files that loaded with some bad records are re-read too; their good records are then
    duplicates (article identity is the cleaned text). Returns the ledger rows forgotten. A
    ``reason`` no quarantine row of ``landing`` has is refused (:class:`UnknownReasonError`)
    before anything is forgotten. With ``keep`` (a run's staging folder, the warehouse), what is
    forgotten is saved there before the forgetting commits (:data:`SAVED_FOR`).
    """
    check_reason(con, landing, reason, standing=True)
    # Only the files whose quarantine stands (etl.load.standing): their latest content, refused
    # by the verdict that stands or by a later run. An older row is history: a file a replay
    # loaded under a raised limit was read again by every later replay, refused, and its
    # article stayed loaded while the ledger said quarantined and a rebuild no longer removed
    # it (probe).
    hit = f"""
        WITH {STANDING_QUARANTINE},
        hit AS (
            SELECT DISTINCT path, sha256 FROM standing
            WHERE landing = ? AND sha256 IS NOT NULL AND (?::VARCHAR IS NULL OR reason = ?)
        )
    """
    chosen = (
        hit
        + """
        SELECT l.* FROM ingest_ledger l JOIN hit
            ON l.path = hit.path AND l.sha256 = hit.sha256
        WHERE l.landing = ?
    """
    )
    forget = (
        hit
        + """
        DELETE FROM ingest_ledger l USING hit
        WHERE l.landing = ? AND l.path = hit.path AND l.sha256 = hit.sha256
    """
    )
    # Files refused unread have no ledger row: their refusal is forgotten (``ingest_refusal``).
    refusals = "FROM ingest_refusal WHERE landing = ? AND (?::VARCHAR IS NULL OR reason = ?)"
    params = [landing, reason, reason, landing]
    with transaction(con):
        # Read, then delete, in one transaction: DuckLake refuses DELETE … RETURNING.
        ledger_rows = con.execute(chosen, params).to_arrow_table()
        con.execute(forget, params)
        refusal_rows = con.execute(f"SELECT * {refusals}", params[:3]).to_arrow_table()
        con.execute(f"DELETE {refusals}", params[:3])
        if keep is not None:
            _save(keep, ledger_rows, refusal_rows)
    return _forgotten(ledger_rows, refusal_rows)


def _forgotten(ledger_rows: pa.Table, refusal_rows: pa.Table) -> Forgotten:
    """The :class:`Forgotten` of the ``ingest_ledger`` and ``ingest_refusal`` rows forgotten."""
    ledger = ledger_rows.select(["path", "sha256", "outcome"]).to_pylist()
    rows = [(r["path"], r["sha256"], r["outcome"]) for r in ledger]
    quarantined = str(LedgerOutcome.QUARANTINED)
    rows += [(path, "", quarantined) for path in refusal_rows.column("path").to_pylist()]
    return Forgotten(
        tuple(sorted((str(p), str(sha), str(outcome)) for p, sha, outcome in rows)),
        saved=(ledger_rows, refusal_rows),
    )


def remember_again(
    con: duckdb.DuckDBPyConnection, forgotten: Forgotten, paths: Collection[str] | None = None
) -> int:
    """Put back the ledger rows and refusals a replay forgot (of ``paths`` only, when given),
    when its run failed: a refused run wrote nothing, so the files would otherwise be new to
    every later run (with 20 of them refused again, every later run was refused for its
    quarantine share; operator probe, session 32); or those of the files its run did not read
    (:data:`NOT_READ`: gone from the landing zone, nothing would ever judge them again, and
    their quarantine stood without a verdict: probe E, session 48). A row whose key a run wrote
    since (the run committed, then failed) is newer and stays. Returns how many rows it put
    back."""
    if forgotten.saved is None:
        return 0
    ledger_rows, refusal_rows = forgotten.saved
    if paths is not None:
        chosen = pa.array(sorted(paths), pa.string())
        ledger_rows = ledger_rows.filter(pc.is_in(ledger_rows["path"], chosen))
        refusal_rows = refusal_rows.filter(pc.is_in(refusal_rows["path"], chosen))
    con.register("forgotten_ledger", ledger_rows)
    con.register("forgotten_refusal", refusal_rows)
    try:
        with transaction(con):
            put = con.execute(
                """
                INSERT INTO ingest_ledger BY NAME
                SELECT f.* FROM forgotten_ledger f
                WHERE NOT EXISTS (SELECT 1 FROM ingest_ledger l WHERE l.landing = f.landing
                                  AND l.path = f.path AND l.sha256 = f.sha256)
                """
            ).fetchone()
            refused = con.execute(
                """
                INSERT INTO ingest_refusal BY NAME
                SELECT f.* FROM forgotten_refusal f
                WHERE NOT EXISTS (SELECT 1 FROM ingest_refusal r
                                  WHERE r.landing = f.landing AND r.path = f.path)
                """
            ).fetchone()
    finally:
        con.unregister("forgotten_ledger")
        con.unregister("forgotten_refusal")
    return int(put[0] if put else 0) + int(refused[0] if refused else 0)


@dataclass(frozen=True)
class Replayed:
    """What the replay's run made of the forgotten files: each file's ledger outcome (or
    :data:`NOT_READ`), and the records of those files it quarantined again (a file that loads
    with one bad record is ``duplicate`` or ``loaded`` and still has that record quarantined)."""

    files: Counter[str]
    records_quarantined: int
    #: the forgotten files the run did not read (:data:`NOT_READ`)
    not_read: tuple[str, ...] = ()


def replayed_outcomes(
    con: duckdb.DuckDBPyConnection, landing: str, forgotten: Forgotten, run_id: str
) -> Replayed:
    """What run ``run_id`` made of each forgotten file: its ledger outcome (``loaded``,
    ``duplicate``, ``quarantined``), or :data:`NOT_READ` when the run did not read the path;
    and how many quarantine rows it wrote for those files."""
    paths = forgotten.paths
    rows = con.execute(
        """
        SELECT path, outcome FROM ingest_ledger
        WHERE landing = ? AND last_run_id = ? AND list_contains(?::VARCHAR[], path)
        """,
        [landing, run_id, paths],
    ).fetchall()
    outcome = {str(path): str(verdict) for path, verdict in rows}
    # a file refused unread again has no ledger row: its quarantine row without a hash says so
    for (path,) in con.execute(
        "SELECT DISTINCT path FROM quarantine WHERE landing = ? AND run_id = ?"
        f" AND sha256 IS NULL AND stage = '{Stage.INGEST}' AND list_contains(?::VARCHAR[], path)",
        [landing, run_id, paths],
    ).fetchall():
        outcome.setdefault(str(path), str(LedgerOutcome.QUARANTINED))
    again = con.execute(
        "SELECT count(*) FROM quarantine WHERE landing = ? AND run_id = ?"
        " AND list_contains(?::VARCHAR[], path)",
        [landing, run_id, paths],
    ).fetchone()
    return Replayed(
        Counter(outcome.get(path, NOT_READ) for path in paths),
        int(again[0]) if again else 0,
        tuple(path for path in paths if path not in outcome),
    )


def replay_message(forgotten: Forgotten, replayed: Replayed, run: LoadSummary) -> str:
    """What ``news-etl replay`` prints: the forgotten files, what became of exactly those files,
    then the whole run's figures (it also reads any other new file of the landing zone)."""
    n, outcomes = len(forgotten.paths), replayed.files
    if n == 0:
        head = "replay: no quarantined file to read again"
    else:
        head = (
            f"replay: forgot the verdicts on {plural(n, 'file')} "
            f"({forgotten.refused_whole:,} refused whole, {forgotten.with_bad_records:,} loaded "
            f"with bad records); run {run.run_id} read them again: "
            + ", ".join(
                f"{outcomes.get(str(o), 0):,} {label}"
                for o, label in (
                    (LedgerOutcome.LOADED, "loaded"),
                    (LedgerOutcome.DUPLICATE, "duplicate"),
                    (LedgerOutcome.QUARANTINED, "refused whole again"),
                )
            )
            + (
                f", {outcomes[NOT_READ]:,} not read (gone from the landing zone: "
                "the verdict stands)"
                if outcomes.get(NOT_READ)
                else ""
            )
            + f"; {plural(replayed.records_quarantined, 'record')} of them quarantined again"
        )
    whole = (
        f"the run as a whole (with any other new file): {plural(run.articles_loaded, 'article')}"
        f" loaded, {plural(run.duplicates, 'duplicate record')},"
        f" {plural(run.quarantined, 'record')} quarantined"
    )
    if run.status != RunStatus.SUCCESS:
        whole += f"; the run was refused, nothing was written: {run.error}"
    return f"{head}\n{whole}"
