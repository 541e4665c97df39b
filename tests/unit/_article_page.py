"""A small news page for the HTML adapter's tests: a title, a heading and eight sentence-long
paragraphs (near-good to justext), with markup of a test's own in the head or after the
article."""

from __future__ import annotations

#: An article of eight sentences: near-good paragraphs to justext, in the run they head.
ARTICLE = "".join(
    f"<p>This is paragraph {i} of a real looking news article, with enough words to count as "
    "text for the extractor to keep.</p>"
    for i in range(8)
)


def article_page(head: str = "", after: str = "") -> str:
    """The page: ``head`` inside its ``<head>``, ``after`` after its article (title, heading and
    eight paragraphs: a run of ten)."""
    return (
        f"<!DOCTYPE html><html><head><title>T</title>{head}</head><body><article>"
        f"<h1>Headline here</h1>{ARTICLE}</article>{after}</body></html>"
    )
