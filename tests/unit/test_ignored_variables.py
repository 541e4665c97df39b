"""A ``NEWS_ETL_*`` variable that is not a setting is named in a warning by every command,
before it does anything, with the setting it was probably meant to be; the command goes on.

Up to session 41 ``NEWS_ETL_WAREHOSE=/tmp/x news-etl run`` (a typo) ran against the default
warehouse without a word (the settings ignore what they do not know).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.settings import OTHER_VARIABLES, PROJECT_ROOT

#: Set in every test: the project's own variables and a setting in lower case are no typos.
_NOT_TYPOS = {
    "NEWS_ETL_CORPORA_DIR": "/nowhere",
    "NEWS_ETL_AIRFLOW_HOSTNAME": "w1@host",
    "NEWS_ETL_TEST_FAULT_TABLE": "/nowhere",
    "news_etl_workers": "1",  # pydantic-settings reads names in any case
}


def test_a_misspelt_setting_is_named_before_the_command_runs(tmp_path: Path) -> None:
    env = {**_NOT_TYPOS, "NEWS_ETL_WAREHOSE": "/tmp/x", "NEWS_ETL_ZZZ": "1"}
    absent = tmp_path / "absent.duckdb"
    result = CliRunner().invoke(app, ["summary", "-w", str(absent)], env=env)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "warning: NEWS_ETL_WAREHOSE is not a news-etl setting and is ignored "
        "(did you mean NEWS_ETL_WAREHOUSE?)",
        "warning: NEWS_ETL_ZZZ is not a news-etl setting and is ignored",
        f"error: no warehouse at {absent}",
    ]


def test_a_warning_does_not_fail_the_command(tmp_path: Path) -> None:
    env = {**_NOT_TYPOS, "news_etl_lock_timeout": "5"}
    result = CliRunner().invoke(app, ["init", "-w", str(tmp_path / "w.duckdb")], env=env)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: news_etl_lock_timeout is not a news-etl setting and is ignored "
        "(did you mean NEWS_ETL_LOCK_TIMEOUT_S?)"
    ]


@pytest.mark.parametrize("command", [["run", "--help"], ["airflow", "start", "--help"]])
def test_help_prints_help_only(command: list[str]) -> None:
    """``news-etl run --help`` warned of a misspelt variable before its help (probe, session
    44): a command's help reads no setting, so it prints the help alone."""
    env = {**_NOT_TYPOS, "NEWS_ETL_WAREHOSE": "/tmp/x"}
    result = CliRunner().invoke(app, command, env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().startswith("Usage: ")
    assert result.stderr == ""


def test_an_argument_after_the_double_dash_is_no_help_option(tmp_path: Path) -> None:
    """``--help`` after ``--`` is an argument, not the help: the command runs, and warns."""
    env = {**_NOT_TYPOS, "NEWS_ETL_WAREHOSE": "/tmp/x"}
    absent = tmp_path / "absent.duckdb"
    result = CliRunner().invoke(app, ["query", "-w", str(absent), "--", "--help"], env=env)
    assert result.stderr.startswith("warning: NEWS_ETL_WAREHOSE is not a news-etl setting")


def test_without_stray_variables_nothing_is_said(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", "-w", str(tmp_path / "w.duckdb")], env=_NOT_TYPOS)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


@pytest.mark.parametrize("name", sorted(OTHER_VARIABLES))
def test_each_other_variable_is_read_somewhere_in_the_project(name: str) -> None:
    """The list of variables the project reads besides the settings stays true: each is named
    in a file of the project other than the one declaring the list."""
    folders = ("etl", "tests", "scripts", "dags", "benchmarks", ".ci")
    files = [p for f in folders for p in (PROJECT_ROOT / f).rglob("*") if p.is_file()]
    files += [PROJECT_ROOT / "Makefile"]
    declared = PROJECT_ROOT / "etl" / "settings.py"
    pattern = re.compile(re.escape(name) + r"(?![A-Z_])")
    readers = [
        p
        for p in files
        if p not in (declared, Path(__file__)) and p.suffix != ".pyc"
        if pattern.search(p.read_text(errors="replace"))
    ]
    assert readers, f"{name} is named nowhere but etl/settings.py: drop it from OTHER_VARIABLES"
