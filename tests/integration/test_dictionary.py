"""The data dictionary is generated from the schema's comments and must be current."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from etl.cli import app
from etl.dictionary import build
from etl.settings import PROJECT_ROOT, load_settings


def test_committed_dictionary_is_current() -> None:
    committed = (PROJECT_ROOT / "warehouse" / "README.md").read_text(encoding="utf-8")
    assert committed == build(load_settings().migrations_dir), "run `news-etl dictionary`"


def test_every_column_is_documented() -> None:
    text = build(load_settings().migrations_dir)
    undocumented = [line for line in text.splitlines() if line.endswith("|  |")]
    assert undocumented == []


def test_check_mode_detects_a_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "README.md"
    stale.write_text("old\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["dictionary", "--check", "--out", str(stale)])
    assert result.exit_code == 1 and "stale" in result.output
    assert CliRunner().invoke(app, ["dictionary", "--out", str(stale)]).exit_code == 0
    assert CliRunner().invoke(app, ["dictionary", "--check", "--out", str(stale)]).exit_code == 0
