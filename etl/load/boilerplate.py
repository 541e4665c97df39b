"""Boilerplate lines: what one source repeats across its stories, kept out of the rankings.

A wire sign-off (``REUTER``), a byline (``China Daily European Weekly``) or ``Follow us on …`` is
a short line that one source prints in many of its stories. Rankings (``top_terms``,
``trending_terms``, ``distinctive_terms``, ``cooccurring_terms``) that counted its words would
be led by the furniture, not by the news. :func:`refresh_boilerplate` finds such lines and
records, per article, the term occurrences they account for (``boilerplate_term``); the rankings
subtract them. Nothing is deleted: ``fact_article_term`` and the text keep every occurrence.

The rule: a line (a paragraph of ``article_text.clean_text``, trimmed, compared lowercased) of at
most :data:`MAX_CHARS` characters that appears in at least :data:`MIN_STORIES` distinct stories
of one source, and in at least :data:`MIN_SHARE` of that source's stories. Stories, not
articles, so that a syndicated text copied five times does not make its own paragraphs look
like furniture. The lines' terms come from the loader's own tokenizer
(:func:`etl.text.terms.count_batch`), so they are exactly the stored terms.

Two entry points. :func:`refresh_boilerplate` finds the lines again from the whole warehouse and
rewrites both tables (0.5 s on the 2,737 Reuters articles; it reads every text, so it belongs to
``news-etl marts`` / the ``news_marts`` DAG, which call it). :func:`flag_days` applies the lines
already known to the articles of some days only: the loader calls it in its transaction, after
``agg_daily_term`` is refreshed, so a new day's byline is out of the rankings at once.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from etl.load.keys import stable_ids
from etl.text.terms import count_batch

#: Longest line that can be boilerplate, in characters (a byline, not a paragraph of news).
MAX_CHARS = 200
#: A line must appear in at least this many distinct stories of its source ...
MIN_STORIES = 5
#: ... and in at least this share of them.
MIN_SHARE = 0.10

_LINES = """
CREATE OR REPLACE TEMP TABLE boilerplate_candidates AS
WITH lines AS (
    SELECT a.article_id, a.source_id, coalesce(a.story_id::VARCHAR, a.article_id) AS story,
           trim(unnest(string_split_regex(x.clean_text, '\\n+'))) AS line
    FROM fact_article a JOIN article_text x USING (article_id)
),
per_source AS (
    SELECT source_id, count(DISTINCT coalesce(story_id::VARCHAR, article_id)) AS stories
    FROM fact_article GROUP BY source_id
)
SELECT l.source_id, lower(l.line) AS line,
       count(DISTINCT l.story)::INTEGER AS stories,
       count(DISTINCT l.article_id)::INTEGER AS articles,
       any_value(p.stories)::INTEGER AS source_stories
FROM lines l JOIN per_source p USING (source_id)
WHERE l.line <> '' AND length(l.line) <= $max_chars
GROUP BY l.source_id, lower(l.line)
HAVING count(DISTINCT l.story) >= $min_stories
   AND count(DISTINCT l.story) >= $min_share * any_value(p.stories)
"""

_ARTICLE_TERMS = """
INSERT INTO boilerplate_term
WITH hits AS (  -- how many times each article carries each boilerplate line of its source
    SELECT a.article_id, a.published_date, b.line, count(*) AS times
    FROM (
        SELECT article_id, published_date, source_id,
               lower(trim(unnest(string_split_regex(clean_text, '\\n+')))) AS line
        FROM fact_article JOIN article_text USING (article_id, published_date)
        WHERE source_id IN (SELECT source_id FROM boilerplate_line) {days}
    ) a
    JOIN boilerplate_line b ON b.source_id = a.source_id AND b.line = a.line
    GROUP BY ALL
),
counted AS (
    SELECT h.article_id, h.published_date, lt.term_id, sum(h.times * lt.count) AS count
    FROM hits h JOIN boilerplate_line_terms lt USING (line)
    GROUP BY ALL
)
SELECT c.article_id, c.published_date, c.term_id, least(c.count, f.count)::INTEGER,
       coalesce(f.is_stopword, false), c.count >= f.count
FROM counted c JOIN fact_article_term f USING (article_id, term_id)
ORDER BY c.published_date, c.article_id, c.term_id
"""


def refresh_boilerplate(
    con: duckdb.DuckDBPyConnection,
    *,
    max_chars: int = MAX_CHARS,
    min_stories: int = MIN_STORIES,
    min_share: float = MIN_SHARE,
) -> tuple[int, int]:
    """Find the boilerplate lines of every source again and rewrite ``boilerplate_line`` and
    ``boilerplate_term`` from the whole warehouse; return ``(lines, article-term rows)``. Runs in
    the caller's transaction, if any."""
    con.execute(
        _LINES, {"max_chars": max_chars, "min_stories": min_stories, "min_share": min_share}
    )
    con.execute("DELETE FROM boilerplate_line")
    con.execute("DELETE FROM boilerplate_term")
    con.execute(
        "INSERT INTO boilerplate_line SELECT source_id, line, stories, articles, source_stories,"
        " current_timestamp FROM boilerplate_candidates ORDER BY source_id, line"
    )
    con.execute("DROP TABLE boilerplate_candidates")
    _flag(con, "")
    return _count(con, "boilerplate_line"), _count(con, "boilerplate_term")


def flag_days(con: duckdb.DuckDBPyConnection, days_table: str) -> int:
    """Rewrite ``boilerplate_term`` for the articles of the days in ``days_table`` (a table with
    a ``published_date`` column, e.g. the loader's touched days) from the lines already in
    ``boilerplate_line``; return the rows written."""
    con.execute(
        f"DELETE FROM boilerplate_term WHERE published_date IN "
        f"(SELECT published_date FROM {days_table})"
    )
    before = _count(con, "boilerplate_term")
    _flag(con, f"AND published_date IN (SELECT published_date FROM {days_table})")
    return _count(con, "boilerplate_term") - before


def _flag(con: duckdb.DuckDBPyConnection, days: str) -> None:
    found = con.execute("SELECT DISTINCT line FROM boilerplate_line ORDER BY line").fetchall()
    lines = [str(line) for (line,) in found]
    if not lines:
        return
    counted = count_batch(lines).terms
    index = counted["text"].to_numpy()
    terms = pa.table(
        {
            "line": pa.array([lines[i] for i in index], pa.string()),
            "term_id": pa.array(stable_ids(counted["term"].to_pylist()), pa.int64()),
            "count": counted["count"],
        }
    )
    con.register("boilerplate_line_terms", terms)
    try:
        con.execute(_ARTICLE_TERMS.format(days=days))
    finally:
        con.unregister("boilerplate_line_terms")


def _count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    row = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
