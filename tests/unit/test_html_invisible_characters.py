"""Characters the HTML extractor dropped and every other format keeps (probe, session 43):
trafilatura keeps only what is printable or white space, so a Persian page lost its zero-width
non-joiners (``می‌خواهم`` became ``میخواهم``, other terms and another article than the same text
as JSONL), an emoji sequence its joiner, and an icon font's glyph (private use) vanished. The
page's text now keeps them, as written or as character references, and the text stage decides
on them as for any format."""

from __future__ import annotations

import pytest

from etl.ingest.formats import Record
from etl.ingest.formats.html import parse_html

PERSIAN = "من می\u200cخواهم این کتاب\u200cها را امروز بخوانم و درباره\u200cی آن‌ها بنویسم."
FILLER = (
    "The harbour board met on Monday and approved the new ferry timetable for the islands after"
    " a long debate about the winter crossings and the cost of fuel."
)


def _body(paragraph: str) -> str:
    page = (
        "<html><head><title>Daily News</title></head><body><article><h1>A headline</h1>"
        f"<p>{FILLER}</p><p>{paragraph}</p><p>{FILLER}</p></article></body></html>"
    )
    (record,) = parse_html(page, "canonical")
    assert isinstance(record, Record), record
    return record.body


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (PERSIAN, PERSIAN),
        (PERSIAN.replace("\u200c", "&zwnj;", 1).replace("\u200c", "&#x200C;", 1),
         PERSIAN),
        ("She typed 👩\u200d💻 all night long at the office near the harbour.",
         "She typed 👩\u200d💻 all night long at the office near the harbour."),
        ("The icon \ue000 marks a live report from the harbour board meeting.",
         "The icon \ue000 marks a live report from the harbour board meeting."),
    ],
    ids=["zwnj as written", "zwnj as references", "emoji joiner", "private use"],
)  # fmt: skip
def test_the_page_text_keeps_what_other_formats_keep(written: str, read: str) -> None:
    assert f"\n\n{read}\n\n" in _body(written)


def test_a_page_without_such_characters_reads_as_before() -> None:
    assert _body("A plain paragraph about the harbour board and its ferries.").split("\n\n") == [
        "A headline",
        FILLER,
        "A plain paragraph about the harbour board and its ferries.",
        FILLER,
    ]
