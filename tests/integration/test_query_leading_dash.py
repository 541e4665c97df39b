"""``news-etl query`` takes SQL that starts with a dash: a leading ``--`` comment (the way every
file of ``warehouse/queries`` starts) or a negative number. Up to session 31 the command line
parser read such SQL as an option and said "No such option: -- c…" (exit 2); an analyst pasting
a query file's text had to know to write ``--`` before it. A misspelt option is still one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app

from .helpers import day_warehouse


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("dash")
    return day_warehouse(tmp, date(2024, 3, 5), {"a.txt": "The ferry left the harbour at noon."})


def _query(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["query", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("-- articles loaded\nSELECT count(*) AS n FROM fact_article", "n\n1\n"),
        ("--no space before the comment\nSELECT 2 AS n", "n\n2\n"),
        ("-- a=b, with an equals sign\nSELECT 3 AS n", "n\n3\n"),
        ("-4 + 9 AS n", None),  # not a statement: DuckDB's error, not the parser's
    ],
)
def test_sql_that_starts_with_a_dash_is_sql(
    warehouse: Path, sql: str, expected: str | None
) -> None:
    code, output = _query(sql, "--format", "csv", "--warehouse", str(warehouse))
    if expected is None:
        assert code == 2 and "No such option" not in output and "syntax error" in output, output
    else:
        assert (code, output) == (0, expected)


def test_sql_with_a_leading_comment_after_the_options(warehouse: Path) -> None:
    code, output = _query("-f", "csv", "-w", str(warehouse), "-- latest day\nSELECT 5 AS n")
    assert (code, output) == (0, "n\n5\n")


def test_a_misspelt_option_is_still_no_such_option(warehouse: Path) -> None:
    code, output = _query("--formt", "csv", "SELECT 1", "--warehouse", str(warehouse))
    assert code == 2
    assert output.strip() == (
        "error: news-etl query: No such option: --formt (Possible options: --format, --out) "
        "(see --help)"
    )
    code, output = _query("SELECT 1", "-x", "--warehouse", str(warehouse))
    assert (code, output.strip()) == (2, "error: news-etl query: No such option: -x (see --help)")


def test_two_sql_arguments_are_refused(warehouse: Path) -> None:
    code, output = _query("SELECT 1", "SELECT 2", "--warehouse", str(warehouse))
    assert code == 2
    assert output.strip() == (
        "error: news-etl query: Got unexpected extra argument (SELECT 2) (see --help)"
    )
