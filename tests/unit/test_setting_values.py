"""How a setting's value is read from its ``NEWS_ETL_*`` variable: digits are ASCII, white space
around a number, a size, true/false or a choice is ignored, a blank folder is refused.

Probe V (session 46): ``NEWS_ETL_DUCKDB_MEMORY_LIMIT=١٠٠MB`` (Arabic-Indic digits) passed the
settings and failed the run at its load, after every other stage, in DuckDB's words and without
the variable's name; ``NEWS_ETL_WORKERS=" 7 "`` was 7 but ``NEWS_ETL_KEEP_STAGING=" true "`` was
refused; ``NEWS_ETL_DUCKLAKE_DATA_PATH="  "`` made a new lake's data folder named two spaces.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from etl.settings import Settings, describe_invalid


def _refusal(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    """What the settings say of ``name=value``, as a command prints it."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as caught:
        Settings()
    return describe_invalid(caught.value)


@pytest.mark.parametrize("name", ["NEWS_ETL_DUCKDB_MEMORY_LIMIT", "NEWS_ETL_READER_MEMORY_LIMIT"])
@pytest.mark.parametrize(
    "value",
    [
        "١٠٠MB",  # Arabic-Indic digits
        "１００MB",  # fullwidth digits
        "1٠0MB",  # one of them among ASCII ones
        "100\u00a0MB",  # a no-break space between number and unit (DuckDB refuses it)
        "100ＭB",  # a fullwidth letter in the unit
        "1__000MB",  # '_' only between two digits, as in Python's numbers
        "_100MB",
    ],
)
def test_a_memory_size_in_other_characters_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    said = _refusal(monkeypatch, name, value)
    assert said.startswith(f"{name}: give a size such as 768MB or 2GiB"), said
    assert "\n" not in said
    assert repr(value) in said  # the value given, quoted


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("NEWS_ETL_WORKERS", " 7 ", 7),
        ("NEWS_ETL_BATCH_SIZE", "\t1_000\n", 1000),
        ("NEWS_ETL_LOCK_TIMEOUT_S", " 1_000 ", 1000.0),  # a float: pydantic refused this one
        ("NEWS_ETL_MAX_QUARANTINE_SHARE", " 0.25 ", 0.25),
        ("NEWS_ETL_KEEP_STAGING", " true ", True),
        ("NEWS_ETL_WRITE_REPORTS", "\tfalse ", False),
        ("NEWS_ETL_DUCKDB_MEMORY_LIMIT", " 768MB ", "768MB"),
        ("NEWS_ETL_READER_MEMORY_LIMIT", "1_000MB", "1000MB"),  # as DuckDB reads it
        ("NEWS_ETL_READER_MEMORY_LIMIT", " 1_0.5 GiB", "10.5 GiB"),
        ("NEWS_ETL_TXT_LAYOUT", " titled ", "titled"),
        ("NEWS_ETL_AIRFLOW_EXECUTOR", "celery\n", "celery"),
    ],
)
def test_white_space_around_a_value_and_underscores_between_digits_are_read_alike(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: object
) -> None:
    monkeypatch.setenv(name, value)
    assert getattr(Settings(), name.removeprefix("NEWS_ETL_").lower()) == expected


@pytest.mark.parametrize("value", [" ", "  ", "\t\n"])
def test_a_blank_lake_data_path_is_refused_like_the_other_folders(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    said = _refusal(monkeypatch, "NEWS_ETL_DUCKLAKE_DATA_PATH", value)
    assert said == (
        "NEWS_ETL_DUCKLAKE_DATA_PATH: the folder is empty: leave it unset (its default) or "
        "give a folder or a URL"
    )


def test_an_empty_lake_data_path_is_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ETL_DUCKLAKE_DATA_PATH", "")
    assert Settings().ducklake_data_path is None
