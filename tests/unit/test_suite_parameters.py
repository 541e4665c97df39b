"""The values the suites' ``$PARAMETER`` placeholders get (etl.validate.runner.suite_parameters),
pinned as literals: the documented defaults of the settings, the date range's exact ends, and the
language codes ('und' alone when no list of known languages is given).

A survivor of the seed-1204 mutation sample (issue #18): ``suite_parameters__mutmut_34`` changed
the fallback language list ("XXundXX"); every test passed the known languages explicitly.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from etl.validate.runner import suite_parameters


def test_parameters_from_the_default_settings_without_a_language_list() -> None:
    assert suite_parameters(date(2024, 3, 4), date(2024, 3, 6)) == {
        "min_date": pd.Timestamp("1900-01-01"),
        # the later of the run's date and today, plus the one-day future-date allowance
        "max_date": pd.Timestamp("2024-03-07"),
        "max_replacement_ratio": 0.01,
        "max_mojibake_ratio": 0.01,
        "max_boilerplate_ratio": 0.5,
        "min_article_chars": 1,
        "min_article_terms": 5,
        "max_article_chars": 2_000_000,
        "known_languages": ["und"],
    }


def test_the_date_range_ends_a_day_after_the_later_of_run_date_and_today() -> None:
    assert suite_parameters(date(2024, 3, 9), date(2024, 3, 6))["max_date"] == pd.Timestamp(
        "2024-03-10"
    )
    assert suite_parameters(None, date(2024, 3, 6))["max_date"] == pd.Timestamp("2024-03-07")


def test_a_language_list_is_used_as_given() -> None:
    params = suite_parameters(None, date(2024, 3, 6), None, ["de", "en", "und"])
    assert params["known_languages"] == ["de", "en", "und"]
