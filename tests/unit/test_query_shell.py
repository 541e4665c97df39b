"""`news-etl shell`'s command line (etl.query.shell_command): which binary, which flags, and the
errors when there is no warehouse or no shell. The shell's refusals themselves are run in
tests/integration/test_cli_output.py."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import stat
from pathlib import Path
from typing import Any

import duckdb
import pytest

from etl.errors import PermanentError
from etl.query import shell_command

FLAGS = ["-readonly", "-safe", "-no-init"]


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "news.duckdb"
    duckdb.connect(str(path)).close()
    return path


def _fake_shell(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shell = folder / "duckdb"
    shell.write_text("#!/bin/sh\n", encoding="utf-8")
    shell.chmod(shell.stat().st_mode | stat.S_IXUSR)
    return shell


def _without_wheel(monkeypatch: pytest.MonkeyPatch, spec: Any = None) -> None:
    """``find_spec("duckdb_cli")`` answers ``spec``; every other module as before."""
    real = importlib.util.find_spec

    def find_spec(name: str, package: str | None = None) -> Any:
        return spec if name == "duckdb_cli" else real(name, package)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_the_wheel_binary_with_the_safety_flags(warehouse: Path) -> None:
    import duckdb_cli

    wheel_binary = Path(duckdb_cli.__file__).parent / "duckdb"
    command = shell_command(warehouse)
    assert command == [str(wheel_binary), *FLAGS, str(warehouse)]
    # the native CLI, not the wheel's Python wrapper (whose start-up SET a locked config refuses)
    assert wheel_binary.read_bytes()[:4] == b"\x7fELF"


def test_without_the_wheel_the_shell_on_path(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell = _fake_shell(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(shell.parent))
    _without_wheel(monkeypatch)
    assert shell_command(warehouse) == [str(shell), *FLAGS, str(warehouse)]


def test_a_wheel_without_its_binary_falls_back_to_the_path(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site" / "duckdb_cli"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    spec = importlib.machinery.ModuleSpec("duckdb_cli", None, origin=str(package / "__init__.py"))
    shell = _fake_shell(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(shell.parent))
    _without_wheel(monkeypatch, spec)
    assert shell_command(warehouse) == [str(shell), *FLAGS, str(warehouse)]


def test_no_shell_anywhere_is_a_permanent_error(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    _without_wheel(monkeypatch)
    with pytest.raises(PermanentError) as caught:
        shell_command(warehouse)
    assert str(caught.value) == "the duckdb shell is not installed; run `make setup`"


def test_a_ducklake_is_refused_with_where_to_go_instead() -> None:
    with pytest.raises(PermanentError) as caught:
        shell_command(Path("ducklake:/data/news.ducklake"))
    assert str(caught.value) == (
        "ducklake:/data/news.ducklake is a DuckLake: the safe shell opens a DuckDB file only; "
        "use `news-etl query`, or DuckDB's own CLI with ATTACH (README, DuckLake warehouse)"
    )


def test_no_warehouse_is_a_permanent_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.duckdb"
    with pytest.raises(PermanentError) as caught:
        shell_command(missing)
    assert str(caught.value) == f"no warehouse at {missing}"
    assert os.listdir(tmp_path) == []  # nothing created
