"""The writes of a settled run, the same for every load mode: remove what the mode removes, add
the dimension rows the new articles need, assign stories, append the facts, refresh the daily
term sums, record the ledger.

Facts are appended in ``(published_date, article_id)`` order, so each day's rows and each
article's terms are stored together: DuckDB then skips the row groups of other days and stores
the repeated ``article_id`` as a dictionary, which keeps the analyst macros fast at 100,000
articles (docs/query-performance.md).
"""

from __future__ import annotations

import duckdb

from etl.contracts import SCHEMAS, LedgerOutcome, QuarantineReason, Stage
from etl.load import boilerplate, daily_terms
from etl.load.account import TEXT_COLUMNS, touched_days_sql
from etl.load.modes import LISTED, REMOVED
from etl.load.slices import article_slices, in_slice
from etl.load.stories import assign_stories
from etl.timing import DAILY_SUMS, STORIES, timed

#: The article tables a removal deletes from, children first.
ARTICLE_TABLES = ("fact_article_term", "article_text", "fact_article")


def write_facts(con: duckdb.DuckDBPyConnection, story_window_days: int) -> None:
    """Write the settled run's new articles (``run_articles.is_new``) and their dimensions;
    stories match within ``story_window_days`` (the run's planned setting)."""
    # A view, not a copy (the settled run_articles holds no texts: see _new_texts).
    # pragma: no mutate start (equivalent in upper case, seed 1232: SQL is case-blind)
    con.execute(
        "CREATE OR REPLACE TEMP VIEW new_articles AS SELECT * FROM run_articles WHERE is_new"
    )
    # pragma: no mutate end
    daily_terms.start(con)
    daily_terms.touch(con, touched_days_sql())
    for table in ARTICLE_TABLES:
        con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM {REMOVED})")
    _write_dimensions(con)
    with timed(STORIES):
        assign_stories(con, story_window_days)
    _append_facts(con)
    # dim_date holds the days that have articles: a day the removal emptied goes with them.
    con.execute(
        f"""
        DELETE FROM dim_date
        WHERE date_key IN (SELECT published_date FROM {daily_terms.TOUCHED_DAYS})
          AND date_key NOT IN (
              SELECT published_date FROM fact_article
              WHERE published_date IN (SELECT published_date FROM {daily_terms.TOUCHED_DAYS}))
        """
    )
    with timed(DAILY_SUMS):
        daily_terms.refresh_days(con)
        boilerplate.flag_days(con, daily_terms.TOUCHED_DAYS)  # known bylines out of the rankings


def _write_dimensions(con: duckdb.DuckDBPyConnection) -> None:
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
    con.execute(
        "CREATE OR REPLACE TEMP TABLE repeated_articles AS SELECT article_id FROM staged_articles "
        "GROUP BY article_id HAVING count(*) > 1"
    )
    # Term and stem keys come staged: the text stage hashes each distinct name once
    # (etl.load.keys.stable_ids), which equals stable_id_sql() of the same name.
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW new_terms AS
        SELECT t.article_id, t.term, t.kind, t.term_id,
               a.published_date, t.count, t.first_offset, a.language_code, t.stem,
               t.stem_id, t.is_stopword
        FROM (
            -- The same content read under two paths (in different batches) is staged, with
            -- identical terms, by each batch: the article is loaded once, so are its terms.
            -- A batch stages an article's terms once, so only articles staged more than once
            -- can repeat rows; DISTINCT over all 17 million term rows of a 100,000-article run
            -- cost 16 s, over the repeated articles' rows nothing.
            SELECT * FROM staged_terms
            WHERE article_id NOT IN (SELECT article_id FROM repeated_articles)
            UNION ALL
            SELECT DISTINCT * FROM staged_terms
            WHERE article_id IN (SELECT article_id FROM repeated_articles)
        ) t
        JOIN new_articles a ON a.article_id = t.article_id
        """
    )
    # The run's distinct term and stem names, in one pass over its term rows (two passes, one
    # per dimension, cost 5.2 s at 100,000 articles): a few hundred thousand rows.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE run_names AS
        SELECT DISTINCT term_id, term, kind, stem_id, language_code, stem FROM new_terms
        """
    )
    # A term's kind follows from its text alone (etl.text.tokenize.token_kind).
    con.execute(
        """
        INSERT INTO dim_term
        SELECT term_id, term, min(kind), length(term)
        FROM run_names
        WHERE term_id NOT IN (SELECT term_id FROM dim_term)
        GROUP BY term_id, term
        """
    )
    con.execute(
        """
        INSERT INTO dim_stem
        SELECT DISTINCT stem_id, language_code, stem FROM run_names
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


#: The columns of the staged ``articles`` table (:data:`etl.contracts.SCHEMAS`) that
#: ``fact_article`` does not hold, and where each is kept instead (None: used on the way only).
#: Every other staged column goes into ``fact_article``, under its own name or its
#: :data:`FACT_ARTICLE_RENAMED` one: the loader's column list derives from the declaration, so a
#: new staged column is written or fails the load (fact_article has no such column) until it is
#: listed here, never silently left NULL (tests/integration/test_fact_article_columns.py).
STORED_ELSEWHERE: dict[str, str | None] = {
    "file_sha256": "ingest_ledger.sha256",
    "source_name": "dim_source.source_name",  # fact_article holds its stable id, source_id
    **{column: f"article_text.{column}" for column in TEXT_COLUMNS},
    "language_name": "dim_language.language_name",
    "minhash": "story_member.minhash",
    "lsh_bands": "story_lsh.bucket",  # one row per band
    "replacement_ratio": None,  # checked by the article suite (etl.validate), not kept
}
#: Staged article columns ``fact_article`` holds under another name.
FACT_ARTICLE_RENAMED = {"path": "source_file", "record": "source_record"}
#: ``fact_article`` columns the load settles rather than stages, and what fills them: the
#: source's stable id (from ``source_name``, etl.load.account) and the story (etl.load.stories).
FACT_ARTICLE_SETTLED = {"source_id": "a.source_id", "story_id": "m.story_id"}


def fact_article_columns() -> str:
    """The select list that fills ``fact_article`` from ``new_articles a`` and
    ``story_member m``."""
    staged = [name for name in SCHEMAS["articles"].names if name not in STORED_ELSEWHERE]
    return ", ".join(
        [f"a.{name} AS {FACT_ARTICLE_RENAMED.get(name, name)}" for name in staged]
        + [f"{source} AS {column}" for column, source in FACT_ARTICLE_SETTLED.items()]
    )


def _append_facts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        INSERT INTO fact_article BY NAME
        SELECT {fact_article_columns()}
        FROM new_articles a JOIN story_member m USING (article_id)
        ORDER BY a.published_date, a.article_id
        """
    )
    # Each article's rank in that order: the term facts sort on (rank, term_id), integers, in the
    # same order as on (published_date, article_id, term_id), whose 64-character ids made the
    # sort 60 % of each slice's select (1.21 s -> 0.99 s a slice of 1.8 million term rows).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE article_rank AS
        SELECT article_id, row_number() OVER (ORDER BY published_date, article_id) AS rank
        FROM new_articles
        """
    )
    _new_texts(con)
    texts = ", ".join(TEXT_COLUMNS)
    # Texts and term facts go in slice by slice (etl.load.slices), in the same order.
    for piece in article_slices(con, "SELECT published_date, article_id FROM new_articles"):
        con.execute(
            f"""
            INSERT INTO article_text BY NAME
            SELECT article_id, published_date, {texts} FROM new_texts
            WHERE {in_slice()}
            ORDER BY published_date, article_id
            """,
            piece.params(),
        )
        con.execute(
            f"""
            INSERT INTO fact_article_term BY NAME
            SELECT article_id, term_id, published_date, count, first_offset, stem_id, is_stopword
            FROM new_terms JOIN article_rank USING (article_id)
            WHERE {in_slice()}
            ORDER BY rank, term_id
            """,
            piece.params(),
        )
    con.execute("DROP TABLE new_texts")  # written: its memory (or spill) is given back


def _new_texts(con: duckdb.DuckDBPyConnection) -> None:
    """``new_texts``: the texts of the new articles, read from the staged files (the staged row
    each new article was settled from: a file stages a record once, and a run reads a path
    once; the post-load check counts one text per article)."""
    texts = ", ".join(f"s.{column}" for column in TEXT_COLUMNS)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE new_texts AS
        SELECT n.article_id, n.published_date, {texts}
        FROM new_articles n
        JOIN staged_articles s
          ON s.path = n.path AND s.file_sha256 = n.file_sha256
         AND s.record IS NOT DISTINCT FROM n.record AND s.article_id = n.article_id
        """
    )


def write_ledger(con: duckdb.DuckDBPyConnection, run_id: str, landing: str) -> None:
    """Record every file the run saw in ``ingest_ledger``: the settled files with their final
    outcome and every article they give (``article_ids``), and the files the plan skipped as
    unchanged (their last sighting). A file skipped as unchanged whose row is gone by now is
    not recorded anew: its verdict was forgotten after the plan (a replay, which reads it
    again; a rebuild that removed its article), and this run, which did not read it, has none
    to give. Written back, it made the replay's own verdict look older than the run's, and the
    replay dropped the file's quarantine records (probe, session 43)."""
    params = [run_id, landing]
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE seen AS
        SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id, article_ids,
               false AS skipped
        FROM run_ledger
        UNION ALL
        SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id, NULL::VARCHAR[], true
        FROM run_unchanged
        """
    )
    # A verdict carried over (unchanged, or a copy of bytes the ledger knows) comes without its
    # list: it keeps the list its row has, or takes the one of another row of the same content;
    # NULL when none was recorded (rows older than migration 0022: see its header).
    con.execute(
        """
        UPDATE ingest_ledger AS l
        SET last_seen = current_timestamp, last_run_id = ?, outcome = s.outcome,
            article_id = s.article_id, size_bytes = s.size_bytes, mtime_ns = s.mtime_ns,
            article_ids = CASE WHEN s.article_id IS NULL THEN NULL
                               ELSE coalesce(s.article_ids, l.article_ids) END
        FROM seen s
        WHERE l.landing = ? AND l.path = s.path AND l.sha256 = s.sha256
        """,
        params,
    )
    con.execute(
        """
        INSERT INTO ingest_ledger BY NAME
        SELECT s.path, ?2 AS landing, s.sha256, s.size_bytes, s.mtime_ns, s.outcome,
               s.article_id, current_timestamp AS first_seen, current_timestamp AS last_seen,
               ?1 AS first_run_id, ?1 AS last_run_id,
               CASE WHEN s.article_id IS NULL THEN NULL
                    ELSE coalesce(s.article_ids, c.article_ids) END AS article_ids
        FROM seen s
        LEFT JOIN (
            SELECT sha256, any_value(article_ids) AS article_ids FROM ingest_ledger
            WHERE landing = ?2 AND article_ids IS NOT NULL
              -- only files new to the ledger come without a list (copies of known bytes); the
              -- unchanged ones keep their row's, so a run of many of them looks up nothing
              AND sha256 IN (SELECT sha256 FROM run_ledger
                             WHERE article_ids IS NULL AND article_id IS NOT NULL
                               AND NOT unchanged)
            GROUP BY sha256
        ) c ON c.sha256 = s.sha256
        WHERE NOT s.skipped
          AND NOT EXISTS (SELECT 1 FROM ingest_ledger l
                          WHERE l.landing = ?2 AND l.path = s.path AND l.sha256 = s.sha256)
        """,
        params,
    )
    # A verdict on content that gave an article this run removed for good (a replace or rebuild
    # after the file changed) is forgotten: that content, seen again (the file turned back), is
    # read again. Kept, it counted as unchanged and its article stayed missing for ever; for a
    # multi-record file, any one of its articles (article_ids) counts.
    # Lists of one article (most rows) are decided without unnesting them: at a million ledger
    # rows the unnest of every list took 0.5 s a run, this 0.25 s (as the one-article test did).
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE forgotten AS
        WITH gone AS (
            SELECT article_id FROM {REMOVED}
            WHERE article_id NOT IN (SELECT article_id FROM fact_article)
        )
        SELECT DISTINCT landing, path, sha256 FROM (
            SELECT landing, path, sha256, unnest({LISTED}) AS article_id FROM ingest_ledger
            WHERE outcome IN ('{LedgerOutcome.LOADED}', '{LedgerOutcome.DUPLICATE}')
              AND (len(article_ids) > 1
                   OR coalesce(article_ids[1], article_id) IN (SELECT article_id FROM gone))
        )
        WHERE article_id IN (SELECT article_id FROM gone)
        """
    )
    con.execute(
        """
        DELETE FROM ingest_ledger l USING forgotten g
        WHERE l.landing = g.landing AND l.path = g.path AND l.sha256 = g.sha256
        """
    )


def _forget_listed_folders(con: duckdb.DuckDBPyConnection, landing: str) -> None:
    """Drop the ``unreadable_folder`` refusals of folders the run has listed a file of (read or
    found unchanged): the folder can be listed again. Kept, such a refusal made the folder,
    locked again later with new files in it, count as unchanged, and no run said so again (up
    to session 55). A folder listed again but empty keeps its refusal until a file lands in
    it. Refused folders are few: each is looked up with a prefix filter on the run's files."""
    folders = con.execute(
        # equivalent in lower case (seed 1231): SQL keywords are case-blind
        "SELECT path FROM ingest_refusal WHERE landing = ? AND reason = ?",  # pragma: no mutate
        [landing, QuarantineReason.UNREADABLE_FOLDER.value],
    ).fetchall()
    listed = [
        folder
        for (folder,) in folders
        if con.execute(
            """
            SELECT 1 FROM (SELECT path FROM run_ledger UNION ALL SELECT path FROM run_unchanged)
            WHERE starts_with(path, ?) LIMIT 1
            """,
            [folder + "/"],
        ).fetchone()
    ]
    if listed:
        con.execute(
            "DELETE FROM ingest_refusal WHERE landing = ? AND list_contains(?::VARCHAR[], path)",
            [landing, listed],
        )


def write_refusals(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    landing: str,
    known: list[str],
    refusing: list[tuple[str, str, str]],
) -> None:
    """Record in ``ingest_refusal`` the files the run refused unread: ``refusing`` lists the
    ``(path, reason, detail)`` its plan expected (a file refused only once read, a gzip bomb
    say, is not one: the next run reads it again); ``known`` the refusals the plan found again
    (their last sighting). A file the run read, found unchanged or refused anew loses its old
    refusal, and so does a folder refused as unlistable once the run has listed a file in it."""
    if known:
        con.execute(
            """
            UPDATE ingest_refusal SET last_seen = current_timestamp, last_run_id = ?
            WHERE landing = ? AND list_contains(?::VARCHAR[], path)
            """,
            [run_id, landing, known],
        )
    con.execute(
        f"""
        DELETE FROM ingest_refusal
        WHERE landing = ? AND path IN (
            SELECT path FROM run_ledger
            UNION ALL
            -- read before and found unchanged (a link whose target came back as it was: up to
            -- session 38 its broken_link refusal stood for ever; review)
            SELECT path FROM run_unchanged
            UNION ALL
            SELECT path FROM run_quarantine WHERE sha256 IS NULL AND stage = '{Stage.INGEST}'
        )
        """,
        [landing],
    )
    _forget_listed_folders(con, landing)
    if not refusing:
        return
    paths, reasons, details = ([str(x) for x in column] for column in zip(*refusing, strict=True))
    con.execute(
        f"""
        INSERT INTO ingest_refusal BY NAME
        SELECT ?1 AS landing, q.path, q.reason, q.detail, current_timestamp AS first_seen,
               current_timestamp AS last_seen, ?2 AS first_run_id, ?2 AS last_run_id
        FROM run_quarantine q
        JOIN (SELECT unnest(?3::VARCHAR[]) AS path, unnest(?4::VARCHAR[]) AS reason,
                     unnest(?5::VARCHAR[]) AS detail) r
          ON q.path = r.path AND q.reason = r.reason AND q.detail = r.detail
        WHERE q.sha256 IS NULL AND q.stage = '{Stage.INGEST}'
        """,
        [landing, run_id, paths, reasons, details],
    )
