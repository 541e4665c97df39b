"""A metadata value over its limit quarantines its record (``metadata_too_long``), never cut.

A record with a 19.5 MB title loaded, and the analyst's tables showed a 19.5 MB title. Each kept
field now has a limit (etl.contracts.METADATA_LIMITS), and the quarantine detail names the
field and its length and quotes at most 500 characters of it. Expected values are literals.
"""

from __future__ import annotations

from etl.contracts import METADATA_LIMITS, QUARANTINE_REASONS
from etl.ingest.formats.base import Record
from etl.ingest.metadata import metadata_over_limit


def test_the_limits_are_the_documented_ones() -> None:
    assert METADATA_LIMITS == {"title": 2000, "url": 8192, "source": 1000, "authors": 4000}
    assert "metadata_too_long" in QUARANTINE_REASONS


def test_a_value_up_to_its_limit_passes() -> None:
    record = Record(
        body="B.",
        title="t" * 2000,
        url="u" * 8192,
        source="s" * 1000,
        authors=("a" * 1000, "b" * 3000),
    )
    assert metadata_over_limit(record) is None


def test_a_huge_title_is_named_measured_and_quoted_short() -> None:
    detail = metadata_over_limit(Record(body="B.", title="t" * 19_500_000))
    assert detail == (
        "title of 19500000 characters is over the limit of 2000: '"
        + "t" * 500
        + "'… [19499500 more characters]"
    )


def test_each_field_has_its_own_limit() -> None:
    assert metadata_over_limit(Record(body="B.", title="t" * 2001)) == (
        "title of 2001 characters is over the limit of 2000: '" + "t" * 500 + "'… [1501 more "
        "characters]"
    )
    assert metadata_over_limit(Record(body="B.", url="u" * 8193)) == (
        "url of 8193 characters is over the limit of 8192: '" + "u" * 500 + "'… [7693 more "
        "characters]"
    )
    assert metadata_over_limit(Record(body="B.", source="s" * 1001)) == (
        "source of 1001 characters is over the limit of 1000: '" + "s" * 500 + "'… [501 more "
        "characters]"
    )


def test_author_names_count_together() -> None:
    record = Record(body="B.", authors=("Ann Lee",) + ("x" * 999,) * 4)  # 7 + 3996 characters
    assert metadata_over_limit(record) == (
        "authors of 4003 characters (5 names) is over the limit of 4000: '"
        + ("Ann Lee; " + "x" * 491)  # the names joined by "; ": 4,011 characters
        + "'… [3511 more characters]"
    )
    assert metadata_over_limit(Record(body="B.", authors=("y" * 4001,))) == (
        "authors of 4001 characters (1 name) is over the limit of 4000: '"
        + "y" * 500
        + "'… [3501 more characters]"
    )
