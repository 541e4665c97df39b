"""A boilerplate paragraph is a short one (at most 300 characters) with a boilerplate phrase: the
bound itself is inside (mutation sample, seed 1211: ``<`` for ``<=`` survived)."""

from __future__ import annotations

import pandas as pd

from etl.validate.expectations import boilerplate_ratio


def _paragraph(chars: int) -> str:
    line = "All rights reserved. "
    return (line * (chars // len(line) + 1))[:chars]


def test_a_paragraph_of_exactly_300_characters_with_a_phrase_is_boilerplate() -> None:
    body = "A first paragraph about the harbour board.\n\n" + _paragraph(300)
    assert len(_paragraph(300)) == 300
    assert boilerplate_ratio(pd.Series([body])).tolist() == [0.5]


def test_one_of_301_characters_is_not() -> None:
    body = "A first paragraph about the harbour board.\n\n" + _paragraph(301)
    assert boilerplate_ratio(pd.Series([body])).tolist() == [0.0]
