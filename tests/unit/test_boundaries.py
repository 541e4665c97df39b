"""Defaults and vocabularies a user relies on, pinned by literals (not read back from the code).

The exact bounds themselves are exercised end to end in ``tests/integration/test_load_pins.py``;
here the documented defaults (README's settings table) and the stopword flags of the languages
the earlier tests left out.
"""

from __future__ import annotations

import pytest

from etl.settings import Settings
from etl.text.stems import stopword_flags

#: The README's settings table, by hand.
DOCUMENTED_DEFAULTS = {
    "max_file_bytes": 52_428_800,  # 50 MiB
    "max_quarantine_share": 0.5,
    "quarantine_check_min_files": 20,
    "max_mojibake_ratio": 0.01,
    "max_boilerplate_ratio": 0.5,
    "min_article_chars": 1,
    "max_article_chars": 2_000_000,
    "batch_size": 500,
    "validate_chunk_articles": 20_000,
    "lock_timeout_s": 600.0,
}


@pytest.mark.parametrize(("name", "value"), sorted(DOCUMENTED_DEFAULTS.items()))
def test_documented_defaults(name: str, value: object) -> None:
    assert getattr(Settings(), name) == value


@pytest.mark.parametrize(
    ("language", "words", "flags"),
    [
        (
            "fr",
            ["le", "la", "les", "et", "de", "une", "est", "gouvernement", "paris", "marché"],
            [True, True, True, True, True, True, True, False, False, False],
        ),
        ("es", ["el", "la", "y", "de", "gobierno"], [True, True, True, True, False]),
        ("it", ["il", "e", "di", "governo"], [True, True, True, False]),
    ],
)
def test_stopword_flags_of_more_languages(
    language: str, words: list[str], flags: list[bool]
) -> None:
    assert stopword_flags(language, words) == flags
