"""Story assignment at load time: near-duplicate articles share one stable ``story_id``.

The text stage stages each article's MinHash signature and LSH band keys. Inside the load
transaction, every new article that has no story yet is taken in ``(published_date,
article_id)`` order and compared with its LSH candidates: the stored members and the run's
earlier articles that share at least one ``(band, bucket)`` key with it **and whose own
``published_date`` is within W days of the article's** (``|Δdays| ≤ W``, W =
``story_window_days``, default 30, ``W ≥ 0``; 0 means the same day only). A candidate whose
signature agrees on at least :data:`THRESHOLD` of its positions (:data:`SHORT_THRESHOLD` when
the new article is short) is a match (estimated Jaccard similarity of word 4-shingles).

The window (issue 12): a story is near-duplicates published within W days of each other, a
rule symmetric in the pair's dates. It bounds pairs, not stories: a story grows by chains (an
article matches one published 20 days before it, which matched one 20 days before that), so a
story may span more than W days, but no two articles more than W days apart are ever compared.
A run uses the W it was planned with; changing W does not touch stories already assigned.
Before the window (the rule up to migration 0013) any two articles could match whatever their
dates.

* A matching article joins its match's story; when it matches several stories it joins the
  oldest (earliest ``first_published_date``, then smallest ``story_id``). Its
  ``matched_article_id`` is that story's most similar matching candidate (the smallest
  ``article_id`` among equally similar ones). Stories are never merged or renamed afterwards.
* An article without a match founds a story: ``story_id = stable_id('story:' || article_id)``.
* Assignments live in ``story_member``, which partition rebuilds (``--replace``) do not touch: a
  rebuilt or re-loaded article keeps its story, so ids never change once given out, whatever the
  order of later backfills. A re-loaded article with a new date (its header changed) moves its
  story rows to that date (:func:`_redate`). A warehouse built from scratch in date order gives
  the same ids and the same grouping, however the days are split into runs. One built in
  another order can group differently (probe, session 41), because an assignment is final: a
  chain A~B~C loaded as A, C, B is two stories; a copy between two copies more than W days
  apart, loaded last, joins only the older; and the short threshold follows the arriving
  article's length, not the pair's.

Cost: the warehouse is probed only for the run's own bucket keys and dates (a semi-join of
``story_lsh`` with the run's keys, restricted by a plain range on ``story_lsh.published_date``
to the run's first date - W .. last date + W, so DuckDB's zone maps skip the row groups of older
runs: the cost stays flat however much history the warehouse holds), and only the signatures
of the members found are read; the window is then applied exactly, pair by pair (a run may span
many days). The matching itself (:mod:`etl.load.story_match`)
works on numpy arrays: per article, in proportion to its candidates, never per stored article;
a day of thousands of near-copies of one story costs one vectorised comparison of each copy
with the copies before it.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from etl.load.keys import stable_id
from etl.load.story_match import Stored, assign
from etl.settings import DEFAULT_STORY_WINDOW_DAYS

#: Share of equal MinHash positions from which two articles belong to one story.
THRESHOLD = 0.5
#: Short items (under SHORT_TOKENS tokens, e.g. dividend notices: "Qtly div six cts vs six cts
#: prior, Pay April one, Record March 23") share boilerplate with different news: they need
#: SHORT_THRESHOLD.
SHORT_TOKENS = 60
SHORT_THRESHOLD = 0.8
NUM_PERM = 128


def story_id_for(article_id: str) -> int:
    """The id of the story founded by ``article_id``."""
    return stable_id(f"story:{article_id}")


def assign_stories(
    con: duckdb.DuckDBPyConnection, window_days: int = DEFAULT_STORY_WINDOW_DAYS
) -> int:
    """Give every article of the temp table ``new_articles`` a story (see the module docstring);
    candidates are published at most ``window_days`` (W) days apart.

    Writes ``story_member``, ``story_lsh`` and ``dim_story``; returns the number of articles that
    were assigned now (articles that already had a story keep it, and their story rows take
    their new date: :func:`_redate`).
    """
    _redate(con)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE story_todo AS
        SELECT article_id, published_date, minhash, lsh_bands, n_tokens FROM new_articles n
        WHERE NOT EXISTS (SELECT 1 FROM story_member m WHERE m.article_id = n.article_id)
        ORDER BY published_date, article_id
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE story_todo_bands AS
        SELECT article_id, (b.i - 1)::SMALLINT AS band, lsh_bands[b.i] AS bucket, published_date
        FROM story_todo, LATERAL (SELECT unnest(range(1, len(lsh_bands) + 1)) AS i) b
        WHERE lsh_bands IS NOT NULL
        """
    )
    todo = con.execute(
        "SELECT article_id, published_date, minhash, lsh_bands, n_tokens FROM story_todo "
        "ORDER BY published_date, article_id"
    ).to_arrow_table()
    bands = _band_count(todo)
    sigs, has_sig = _matrix(todo.column("minhash"), NUM_PERM, np.uint32)
    keys, has_keys = _matrix(todo.column("lsh_bands"), bands, np.int64)
    ids = todo.column("article_id").to_pylist()
    dates = todo.column("published_date").to_pylist()
    n_tokens = todo.column("n_tokens").fill_null(0).to_numpy()  # only compared: int32 will do
    if window_days < 0:
        raise ValueError(f"story window must be >= 0 days, not {window_days}")
    assigned = assign(
        _stored_candidates(con, bands, dates, window_days),
        ids,
        [d.toordinal() for d in dates],
        sigs,
        keys,
        has_sig & has_keys,
        np.where(n_tokens < SHORT_TOKENS, SHORT_THRESHOLD, THRESHOLD),
        [story_id_for(article_id) for article_id in ids],
        window_days,
    )
    members = [
        _member(article_id, a.story_id, published, a.other, a.similarity)
        for article_id, published, a in zip(ids, dates, assigned, strict=True)
    ]
    new_stories = [
        {"story_id": a.story_id, "founding_article_id": article_id, "first_published_date": d}
        for article_id, d, a in zip(ids, dates, assigned, strict=True)
        if a.other is None
    ]
    _insert(con, members, new_stories)
    return len(members)


def _redate(con: duckdb.DuckDBPyConnection) -> None:
    """Articles of ``new_articles`` that already have a story and another date now (their file's
    date header changed: the same text, the same article): their ``story_member`` and
    ``story_lsh`` rows, and the ``first_published_date`` of a story they founded, take the new
    date, so the window probes the article on its date and ``dim_story`` names a date its
    founding article has (up to session 31 both kept the first date for good). The story and
    its id do not change. One probe of ``story_member``'s keys, as the todo list's; nothing more
    when no article was re-dated (almost every run)."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE story_redated AS
        SELECT n.article_id, n.published_date FROM new_articles n
        JOIN story_member m ON m.article_id = n.article_id
        WHERE m.published_date IS DISTINCT FROM n.published_date
        """
    )
    row = con.execute("SELECT count(*) FROM story_redated").fetchone()
    if not row or not row[0]:
        return
    # pragma: no mutate start (SQL names are case-insensitive: the upper-case mutants of these
    # names are equivalent, and a misspelt one fails every run that re-dates an article)
    for table, column, key in (
        ("story_member", "published_date", "article_id"),
        ("story_lsh", "published_date", "article_id"),
        ("dim_story", "first_published_date", "founding_article_id"),
    ):
        # pragma: no mutate end
        con.execute(
            f"UPDATE {table} AS t SET {column} = r.published_date FROM story_redated r "
            f"WHERE t.{key} = r.article_id"
        )


def _stored_candidates(
    con: duckdb.DuckDBPyConnection, bands: int, dates: list[date], window: int
) -> Stored:
    """The stored members that share a bucket with the run and were published within
    ``window`` days of the run's dates: article, story, the story's first date, the member's own
    date, signature and the ``(band, bucket)`` keys they share with the run.

    ``story_lsh`` is semi-joined with the run's keys (only its narrow key columns are read) on
    the rows of the run's date range widened by the window (a plain range predicate: zone maps
    skip the other row groups), and only those members' signatures are fetched. The window is
    applied exactly per pair later (:func:`etl.load.story_match.assign`).
    """
    if not dates:
        return Stored.empty(bands, NUM_PERM)  # a run without articles to assign
    low = min(dates) - timedelta(days=window)
    high = max(dates) + timedelta(days=window)
    hits = con.execute(
        """
        SELECT l.article_id, l.band, l.bucket FROM story_lsh l
        SEMI JOIN (SELECT DISTINCT band, bucket FROM story_todo_bands) t USING (band, bucket)
        WHERE l.published_date BETWEEN $low AND $high
        """,
        {"low": low, "high": high},
    ).to_arrow_table()
    hit_ids = pc.unique(hits.column("article_id"))
    # equivalent in upper case (seed 1225): the query below names the column case-insensitively
    con.register("story_hit_ids", pa.table({"article_id": hit_ids}))  # pragma: no mutate
    members = con.execute(
        """
        SELECT m.article_id, m.story_id, s.first_published_date, m.published_date, m.minhash
        FROM story_member m JOIN dim_story s USING (story_id)
        WHERE m.minhash IS NOT NULL
          AND m.published_date BETWEEN $low AND $high
          AND m.article_id IN (SELECT article_id FROM story_hit_ids)
        ORDER BY m.article_id
        """,
        {"low": low, "high": high},
    ).to_arrow_table()
    con.unregister("story_hit_ids")
    rows = members.num_rows
    keys = np.zeros((rows, bands), dtype=np.int64)
    known = np.zeros((rows, bands), dtype=bool)
    owner = np.asarray(
        pc.index_in(hits.column("article_id"), value_set=members.column("article_id"))
        .fill_null(-1)
        .to_numpy(),
        dtype=np.int64,
    )
    band = np.asarray(hits.column("band").to_numpy(), dtype=np.int64)
    bucket = np.asarray(hits.column("bucket").to_numpy(), dtype=np.int64)
    inside = (owner >= 0) & (band < bands)
    keys[owner[inside], band[inside]] = bucket[inside]
    known[owner[inside], band[inside]] = True
    return Stored(
        ids=members.column("article_id").to_pylist(),
        story=np.asarray(members.column("story_id").to_numpy(), dtype=np.int64),
        first=_ordinals(members.column("first_published_date")),
        sig=_matrix(members.column("minhash"), NUM_PERM, np.uint32)[0],
        keys=keys,
        known=known,
        published=_ordinals(members.column("published_date")),
    )


def _ordinals(column: pa.ChunkedArray) -> np.ndarray:
    """A date column as int64 date ordinals."""
    return np.asarray([d.toordinal() for d in column.to_pylist()], dtype=np.int64)


def _matrix(column: pa.ChunkedArray, width: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """A list column of fixed-length lists as an ``(n, width)`` matrix (zeros where the list is
    NULL) and the mask of its non-NULL rows."""
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    valid = np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    out: np.ndarray = np.zeros((len(array), width), dtype=dtype)
    if valid.any():
        values: np.ndarray = np.asarray(array.flatten().to_numpy(zero_copy_only=False), dtype=dtype)
        out[valid] = values.reshape(-1, width)
    return out, valid


def _band_count(todo: pa.Table) -> int:
    """Number of LSH bands of the run's signatures (32 by construction)."""
    lengths = pc.list_value_length(todo.column("lsh_bands")).drop_null()
    # equivalent as "or 1": the text stage stages an article's bands as NULL (no words) or all
    # of them, never an empty list, so the longest list of a non-empty column is never 0 long
    return int(pc.max(lengths).as_py() or 0) if len(lengths) else 1  # pragma: no mutate


def _member(
    article_id: str, story_id: int, published: date, matched: str | None, sim: float | None
) -> dict[str, object]:
    return {
        "article_id": article_id,
        "story_id": story_id,
        "published_date": published,
        "matched_article_id": matched,
        "similarity": sim,
    }


def _insert(
    con: duckdb.DuckDBPyConnection,
    members: list[dict[str, object]],
    new_stories: list[dict[str, object]],
) -> None:
    member_schema = pa.schema(
        [
            ("article_id", pa.string()),
            ("story_id", pa.int64()),
            ("published_date", pa.date32()),
            ("matched_article_id", pa.string()),
            ("similarity", pa.float64()),
        ]
    )
    story_schema = pa.schema(
        [
            ("story_id", pa.int64()),
            ("founding_article_id", pa.string()),
            ("first_published_date", pa.date32()),
        ]
    )
    con.register("story_new_members", pa.Table.from_pylist(members, schema=member_schema))
    con.register("story_new_stories", pa.Table.from_pylist(new_stories, schema=story_schema))
    con.execute(
        """
        INSERT INTO story_member BY NAME
        SELECT m.*, t.minhash FROM story_new_members m JOIN story_todo t USING (article_id)
        """
    )
    con.execute(
        # equivalent in upper case (seed 1225): SQL names are case-insensitive
        "INSERT INTO story_lsh BY NAME "  # pragma: no mutate
        "SELECT band, bucket, article_id, published_date FROM story_todo_bands"
    )
    con.execute("INSERT INTO dim_story BY NAME SELECT * FROM story_new_stories")
    con.unregister("story_new_members")
    con.unregister("story_new_stories")
