"""The HTML run report: written after every load, self-contained, charts that really render."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.report.run_report import latest_page
from etl.sample import generate_sample

from .helpers import settings_for

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("report")
    manifest = generate_sample(tmp / "landing")
    settings = settings_for(tmp / "landing", tmp)
    summary = None
    for day in manifest.dates:
        summary = pipeline.run(settings, partition_date=day)
    assert summary is not None and summary.report is not None
    return summary.report, summary.run_id


def test_a_report_is_written_after_every_load(report: tuple[Path, str]) -> None:
    path, run_id = report
    assert path.name == "report.html" and path.parent.name == run_id
    # latest.html is the same page one folder up: its links into the run's GX Data Docs say so.
    assert "href='data_docs/index.html'" in path.read_text()
    assert (path.parent.parent / "latest.html").read_text() == latest_page(path.read_text(), run_id)
    assert len(list(path.parent.parent.glob("*/report.html"))) == 3


def test_report_is_self_contained(report: tuple[Path, str]) -> None:
    page = report[0].read_text(encoding="utf-8")
    assert EXTERNAL.search(page) is None
    assert page.count("<svg") == 3
    for heading in (
        "Stages",
        "Quarantine",
        "Data quality",
        "Articles per day and source",
        "Top terms",
        "Trend",
    ):
        assert heading in page


def test_first_days_report_shows_its_quarantine_and_failures_first(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "good.txt").write_bytes(b" date 2024-03-04 Markets rallied on Monday.\n\nMore.")
    (landing / "bad.txt").write_bytes((" date 2024-03-04 " + "Broken \ufffd text " * 20).encode())
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path)
    summary = pipeline.run(settings)
    assert summary.report is not None
    page = summary.report.read_text(encoding="utf-8")
    assert "empty" in page and "expect_column_values_to_be_between" in page
    first_failed = page.index("FAILED")
    first_ok = page.index("<td>ok</td>")
    assert first_failed < first_ok


def test_cli_rebuilds_a_report(report: tuple[Path, str]) -> None:
    path, run_id = report
    path.unlink()
    warehouse = path.parent.parent.parent / "warehouse.duckdb"
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--run", run_id])
    assert result.exit_code == 0, result.output
    assert path.exists()
    bad = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--run", "nope"])
    assert bad.exit_code == 2


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI"):
        pytest.fail("CI must install Debian's chromium (see .ci/run)")
    return found


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def test_charts_render_in_headless_chromium(report: tuple[Path, str], tmp_path: Path) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (CI installs it)")
    url = report[0].resolve().as_uri()
    common = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,2400",
        "--virtual-time-budget=3000",
    ]
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    sizes = re.search(r'data-chart-sizes="([^"]*)"', dom)
    assert sizes is not None, "the page's load handler did not run"
    boxes = [tuple(int(v) for v in box.split("x")) for box in sizes.group(1).split(",")]
    assert len(boxes) == 3
    assert all(w >= 300 and h >= 150 for w, h in boxes), boxes
    shot = tmp_path / "report.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True
    )
    assert shot.stat().st_size > 20_000
    keep = os.environ.get("NEWS_ETL_TEST_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
