"""An HTML page the extractor refuses is quarantined ``malformed_html`` with the parser's error.

etl.ingest.formats.html catches the ValueError, TypeError or AttributeError that lxml (inside
trafilatura) raises for some inputs, and the detail names the exception and its message. No
input found with trafilatura 2.3.1 makes it raise, so a stand-in extractor raises as lxml would.

A survivor of the seed-1204 mutation sample (issue #18): ``parse_html__mutmut_17`` dropped the
detail (None); no test reached the handler.
"""

from __future__ import annotations

import pytest
import trafilatura

from etl.ingest.formats import RecordError
from etl.ingest.formats.html import parse_html


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (
            ValueError("Unicode strings with encoding declaration are not supported."),
            "ValueError: Unicode strings with encoding declaration are not supported.",
        ),
        (TypeError("expected str"), "TypeError: expected str"),
        (AttributeError("no xpath"), "AttributeError: no xpath"),
    ],
)
def test_a_page_the_parser_refuses_is_malformed_html_naming_the_error(
    monkeypatch: pytest.MonkeyPatch, error: Exception, detail: str
) -> None:
    def refuses(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(trafilatura, "bare_extraction", refuses)
    assert parse_html("<html><body><p>x</p></body></html>", "canonical") == [
        RecordError(None, "malformed_html", detail)
    ]
