"""`news-etl marts` on a warehouse that does not exist: an error, and nothing created (it made
a new, empty warehouse at the mistyped path, a lake's catalog and data files too, and exit 0)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

NEWS_ETL = str(Path(sys.executable).parent / "news-etl")


@pytest.mark.parametrize("kind", ["file", "ducklake"])
def test_marts_on_a_missing_warehouse_is_an_error_and_creates_nothing(
    tmp_path: Path, kind: str
) -> None:
    where = tmp_path / "typo"
    warehouse = f"{where}/news.duckdb" if kind == "file" else f"ducklake:{where}/catalog.ducklake"
    done = subprocess.run(
        [NEWS_ETL, "marts", "--warehouse", warehouse],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (
        2,
        "",
        f"error: no warehouse at {warehouse}\n",
    )
    assert list(tmp_path.iterdir()) == []
