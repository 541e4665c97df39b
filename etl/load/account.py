"""Settling a run: its staged rows and the ledger become a :class:`RunAccount`.

This module holds the one definition of what a run did with each file and article. Settling
attaches the run's staged Parquet as temporary views and builds, before any write:

* ``run_articles``: every staged article that passed validation, with ``is_new`` (the first copy
  in the run, not known to the warehouse under the run's mode), without its texts
  (:data:`TEXT_COLUMNS`: the load reads them from the staged files when it writes them);
* ``run_ledger``: the final outcome of every file the run read: ``loaded`` when it gave at least
  one new article, ``duplicate`` when all its articles were known, ``quarantined`` when it gave
  none; a file the ledger already records with the same content keeps that verdict (it counts as
  unchanged: a run that read it at the same time as another one ends as if it had run after it);
* ``run_quarantine`` / ``run_rejected``: the quarantine rows of the files the run settles;
* ``removed``: the warehouse articles the run deletes before writing (see :mod:`etl.load.modes`).

A rebuild's copies from outside its partition (``holder`` in the staged ledger) are read only for
the articles they hold: their articles rank after those of the partition's files and are new
only when the rebuild would otherwise remove them; their quarantine and rejection rows are not
the run's, and a copy that keeps no article keeps its ledger verdict (counted as unchanged).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from etl.contracts import (
    REFUSED_UNREAD,
    SCHEMAS,
    DateSource,
    LedgerOutcome,
    Stage,
    StagedOutcome,
    read_by,
)
from etl.ingest.ledger import latest_contents_sql
from etl.load.keys import stable_id_sql
from etl.load.modes import REMOVED, REPLACE_SCOPE, RUN_REFUSED, Mode
from etl.storage import S3_PROTOCOLS, Location, configure_duckdb, location

#: The staged tables the loader reads (from the contracts).
STAGED_TABLES: tuple[str, ...] = read_by(Stage.LOAD)
#: The staged article columns that only ``article_text`` keeps: ``run_articles`` leaves them in
#: the staged files, and the load reads them there for the new articles alone, when it writes
#: the texts (carried through the settling, the texts of a 100,000-article run, ~0.8 GB, went
#: through its window sort and spilled: 4.1 s against 1.2 s without them).
TEXT_COLUMNS: tuple[str, ...] = ("raw_text", "clean_text")


@dataclass(kw_only=True)
class RunAccount:
    """What a run did, in files and articles: ``files_new = files_loaded + files_duplicate +
    files_quarantined`` for a run that reached its load; ``quarantined`` = quarantined files +
    bad records in files that loaded. A run that ended before its load counts only its plan's
    new files (:meth:`etl.load.record.RunFacts.planned_account`: none loaded, duplicate or
    quarantined)."""

    articles_loaded: int = 0  # new articles (records)
    duplicates: int = 0  # records or files whose article was already known
    quarantined: int = 0  # records: every quarantine row of the run (files refused whole included)
    files_new: int = 0  # files read = files_loaded + files_duplicate + files_quarantined (loaded)
    files_loaded: int = 0
    files_duplicate: int = 0
    files_quarantined: int = 0
    files_unchanged: int = 0
    files_deferred: int = 0
    partitions: list[date] = field(default_factory=list)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    #: Of ``files_quarantined``, those a rebuild quarantined again as before: content the
    #: ledger records as quarantined, a refusal as remembered. Not counted by the run-level
    #: rules (:mod:`etl.load.rules`): a rebuild reads its day's bad files again.
    files_requarantined: int = 0
    #: Articles the run deleted and did not write again (``replace``, ``rebuild``): those of its
    #: partitions no present file gives any more, the old versions of changed files.
    articles_removed: int = 0

    def refused(self) -> RunAccount:
        """The account of the same run when it is refused: nothing was loaded or removed."""
        return replace(self, articles_loaded=0, articles_removed=0, partitions=[])


def _read_staged(files: Sequence[Location], table: str) -> pa.Table:
    """The staged ``files`` of ``table`` read through fsspec, for stores DuckDB cannot read."""
    import pyarrow.parquet as pq

    schema = SCHEMAS[table]
    parts = [pq.read_table(pa.BufferReader(f.read_bytes()), schema=schema) for f in files]
    return pa.concat_tables(parts) if parts else pa.Table.from_pylist([], schema=schema)


def _conformed(con: duckdb.DuckDBPyConnection, view: str, table: str) -> str:
    """A SELECT of ``<view>_files`` with every column of the staged table's contract, a column
    that files staged by an older version lack read as NULL (their run can still load)."""
    have = {row[0] for row in con.execute(f"DESCRIBE {view}_files").fetchall()}
    missing = [f for f in SCHEMAS[table] if f.name not in have]
    if not missing:
        return f"SELECT * FROM {view}_files"
    nulls = ", ".join(f'NULL AS "{f.name}"' for f in missing)
    return f"SELECT *, {nulls} FROM {view}_files"


def attach_staged(
    con: duckdb.DuckDBPyConnection,
    staged: Mapping[str, Sequence[str | Path]],
    unchanged: list[dict[str, Any]],
    refused: Sequence[str] = (),
    refused_again: Sequence[str] = (),
    replayed: Sequence[tuple[str, str]] = (),
) -> None:
    """Attach the run's staged Parquet files as ``staged_<table>`` views, the ledger rows of
    the files the plan skipped as unchanged as ``run_unchanged``, and the paths of the files
    the run found refused unread as ``run_refused``: ``refused``, those the plan found refused
    as before (not read), and those its ingest refused from their listing; ``as_before`` marks
    ``refused_again``, those a rebuild judged again that were refused as before.

    DuckDB reads local files and ``s3://`` itself (httpfs, credentials from the AWS variables:
    :func:`etl.storage.configure_duckdb`); files on other stores (``gs://``, ``memory://``) are
    read through fsspec into Arrow tables that DuckDB scans in place.
    """
    found = {t: [location(p) for p in staged.get(t, [])] for t in STAGED_TABLES}
    on_s3 = [f for files in found.values() for f in files if f.protocol in S3_PROTOCOLS]
    if on_s3:
        configure_duckdb(con, on_s3[0])
    for table, files in found.items():
        view = f"staged_{table}"
        if files and all(f.is_local or f.protocol in S3_PROTOCOLS for f in files):
            paths = ", ".join("'" + f.url.replace("'", "''") + "'" for f in files)
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {view}_files AS SELECT * FROM read_parquet([{paths}])"
            )
            con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {_conformed(con, view, table)}")
        else:
            con.register(f"{view}_arrow", _read_staged(files, table))
            con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {view}_arrow")
    con.register("run_unchanged", pa.Table.from_pylist(unchanged, schema=SCHEMAS["ledger"]))
    reasons = ", ".join(f"'{reason}'" for reason in sorted(REFUSED_UNREAD))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {RUN_REFUSED} AS
        SELECT path, list_contains(?2::VARCHAR[], path) AS as_before FROM (
            SELECT unnest(?1::VARCHAR[]) AS path
            UNION
            SELECT path FROM staged_quarantine
            WHERE sha256 IS NULL AND stage = '{Stage.INGEST}' AND reason IN ({reasons})
        )
        """,
        [list(refused), list(refused_again)],
    )
    con.register(
        "run_replayed_arrow",
        pa.table(
            {"path": [p for p, _ in replayed], "sha256": [h for _, h in replayed]},
            schema=pa.schema([("path", pa.string()), ("sha256", pa.string())]),
        ),
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {RUN_REPLAYED} AS SELECT * FROM run_replayed_arrow")
    con.unregister("run_replayed_arrow")


def _settle_files(con: duckdb.DuckDBPyConnection, landing: str, mode: Mode) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE run_holders AS SELECT path, sha256 FROM staged_ledger "
        "WHERE coalesce(holder, false)"
    )
    # Files whose (path, content) the ledger recorded after this run was planned: the content
    # the path held when a run last read it. An older row of the path is content it had before
    # it changed, and has now again (an edit undone): new to be read, not settled already.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE late_known AS
        SELECT l.path, l.sha256, k.outcome, k.article_id, k.article_ids
        FROM staged_ledger l
        JOIN ({latest_contents_sql("$1", "SELECT path FROM staged_ledger")}) k
          ON k.path = l.path AND k.sha256 = l.sha256
        WHERE $2 AND NOT coalesce(l.unchanged, false)
        """,
        [landing, mode.honours_ledger],
    )
    for table, sha in (("quarantine", "sha256"), ("rejected", "file_sha256")):
        con.execute(
            f"""
            CREATE OR REPLACE TEMP VIEW run_{table} AS SELECT * FROM staged_{table} q
            WHERE NOT EXISTS (SELECT 1 FROM late_known k
                              WHERE k.path = q.path AND k.sha256 = q.{sha})
              AND NOT EXISTS (SELECT 1 FROM run_holders h
                              WHERE h.path = q.path AND h.sha256 = q.{sha})
            """
        )


def _settle_articles(con: duckdb.DuckDBPyConnection, mode: Mode) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE run_articles AS
        WITH held AS (
            -- An undated article its own file gives again keeps the day the warehouse holds it
            -- on, whatever the date of the run that read the file again.
            SELECT a.* EXCLUDE ({", ".join(TEXT_COLUMNS)})
                       REPLACE (coalesce(k.published_date, a.published_date) AS published_date),
                   EXISTS (SELECT 1 FROM run_holders h
                           WHERE h.path = a.path AND h.sha256 = a.file_sha256) AS from_holder
            FROM staged_articles a
            -- Every condition an equality, so that DuckDB hashes the join: with the date
            -- source's test on ``a`` alone it compared each staged article with every stored
            -- one (a nested loop, 1.2 s for a day of 2,500 into 150,000, growing with both).
            -- ``run_dated`` is a constant, not the stored article's own date source.
            LEFT JOIN (SELECT article_id, source_file, source_record, published_date,
                              '{DateSource.RUN}' AS run_dated
                       FROM fact_article) k
              ON k.run_dated = a.date_source AND k.article_id = a.article_id
             AND k.source_file = a.path AND k.source_record IS NOT DISTINCT FROM a.record
        ),
        candidates AS (
            SELECT a.*, row_number() OVER (
                       PARTITION BY a.article_id
                       ORDER BY a.from_holder, a.path, a.record NULLS FIRST
                   ) AS rank_in_run
            FROM held a
            WHERE NOT EXISTS (SELECT 1 FROM late_known k
                              WHERE k.path = a.path AND k.sha256 = a.file_sha256)
              -- A copy's refused record is the copy's own business, not the article's.
              AND NOT EXISTS (SELECT 1 FROM staged_rejected r
                              WHERE r.article_id = a.article_id
                                AND (NOT EXISTS (SELECT 1 FROM run_holders h
                                                 WHERE h.path = r.path
                                                   AND h.sha256 = r.file_sha256)
                                     OR (r.path = a.path AND r.file_sha256 = a.file_sha256
                                         AND r.record IS NOT DISTINCT FROM a.record)))
        )
        SELECT c.*, {stable_id_sql("c.source_name")} AS source_id,
               (c.rank_in_run = 1 AND NOT {mode.known_sql("c.article_id")}
                AND (NOT c.from_holder OR c.article_id IN (SELECT article_id FROM {REPLACE_SCOPE})))
                   AS is_new
        FROM candidates c
        """
    )


def _settle_ledger(con: duckdb.DuckDBPyConnection, landing: str) -> None:
    loaded, duplicate, quarantined = (
        LedgerOutcome.LOADED,
        LedgerOutcome.DUPLICATE,
        LedgerOutcome.QUARANTINED,
    )
    new = StagedOutcome.NEW
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE run_ledger AS
        WITH settled AS (
            SELECT l.*, coalesce(l.holder, false) AS is_holder,
                   -- a copy that keeps no article: read, but it keeps its verdict
                   coalesce(l.holder, false) AND coalesce(a.n_new, 0) = 0 AS kept,
                   k.path IS NOT NULL AS is_late, k.outcome AS late_outcome,
                   k.article_id AS late_article, k.article_ids AS late_articles,
                   p.outcome AS kept_outcome, p.article_id AS kept_article,
                   p.article_ids AS kept_articles, a.n_new, a.n_ok, a.first_id, a.first_new,
                   a.ids
            FROM staged_ledger l
            LEFT JOIN late_known k ON k.path = l.path AND k.sha256 = l.sha256
            LEFT JOIN ingest_ledger p
              ON p.landing = ? AND p.path = l.path AND p.sha256 = l.sha256
            LEFT JOIN (
                SELECT path, file_sha256, count(*) FILTER (WHERE is_new) AS n_new,
                       count(*) AS n_ok, min(article_id) AS first_id,
                       min(article_id) FILTER (WHERE is_new) AS first_new,
                       list_sort(list(DISTINCT article_id)) AS ids
                FROM run_articles GROUP BY ALL
            ) a ON a.path = l.path AND a.file_sha256 = l.sha256
        )
        SELECT path, sha256, size_bytes, mtime_ns,
               coalesce(unchanged, false) OR is_late OR kept AS unchanged,
               is_late AS late_known, is_holder AS holder,
               CASE
                 WHEN is_late THEN late_outcome
                 WHEN kept THEN kept_outcome
                 WHEN outcome <> '{new}' THEN outcome
                 WHEN n_new > 0 THEN '{loaded}'
                 WHEN n_ok > 0 THEN '{duplicate}'
                 ELSE '{quarantined}'
               END AS outcome,
               CASE
                 WHEN is_late THEN late_article
                 WHEN kept THEN kept_article
                 WHEN outcome <> '{new}' THEN article_id
                 WHEN is_holder THEN first_new
                 ELSE first_id
               END AS article_id,
               -- every article the content gives; NULL for a verdict carried over, which the
               -- ledger's row of that content already lists (etl.load.write.write_ledger)
               CASE
                 WHEN is_late THEN late_articles
                 WHEN kept THEN coalesce(ids, kept_articles)
                 WHEN outcome <> '{new}' THEN NULL
                 ELSE ids
               END AS article_ids
        FROM settled
        """,
        [landing],
    )


_COUNTS = f"""
SELECT count(*) FILTER (WHERE outcome = '{LedgerOutcome.LOADED}' AND NOT unchanged),
       count(*) FILTER (WHERE outcome = '{LedgerOutcome.DUPLICATE}' AND NOT unchanged),
       count(*) FILTER (WHERE outcome = '{LedgerOutcome.QUARANTINED}' AND NOT unchanged),
       (SELECT count(*) FROM run_articles WHERE is_new),
       (SELECT count(*) FROM run_articles WHERE NOT is_new AND NOT from_holder)
         + count(*) FILTER (WHERE outcome = '{LedgerOutcome.DUPLICATE}' AND NOT unchanged
                            AND sha256 NOT IN
                            (SELECT file_sha256 FROM run_articles)),
       count(*) FILTER (WHERE unchanged AND NOT late_known AND NOT holder),
       count(*) FILTER (WHERE late_known),
       -- a rebuild's copies that kept no article: read, and left as they were
       count(*) FILTER (WHERE holder AND unchanged),
       -- files quarantined before they were hashed (too large, outside the zone): no ledger row
       (SELECT count(*) FROM run_quarantine WHERE sha256 IS NULL),
       -- files ingest neither judged nor found unchanged (other days' files): its files in,
       -- less every file it gave a ledger row (one each) or refused unhashed (one row each).
       -- Not its stage row's out and quarantined, which count records and quarantine rows: a
       -- JSONL file of three records made a run defer -2 files (probe).
       (SELECT coalesce(sum(n_in), 0) FROM staged_stage_stats WHERE stage = '{Stage.INGEST}')
         - (SELECT count(*) FROM staged_ledger WHERE NOT coalesce(unchanged, false))
         - (SELECT count(*) FROM staged_quarantine
            WHERE sha256 IS NULL AND stage = '{Stage.INGEST}')
FROM run_ledger
"""


#: Files the run quarantined with the verdict the warehouse already holds on them (parameter
#: ``$1``: the landing zone): read again (a rebuild ignores the ledger's verdicts) and
#: quarantined as their ledger row says, or refused unread again as remembered.
_REQUARANTINED = f"""
SELECT (SELECT count(*) FROM run_ledger r
        WHERE r.outcome = '{LedgerOutcome.QUARANTINED}' AND NOT r.unchanged
          AND EXISTS (SELECT 1 FROM ingest_ledger l
                      WHERE l.landing = $1 AND l.path = r.path AND l.sha256 = r.sha256
                        AND l.outcome = '{LedgerOutcome.QUARANTINED}'))
     + (SELECT count(DISTINCT q.path) FROM run_quarantine q
        WHERE q.sha256 IS NULL AND q.path IN (SELECT path FROM {RUN_REFUSED} WHERE as_before))
"""


def settle(
    con: duckdb.DuckDBPyConnection,
    mode: Mode,
    landing: str,
    partition: date | None,
    planned_unchanged: int,
    planned_deferred: int,
) -> RunAccount:
    """Settle the attached staged run (see the module docstring) into its account; ``partition``
    is the run's date (None: every day)."""
    mode.prepare(con, landing, partition)
    _settle_files(con, landing, mode)
    _settle_articles(con, mode)
    _settle_ledger(con, landing)
    mode.settle_removal(con)
    row = con.execute(_COUNTS).fetchone()
    assert row is not None
    (loaded_files, duplicate_files, quarantined_read, loaded, duplicates,
     reread_unchanged, late, copies_kept, unhashed, not_read) = (int(x) for x in row)  # fmt: skip
    files_quarantined = quarantined_read + unhashed
    reasons = dict(
        con.execute(
            "SELECT reason, count(*) FROM (SELECT reason FROM run_quarantine"
            " UNION ALL SELECT reason FROM run_rejected) GROUP BY reason ORDER BY reason"
        ).fetchall()
    )
    return RunAccount(
        articles_loaded=loaded,
        duplicates=duplicates,
        # Records: every quarantine row of the run. A multi-record file refused whole has one
        # row per bad record (counting it once, as up to session 21, undercounted such files).
        quarantined=sum(reasons.values()),
        files_new=loaded_files + duplicate_files + files_quarantined,
        files_loaded=loaded_files,
        files_duplicate=duplicate_files,
        files_quarantined=files_quarantined,
        files_unchanged=planned_unchanged + reread_unchanged + late + copies_kept,
        # Files of the batches that ingest neither read nor found unchanged: other days' files.
        files_deferred=planned_deferred + not_read - reread_unchanged,
        partitions=[row[0] for row in con.execute(_TOUCHED_DAYS + " ORDER BY 1").fetchall()],
        articles_removed=_count(
            con,
            f"SELECT count(DISTINCT article_id) FROM {REMOVED} WHERE article_id NOT IN "
            "(SELECT article_id FROM run_articles WHERE is_new)",
        ),
        quarantine_reasons=reasons,
        # Only a rebuild reads a known file's content anew; the other modes keep the ledger's
        # verdict on it (counted as unchanged), so every daily run skips the join; a replay
        # reads again the files whose verdict it forgot.
        files_requarantined=(
            _count(con, _REQUARANTINED, [landing])
            if not mode.honours_ledger
            else _count(con, _REPLAYED_AGAIN)
        ),
    )


#: The temporary table of the files a replay forgot the quarantine of (:func:`attach_staged`).
RUN_REPLAYED = "run_replayed"

#: Files a replay read again and quarantined as they were: content it forgot the quarantine of,
#: quarantined again, or a refusal it forgot, refused again. A replay of many files still bad
#: and a few fixed was refused whole for its quarantine share, the fixed ones not loaded (probe).
_REPLAYED_AGAIN = f"""
SELECT (SELECT count(*) FROM run_ledger r
        WHERE r.outcome = '{LedgerOutcome.QUARANTINED}' AND NOT r.unchanged
          AND (r.path, r.sha256) IN (SELECT (path, sha256) FROM {RUN_REPLAYED}))
     + (SELECT count(DISTINCT q.path) FROM run_quarantine q
        WHERE q.sha256 IS NULL
          AND q.path IN (SELECT path FROM {RUN_REPLAYED} WHERE sha256 = ''))
"""


def _count(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> int:
    row = con.execute(sql, params or []).fetchone()
    return int(row[0]) if row else 0


#: The days a run writes: those of its new articles and of the articles it removes.
_TOUCHED_DAYS = (
    "SELECT published_date FROM run_articles WHERE is_new UNION "
    "SELECT published_date FROM fact_article "
    f"WHERE article_id IN (SELECT article_id FROM {REMOVED})"
)


def touched_days_sql() -> str:
    """SQL of the days the settled run writes (one DATE column)."""
    return _TOUCHED_DAYS


def expected_counts(con: duckdb.DuckDBPyConnection) -> dict[date, int]:
    """Articles each partition the settled run writes must hold afterwards: the articles there
    now, less those it removes, plus its new ones (read before the transaction)."""
    rows = con.execute(
        f"""
        WITH days AS ({_TOUCHED_DAYS})
        SELECT d.published_date,
               (SELECT count(*) FROM run_articles n
                WHERE n.is_new AND n.published_date = d.published_date)
             + (SELECT count(*) FROM fact_article f WHERE f.published_date = d.published_date
                  AND f.article_id NOT IN (SELECT article_id FROM {REMOVED}))
        FROM days d
        """
    ).fetchall()
    return {day: int(n) for day, n in rows}
