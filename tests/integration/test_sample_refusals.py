"""``news-etl sample`` refuses what it will not write in one ``error:`` line with exit code 2,
before it writes anything, and makes a folder only for a file that goes in it.

Probe V (session 46): a folder that was not a sample's, a symbolic link, ``--out ""``,
``--articles -5`` and days past 9999-12-31 each came out as "unexpected ValueError/OverflowError
… (a bug in news-etl: please report it)"; ``--start 9999-12-30 --days 5`` left 27 files behind;
``--days 20000 --articles 3`` wrote 3 files and 80,001 folders.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app


def _sample(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["sample", *args])
    return result.exit_code, result.output


def _everything(folder: Path) -> dict[str, str]:
    """Every path under ``folder``, a file with its text (what a refusal must leave alone)."""
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") if p.is_file() else ""
        for p in folder.rglob("*")
    }


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--out", "kept"],
            "error: kept is not empty and has no .news-etl-sample marker: not a generated "
            "sample, refusing to wipe it",
        ),
        (["--out", "link"], "error: link is a symbolic link; refusing to write a sample"),
        (["--out", "kept/notes.txt"], "error: kept/notes.txt is not a folder"),
        (["--out", ""], "'--out': the folder is empty: give the folder to write the sample"),
        (["--out", "  "], "'--out': the folder is empty"),
        (["--out", "new", "--articles", "-5"], "'--articles': Input should be greater than or"),
        (
            ["--out", "new", "--start", "9999-12-30", "--days", "5"],
            "error: 5 days from 9999-12-30 run past 9999-12-31: give at most 2 days, or an "
            "earlier start",
        ),
        (
            ["--out", "new", "--start", "9999-12-30", "--days", "5", "--articles", "3"],
            "error: 5 days from 9999-12-30 run past 9999-12-31",
        ),
        # The demo's one-day zone dates an article the day before its first (a late arrival).
        (
            ["--out", "new", "--start", "0001-01-01", "--days", "1"],
            "error: a one-day sample dates its late arrival the day before 0001-01-01",
        ),
    ],
)
def test_a_refusal_is_one_line_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], expected: str
) -> None:
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "notes.txt").write_text("keep me", encoding="utf-8")
    (tmp_path / "link").symlink_to(tmp_path / "kept")
    before = _everything(tmp_path)
    code, output = _sample(tmp_path, monkeypatch, *args)
    assert code == 2, output
    assert len(output.splitlines()) == 1, output
    assert expected in " ".join(output.split()), output
    assert "a bug in news-etl" not in output
    assert _everything(tmp_path) == before


def test_the_last_days_of_the_calendar_can_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _sample(tmp_path, monkeypatch, "-o", "z", "--start", "9999-12-30", "--days", "2")
    assert (code, output) == (0, "26 files over 2 days in z\n")


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--days", "1"), "14 files over 1 day in z\n"),
        (("--days", "1", "--articles", "1"), "1 file over 1 day in z\n"),
        (("--days", "2", "--articles", "1200"), "1,200 files over 2 days in z\n"),
    ],
)
def test_what_sample_wrote_is_said_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], said: str
) -> None:
    code, output = _sample(tmp_path, monkeypatch, "-o", "z", *args)
    assert (code, output) == (0, said)
    assert len(list((tmp_path / "z").rglob("*.txt"))) == int(said.split()[0].replace(",", ""))


def test_a_folder_is_made_only_for_a_file_that_goes_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, output = _sample(tmp_path, monkeypatch, "-o", "z", "--days", "20", "--articles", "3")
    assert (code, output) == (0, "3 files over 20 days in z\n")
    folders = sorted(p.relative_to(tmp_path / "z").as_posix() for p in (tmp_path / "z").rglob("*"))
    folders = [name for name in folders if not name.endswith(".txt")]
    # One article a day on the first three days, each the day's first, from the first source.
    assert folders == [
        ".news-etl-sample",
        "dt=2024-03-04",
        "dt=2024-03-04/wire",
        "dt=2024-03-05",
        "dt=2024-03-05/wire",
        "dt=2024-03-06",
        "dt=2024-03-06/wire",
    ]
