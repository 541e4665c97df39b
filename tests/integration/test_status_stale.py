"""`news-etl status` says which days another text version built, and how to rebuild them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from etl.cli import app

from .helpers import day_warehouse

DAY = date(2024, 3, 4)
BODY = "The harbour board met on Monday and approved the new ferry timetable for the islands."


def _status(warehouse: Path) -> str:
    out = CliRunner().invoke(app, ["status", "-w", str(warehouse)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    return out.output


def test_status_flags_days_of_another_text_version(tmp_path: Path) -> None:
    warehouse = day_warehouse(tmp_path, DAY, {"a.txt": BODY, "b.txt": "Other. " + BODY})
    assert "STALE" not in _status(warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute(
        "UPDATE fact_article SET text_version = 'text-3+unicode-15.0.0' WHERE article_id ="
        " (SELECT min(article_id) FROM fact_article)"
    )
    con.close()
    out = " ".join(_status(warehouse).split())
    assert "STALE 1 day (1 article) built by another text version than this code's" in out
    assert "`news-etl backfill --mode stale` rebuilds them" in out
