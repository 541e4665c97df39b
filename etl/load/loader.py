"""The partition loader: one transaction per run, idempotent, under the single-writer lock.

Staged Parquet of every batch is attached as temporary views, duplicates are settled against the
warehouse, and every affected ``published_date`` partition is rewritten inside one transaction:

* ``merge`` (scheduled and CLI runs): a partition becomes its current articles plus the run's new
  ones; articles already in the warehouse are duplicates and are not written again, so a rerun
  over the same files changes no dimension or fact table;
* ``replace``: the partitions the run covers are emptied first and then hold exactly the run's
  articles;
* ``rebuild`` (backfills): the articles that the run's files produced before (the ledger records
  every file's path and article) are deleted and replaced by what the files produce now, so a
  rebuild of day *D* touches nothing that came from another day's files.

Facts are appended in ``(published_date, article_id)`` order, so each day's rows and each
article's terms are stored together: DuckDB then skips the row groups of other days and stores
the repeated ``article_id`` as a dictionary, which keeps the analyst macros fast at 100,000
articles (docs/query-performance.md).

Either all of a run's rows appear or none do: a crash or a failed check leaves every partition as
it was, and the next run simply tries again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from etl.errors import BatchValidationError
from etl.load import daily_terms
from etl.load.keys import stable_id_sql
from etl.load.staging import SCHEMAS
from etl.load.stories import assign_stories
from etl.timing import DAILY_SUMS, STORIES, timed

#: Post-load checks: given the writer connection (inside the load transaction, facts written) and
#: the article count each written partition must hold, return ``fact_check_result`` rows.
PostLoadCheck = Callable[[duckdb.DuckDBPyConnection, dict[date, int]], list[dict[str, Any]]]

#: Test hook (documented in the README): when this variable names a file, the loader creates it
#: right before COMMIT and then waits there, so a test can kill the process mid-transaction.
PAUSE_BEFORE_COMMIT_ENV = "NEWS_ETL_TEST_PAUSE_BEFORE_COMMIT"

STAGED_TABLES = ("ledger", "quarantine", "articles", "terms", "rejected", "checks", "stage_stats")


@dataclass(frozen=True)
class RunFacts:
    """What the loader needs to know about the run besides its staged data."""

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


@dataclass
class LoadSummary:
    """Counts of one committed (or refused) run."""

    run_id: str
    status: str
    articles_loaded: int = 0  # new articles (records)
    duplicates: int = 0  # records or files whose article was already known
    quarantined: int = 0  # quarantined files plus bad records inside files that loaded
    files_new: int = 0  # files read = files_loaded + files_duplicate + files_quarantined
    files_loaded: int = 0
    files_duplicate: int = 0
    files_quarantined: int = 0
    files_unchanged: int = 0
    files_deferred: int = 0
    partitions: list[date] = field(default_factory=list)
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    report: Path | None = None  # the HTML run report, once written
    data_docs: Path | None = None  # the index.html of the run's GX Data Docs, once built


def _attach(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> None:
    view = f"staged_{table}"
    if files:
        paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM read_parquet([{paths}])")
    else:
        empty = pa.Table.from_pylist([], schema=SCHEMAS[table])
        con.register(f"{view}_arrow", empty)
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {view}_arrow")


def _scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = con.execute(sql, params or []).fetchone()
    return row[0] if row else None


def load_staged(
    con: duckdb.DuckDBPyConnection,
    facts: RunFacts,
    staged: dict[str, list[Path]],
    schema_version: int,
    post_load: PostLoadCheck | None = None,
) -> LoadSummary:
    """Commit one run's staged batches to the warehouse (see the module docstring).

    ``post_load`` checks the written partitions inside the transaction; if any of its results
    failed, the data writes are rolled back and the run is recorded as failed with its results.
    """
    for table in STAGED_TABLES:
        _attach(con, table, staged.get(table, []))
    con.register("run_unchanged", pa.Table.from_pylist(facts.unchanged, schema=SCHEMAS["ledger"]))
    # What a rebuild replaces: the articles the run's files produced when they were last loaded.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE rebuild_scope AS
        SELECT DISTINCT l.article_id FROM ingest_ledger l
        WHERE ? AND l.landing = ? AND l.outcome = 'loaded' AND l.article_id IS NOT NULL
          AND l.path IN (SELECT path FROM staged_ledger)
          AND l.article_id IN (SELECT article_id FROM fact_article)
        """,
        [facts.mode == "rebuild", facts.landing],
    )

    # Settle every staged article: rejected by validation, duplicate, or new.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE run_articles AS
        WITH candidates AS (
            SELECT a.*, row_number() OVER (
                       PARTITION BY a.article_id ORDER BY a.path, a.record NULLS FIRST
                   ) AS rank_in_run
            FROM staged_articles a
            WHERE a.article_id NOT IN (SELECT article_id FROM staged_rejected)
        )
        SELECT c.*, {stable_id_sql("c.source_name")} AS source_id,
               (c.rank_in_run = 1 AND ({"true" if facts.mode == "replace" else "false"}
                    OR c.article_id NOT IN (SELECT article_id FROM fact_article)
                    OR c.article_id IN (SELECT article_id FROM rebuild_scope))) AS is_new
        FROM candidates c
        """
    )
    # Final outcome of every file the run read: loaded when it gave at least one new article,
    # duplicate when all its articles were known, quarantined when it gave none.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE run_ledger AS
        SELECT l.path, l.sha256, l.size_bytes, l.mtime_ns,
               coalesce(l.unchanged, false) AS unchanged,
               CASE
                 WHEN l.outcome <> 'new' THEN l.outcome
                 WHEN a.n_new > 0 THEN 'loaded'
                 WHEN a.n_ok > 0 THEN 'duplicate'
                 ELSE 'quarantined'
               END AS outcome,
               CASE WHEN l.outcome <> 'new' THEN l.article_id ELSE a.first_id END AS article_id
        FROM staged_ledger l
        LEFT JOIN (
            SELECT path, file_sha256, count(*) FILTER (WHERE is_new) AS n_new,
                   count(*) AS n_ok, min(article_id) AS first_id
            FROM run_articles GROUP BY ALL
        ) a ON a.path = l.path AND a.file_sha256 = l.sha256
        """
    )
    counts = con.execute(
        """
        SELECT count(*) FILTER (WHERE outcome = 'loaded' AND NOT unchanged),
               count(*) FILTER (WHERE outcome = 'duplicate' AND NOT unchanged),
               count(*) FILTER (WHERE outcome = 'quarantined' AND NOT unchanged),
               (SELECT count(*) FROM run_articles WHERE is_new),
               (SELECT count(*) FROM run_articles WHERE NOT is_new)
                 + count(*) FILTER (WHERE outcome = 'duplicate' AND NOT unchanged AND sha256 NOT IN
                                    (SELECT file_sha256 FROM run_articles)),
               -- records quarantined inside files that still gave articles
               (SELECT count(*) FROM (
                    SELECT path, sha256 FROM staged_quarantine WHERE record IS NOT NULL
                    UNION ALL SELECT path, file_sha256 FROM staged_rejected
                ) q WHERE EXISTS (SELECT 1 FROM run_ledger f WHERE f.path = q.path
                                  AND f.sha256 = q.sha256 AND f.outcome <> 'quarantined')),
               count(*) FILTER (WHERE unchanged)
        FROM run_ledger
        """
    ).fetchone()
    assert counts is not None
    (
        files_loaded,
        files_duplicate,
        quarantined_read,
        loaded,
        duplicates,
        records_quarantined,
        reread_unchanged,
    ) = (int(x) for x in counts)
    # Files quarantined before they were hashed (too large, outside the zone) have no ledger row.
    unhashed = int(_scalar(con, "SELECT count(*) FROM staged_quarantine WHERE sha256 IS NULL"))
    files_quarantined = quarantined_read + unhashed
    quarantined = files_quarantined + records_quarantined
    ingest_stats = con.execute(
        "SELECT coalesce(sum(n_in), 0), coalesce(sum(n_out + n_duplicate + n_quarantined), 0) "
        "FROM staged_stage_stats WHERE stage = 'ingest'"
    ).fetchone()
    assert ingest_stats is not None
    files_read = int(ingest_stats[1])
    deferred = facts.files_deferred_plan + int(ingest_stats[0]) - files_read - reread_unchanged
    files_new = files_loaded + files_duplicate + files_quarantined
    partitions = [
        row[0]
        for row in con.execute(
            "SELECT published_date FROM run_articles WHERE is_new UNION "
            "SELECT published_date FROM fact_article "
            "WHERE article_id IN (SELECT article_id FROM rebuild_scope) ORDER BY 1"
        ).fetchall()
    ]
    reasons = dict(
        con.execute(
            "SELECT reason, count(*) FROM ("
            "  SELECT reason FROM staged_quarantine"
            "  UNION ALL SELECT reason FROM staged_rejected) GROUP BY reason ORDER BY reason"
        ).fetchall()
    )
    summary = LoadSummary(
        run_id=facts.run_id,
        status="success",
        articles_loaded=loaded,
        duplicates=duplicates,
        quarantined=quarantined,
        files_new=files_new,
        files_loaded=files_loaded,
        files_duplicate=files_duplicate,
        files_quarantined=files_quarantined,
        files_unchanged=len(facts.unchanged) + reread_unchanged,
        files_deferred=deferred,
        partitions=partitions,
        quarantine_reasons=reasons,
    )
    problem = _batch_problem(summary, facts)
    results = _run_level_results(summary, facts, problem)
    expected = _expected_partition_counts(con, facts)

    con.execute("BEGIN TRANSACTION")
    try:
        if problem is None:
            _write_facts(con, facts)
            _write_ledger(con, facts)
            if post_load is not None and expected:
                checked = post_load(con, expected)
                results += checked
                problem = _post_load_problem(checked, facts)
                if problem is not None:  # nothing half-loaded: undo the data, keep the evidence
                    con.execute("ROLLBACK")
                    con.execute("BEGIN TRANSACTION")
        if problem is not None:
            summary.status, summary.error = "failed", problem
            summary.articles_loaded, summary.partitions = 0, []
        _write_quarantine(con, facts)
        _write_results(con, facts, results)
        _write_run(con, facts, summary, schema_version)
        _pause_before_commit()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if problem is not None:
        raise BatchValidationError(problem)
    return summary


def _pause_before_commit() -> None:
    """The test hook: announce "about to commit" through a file, then wait to be killed."""
    marker = os.environ.get(PAUSE_BEFORE_COMMIT_ENV)
    if not marker:
        return
    with open(marker, "w", encoding="utf-8") as fh:
        fh.write(str(os.getpid()))
    time.sleep(120)  # bounded: if nobody kills us, the commit simply goes ahead


def _batch_problem(summary: LoadSummary, facts: RunFacts) -> str | None:
    """A batch-level reason to refuse the whole run, or ``None``."""
    if summary.files_new < facts.quarantine_check_min_files:
        return None  # too few files for a share to mean anything
    if summary.articles_loaded + summary.duplicates == 0:
        return (
            f"run {facts.run_id}: none of the {summary.files_new} new files produced an article "
            f"(quarantine reasons: {summary.quarantine_reasons}); nothing was loaded"
        )
    share = summary.files_quarantined / summary.files_new
    if share > facts.max_quarantine_share:
        return (
            f"run {facts.run_id}: {summary.files_quarantined} of {summary.files_new} new files "
            f"({share:.0%}) were quarantined, over the limit of {facts.max_quarantine_share:.0%} "
            f"(reasons: {summary.quarantine_reasons}); nothing was loaded"
        )
    return None


def _run_level_results(
    summary: LoadSummary, facts: RunFacts, problem: str | None
) -> list[dict[str, Any]]:
    """The batch-level rules of :func:`_batch_problem` as ``fact_check_result`` rows (suite
    ``run``, batch -1), so a refused day shows up next to the GX results."""
    applies = summary.files_new >= facts.quarantine_check_min_files
    share = summary.quarantined / summary.files_new if summary.files_new else 0.0
    articles = summary.articles_loaded + summary.duplicates
    base = {"batch": -1, "suite": "run", "column_name": None, "element_count": summary.files_new}
    return [
        {
            **base,
            "expectation": "max_quarantine_share",
            "success": not applies or share <= facts.max_quarantine_share,
            "unexpected_count": summary.quarantined,
            "observed_value": f"{share:.4f}",
            "detail": f"limit {facts.max_quarantine_share} from {facts.quarantine_check_min_files}"
            f" new files; reasons {summary.quarantine_reasons}",
        },
        {
            **base,
            "expectation": "articles_on_a_day_with_files",
            "success": not applies or articles > 0,
            "unexpected_count": None,
            "observed_value": str(articles),
            "detail": problem if applies and articles == 0 else None,
        },
    ]


def _expected_partition_counts(con: duckdb.DuckDBPyConnection, facts: RunFacts) -> dict[date, int]:
    """Articles each partition the run writes must hold afterwards (before the transaction)."""
    keep_current = "false" if facts.mode == "replace" else "true"
    # A rebuild first removes the articles its files produced before (rebuild_scope).
    replaced = (
        "(SELECT count(*) FROM fact_article f WHERE f.published_date = n.published_date"
        " AND f.article_id IN (SELECT article_id FROM rebuild_scope))"
        if facts.mode == "rebuild"
        else "0"
    )
    rows = con.execute(
        f"""
        SELECT n.published_date,
               n.new_articles + CASE WHEN {keep_current} THEN
                   (SELECT count(*) FROM fact_article f
                    WHERE f.published_date = n.published_date) - {replaced} ELSE 0 END
        FROM (SELECT published_date, count(*) AS new_articles FROM run_articles
              WHERE is_new GROUP BY published_date) n
        """
    ).fetchall()
    return {d: int(n) for d, n in rows}


def _post_load_problem(results: list[dict[str, Any]], facts: RunFacts) -> str | None:
    failed = [r for r in results if not r["success"]]
    if not failed:
        return None
    names = ", ".join(
        f"{r['suite']}.{r['expectation']}({r['column_name'] or ''})"
        f" unexpected={r['unexpected_count']}"
        for r in failed
    )
    return f"run {facts.run_id}: post-load warehouse checks failed: {names}; nothing was loaded"


def _write_results(
    con: duckdb.DuckDBPyConnection, facts: RunFacts, results: list[dict[str, Any]]
) -> None:
    if not results:
        return
    con.register("run_results", pa.Table.from_pylist(results, schema=SCHEMAS["checks"]))
    con.execute(
        """
        INSERT INTO fact_check_result BY NAME
        SELECT ? AS run_id, ?::DATE AS partition_date, batch, suite, expectation, column_name,
               success, element_count, unexpected_count, observed_value, detail
        FROM run_results
        """,
        [facts.run_id, facts.partition_date],
    )
    con.unregister("run_results")


def _write_facts(con: duckdb.DuckDBPyConnection, facts: RunFacts) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE new_articles AS SELECT * FROM run_articles WHERE is_new"
    )
    # Days whose term counts change: the new articles' and those of every article removed below.
    daily_terms.start(con)
    daily_terms.touch(con, "SELECT published_date FROM new_articles")
    if facts.mode == "rebuild":
        daily_terms.touch(
            con,
            "SELECT published_date FROM fact_article "
            "WHERE article_id IN (SELECT article_id FROM rebuild_scope)",
        )
        for table in ("fact_article_term", "article_text", "fact_article"):
            con.execute(
                f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM rebuild_scope)"
            )
    if facts.mode == "replace":
        con.execute(
            "CREATE OR REPLACE TEMP TABLE gone AS SELECT article_id FROM fact_article "
            "WHERE published_date IN (SELECT published_date FROM new_articles) "
            "   OR article_id IN (SELECT article_id FROM new_articles)"
        )
        daily_terms.touch(
            con,
            "SELECT published_date FROM fact_article "
            "WHERE article_id IN (SELECT article_id FROM gone)",
        )
        for table in ("fact_article_term", "article_text", "fact_article"):
            con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM gone)")
    con.execute(
        """
        INSERT INTO dim_date
        SELECT d, year(d), quarter(d), month(d), day(d), isodow(d), dayname(d),
               isoyear(d), week(d), isodow(d) >= 6
        FROM (SELECT DISTINCT published_date AS d FROM new_articles)
        WHERE d NOT IN (SELECT date_key FROM dim_date)
        """
    )
    con.execute(
        """
        INSERT INTO dim_source
        SELECT DISTINCT source_id, source_name FROM new_articles
        WHERE source_id NOT IN (SELECT source_id FROM dim_source)
        """
    )
    # Term and stem keys come staged: the text stage hashes each distinct name once
    # (etl.load.keys.stable_ids), which equals stable_id_sql() of the same name.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE new_terms AS
        SELECT t.article_id, t.term, t.kind, t.term_id,
               a.published_date, t.count, t.first_offset, a.language_code, t.stem,
               t.stem_id, t.is_stopword
        -- DISTINCT: the same content read under two paths in different batches is staged
        -- (with identical terms) by both; the article is loaded once, so are its terms.
        FROM (SELECT DISTINCT * FROM staged_terms) t
        JOIN new_articles a ON a.article_id = t.article_id
        """
    )
    # A term's kind follows from its text alone (etl.text.tokenize.token_kind).
    con.execute(
        """
        INSERT INTO dim_term
        SELECT term_id, term, min(kind), length(term)
        FROM new_terms
        WHERE term_id NOT IN (SELECT term_id FROM dim_term)
        GROUP BY term_id, term
        """
    )
    con.execute(
        """
        INSERT INTO dim_stem
        SELECT DISTINCT stem_id, language_code, stem FROM new_terms
        WHERE stem_id NOT IN (SELECT stem_id FROM dim_stem)
        """
    )
    con.execute(
        """
        INSERT INTO dim_language
        SELECT DISTINCT language_code, language_name FROM new_articles
        WHERE language_code NOT IN (SELECT language_code FROM dim_language)
        """
    )
    with timed(STORIES):
        assign_stories(con)
    con.execute(
        """
        INSERT INTO fact_article BY NAME
        SELECT a.article_id, a.published_date, a.date_source, a.source_id,
               a.path AS source_file, a.title, a.encoding, a.encoding_note, a.raw_bytes,
               a.n_chars, a.n_paragraphs, a.n_sentences, a.n_tokens, a.n_terms, a.text_version,
               a.url, a.authors, a.source_format, a.record AS source_record, a.text_repair,
               a.language_code, a.language_confidence, m.story_id
        FROM new_articles a JOIN story_member m USING (article_id)
        ORDER BY a.published_date, a.article_id
        """
    )
    con.execute(
        """
        INSERT INTO article_text BY NAME
        SELECT article_id, published_date, raw_text, clean_text FROM new_articles
        ORDER BY published_date, article_id
        """
    )
    con.execute(
        """
        INSERT INTO fact_article_term BY NAME
        SELECT article_id, term_id, published_date, count, first_offset, stem_id, is_stopword
        FROM new_terms
        ORDER BY published_date, article_id, term_id
        """
    )
    with timed(DAILY_SUMS):
        daily_terms.refresh_days(con)


def _write_ledger(con: duckdb.DuckDBPyConnection, facts: RunFacts) -> None:
    params = [facts.run_id, facts.landing]
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE seen AS
        SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id FROM run_ledger
        UNION ALL
        SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id FROM run_unchanged
        """
    )
    con.execute(
        """
        UPDATE ingest_ledger AS l
        SET last_seen = current_timestamp, last_run_id = ?, outcome = s.outcome,
            article_id = s.article_id, size_bytes = s.size_bytes, mtime_ns = s.mtime_ns
        FROM seen s
        WHERE l.landing = ? AND l.path = s.path AND l.sha256 = s.sha256
        """,
        params,
    )
    con.execute(
        """
        INSERT INTO ingest_ledger
        SELECT s.path, ?2, s.sha256, s.size_bytes, s.mtime_ns, s.outcome, s.article_id,
               current_timestamp, current_timestamp, ?1, ?1
        FROM seen s
        WHERE NOT EXISTS (SELECT 1 FROM ingest_ledger l
                          WHERE l.landing = ?2 AND l.path = s.path AND l.sha256 = s.sha256)
        """,
        params,
    )


def _write_quarantine(con: duckdb.DuckDBPyConnection, facts: RunFacts) -> None:
    con.execute(
        """
        INSERT INTO quarantine BY NAME
        SELECT ? AS run_id, ? AS landing, path, sha256, record, stage, reason, detail,
               ?::DATE AS partition_date, current_timestamp AS quarantined_at
        FROM (
            SELECT path, sha256, record, stage, reason, detail FROM staged_quarantine
            UNION ALL
            SELECT path, file_sha256, coalesce(record, article_id), 'validate', reason, detail
            FROM staged_rejected
        )
        """,
        [facts.run_id, facts.landing, facts.partition_date],
    )
    con.execute(
        """
        INSERT INTO fact_check_result BY NAME
        SELECT ? AS run_id, ?::DATE AS partition_date, batch, suite, expectation, column_name,
               success, element_count, unexpected_count, observed_value, detail
        FROM staged_checks
        """,
        [facts.run_id, facts.partition_date],
    )


def _write_run(
    con: duckdb.DuckDBPyConnection, facts: RunFacts, summary: LoadSummary, schema_version: int
) -> None:
    con.execute(
        """
        INSERT INTO etl_run BY NAME
        SELECT ? AS run_id, ? AS trigger, ? AS external_run_id, ?::DATE AS partition_date,
               ? AS mode, ? AS landing, ?::TIMESTAMPTZ AS started_at,
               current_timestamp AS ended_at, ? AS status, ? AS code_version,
               ? AS text_version, ? AS schema_version, ? AS files_seen,
               ? AS files_unchanged, ? AS files_deferred, ? AS files_new,
               ? AS articles_loaded, ? AS duplicates, ? AS quarantined,
               ?::DATE[] AS partitions, ? AS error, ? AS files_loaded,
               ? AS files_duplicate, ? AS files_quarantined
        """,
        [
            facts.run_id,
            facts.trigger,
            facts.external_run_id,
            facts.partition_date,
            facts.mode,
            facts.landing,
            facts.started_at,
            summary.status,
            facts.code_version,
            facts.text_version,
            schema_version,
            facts.files_seen,
            summary.files_unchanged,
            summary.files_deferred,
            summary.files_new,
            summary.articles_loaded,
            summary.duplicates,
            summary.quarantined,
            summary.partitions,
            summary.error,
            summary.files_loaded,
            summary.files_duplicate,
            summary.files_quarantined,
        ],
    )
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
