"""What `news-etl backfill` prints over a wide range: the days that hold something, whole."""

from __future__ import annotations

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
