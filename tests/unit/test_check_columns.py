"""The column a check result names (etl.validate.runner._column_of): one column, a column list,
or a pair of columns, joined by commas; none for table-level expectations."""

from __future__ import annotations

import pytest

from etl.validate.runner import _column_of


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        ({"column": "n_terms", "min_value": 5}, "n_terms"),
        ({"column_list": ["article_id", "term"]}, "article_id,term"),
        ({"column_A": "n_tokens", "column_B": "n_sentences"}, "n_tokens,n_sentences"),
        ({"column_A": "n_tokens"}, "n_tokens"),
        ({"min_value": 1, "max_value": 10}, None),
        ({}, None),
    ],
)
def test_the_column_of_an_expectation(kwargs: dict[str, object], column: str | None) -> None:
    assert _column_of(kwargs) == column
