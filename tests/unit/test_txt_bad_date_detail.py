"""A ``.txt`` file whose date header is not a date is quarantined ``bad_date`` with the reason.

The detail is the only place that says what is wrong with the header (``news-etl quarantine
list``). A survivor of the seed-1204 mutation sample (issue #18):
``parse_text_file__mutmut_13`` put ``str(None)`` ("None") there; the tests only read the reason.
"""

from __future__ import annotations

import pytest

from etl.ingest.formats import RecordError
from etl.ingest.formats.txt import parse_text_file


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        (
            " date 2021-13-45 The body.",
            "date header '2021-13-45' is not a calendar date: month must be in 1..12",
        ),
        (" date 2021-3-4 The body.", "date header '2021-3-4' is not YYYY-MM-DD"),
    ],
)
def test_a_bad_date_header_is_quarantined_with_what_is_wrong(text: str, detail: str) -> None:
    assert parse_text_file(text, "canonical") == [RecordError(None, "bad_date", detail)]
