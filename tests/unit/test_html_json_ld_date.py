"""An HTML page's date: its JSON-LD article's ``datePublished`` before the date htmldate reads
first in the page's head (probe: a print edition's ``<meta name="date">`` a day late, a live
blog's ``article:published_time`` set to its last update). Expected days are literals."""

from __future__ import annotations

import json
from datetime import date

import pytest

from etl.ingest.formats.base import Record, RecordError
from etl.ingest.formats.html import json_ld_published, parse_html

BODY = "<article><h1>Council vote</h1>" + "<p>The council voted on the new budget today.</p>" * 8


def _page(head: str, *blocks: object) -> str:
    scripts = "".join(
        f'<script type="application/ld+json">{b if isinstance(b, str) else json.dumps(b)}</script>'
        for b in blocks
    )
    return (
        f"<html><head><title>Council vote</title>{head}{scripts}</head><body>{BODY}</body></html>"
    )


def _published(page: str) -> date | None:
    (record,) = parse_html(page, "canonical")
    assert isinstance(record, Record)
    return record.published


def test_the_json_ld_article_date_wins_over_a_print_editions_meta_date() -> None:
    page = _page(
        '<meta name="date" content="2024-04-26">',
        {"@type": "NewsArticle", "datePublished": "2024-04-25T19:30:04+02:00"},
    )
    assert _published(page) == date(2024, 4, 25)
    # without the JSON-LD, the head's date as before
    assert _published(_page('<meta name="date" content="2024-04-26">')) == date(2024, 4, 26)


def test_a_live_blogs_own_date_not_its_updates_nor_the_heads_update_time() -> None:
    blog = {
        "@type": "LiveBlogPosting",
        "datePublished": "2024-08-04T13:23:00Z",
        "liveBlogUpdate": [{"@type": "BlogPosting", "datePublished": "2024-08-05T21:00:18+01:00"}],
    }
    page = _page('<meta property="article:published_time" content="2024-08-05T19:49:50Z">', blog)
    assert _published(page) == date(2024, 8, 4)


def test_only_an_articles_date_counts_in_a_graph_or_a_list() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "datePublished": "2019-01-01"},
            {"@type": "ImageObject", "datePublished": "2024-08-07T22:07Z"},
            {
                "@type": ["NewsArticle", "ReportageNewsArticle"],
                "datePublished": "2024-08-08T08:00Z",
            },
        ],
    }
    assert json_ld_published(_page("", graph)) == date(2024, 8, 8)
    images = [{"@type": "ImageObject", "datePublished": "2024-08-07"}]
    assert json_ld_published(_page("", images)) is None
    meta = '<meta property="article:published_time" content="2024-03-02T10:00:00Z">'
    assert _published(_page(meta, images)) == date(2024, 3, 2)


def test_a_block_that_is_not_json_is_skipped() -> None:
    page = _page(
        "", "{not json", {"@type": "Article", "datePublished": "2023-05-15T09:00:37+00:00"}
    )
    assert json_ld_published(page) == date(2023, 5, 15)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-14", date(2024, 2, 14)),
        ("2025-05-21T14:19:07+0200", date(2025, 5, 21)),
        ("2023-04-28T23:30:00-05:00", date(2023, 4, 28)),  # its own time zone's day
        ("2026-12-05T08:00:00Z", date(2026, 12, 5)),
        # After today: returned, for ingest to judge against its allowance as any record's
        # date (it was dropped, and the page took the run's day without a word: probe,
        # session 40).
        ("2026-12-06T08:00:00+09:00", date(2026, 12, 6)),
        ("2027-09-01T10:00:00Z", date(2027, 9, 1)),
        ("Fri Apr 28 19:20:36 CEST 2023", date(2023, 4, 28)),
        ("", None),
    ],
)
def test_the_date_as_written(value: str, expected: date | None) -> None:
    page = _page("", {"@type": "NewsArticle", "datePublished": value})
    assert json_ld_published(page) == expected


@pytest.mark.parametrize("value", ["yesterday", "2024-02-30", "31/02/2024", "2024-05"])
def test_a_json_ld_date_that_cannot_be_read_gives_way_to_the_heads_else_is_bad_date(
    value: str,
) -> None:
    """It was left to htmldate, and a page without a head date took its folder's or the run's
    day without a word (probe, session 40); a head date still dates the page (review)."""
    block = {"@type": "NewsArticle", "datePublished": value}
    (refused,) = parse_html(_page("", block), "canonical")
    assert isinstance(refused, RecordError) and refused.reason == "bad_date", refused
    assert value in refused.detail, refused.detail
    head = '<meta property="article:published_time" content="2023-08-30T16:45:00+01:00">'
    assert _published(_page(head, block)) == date(2023, 8, 30)


@pytest.mark.parametrize(
    "value",
    [
        "2021-04-07T25:00",
        "2021-04-07T10:00+25:00",
        "2021-04-07x",
        "2021-04-0799",
        "2021-4-7T25:00",  # htmldate reads a month and a day of one digit too (review R1)
        "2021-04-7T25:00",
    ],
)
def test_a_refused_json_ld_date_is_not_read_again_by_htmldate(value: str) -> None:
    """htmldate reads a JSON-LD date by the day it starts with: the page loaded on 2021-04-07
    with ``date_source`` metadata, where the same value in a JSONL record or a ``.txt`` header
    is ``bad_date`` (probe J). A head date of another day still dates the page; one of the
    same day cannot be told from the refused value read again."""
    block = {"@type": "NewsArticle", "datePublished": value}
    (refused,) = parse_html(_page("", block), "canonical")
    assert isinstance(refused, RecordError) and refused.reason == "bad_date", refused
    assert value in refused.detail, refused.detail
    other = '<meta property="article:published_time" content="2023-08-30T16:45:00+01:00">'
    assert _published(_page(other, block)) == date(2023, 8, 30)
    same = '<meta property="article:published_time" content="2021-04-07T09:00:00+01:00">'
    (also,) = parse_html(_page(same, block), "canonical")
    assert isinstance(also, RecordError) and also.reason == "bad_date", also


def test_a_head_date_after_today_is_kept_for_ingest_to_judge() -> None:
    """htmldate dropped a meta date after today (its max_date): the page took the run's day."""
    page = _page('<meta property="article:published_time" content="2027-09-01T10:00:00Z">')
    assert _published(page) == date(2027, 9, 1)


def test_a_page_without_json_ld_keeps_htmldates_date() -> None:
    page = _page('<meta property="article:published_time" content="2023-08-30T16:45:00+01:00">')
    assert json_ld_published(page) is None
    assert _published(page) == date(2023, 8, 30)


def test_types_written_as_urls_or_with_a_prefix_and_blocks_nested_too_deep() -> None:
    url = {"@type": "https://schema.org/NewsArticle", "datePublished": "2024-01-02"}
    assert json_ld_published(_page("", url)) == date(2024, 1, 2)
    prefixed = {"@type": ["schema:ReportageNewsArticle"], "datePublished": "2024-01-03"}
    assert json_ld_published(_page("", prefixed)) == date(2024, 1, 3)
    other = {"@type": "https://schema.org/VideoObject", "datePublished": "2024-01-04"}
    assert json_ld_published(_page("", other)) is None
    deep = "[" * 100_000 + "]" * 100_000
    article = {"@type": "Article", "datePublished": "2024-01-05"}
    assert json_ld_published(_page("", deep, article)) == date(2024, 1, 5)
