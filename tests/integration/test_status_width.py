"""``status`` fits 80 columns in its run headers too.

A backfill's header (``<run id>  SUCCESS  cli-backfill, rebuild, day 2024-03-04, 3.4 s``) took
82 columns: it was the one line of ``status`` not wrapped. Widths are measured here by the East
Asian Width property, not by the code under test.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import duckdb

from etl import pipeline
from etl.report.summary import format_status

from .helpers import settings_for


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_a_backfill_run_header_wraps_at_80_columns(tmp_path: Path) -> None:
    day = date(2024, 3, 4)
    folder = tmp_path / "landing" / day.isoformat()
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(" date 2024-03-04 Rain fell on the capital.\n", "utf-8")
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    summary = pipeline.run(settings, partition_date=day, mode="rebuild", trigger="cli-backfill")
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        row = con.execute("SELECT round(epoch(ended_at - started_at), 1) FROM etl_run").fetchone()
        assert row is not None
        seconds = row[0]
        text = format_status(con, min_files=5)
    finally:
        con.close()
    lines = text.splitlines()
    assert max(_cells(line) for line in lines) <= 80
    start = next(k for k, line in enumerate(lines) if summary.run_id in line)
    header = " ".join(" ".join(lines[start : start + 2]).split())
    assert header.startswith(
        f"{summary.run_id} SUCCESS cli-backfill, rebuild, day 2024-03-04, {seconds} s"
    )


def test_a_duration_is_never_split_from_its_unit(tmp_path: Path) -> None:
    """A header exactly one column too long for "0.5 s" put "0.5" at the line's end and "s"
    alone on the next one."""
    folder = tmp_path / "landing"
    folder.mkdir()
    (folder / "a.txt").write_text(" date 2024-03-04 Rain fell on the capital.\n", "utf-8")
    settings = settings_for(folder, tmp_path, write_reports=False)
    run_id = pipeline.run(settings).run_id
    # "  <run id>  SUCCESS  <trigger>, merge, all new files, 0.5 s" is 81 columns wide
    trigger = "x" * (81 - len(f"  {run_id}  SUCCESS  , merge, all new files, 0.5 s"))
    con = duckdb.connect(str(settings.warehouse))
    try:
        con.execute(
            "UPDATE etl_run SET trigger = ?, ended_at = started_at + INTERVAL 500 MILLISECOND",
            [trigger],
        )
        text = format_status(con, min_files=5)
    finally:
        con.close()
    lines = text.splitlines()
    assert max(_cells(line) for line in lines) <= 80
    start = next(k for k, line in enumerate(lines) if run_id in line)
    assert lines[start] == f"  {run_id}  SUCCESS  {trigger}, merge, all new files,"
    assert lines[start + 1].strip() == "0.5 s"
