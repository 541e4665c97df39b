"""A run whose landing zone and the folders it writes share files is refused before anything is
written (probe): the staging setting naming the landing zone made leftover clean-up delete its
day folders, raw files and all, and a warehouse inside the landing zone loaded its own lock and
Data Docs pages as news. An empty staging setting (the working folder) is refused too."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from etl import pipeline
from etl.errors import ConfigError
from etl.settings import load_settings

BODY = " date 2024-01-07 Markets rallied on Monday in Europe.\n\nA second paragraph follows.\n"


def _zone(tmp_path: Path) -> Path:
    day = tmp_path / "landing" / "2024-01-07"
    day.mkdir(parents=True)
    (day / "a.txt").write_text(BODY)
    old = time.time() - 2 * 86400  # idle for longer than any abandoned run
    for path in (day / "a.txt", day):
        os.utime(path, (old, old))
    return tmp_path / "landing"


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(
    "where",
    [
        {"staging_dir": "landing"},  # the landing zone itself
        {"staging_dir": "."},  # a folder holding it
        {"warehouse": "landing/wh.duckdb"},
        {"warehouse": "landing/deeper/wh.duckdb"},
        {"reports_dir": "landing/reports"},
    ],
)
def test_a_run_that_would_write_into_its_landing_zone_or_clean_above_it_is_refused(
    tmp_path: Path, where: dict[str, str]
) -> None:
    landing = _zone(tmp_path)
    options: dict[str, object] = {
        "landing": landing,
        "warehouse": tmp_path / "wh.duckdb",
        "staging_dir": tmp_path / "staging",
        **{name: tmp_path / value for name, value in where.items()},
    }
    before = _files(tmp_path)
    with pytest.raises(ConfigError) as caught:
        pipeline.run(load_settings(**options))
    assert "keep them apart" in str(caught.value)
    assert _files(tmp_path) == before  # nothing removed, nothing made


def test_a_staging_folder_that_is_the_landing_zone_is_not_cleaned_by_a_later_run(
    tmp_path: Path,
) -> None:
    # Even when a run elsewhere shares that staging folder: only folders a run marked are its.
    landing = _zone(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.txt").write_text(BODY.replace("Markets", "Ports"))
    settings = load_settings(
        landing=other,
        warehouse=tmp_path / "wh.duckdb",
        staging_dir=landing,
        write_reports=False,
    )
    assert pipeline.run(settings).articles_loaded == 1
    assert _files(landing) == ["2024-01-07", "2024-01-07/a.txt"]


def test_an_empty_staging_setting_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("NEWS_ETL_STAGING_DIR", "")
    with pytest.raises(ValidationError) as caught:
        load_settings(landing=_zone(tmp_path), warehouse=tmp_path / "wh.duckdb")
    assert "the staging folder is empty" in str(caught.value)
