"""The three load modes, one small class each: what a run may replace and what counts as new.

Like dlt's write dispositions, a mode is data the loader consults, not a branch in it. Each mode
answers three questions in SQL over the run's temporary tables (see :mod:`etl.load.account`):

* **scope** (before settling): which articles already in the warehouse the run's files may
  replace (``replace_scope``): for ``merge`` the articles a file the run read gives again
  (its new content: the header date, the title changed), none for ``replace``, and for
  ``rebuild`` the articles the run's files produced when they were last loaded, those of its
  partition whose file is gone and that one of its files gives (a renamed file), and those of
  its partition whose file it found refused unread (grown over the size limit);
* **is new**: when a staged article is written rather than counted as a duplicate;
* **removal** (after settling, before the transaction): which warehouse articles the run deletes
  before it writes its new ones (``removed``).

The partitions a run writes, the days whose term sums are refreshed and the article count each
partition must hold afterwards all follow from the new articles and ``removed``, the same way for
every mode (:func:`etl.load.account.expected_counts`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from typing import ClassVar

import duckdb

from etl.contracts import ARTICLE_META_FIELDS, DateSource, LedgerOutcome, LoadMode
from etl.ingest.landing import folder_date_sql
from etl.load.keys import stable_id_sql

#: Temporary tables the modes fill (one ``article_id`` column each).
REPLACE_SCOPE = "replace_scope"
REMOVED = "removed"
#: The temporary table of the files the run found refused unread (``path``): refused again as
#: before, or anew (:data:`etl.contracts.REFUSED_UNREAD`); :func:`etl.load.account.attach_staged`
#: fills it.
RUN_REFUSED = "run_refused"
#: ``replace``: the articles each file the run read gave before, in its landing zone (``path``,
#: ``article_id``), from the ledger's rows of every earlier content of the file.
_EARLIER = "replace_earlier"
#: ``replace``: the DuckDB variable holding the run's date (NULL for a run of every day): a
#: ``--date D`` run's partitions are D alone.
_RUN_DAY = "replace_run_day"

_NOTHING = "SELECT NULL::VARCHAR AS article_id WHERE false"

#: The articles an ``ingest_ledger`` row lists: ``article_ids``, or for a row recorded before
#: migration 0022 (NULL there) the one it names.
LISTED = "coalesce(article_ids, [article_id])"

#: The run's own files: every file it read but a rebuild's copies from outside its partition
#: (``holder``), read only for the articles they hold.
_OWN_FILES = """
    SELECT path, sha256 FROM staged_ledger WHERE NOT coalesce(holder, false)
"""


def _stored_differently() -> str:
    """A predicate: the staged article ``a`` and the stored row ``f`` of the same article, file
    and record differ in a fact the file gives (:data:`~etl.contracts.ARTICLE_META_FIELDS`), in
    its text version or its language. An undated record's date is the stored one (it keeps its
    day, see :mod:`etl.load.account`)."""
    pairs = []
    for name in ARTICLE_META_FIELDS:
        if name == "published_date":
            staged = f"CASE WHEN a.date_source = '{DateSource.RUN}' THEN f.{name} ELSE a.{name} END"
            pairs.append((staged, f"f.{name}"))
        elif name == "source_name":
            pairs.append((stable_id_sql("a.source_name"), "f.source_id"))
        else:
            pairs.append((f"a.{name}", f"f.{name}"))
    for name in ("text_version", "language_code", "language_confidence"):
        pairs.append((f"a.{name}", f"f.{name}"))
    return "(" + " OR ".join(f"{s} IS DISTINCT FROM {f}" for s, f in pairs) + ")"


#: Articles the warehouse holds from a file (and record) that one of the run's own files gives
#: again with other facts (parameter ``$1``: the landing zone): the file changed, but not the
#: article's text (a new header date, title, URL). Its current content is what the warehouse
#: must hold, so the article is written again from it, not counted as a duplicate of itself
#: (which left the old date, title and daily sums in place). A record given again as it is
#: stored (the other records of a file appended to) is not: it is a duplicate, and writing it
#: again counted it as a new article and rewrote its rows for nothing.
_GIVEN_AGAIN = f"""
    SELECT DISTINCT f.article_id FROM fact_article f
    JOIN staged_articles a
      ON a.article_id = f.article_id AND a.path = f.source_file
     AND a.record IS NOT DISTINCT FROM f.source_record
    JOIN ({_OWN_FILES}) o ON o.path = a.path AND o.sha256 = a.file_sha256
    WHERE f.source_file IN (SELECT path FROM ingest_ledger WHERE landing = $1)
      AND {_stored_differently()}
"""


#: A rebuild's articles of its partition (``$2``) whose file the ledger of its landing zone
#: (``$1``) records but the rebuild did not find (it reads every file of its partition: the
#: file was renamed, moved within the day or deleted), and that one of the run's own files gives
#: and does not refuse: the present file becomes the article's file (its path, and its ledger
#: row ``loaded``). Up to session 31 such an article kept the old path for good, the renamed
#: file a ``duplicate`` of it. An article no present file gives is not among them: a rebuild
#: does not delete what it cannot see. A file renamed into another day's folder is not followed:
#: the article's partition is the old folder's day, whose rebuild cannot see the new file.
_MOVED = f"""
    SELECT DISTINCT f.article_id FROM fact_article f
    JOIN staged_articles a ON a.article_id = f.article_id
    JOIN ({_OWN_FILES}) o ON o.path = a.path AND o.sha256 = a.file_sha256
    WHERE coalesce({folder_date_sql("f.source_file")}, f.published_date) = $2
      AND f.source_file NOT IN (SELECT path FROM staged_ledger)
      AND f.source_file IN (SELECT path FROM ingest_ledger WHERE landing = $1)
      AND NOT EXISTS (SELECT 1 FROM staged_rejected r WHERE r.article_id = f.article_id)
"""


#: A rebuild's articles held from a file it found refused unread (parameter ``$1``: the
#: landing zone, whose ledger or refusals know the file), of its partition (``$2``; NULL: every
#: day): the file grew over the size limit, or became a FIFO or a link out of the zone. No
#: present file gives them, as for a file that now fails a check, whose articles the scope holds
#: through its ledger row; up to session 32 they stayed (``run --date D --replace`` removed
#: them). The partition matters: a file outside dated folders is refused by the rebuild of every
#: day, and only the rebuild of its article's day may remove that article. The articles are
#: those the warehouse holds from the file, not those its ledger row lists: the rebuild of one
#: day of a multi-record file forgets the row (one of its articles is gone), and the other
#: day's rebuild must still find its own record (it kept it for good, up to session 33).
_REFUSED_NOW = f"""
    SELECT DISTINCT f.article_id FROM fact_article f
    WHERE f.source_file IN (SELECT path FROM {RUN_REFUSED})
      AND (f.source_file IN (SELECT path FROM ingest_ledger
                             WHERE landing = $1 AND outcome = '{LedgerOutcome.LOADED}')
           OR f.source_file IN (SELECT path FROM ingest_refusal WHERE landing = $1))
      AND ($2::DATE IS NULL
           OR coalesce({folder_date_sql("f.source_file")}, f.published_date) = $2::DATE)
"""


class Mode(ABC):
    """A load mode: its scope, its "is new" rule and its removal set."""

    name: ClassVar[LoadMode]
    #: Whether a file the ledger already records with the same content keeps its verdict when
    #: it was read anyway (a concurrent run recorded it first); a rebuild decides afresh.
    honours_ledger: ClassVar[bool] = True

    def scope_sql(self) -> str:
        """Articles already in the warehouse that the run's files may replace (parameter
        ``$1``: the landing zone)."""
        # equivalent: SQL's keywords and type names are case-blind (the lower-case mutant)
        return _NOTHING + " AND $1::VARCHAR IS NULL"  # pragma: no mutate

    @abstractmethod
    def known_sql(self, article: str) -> str:
        """A predicate: the staged article ``article`` (an SQL expression) is already in the
        warehouse and not replaced by this run, so it is a duplicate."""

    @abstractmethod
    def removed_sql(self) -> str:
        """Warehouse articles deleted before the run's new articles are written (may read the
        settled ``run_articles``)."""

    def prepare(self, con: duckdb.DuckDBPyConnection, landing: str, partition: date | None) -> None:
        """Create ``replace_scope`` for the run (before settling); ``partition`` is the run's
        date (None: a run of every day)."""
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {REPLACE_SCOPE} AS {self.scope_sql()}", [landing]
        )

    def settle_removal(self, con: duckdb.DuckDBPyConnection) -> None:
        """Create ``removed`` for the run (after settling)."""
        con.execute(f"CREATE OR REPLACE TEMP TABLE {REMOVED} AS {self.removed_sql()}")


class Merge(Mode):
    """Add the run's new articles; known articles are duplicates; nothing is removed but the
    rows that files read again rewrite (their article, from their new content)."""

    name = LoadMode.MERGE

    def scope_sql(self) -> str:
        """The articles a file the run read gives again (:data:`_GIVEN_AGAIN`)."""
        return _GIVEN_AGAIN

    def known_sql(self, article: str) -> str:
        """Known: already in ``fact_article``, and not given again by its own file."""
        return (
            f"({article} IN (SELECT article_id FROM fact_article) "
            f"AND {article} NOT IN (SELECT article_id FROM {REPLACE_SCOPE}))"
        )

    def removed_sql(self) -> str:
        """The old rows of the articles written again; an article of the scope that is not
        written (its new content was refused) keeps its row, as merge keeps old versions."""
        return (
            f"SELECT article_id FROM {REPLACE_SCOPE} "
            "WHERE article_id IN (SELECT article_id FROM run_articles WHERE is_new)"
        )


class Replace(Mode):
    """The run's partitions hold exactly the articles of the landing zone's files as they are
    now: the run's new articles, and those of the files it skipped as unchanged or found to be
    known copies (whose articles are what reading them again would give). An article's
    partition is its file's folder date, else its published date (as for backfills,
    :mod:`etl.backfill`).

    The run's partitions are those of its new articles and of every file it read, skipped as
    unchanged or found refused unread: the file's dated folder, else the days of the articles it
    holds or (changed) held (a refused file outside dated folders adds no day of its own).
    Up to session 28 they were those of the new articles only, so a run that loaded none (a
    file of ``D/`` deleted, another changed to a text that is now refused, the rest unchanged)
    removed nothing. A day none of whose files the run sees (every file of ``D/`` deleted, a
    landing zone that lost a folder) is not among them: it keeps its articles. A run of one day
    (``--date D``) has D alone among them: the README promises it never removes articles of
    other folders, and an unchanged file outside dated folders with an article of another day
    made that day a partition, whose folder the run had not read (probe). The older article of
    such a file that changed its header to D stays on its day, as a merge keeps it."""

    name = LoadMode.REPLACE

    def known_sql(self, article: str) -> str:
        """Nothing is known: every distinct staged article is written again."""
        return "false"

    def prepare(self, con: duckdb.DuckDBPyConnection, landing: str, partition: date | None) -> None:
        """Create ``replace_scope`` and the articles the run's files gave before."""
        super().prepare(con, landing, partition)
        # a variable, not a one-row table: DuckDB folds it into a filter on the days, where a
        # subquery of a table was planned as a loop (tests/integration/test_load_plans.py)
        con.execute(f"SET VARIABLE {_RUN_DAY} = $1::DATE", [partition])
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {_EARLIER} AS
            SELECT DISTINCT path, unnest({LISTED}) AS article_id FROM ingest_ledger
            WHERE landing = $1 AND path IN (SELECT path FROM staged_ledger)
            """,
            [landing],
        )

    def removed_sql(self) -> str:
        """Every article of those partitions but those of the run's unchanged files and known
        copies (the articles their content gives, ``ingest_ledger.article_ids`` of any row of
        the same bytes: a renamed file keeps its articles, which up to session 31 were removed
        because their old path was gone and the copy counted for nothing; for a row recorded before
        migration 0022, which names one article, a multi-record file's articles by their path),
        and older copies of the run's articles. Keeping every article with an unchanged
        multi-record file's path kept a record version that a merge had kept beside the new one.

        Partitions, not published dates: ``run --date D --replace`` reads the folder ``D/``, and
        an article there published the day before (filed late) made the run remove every article
        of that day, from files in other folders it never read (up to session 21). Articles of
        its partitions from files the run did not read (another landing zone, a deleted file)
        are removed; their ledger rows are forgotten with them
        (:func:`etl.load.write.write_ledger`), so a run that reads those files again loads them
        again."""
        loaded, duplicate = LedgerOutcome.LOADED, LedgerOutcome.DUPLICATE
        return f"""
            WITH unchanged_files AS (
                SELECT path, sha256, article_id FROM run_unchanged
                WHERE outcome IN ('{loaded}', '{duplicate}')
                UNION ALL
                -- and the known copies: files whose bytes the ledger knows under another path (a
                -- renamed file), their verdict carried over unread
                SELECT path, sha256, article_id FROM run_ledger
                WHERE (unchanged OR outcome = '{duplicate}')
                  AND outcome IN ('{loaded}', '{duplicate}')
            ),
            -- the same content gives the same articles, whichever path and landing zone
            -- recorded it
            listed AS (
                SELECT u.path, u.sha256, any_value(l.article_ids) AS ids
                FROM unchanged_files u JOIN ingest_ledger l
                  ON l.sha256 = u.sha256 AND l.article_ids IS NOT NULL
                GROUP BY ALL
            ),
            still_there AS (
                SELECT u.path, unnest(coalesce(s.ids, [u.article_id])) AS article_id,
                       s.ids IS NOT NULL AS listed
                FROM unchanged_files u LEFT JOIN listed s USING (path, sha256)
            ),
            -- every file the run read (a rebuild's copies aside), skipped as unchanged or found
            -- refused unread, with its dated folder (NULL: undated). A day whose only file is
            -- refused is seen: its articles go (it kept them, up to session 33).
            run_files AS (
                SELECT path, {folder_date_sql("path")} AS folder_day FROM (
                    SELECT path FROM run_ledger WHERE NOT holder
                    UNION SELECT path FROM run_unchanged
                    UNION SELECT path FROM {RUN_REFUSED})
            ),
            undated_files AS (SELECT path FROM run_files WHERE folder_day IS NULL),
            any_partitions AS (
                SELECT coalesce({folder_date_sql("path")}, published_date) AS day
                FROM run_articles WHERE is_new
                UNION  -- the dated folders of the run's files
                SELECT folder_day FROM run_files WHERE folder_day IS NOT NULL
                UNION  -- an undated unchanged file: the days of its articles
                SELECT f.published_date FROM still_there s JOIN fact_article f USING (article_id)
                WHERE s.path IN (SELECT path FROM undated_files)
                UNION  -- an undated changed file: the days of the articles it gave before
                SELECT f.published_date FROM {_EARLIER} e
                JOIN fact_article f ON f.article_id = e.article_id AND f.source_file = e.path
                WHERE e.path IN (SELECT path FROM undated_files)
            ),
            -- a run of one day (--date D) replaces D alone: an unchanged file outside dated
            -- folders with articles of another day (a header of another day; a multi-record
            -- file's other records) made it remove that day's articles from files it never
            -- read, the whole folder of the day (up to session 35; probe)
            run_partitions AS (SELECT day FROM any_partitions
                               WHERE day = getvariable('{_RUN_DAY}')
                                  OR getvariable('{_RUN_DAY}') IS NULL),
            -- Cheap supersets first (zone maps on the date, a substring test on the path), so
            -- the folder-date regex reads a partition's rows, not the whole warehouse's.
            candidates AS (
                SELECT article_id, source_file, source_record, published_date FROM fact_article
                WHERE published_date IN (SELECT day FROM run_partitions)
                UNION
                SELECT f.article_id, f.source_file, f.source_record, f.published_date
                FROM fact_article f JOIN run_partitions p
                  ON contains(f.source_file, strftime(p.day, '%Y-%m-%d') || '/')
            )
            SELECT f.article_id FROM candidates f
            WHERE coalesce({folder_date_sql("f.source_file")}, f.published_date)
                      IN (SELECT day FROM run_partitions)
              AND f.article_id NOT IN (
                  SELECT article_id FROM still_there WHERE article_id IS NOT NULL)
              AND NOT (f.source_record IS NOT NULL
                       AND f.source_file IN (SELECT path FROM still_there WHERE NOT listed))
            UNION
            SELECT article_id FROM fact_article
            WHERE article_id IN (SELECT article_id FROM run_articles WHERE is_new)
        """


class Rebuild(Mode):
    """Replace what the run's files produced before (their ledger rows name the articles);
    nothing that came from another file is touched.

    An article of the scope that no file of the partition gives any more (its file changed, or
    now fails a check) may still be held by a copy from outside the partition, which the ledger
    records as its ``duplicate``. The plan reads such copies too (``holder`` in the staged
    ledger); a copy's article is new only when it is one of the scope's and no file of the
    partition gives it (they rank first), and then the copy becomes its file (its path, date and
    source; ledger ``loaded``). Otherwise nothing of a copy is written and its verdict stays: an
    article a present file holds is never removed by a rebuild (it was, and came back only when
    a later run read the copy)."""

    name = LoadMode.REBUILD
    honours_ledger = False

    def scope_sql(self) -> str:
        """The articles the run's own files gave when they were read (every record's:
        ``ingest_ledger.article_ids``, of a ``loaded`` row or a ``duplicate`` one: a file read
        again that gave its own articles as stored, as `replay` reads a file whose other records
        it quarantined, is a duplicate of them, and its ``loaded`` row is gone: probe E,
        session 48) and that the warehouse still holds from one of them (an article a copy
        holds, or whose file is another, stays that file's), and those they give again with
        other facts (:data:`_GIVEN_AGAIN`: a record of a multi-record file whose ledger row,
        recorded before migration 0022, names another article; given again as stored, it is
        kept as it is)."""
        return f"""
            SELECT DISTINCT l.article_id FROM (
                SELECT unnest({LISTED}) AS article_id FROM ingest_ledger
                WHERE landing = $1
                  AND outcome IN ('{LedgerOutcome.LOADED}', '{LedgerOutcome.DUPLICATE}')
                  AND path IN (SELECT path FROM ({_OWN_FILES}))
            ) l
            JOIN fact_article f ON f.article_id = l.article_id
            WHERE f.source_file IN (SELECT path FROM ({_OWN_FILES}))
            UNION
            {_GIVEN_AGAIN}
        """

    def known_sql(self, article: str) -> str:
        """Known: in ``fact_article`` and not one of the articles being rebuilt."""
        return (
            f"({article} IN (SELECT article_id FROM fact_article) "
            f"AND {article} NOT IN (SELECT article_id FROM {REPLACE_SCOPE}))"
        )

    def prepare(self, con: duckdb.DuckDBPyConnection, landing: str, partition: date | None) -> None:
        """Create ``replace_scope``, with the partition's articles whose file is gone and that
        one of the run's files now gives (:data:`_MOVED`), and those of its files now refused
        unread (:data:`_REFUSED_NOW`)."""
        super().prepare(con, landing, partition)
        con.execute(
            f"INSERT INTO {REPLACE_SCOPE} {_REFUSED_NOW} AND f.article_id NOT IN "
            f"(SELECT article_id FROM {REPLACE_SCOPE})",
            [landing, partition],
        )
        if partition is not None:
            con.execute(
                f"INSERT INTO {REPLACE_SCOPE} {_MOVED} AND f.article_id NOT IN "
                f"(SELECT article_id FROM {REPLACE_SCOPE})",
                [landing, partition],
            )

    def removed_sql(self) -> str:
        """The scope: the articles the run's files produced before."""
        return f"SELECT article_id FROM {REPLACE_SCOPE}"


MODES: dict[LoadMode, Mode] = {mode.name: mode for mode in (Merge(), Replace(), Rebuild())}


def mode_for(name: str) -> Mode:
    """The mode called ``name`` (a :class:`~etl.contracts.LoadMode` value)."""
    return MODES[LoadMode(name)]
