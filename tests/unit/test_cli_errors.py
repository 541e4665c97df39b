"""Every command ends an expected error with one line and exit 2 or 75 (issue #14, item 8)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.errors import WarehouseBusyError


def _busy(*args: Any, **kwargs: Any) -> Any:
    raise WarehouseBusyError("/w/news.duckdb is held open by PID 7 and stayed so for 60s")


@pytest.mark.parametrize("command", ["summary", "status"])
def test_a_busy_warehouse_is_exit_75_and_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = tmp_path / "news.duckdb"
    warehouse.write_bytes(b"")  # exists; never opened: the reader is replaced
    monkeypatch.setattr("etl.report.summary.reader", _busy)
    monkeypatch.setattr("etl.query.open_reader", _busy)
    monkeypatch.setattr("etl.warehouse.reader", _busy)  # summary's look at the schema first
    result = CliRunner().invoke(app, [command, "--warehouse", str(warehouse)])
    assert result.exit_code == 75, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == ["error: /w/news.duckdb is held open by PID 7 and stayed so for 60s"]


def test_a_read_only_file_system_is_permanent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read_only(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.EROFS, "Read-only file system", "/ro/news.duckdb.lock")

    monkeypatch.setattr("etl.warehouse.writer_lock", read_only)
    result = CliRunner().invoke(app, ["init", "--warehouse", str(tmp_path / "news.duckdb")])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == "error: Read-only file system: /ro/news.duckdb.lock"


def test_control_characters_in_an_error_stay_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    def hostile(*args: Any, **kwargs: Any) -> Any:
        raise WarehouseBusyError(
            "held by \x1b]8;;https://evil\x1b\\x\x1b]8;;\x1b\\ [red]x[/red]\n2"
        )

    monkeypatch.setattr("etl.warehouse.writer_lock", hostile)
    result = CliRunner().invoke(app, ["init", "--warehouse", "/nonexistent/news.duckdb"])
    assert result.exit_code == 75
    assert "\x1b" not in result.output
    assert result.output.count("\n") == 1
    assert "[red]x[/red]" in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["run", "--date", "2024-13-01"], "'2024-13-01' is not a day of the calendar"),
        (["run", "--date", "13/01/2024"], "'13/01/2024' is not a date in YYYY-MM-DD form"),
        (["migrate"], "No such command 'migrate'"),
        (["quarantine", "list", "--limit", "0"], "'--limit'"),
        (["backfill"], "Missing option '--start'"),
        (["query", "--format", "xml", "SELECT 1"], "--format must be one of"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2(args: list[str], said: str) -> None:
    """A bad option or value, like every other failure: one line, ``error: …``, exit 2 (it was
    Click's boxed Usage/Error panel, several lines)."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert said in lines[0] and lines[0].endswith("(see --help)")
