"""The columns the validate stage reads for a staged table (etl.validate.stage.suite_columns):
always ``article_id`` (the stage drops repeated articles by it), then each suite's key and the
columns its expectations name, once each, in that order. A survivor of the seed-1201 mutation
sample (issue #18): the suites in schemas/ all key on article_id, so no test noticed a stage
that forgot it; a suite keyed on something else (suites are configuration) would break."""

from __future__ import annotations

from etl.validate.stage import suite_columns
from etl.validate.suites import SuiteSpec


def _suite(name: str, table: str, key: str, columns: list[str]) -> SuiteSpec:
    expectations = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": c}} for c in columns
    ]
    return SuiteSpec(name, table, key, {"name": name, "expectations": expectations}, "batch")


def test_article_id_first_then_keys_and_checked_columns_once() -> None:
    specs = [
        _suite("by_term", "terms", "term", ["count", "term"]),
        _suite("other", "articles", "article_id", ["n_chars"]),
        _suite("more", "terms", "term", ["first_offset", "count"]),
    ]
    assert suite_columns(specs, "terms") == ["article_id", "term", "count", "first_offset"]
    assert suite_columns(specs, "ledger") == ["article_id"]


def test_an_expectation_without_kwargs_names_no_column() -> None:
    from etl.validate.suites import expectation_columns

    assert expectation_columns({"type": "expect_table_row_count_to_be_between"}) == []
