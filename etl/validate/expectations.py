"""Custom Great Expectations for news text, registered with GX when this module is imported.

GX has no expectation for "this text looks damaged" or "this text is mostly boilerplate", so both
are written the way GX wants custom expectations: a column-map metric (vectorised over the whole
batch's column with pandas, never called per record from our code) plus a ``ColumnMapExpectation``
that names it. Suites refer to them by their snake-case names, e.g.
``expect_column_values_to_have_few_mojibake_markers``. Only the pandas engine is implemented: the
pipeline validates DataFrames (GX's SQL datasource does not work on DuckDB).

Importing this module imports GX (seconds): only :mod:`etl.validate.runner` does, lazily.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics import (
    ColumnMapMetricProvider,
    column_condition_partial,
)

#: Mojibake: UTF-8 bytes decoded as cp1252 / latin-1 leave a lead character ("Ã", "Â", "â€")
#: followed by a character from the upper half of cp1252 ("Ã©" for "é", "â€™" for "’").
#: U+FFFD replacement characters are checked separately (``replacement_ratio``).
_CP1252_HIGH = (
    "\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
MOJIBAKE_PATTERN = re.compile(f"\u00e2\u20ac[{_CP1252_HIGH}]?|[\u00c2\u00c3][{_CP1252_HIGH}]")

#: Phrases that mark a short paragraph as page furniture rather than reporting (lowercase).
#: Specific on purpose: news about newsletters or copyright law is not boilerplate.
BOILERPLATE_PHRASES = (
    "all rights reserved",
    "© 1",  # a copyright year line; a bare "©" is also the tail of the mojibake "Ã©"
    "© 2",
    "sign up for our",
    "subscribe to our",
    "subscribe now",
    "our newsletter",
    "click here",
    "read more:",
    "we use cookies",
    "accept cookies",
    "privacy policy",
    "terms of use",
    "terms of service",
    "follow us on",
    "share this article",
    "share this story",
    "advertisement",
    "related articles",
    "related stories",
)
#: Longer paragraphs are reporting even when they contain a phrase above.
BOILERPLATE_MAX_CHARS = 300


#: Every mojibake marker starts with one of these characters: a text without any has no marker.
_MOJIBAKE_LEADS = "[\u00c2\u00c3\u00e2]"
#: Any boilerplate phrase, case-insensitively (RE2 syntax). RE2's case folding matches every
#: character whose ``str.lower()`` is the phrase's character (none of the phrases ends in the
#: "i" that "İ" lowercases to), so it finds at least the texts that ``_has_phrase`` finds.
_ANY_PHRASE = "|".join(re.escape(phrase) for phrase in BOILERPLATE_PHRASES)


def _matching(text: pd.Series, pattern: str, ignore_case: bool = False) -> pd.Series:
    """Which texts contain a match of ``pattern``: one vectorised RE2 pass over the column."""
    # The type is equivalent left out: the expectations pass a pandas string column, which Arrow
    # reads as a string type either way (large: a chunk's texts may pass 2 GiB).
    texts = pa.array(text, type=pa.large_string(), from_pandas=True)  # pragma: no mutate
    found = pc.match_substring_regex(texts, pattern, ignore_case=ignore_case)
    return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=text.index)


def _marker_chars(text: str) -> int:
    return sum(len(m) for m in MOJIBAKE_PATTERN.findall(text))


def mojibake_ratio(text: pd.Series) -> pd.Series:
    """Share of characters of each text that belong to a mojibake marker."""
    marker_chars = pd.Series(0, index=text.index, dtype="int64")
    suspects = _matching(text, _MOJIBAKE_LEADS)  # the common case: no lead character at all
    if suspects.any():
        marker_chars[suspects] = text[suspects].map(_marker_chars).astype("int64")
    # The floor only keeps an empty text from dividing by zero. Equivalent with a floor of 2
    # (a survivor of seed 1219): every marker is at least 2 characters, so a shorter text
    # has none and its ratio is 0 whatever it is divided by.
    lengths = text.str.len().fillna(0).clip(lower=1)  # pragma: no mutate
    return (marker_chars.astype("float64") / lengths.astype("float64")).fillna(0.0)


def _has_phrase(text: str) -> bool:
    return any(phrase in text for phrase in BOILERPLATE_PHRASES)


def _is_boilerplate(paragraph: str) -> bool:
    return len(paragraph) <= BOILERPLATE_MAX_CHARS and _has_phrase(paragraph)


def _boilerplate_share(text: object) -> float:
    if not isinstance(text, str) or not text:
        return 0.0
    lowered = text.lower()
    if not _has_phrase(lowered):
        return 0.0
    paragraphs = [p for p in lowered.split("\n\n") if p.strip()] or [lowered]
    return sum(1 for p in paragraphs if _is_boilerplate(p)) / len(paragraphs)


def boilerplate_ratio(text: pd.Series) -> pd.Series:
    """Share of each text's paragraphs (separated by a blank line) that look like boilerplate."""
    share = pd.Series(0.0, index=text.index, dtype="float64")
    suspects = _matching(text, _ANY_PHRASE, ignore_case=True)  # most texts have no phrase
    if suspects.any():
        share[suspects] = text[suspects].map(_boilerplate_share).astype("float64")
    return share


class ColumnValuesMojibakeRatioBelow(ColumnMapMetricProvider):
    """Row condition: the text's share of mojibake characters is at most ``max_ratio``."""

    condition_metric_name = "column_values.mojibake_ratio_below"
    condition_value_keys = ("max_ratio",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, max_ratio: float, **kwargs: Any) -> pd.Series:  # noqa: N805
        return mojibake_ratio(column.astype("string")) <= max_ratio


class ColumnValuesBoilerplateRatioBelow(ColumnMapMetricProvider):
    """Row condition: the text's share of boilerplate paragraphs is at most ``max_ratio``."""

    condition_metric_name = "column_values.boilerplate_ratio_below"
    condition_value_keys = ("max_ratio",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column: pd.Series, max_ratio: float, **kwargs: Any) -> pd.Series:  # noqa: N805
        return boilerplate_ratio(column.astype("string")) <= max_ratio


class ExpectColumnValuesToHaveFewMojibakeMarkers(ColumnMapExpectation):
    """Expect each text to have at most ``max_ratio`` of its characters in mojibake markers
    (UTF-8 decoded as cp1252: "Ã©" for "é", "â€™" for "’").

    Args:
        column: the text column.
        max_ratio: the largest acceptable share of damaged characters, 0..1.
    """

    max_ratio: float | SuiteParameterDict = 0.01

    map_metric: ClassVar[str] = "column_values.mojibake_ratio_below"
    success_keys: ClassVar[tuple[str, ...]] = ("max_ratio", "mostly")
    args_keys: ClassVar[tuple[str, ...]] = ("column", "max_ratio")


class ExpectColumnValuesToHaveBoilerplateRatioBelow(ColumnMapExpectation):
    """Expect each text to have at most ``max_ratio`` of its paragraphs look like boilerplate
    (short paragraphs with "all rights reserved", "© 2024", newsletter and cookie prompts,
    "read more:", share buttons).

    Args:
        column: the text column (paragraphs separated by blank lines).
        max_ratio: the largest acceptable share of boilerplate paragraphs, 0..1.
    """

    max_ratio: float | SuiteParameterDict = 0.5

    map_metric: ClassVar[str] = "column_values.boilerplate_ratio_below"
    success_keys: ClassVar[tuple[str, ...]] = ("max_ratio", "mostly")
    args_keys: ClassVar[tuple[str, ...]] = ("column", "max_ratio")


#: The custom expectation types this module registers (for docs and tests).
CUSTOM_EXPECTATIONS = (
    "expect_column_values_to_have_few_mojibake_markers",
    "expect_column_values_to_have_boilerplate_ratio_below",
)
