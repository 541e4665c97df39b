"""The ledger: what the warehouse already knows about raw files, read once per run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import duckdb

from etl.contracts import REFUSED_UNREAD, LedgerOutcome, RunStatus, Stage
from etl.ingest.landing import LandingFile, folder_date_sql

#: The record key under which :attr:`LedgerView.placed` files a single-record file's article
#: (``fact_article.source_record`` is NULL for them).
WHOLE_FILE = ""


@dataclass(frozen=True)
class LedgerEntry:
    """What the ledger recorded for one (path, content) of a landing zone."""

    sha256: str
    size_bytes: int
    mtime_ns: int | None
    outcome: str
    article_id: str | None
    #: every article the content gives (``ingest_ledger.article_ids``); ``article_id`` is one
    article_ids: tuple[str, ...] = ()
    #: the content the path held when a run last read it (its newest ``last_seen``); an older
    #: one is content the file had before it changed
    latest: bool = True


@dataclass
class LedgerView:
    """The ledger of one landing zone (what the plan and ingest need to know of earlier runs;
    nothing proportional to the rest of the warehouse)."""

    by_path: dict[str, list[LedgerEntry]] = field(default_factory=dict)
    #: raw-file hash → article id, for files already loaded (or duplicates) under any path
    file_articles: dict[str, str] = field(default_factory=dict)
    #: Rebuilds only: for each file outside dated folders, record key (:data:`WHOLE_FILE` for a
    #: single-record file) → the days the warehouse holds the articles it gave on
    #: (:func:`read_placements`).
    placed: dict[str, dict[str, list[date]]] = field(default_factory=dict)
    #: Rebuilds only: for each file whose ledger row lists several articles, those the warehouse
    #: holds from it (``fact_article.source_file``; :func:`read_held`).
    held: dict[str, set[str]] = field(default_factory=dict)
    #: path → ``(reason, detail)`` of the files a run refused unread (``ingest_refusal``): the
    #: same refusal found again is unchanged (:func:`etl.ingest.reader.unread_refusal`).
    refused: dict[str, tuple[str, str]] = field(default_factory=dict)

    def unchanged(self, path: str, size: int, mtime_ns: int) -> LedgerEntry | None:
        """The entry of a file that has not changed since it was last read, if any (compared
        with the content it held then: a file put back as it was before, with its old size and
        time, has changed since)."""
        for entry in self.by_path.get(path, ()):
            if entry.latest and entry.size_bytes == size and entry.mtime_ns == mtime_ns:
                return entry
        return None

    def entry(self, path: str, sha256: str) -> LedgerEntry | None:
        """The entry of this path if it holds the content it held when last read, if any."""
        for entry in self.by_path.get(path, ()):
            if entry.latest and entry.sha256 == sha256:
                return entry
        return None

    def loaded_before(self, path: str, sha256: str) -> bool:
        """Whether ``path`` loaded this content before it changed to what a run read last: the
        file is back to an earlier version of itself, to be read again, not a copy of its own
        article (a header-only edit and its undoing move the article there and back)."""
        return any(
            not e.latest and e.sha256 == sha256 and e.outcome == LedgerOutcome.LOADED
            for e in self.by_path.get(path, ())
        )

    def placed_days(self, path: str) -> set[date]:
        """Every day the warehouse holds an article of the file ``path`` on (see ``placed``)."""
        return {day for days in self.placed.get(path, {}).values() for day in days}

    def placed_day(self, path: str, record: str | None) -> date | None:
        """The day an undated record of ``path`` keeps under a rebuild: the earliest day the
        warehouse holds an article of that record on; ``None`` when it holds none."""
        days = self.placed.get(path, {}).get(record or WHOLE_FILE, [])
        return min(days, default=None)


#: The refusals of files never read that successful runs recorded before ``ingest_refusal``
#: existed: each file's latest, unless a later run read it (migration 0030 inserts the same).
_EARLIER_REFUSALS = f"""
SELECT path, reason, detail FROM (
    SELECT q.* FROM quarantine q JOIN etl_run r ON r.run_id = q.run_id
    WHERE q.landing = ? AND r.status = '{RunStatus.SUCCESS}' AND q.sha256 IS NULL
      AND q.stage = '{Stage.INGEST}'
    QUALIFY row_number() OVER (PARTITION BY q.landing, q.path
                               ORDER BY q.quarantined_at DESC, q.run_id DESC) = 1
) latest
WHERE list_contains({sorted(str(r) for r in REFUSED_UNREAD)!r}, reason)
  AND NOT EXISTS (SELECT 1 FROM ingest_ledger l
                  WHERE l.landing = latest.landing AND l.path = latest.path
                    AND l.last_seen > latest.quarantined_at)
"""


def read_ledger(con: duckdb.DuckDBPyConnection | None, landing: str) -> LedgerView:
    """Load the ledger of ``landing`` (empty if no warehouse yet)."""
    view = LedgerView()
    if con is None:
        return view
    rows = con.execute(
        # Lists of several articles only: a list of one is article_id, and turning 300,000 of
        # them into Python lists cost 1.5-2.5 s a run.
        "SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id, "
        "CASE WHEN len(article_ids) > 1 THEN article_ids END "
        "FROM ingest_ledger WHERE landing = ?",
        [landing],
    ).fetchall()
    repeated: list[str] = []
    for path, sha, size, mtime, outcome, article_id, article_ids in rows:
        # one article, or a row recorded before migration 0022 (no list): the one it names
        listed = article_ids if article_ids is not None else [article_id] if article_id else []
        entry = LedgerEntry(sha, size, mtime, outcome, article_id, tuple(listed))
        entries = view.by_path.setdefault(path, [])
        entries.append(entry)
        if len(entries) == 2:
            repeated.append(path)
        if outcome in (LedgerOutcome.LOADED, LedgerOutcome.DUPLICATE) and article_id is not None:
            view.file_articles[sha] = article_id
    if repeated:
        _mark_latest(con, landing, view, repeated)
    try:
        refusals = con.execute(
            "SELECT path, reason, detail FROM ingest_refusal WHERE landing = ?", [landing]
        ).fetchall()
    except duckdb.CatalogException:
        # A warehouse from before migration 0030, which this run's load applies: the refusals
        # that migration takes from earlier runs are known already.
        refusals = con.execute(_EARLIER_REFUSALS, [landing]).fetchall()
    view.refused = {str(path): (str(reason), str(detail)) for path, reason, detail in refusals}
    return view


def latest_contents_sql(landing: str, paths: str) -> str:
    """A query of the ``ingest_ledger`` rows of landing zone ``landing`` (an SQL expression:
    a parameter) that hold the newest content of one of ``paths`` (a query of paths): each
    path's rows with its newest ``last_seen``, the content a run read last
    (:attr:`LedgerEntry.latest`). The ledger and the loader both ask it this way."""
    return (
        f"SELECT * FROM ingest_ledger WHERE landing = {landing} AND path IN ({paths})"
        " QUALIFY last_seen = max(last_seen) OVER (PARTITION BY path)"
    )


def _mark_latest(
    con: duckdb.DuckDBPyConnection, landing: str, view: LedgerView, paths: list[str]
) -> None:
    """Of each of ``paths`` (several contents in the ledger), keep ``latest`` on the content a
    run read last (the newest ``last_seen``) only: an older one is what the file held before it
    changed. Asked for these paths alone: a GROUP BY of every path cost 0.6 s a run at two
    million ledger rows (review, session 39)."""
    newest = {
        (str(path), str(sha))
        for path, sha in con.execute(
            f"SELECT path, sha256 FROM ({latest_contents_sql('?', 'SELECT unnest(?::VARCHAR[])')})",
            [landing, paths],
        ).fetchall()
    }
    for path in paths:
        view.by_path[path] = [
            replace(e, latest=(path, e.sha256) in newest) for e in view.by_path[path]
        ]


def read_placements(
    con: duckdb.DuckDBPyConnection | None, landing: str, paths: Sequence[str] | None = None
) -> dict[str, dict[str, list[date]]]:
    """Where the warehouse holds the articles of ``landing``'s files outside dated folders
    (of those of ``paths`` only, when given): path → record key (:data:`WHOLE_FILE` for a
    single-record file) → days, from the ``fact_article`` rows the files gave
    (``source_file``, ``source_record``). A rebuild reads such a file in the partitions of
    these days, and an undated record keeps its day; a run of one day leaves an unchanged file
    of other days for their runs."""
    if con is None:
        return {}
    rows = con.execute(
        f"""
        SELECT DISTINCT source_file, coalesce(source_record, '{WHOLE_FILE}'), published_date
        FROM fact_article
        WHERE source_file IN (SELECT path FROM ingest_ledger WHERE landing = ?)
          AND {folder_date_sql("source_file")} IS NULL
          AND (?::VARCHAR[] IS NULL OR source_file IN (SELECT unnest(?::VARCHAR[])))
        ORDER BY ALL
        """,
        [landing, paths, paths],
    ).fetchall()
    placed: dict[str, dict[str, list[date]]] = {}
    for path, record, day in rows:
        placed.setdefault(path, {}).setdefault(record, []).append(day)
    return placed


def read_held(con: duckdb.DuckDBPyConnection | None, landing: str) -> dict[str, set[str]]:
    """Which of the articles they list the warehouse holds from ``landing``'s files whose ledger
    rows list several (multi-record files) or call them a ``duplicate`` (a file read again that
    gave its own articles as stored): path → article ids. A rebuild can only remove those
    (:meth:`etl.load.modes.Rebuild.scope_sql`); the rest are other files' articles."""
    if con is None:
        return {}
    rows = con.execute(
        f"""
        SELECT f.source_file, f.article_id FROM fact_article f
        WHERE f.source_file IN (SELECT path FROM ingest_ledger
                                WHERE landing = ? AND (len(article_ids) > 1
                                                       OR outcome = '{LedgerOutcome.DUPLICATE}'))
        """,
        [landing],
    ).fetchall()
    held: dict[str, set[str]] = {}
    for path, article_id in rows:
        held.setdefault(path, set()).add(article_id)
    return held


def rebuild_holders(
    files: list[LandingFile], ledger: LedgerView, partition: date | None
) -> set[str]:
    """The copies a rebuild of ``partition`` reads besides its own files: present files from
    outside its dated folder whose ledger rows list (as a ``duplicate``, or as a record of a
    file that loaded others) an article that a file the rebuild may take loaded (any record's,
    ``article_ids``: up to migration 0022 a copy's row named only its smallest article, and an
    article that only a later record held was removed). The rebuild may remove that article
    (its file changed, or now fails a check); it then keeps it from the copy, which becomes its
    file, instead of removing an article a present file still holds (see
    :class:`etl.load.modes.Rebuild`). ``ledger.placed`` and ``ledger.held`` must be read
    (:func:`read_placements`, :func:`read_held`).
    """
    own = {f.path for f in files if f.path_date is not None and f.path_date == partition}
    # Files outside dated folders the rebuild may take: those whose articles are on its day, and
    # those changed since they were read (their header may name its day now).
    taken = own | {
        f.path
        for f in files
        if f.path_date is None
        and (
            partition in ledger.placed_days(f.path)
            or ledger.unchanged(f.path, f.size, f.mtime_ns) is None
        )
    }
    # The articles those files gave that the warehouse holds from them (a multi-record file
    # also lists its records that were already known: other files hold those; a file read again
    # that gave its own articles as stored, as `replay` reads one, is their ``duplicate``).
    maybe_removed = {
        article_id
        for path in taken
        for e in ledger.by_path.get(path, ())
        if e.outcome in (LedgerOutcome.LOADED, LedgerOutcome.DUPLICATE)
        for article_id in e.article_ids
        if article_id in ledger.held.get(path, ())
        or (len(e.article_ids) == 1 and e.outcome == LedgerOutcome.LOADED)
    }
    # A copy: a file whose ledger row lists such an article, as a ``duplicate`` or as one of the
    # records of a file that ``loaded`` others. For a file the rebuild does not take, any of its
    # rows counts, not only one it is unchanged since: a touched copy is still a copy, and the
    # reader parses a copy only if its bytes are content the ledger knows (up to session 33 only
    # unchanged ``duplicate`` rows counted, and the article was removed). A file it takes is
    # read as its own: only its unchanged ``duplicate`` row makes it a copy (changed, it is
    # taken to be judged anew, which a copy's reading would skip).
    holders: set[str] = set()
    for f in files:
        if f.path in own or f.outside or f.bad_name or f.special is not None:
            continue
        if f.path in taken:
            entry = ledger.unchanged(f.path, f.size, f.mtime_ns)
            rows: list[LedgerEntry] = (
                [entry] if entry is not None and entry.outcome == LedgerOutcome.DUPLICATE else []
            )
        else:
            rows = [
                e
                for e in ledger.by_path.get(f.path, ())
                if e.outcome in (LedgerOutcome.DUPLICATE, LedgerOutcome.LOADED)
            ]
        if any(not maybe_removed.isdisjoint(e.article_ids) for e in rows):
            holders.add(f.path)
    return holders
