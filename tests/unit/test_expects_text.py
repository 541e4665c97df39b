"""How a check's expectation is written out: constants as the suite writes them, parameters
with the run's value and their name."""

from __future__ import annotations

from datetime import date

import pandas as pd

from etl.validate.suites import expectation_column, expects_text

BETWEEN = {
    "type": "expect_column_values_to_be_between",
    "kwargs": {
        "column": "published_date",
        "min_value": {"$PARAMETER": "min_date"},
        "max_value": {"$PARAMETER": "max_date"},
        "mostly": 0.99,
    },
}


def test_parameters_show_the_value_and_the_name() -> None:
    parameters = {"min_date": pd.Timestamp("1900-01-01"), "max_date": pd.Timestamp("2026-12-05")}
    assert expects_text(BETWEEN, parameters) == (
        "min_value=1900-01-01 ($min_date), max_value=2026-12-05 ($max_date), mostly=0.99"
    )


def test_without_the_run_values_the_names_stay() -> None:
    assert expects_text(BETWEEN) == "min_value=$min_date, max_value=$max_date, mostly=0.99"
    assert expects_text(BETWEEN, {"min_date": date(2000, 1, 2)}) == (
        "min_value=2000-01-02 ($min_date), max_value=$max_date, mostly=0.99"
    )


def test_values_that_are_not_dates_are_json() -> None:
    item = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "language", "value_set": {"$PARAMETER": "known_languages"}},
    }
    assert expects_text(item, {"known_languages": ["de", "en"]}) == (
        'value_set=["de", "en"] ($known_languages)'
    )
    timed = {"type": "x", "kwargs": {"column": "t", "max_value": {"$PARAMETER": "at"}}}
    assert expects_text(timed, {"at": pd.Timestamp("2026-12-05 10:30")}) == (
        "max_value=2026-12-05T10:30:00 ($at)"
    )


def test_text_is_written_as_it_is_not_escaped() -> None:
    """A value or constant with letters outside ASCII reads as written, not as JSON escapes
    (``"\\u00e9"``); seed 1232: the parameter's value escaped passed every test."""
    item = {
        "type": "expect_column_values_to_not_be_in_set",
        "kwargs": {"column": "term", "value_set": {"$PARAMETER": "banned"}, "note": "né"},
    }
    assert expects_text(item, {"banned": ["café", "Øl"]}) == (
        'value_set=["café", "Øl"] ($banned), note="né"'
    )


def test_columns_are_named_as_check_rows_name_them() -> None:
    assert expectation_column(BETWEEN) == "published_date"
    pair = {"type": "x", "kwargs": {"column_A": "a", "column_B": "b", "or_equal": True}}
    assert expectation_column(pair) == "a,b"
    assert expects_text(pair) == "or_equal=true"
    listed = {"type": "x", "kwargs": {"column_list": ["article_id", "term_id"]}}
    assert expectation_column(listed) == "article_id,term_id"
    assert expects_text(listed) == ""


def test_an_expectation_written_without_arguments_expects_nothing_more() -> None:
    """A suite entry with no ``kwargs`` at all (a table-level expectation written by hand) reads
    as expecting nothing beyond its name (a mutation survivor of seed 1214 read it as None)."""
    bare = {"type": "expect_table_row_count_to_be_between"}
    assert expects_text(bare) == ""
    assert expects_text(bare, {"min_date": date(2000, 1, 2)}) == ""
