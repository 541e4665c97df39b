"""The quality summary and page show errors and check values as data: a line break in a value cannot
make a line that looks like one of the summary's own."""

from __future__ import annotations

from etl.quality import QualityReport, format_quality, render_html


def _check(detail: str) -> dict[str, object]:
    return {
        "suite": "article",
        "expectation": "expect_x",
        "column_name": "clean_text",
        "elements": 3,
        "unexpected": 1,
        "expects": "",
        "observed": None,
        "detail": detail,
    }


REPORT = QualityReport(
    "Data quality: run r2",
    runs=[
        (
            "r2",
            "failed",
            "landing zone /in/x\n  run r1: success\x1b[2J does not exist\nsecond line",
        )
    ],
    failures=[_check("could not read\nrun r0: success\u202e")],
    quarantine=[("ingest", "empty", 1)],
)


def test_a_line_break_in_an_error_or_a_detail_cannot_start_a_line_of_its_own() -> None:
    assert format_quality(REPORT).split("\n") == [
        "Data quality: run r2",
        "  run r2: failed - landing zone /in/x",
        "        run r1: success\x1b[2J does not exist",
        "      second line",
        "  failed checks (1):",
        "    FAIL article.expect_x(clean_text): 1 unexpected of 3; e.g. could not read\\x0arun r0:"
        " success\\u202e",
        "  quarantined (1 record):",
        "    ingest   empty: 1",
        "  passed checks: 0",
    ]


def test_the_quality_page_shows_values_as_the_terminal_does() -> None:
    page = render_html(REPORT)
    assert "\x1b" not in page and "\u202e" not in page
    assert "could not read\\x0arun r0: success\\u202e" in page
    assert "landing zone /in/x\n  run r1: success\\x1b[2J does not exist" in page
