"""The data dictionary is generated from the schema's comments and must be current."""

from __future__ import annotations

from pathlib import Path

import duckdb
from typer.testing import CliRunner

from etl.cli import app
from etl.dictionary import MACROS, build
from etl.load.migrations import migrate
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


def test_check_mode_advises_the_command_that_writes_the_file_it_checked(tmp_path: Path) -> None:
    """Probe R3: a stale or missing ``--out`` file was "stale: run `news-etl dictionary`", which
    rewrites the project's warehouse/README.md instead."""
    stale = tmp_path / "my dict.md"
    stale.write_text("old\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["dictionary", "--check", "--out", str(stale)])
    assert (result.exit_code, " ".join(result.output.split())) == (
        1,
        f"error: {stale} is stale: run `news-etl dictionary --out '{stale}'`",
    )
    missing = tmp_path / "nodir" / "d.md"
    result = CliRunner().invoke(app, ["dictionary", "--check", "--out", str(missing)])
    assert (result.exit_code, " ".join(result.output.split())) == (
        1,
        f"error: {missing} is missing: run `news-etl dictionary --out {missing}`",
    )
    assert not missing.parent.exists()


def test_every_macro_is_documented_with_its_parameters_and_columns() -> None:
    con = duckdb.connect()
    try:
        migrate(con, load_settings().migrations_dir)
        declared = dict(
            con.execute(
                "SELECT function_name, any_value(parameters) FROM duckdb_functions()"
                " WHERE schema_name = 'main' AND NOT internal"
                " AND function_type IN ('macro', 'table_macro') GROUP BY function_name"
            ).fetchall()
        )
    finally:
        con.close()
    assert set(MACROS) == set(declared)
    for name, doc in MACROS.items():
        assert [p for p, _ in doc.params] == declared[name], name
    text = build(load_settings().migrations_dir)
    for name, doc in MACROS.items():
        assert f"### `{name}({', '.join(p for p, _ in doc.params)})`" in text
    assert text.count("| output column | type |") == len(MACROS)
    # The analyst's quick start: read-only connection and bound parameters.
    assert 'duckdb.connect("warehouse/news.duckdb", read_only=True)' in text
    assert '"SELECT * FROM trending_terms(?, ?, ?)",\n    ["1987-03-03", 7, 10],' in text


def test_the_stale_comments_are_fixed() -> None:
    text = build(load_settings().migrations_dir)
    date_source = next(line for line in text.splitlines() if line.startswith("| `date_source`"))
    assert "metadata" in date_source
    source_name = next(line for line in text.splitlines() if line.startswith("| `source_name`"))
    assert "URL" in source_name and "subfolder" in source_name
    title = next(line for line in text.splitlines() if line.startswith("| `title`"))
    assert "NULL for .txt" in title
    assert "not a news event" in text
