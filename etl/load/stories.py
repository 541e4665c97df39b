"""Story assignment at load time: near-duplicate articles share one stable ``story_id``.

The text stage stages each article's MinHash signature and LSH band keys. Inside the load
transaction, every new article that has no story yet is taken in ``(published_date,
article_id)`` order and compared with its LSH candidates (a join of its band keys with
``story_lsh`` and with the run's other articles); a candidate whose signature agrees on at least
:data:`THRESHOLD` of its positions (:data:`SHORT_THRESHOLD` when the new article is short) is
a match (estimated Jaccard similarity of word 4-shingles).

* A matching article joins its match's story; when it matches several stories it joins the
  oldest (earliest ``first_published_date``, then smallest ``story_id``). Stories are never merged
  or renamed afterwards.
* An article without a match founds a story: ``story_id = stable_id('story:' || article_id)``.
* Assignments live in ``story_member``, which partition rebuilds (``--replace``) do not touch: a
  rebuilt or re-loaded article keeps its story, so ids never change once given out, whatever the
  order of later backfills. A warehouse built from scratch in date order gives the same ids; one
  built in another order can differ only in which member founded (and names) a story.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pyarrow as pa

from etl.load.keys import stable_id

#: Share of equal MinHash positions from which two articles belong to one story.
THRESHOLD = 0.5
#: Short items (under SHORT_TOKENS tokens, e.g. dividend notices: "Qtly div six cts vs six cts
#: prior, Pay April one, Record March 23") share boilerplate with different news: they need
#: SHORT_THRESHOLD.
SHORT_TOKENS = 60
SHORT_THRESHOLD = 0.8
NUM_PERM = 128


@dataclass
class _Story:
    story_id: int
    first_date: date


def story_id_for(article_id: str) -> int:
    """The id of the story founded by ``article_id``."""
    return stable_id(f"story:{article_id}")


def assign_stories(con: duckdb.DuckDBPyConnection) -> int:
    """Give every article of the temp table ``new_articles`` a story (see the module docstring).

    Writes ``story_member``, ``story_lsh`` and ``dim_story``; returns the number of articles that
    were assigned now (articles that already had a story keep it).
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE story_todo AS
        SELECT article_id, published_date, minhash, lsh_bands, n_tokens FROM new_articles n
        WHERE NOT EXISTS (SELECT 1 FROM story_member m WHERE m.article_id = n.article_id)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE story_todo_bands AS
        SELECT article_id, (b.i - 1)::SMALLINT AS band, lsh_bands[b.i] AS bucket
        FROM story_todo, LATERAL (SELECT unnest(range(1, len(lsh_bands) + 1)) AS i) b
        WHERE lsh_bands IS NOT NULL
        """
    )
    agree = _agreement_sql("a.minhash", "b.minhash")
    # Verified matches of each new article: with stored members, and with the run's own articles.
    matches = con.execute(
        f"""
        WITH pairs AS (
            SELECT DISTINCT t.article_id, l.article_id AS other
            FROM story_todo_bands t JOIN story_lsh l USING (band, bucket)
            UNION
            SELECT DISTINCT t.article_id, u.article_id
            FROM story_todo_bands t JOIN story_todo_bands u USING (band, bucket)
            WHERE u.article_id <> t.article_id
        ),
        sigs AS (
            SELECT article_id, minhash FROM story_member WHERE minhash IS NOT NULL
            UNION ALL SELECT article_id, minhash FROM story_todo WHERE minhash IS NOT NULL
        )
        SELECT p.article_id, p.other, {agree} AS sim
        FROM pairs p
        JOIN story_todo a ON a.article_id = p.article_id
        JOIN sigs b ON b.article_id = p.other
        WHERE {agree} >= CASE WHEN a.n_tokens < {SHORT_TOKENS} THEN {SHORT_THRESHOLD}
                              ELSE {THRESHOLD} END
        """
    ).fetchall()
    by_article: dict[str, list[tuple[str, float]]] = {}
    for article_id, other, sim in matches:
        by_article.setdefault(article_id, []).append((other, float(sim)))
    known: dict[str, _Story] = {
        article_id: _Story(int(story_id), first_date)
        for article_id, story_id, first_date in con.execute(
            """
            SELECT m.article_id, m.story_id, s.first_published_date
            FROM story_member m JOIN dim_story s USING (story_id)
            WHERE m.article_id IN (SELECT other FROM (
                SELECT l.article_id AS other FROM story_todo_bands t
                JOIN story_lsh l USING (band, bucket)))
            """
        ).fetchall()
    }
    todo = con.execute(
        "SELECT article_id, published_date FROM story_todo ORDER BY published_date, article_id"
    ).fetchall()
    members: list[dict[str, object]] = []
    new_stories: list[dict[str, object]] = []
    for article_id, published in todo:
        candidates = [
            (other, sim) for other, sim in by_article.get(article_id, []) if other in known
        ]
        if candidates:
            other, sim = min(
                candidates, key=lambda c: (known[c[0]].first_date, known[c[0]].story_id, -c[1])
            )
            story = known[other]
            members.append(_member(article_id, story.story_id, published, other, sim))
        else:
            story = _Story(story_id_for(article_id), published)
            new_stories.append(
                {
                    "story_id": story.story_id,
                    "founding_article_id": article_id,
                    "first_published_date": published,
                }
            )
            members.append(_member(article_id, story.story_id, published, None, None))
        known[article_id] = story
    _insert(con, members, new_stories)
    return len(members)


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


def _agreement_sql(a: str, b: str) -> str:
    """SQL: the share of equal positions of two MinHash signatures."""
    return (
        f"(len(list_filter(range(1, {NUM_PERM} + 1), lambda i: {a}[i] = {b}[i]))"
        f" / {NUM_PERM}::DOUBLE)"
    )


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
        "INSERT INTO story_lsh BY NAME SELECT band, bucket, article_id FROM story_todo_bands"
    )
    con.execute("INSERT INTO dim_story BY NAME SELECT * FROM story_new_stories")
    con.unregister("story_new_members")
    con.unregister("story_new_stories")
