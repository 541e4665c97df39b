"""A run of short paragraphs is refused before extraction: trafilatura's justext fallback walks,
from each short paragraph, to the nearest good or bad one on either side, so a run of n short
paragraphs costs n² steps. Hostile-input probe: an article followed by 19,000 ``<p>a</p>``
(153 KB, under the 20,000-element limit) took 73 s in parse_html; ``<li>`` 50 s, ``<div>``
62 s, ``<td>`` in one row 14 s."""

from __future__ import annotations

import pytest

from etl.ingest.formats import Record, RecordError
from etl.ingest.formats.html import parse_html

from ._article_page import article_page
from ._linear import finishes


def _page(after: str) -> str:
    return article_page(after=after)


def _refused(steps: int) -> list[RecordError]:
    return [
        RecordError(
            None,
            "malformed_html",
            f"a run of short paragraphs the extractor would walk {steps:,} steps over, more than "
            "4,000,000: refused before extraction (the extractor's time grows with the square "
            "of the run's length)",
        )
    ]


@pytest.mark.parametrize(
    "after",
    [
        "<p>a</p>" * 19_000,  # 73 s before
        "<li>a</li>" * 19_000,  # 50 s
        "<div>a</div>" * 19_000,  # 62 s
        "<table><tr>" + "<td>a</td>" * 19_000 + "</tr></table>",  # 14 s
    ],
)
def test_a_long_run_of_short_paragraphs_is_refused(after: str) -> None:
    # one run: the article's ten paragraphs and the 19,000 short ones, walked 19,010² steps
    assert parse_html(_page(after), "canonical") == _refused(19_010**2)


def test_a_run_just_under_the_limit_is_read() -> None:
    """1,990 short paragraphs after the article's ten: 2,000² = 4,000,000 steps, the limit
    (0.9 s in parse_html); one more is refused."""
    assert isinstance(parse_html(_page("<p>a</p>" * 1_990), "canonical")[0], Record)
    assert parse_html(_page("<p>a</p>" * 1_991), "canonical") == _refused(2_001**2)


def test_many_long_paragraphs_apart_from_one_another_are_read() -> None:
    """10,000 paragraphs of a long sentence (good to justext: over 150 characters, a fifth of
    them stop words) break every run: the page is read, not refused."""
    sentence = (
        "The minister said on Monday that the government would review the plan for the new "
        "harbour in the spring, and that the work on the old road would go on as it had been"
    )
    record = parse_html(_page(f"<p>{sentence}.</p>" * 10_000), "canonical")[0]
    assert isinstance(record, Record)


def test_long_paragraphs_with_a_fifth_of_stop_words_are_good_and_read() -> None:
    """A survivor of mutation seed 1220 (justext's thresholds passed one place off): 2,100
    paragraphs of 323 characters, 11 of their 50 words stop words (0.22, between justext's 0.2
    and 0.25), are good to justext with trafilatura's thresholds (over 150 characters, over 0.2
    stop words), so they break every run and the page is read; counted as near-good, they were
    one run of 2,110 paragraphs and the page was refused."""
    words = "zorblat quentix brixel vontar kelmish harbour road ferry quarry glacier".split()
    sentence = [words[i % len(words)] for i in range(39)] + ["the"] * 11  # 11 of 50 stop words
    paragraph = " ".join(sentence[i] for i in range(0, 50, 2)) + " "  # interleaved, 50 words
    paragraph += " ".join(sentence[i] for i in range(1, 50, 2))
    record = parse_html(_page(f"<p>{paragraph}</p>" * 2_100), "canonical")[0]
    assert isinstance(record, Record), record


def test_refusing_a_run_of_short_paragraphs_takes_linear_time() -> None:
    """The article, then 19,980 paragraphs each followed by a short text (19,998 elements, under
    the 20,000 limit): 39,970 short paragraphs in one run. Before the check parse_html took
    341 s (the main extraction keeps the article, so trafilatura's escalation runs justext);
    now it refuses the page in 1.2 s."""
    out = finishes(
        "from tests.unit.test_html_short_paragraphs import _page\n"
        "from etl.ingest.formats.html import parse_html\n"
        "print(parse_html(_page('<p>a</p>a' * 19_980), 'canonical')[0].reason)\n"
    )
    assert out.split() == ["malformed_html"]


def test_short_paragraphs_between_good_ones_in_tables_make_one_run() -> None:
    """trafilatura's comparison gives justext its tree without tables (parse_html extracts
    without them): good paragraphs inside tables are gone there, and the short ones around
    them are one run. Measured on the other tree only, 440 ``<div>a</div>`` then a table, 20
    times (110 KB), counted under the limit and took 6.5 s (review R1, session 50); the run
    is at least 20 x 440 short paragraphs, (8,800)² steps."""
    good = (
        "It was the best of times and it was the worst of times, it was the age of wisdom and "
        "it was the age of foolishness, and so on it went for a long while."
    )
    after = ("<div>a</div>" * 440 + f"<table><tr><td>{good}</td></tr></table>") * 20
    (refused,) = parse_html(_page(after), "html")
    assert isinstance(refused, RecordError) and refused.reason == "malformed_html", refused
    steps = int(refused.detail.split(" steps over")[0].rsplit(" ", 1)[1].replace(",", ""))
    assert steps >= 8_800**2, refused.detail
