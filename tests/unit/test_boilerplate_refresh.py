"""Boilerplate lines found again from the warehouse (etl.load.boilerplate.refresh_boilerplate),
on hand-made tables: a byline in 6 stories of one source is boilerplate, the same line in 4
stories of another is not, and an article's boilerplate terms are its stored counts, capped."""

from __future__ import annotations

from datetime import date

import duckdb

from etl.load.boilerplate import refresh_boilerplate
from etl.load.keys import stable_ids

DAY = date(2024, 3, 4)
BYLINE = "Follow us on Example"


def _ids(*terms: str) -> list[int]:
    return [int(i) for i in stable_ids(list(terms))]


def _warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE fact_article (article_id VARCHAR, published_date DATE, source_id BIGINT,"
        " story_id BIGINT)"
    )
    con.execute(
        "CREATE TABLE article_text (article_id VARCHAR, published_date DATE, clean_text VARCHAR)"
    )
    con.execute(
        "CREATE TABLE fact_article_term (article_id VARCHAR, term_id BIGINT, published_date DATE,"
        " count INTEGER, is_stopword BOOLEAN)"
    )
    con.execute(
        "CREATE TABLE boilerplate_line (source_id BIGINT, line VARCHAR, stories INTEGER,"
        " articles INTEGER, source_stories INTEGER, detected_at TIMESTAMPTZ)"
    )
    con.execute(
        "CREATE TABLE boilerplate_term (article_id VARCHAR, published_date DATE, term_id BIGINT,"
        " count INTEGER, is_stopword BOOLEAN, only_boilerplate BOOLEAN)"
    )
    articles = [(f"a{i}", 1, f"Story {i} about the harbour.\n\n  {BYLINE} ") for i in range(6)]
    articles += [(f"b{i}", 2, f"Item {i} on the markets.\n\n{BYLINE}") for i in range(4)]
    for article_id, source, text in articles:
        con.execute("INSERT INTO fact_article VALUES (?, ?, ?, NULL)", [article_id, DAY, source])
        con.execute("INSERT INTO article_text VALUES (?, ?, ?)", [article_id, DAY, text])
    follow, example, harbour = _ids("follow", "example", "harbour")
    con.executemany(
        "INSERT INTO fact_article_term VALUES ('a0', ?, ?, ?, ?)",
        [
            [follow, DAY, 1, None],  # only in the byline
            [example, DAY, 2, False],  # in the byline and once more in the text
            [harbour, DAY, 1, False],  # not in the byline
        ],
    )
    return con


def test_a_line_in_enough_stories_of_its_source_is_boilerplate() -> None:
    con = _warehouse()
    assert refresh_boilerplate(con) == (1, 2)
    lines = con.execute(
        "SELECT source_id, line, stories, articles, source_stories FROM boilerplate_line"
    ).fetchall()
    assert lines == [(1, "follow us on example", 6, 6, 6)]
    follow, example = _ids("follow", "example")
    terms = con.execute(
        "SELECT article_id, published_date, term_id, count, is_stopword, only_boilerplate"
        " FROM boilerplate_term ORDER BY count, term_id"
    ).fetchall()
    assert sorted(terms) == sorted(
        [("a0", DAY, follow, 1, False, True), ("a0", DAY, example, 1, False, False)]
    )


def test_the_thresholds_are_inclusive_and_a_refresh_replaces_the_lines() -> None:
    con = _warehouse()
    refresh_boilerplate(con)
    # 4 stories of source 2 reach a minimum of 4; 6 of 6 and 4 of 4 reach a share of 100 %
    assert refresh_boilerplate(con, min_stories=4, min_share=1.0) == (2, 2)
    assert con.execute("SELECT source_id FROM boilerplate_line ORDER BY 1").fetchall() == [
        (1,),
        (2,),
    ]
    # a line longer than max_chars is not boilerplate: "follow us on example" has 20 characters
    assert refresh_boilerplate(con, max_chars=19) == (0, 0)
    assert refresh_boilerplate(con, max_chars=20) == (1, 2)
