"""A page with a text between two tags over the HTML parser's limit (10,000,000 bytes): up to
session 38 the parser dropped that text and everything after it, and the page was ``no_text``
(probe). A huge inline script (a site's state as JSON) is left out and the article after it
read; a huge text elsewhere is refused as ``malformed_html``, saying why."""

from __future__ import annotations

import json

from etl.ingest.formats import Record, RecordError
from etl.ingest.formats.html import parse_html

PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of a normal news story about oil prices, the trade deficit and the "
    "central bank in Tokyo.</p>"
    for i in range(20)
)


def _page(before: str) -> str:
    return (
        "<html><head><title>T</title></head><body>"
        f"{before}<article><h1>Headline</h1>{PARAGRAPHS}</article></body></html>"
    )


def test_the_article_after_a_huge_inline_script_is_read() -> None:
    state = json.dumps({"props": {"items": ["x" * 100] * 120_000}})  # 12.4 MB
    assert len(state) > 10_000_000
    script = f'<script id="__NEXT_DATA__" type="application/json">{state}</script>'
    (record,) = parse_html(_page(script), "canonical")
    assert isinstance(record, Record)
    assert "Paragraph 0 of a normal news story" in record.body
    assert "Paragraph 19 of a normal news story" in record.body


def test_a_huge_text_outside_scripts_is_refused_saying_why() -> None:
    words = "text " * 2_000_001  # 10,000,005 bytes between two tags
    assert parse_html(_page(f"<div>{words}</div>"), "canonical") == [
        RecordError(
            None,
            "malformed_html",
            "a text of more than 10,000,000 bytes between two tags, the HTML parser's limit: "
            "it drops that text and everything after it",
        )
    ]


def test_a_text_just_under_the_limit_is_not_refused_for_it() -> None:
    words = "é" * 4_999_990  # 9,999,980 bytes in UTF-8
    (record,) = parse_html(_page(f"<div>{words} </div>"), "canonical")
    assert not (isinstance(record, RecordError) and "parser's limit" in (record.detail or ""))
