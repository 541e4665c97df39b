"""What `news-etl backfill` prints over a wide range: the days that hold something, whole."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.sample import generate_sample

from .helpers import settings_for


def test_days_with_nothing_are_counted_not_listed(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w")
    pipeline.run(settings, partition_date=days[0])
    start = days[0] - timedelta(days=400)
    args = ["backfill", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", start.isoformat(), "--end", days[-1].isoformat(), "--dry-run"]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"), "COLUMNS": "60"}
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 0, out.output
    assert f"backfill {start} .. {days[-1]}, mode missing" in out.output  # the title
    assert f"│ {start}" not in out.output
    for day in days:
        assert day.isoformat() in out.output
    assert "2 of 3 days with files or articles to rebuild, " in out.output
    assert "; 400 days of the range with neither not listed" in out.output
    # In 60 columns a text version wraps; no cell is cut short with "…".
    assert "…" not in out.output


def test_the_total_counts_a_file_of_several_days_once(tmp_path: Path) -> None:
    """A file outside dated folders whose articles are on two days is listed on both (the
    rebuild of each reads it); the total counted it twice: "2 of 2 days ..., 3 files" for a zone
    of two files."""
    landing = tmp_path / "landing"
    (landing / "2024-03-04").mkdir(parents=True)
    body = "{} said the spokesman on Monday.\n\nA second paragraph follows here."
    (landing / "2024-03-04" / "a.txt").write_text(f" date 2024-03-04 {body.format('Apple')}")
    lines = [
        json.dumps({"published": day, "text": body.format(words)})
        for day, words in (("2024-03-04", "Banana"), ("2024-03-05", "Cherry"))
    ]
    (landing / "flat.jsonl").write_text("\n".join(lines) + "\n")
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 3
    args = ["backfill", "--landing", str(landing), "--warehouse", str(settings.warehouse)]
    args += ["--start", "2024-03-04", "--end", "2024-03-05", "--mode", "all", "--dry-run"]
    env = {"NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"), "COLUMNS": "100"}
    out = CliRunner().invoke(app, args, env=env)
    assert out.exit_code == 0, out.output
    rows = [line.split("│")[1:3] for line in out.output.splitlines() if "│ 2024-03-0" in line]
    assert [(day.strip(), files.strip()) for day, files in rows] == [
        ("2024-03-04", "2"),
        ("2024-03-05", "1"),
    ]
    assert "2 of 2 days with files or articles to rebuild, 2 files" in out.output
