"""Writing the term facts and texts slice by slice (etl.load.slices) changes no row and no order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl import pipeline
from etl.load import slices
from etl.sample import generate_sample

from .helpers import DATA_TABLES, checksums, query, settings_for

TABLES = (*DATA_TABLES, "dim_stem", "dim_story", "story_member")


def _build(landing: Path, out: Path) -> Path:
    settings = settings_for(landing, out, batch_size=25, workers=1)
    assert pipeline.run(settings).articles_loaded > 0
    return settings.warehouse


def test_small_slices_give_the_same_warehouse_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate_sample(tmp_path / "landing", days=3, start=date(2024, 3, 4), articles_per_day=30)
    whole = _build(tmp_path / "landing", tmp_path / "whole")
    monkeypatch.setattr(slices, "SLICE_ARTICLES", 7)
    sliced = _build(tmp_path / "landing", tmp_path / "sliced")
    assert checksums(sliced, TABLES) == checksums(whole, TABLES)
    # More than one slice a day was written, and the rows are stored in one sorted sequence.
    days = query(sliced, "SELECT count(DISTINCT published_date) FROM fact_article")[0][0]
    assert query(sliced, "SELECT count(*) FROM fact_article")[0][0] > 7 * days
    for table, key in (
        ("fact_article_term", "published_date, article_id, term_id"),
        ("article_text", "published_date, article_id"),
    ):
        stored = query(sliced, f"SELECT {key} FROM {table} ORDER BY rowid")
        assert stored == sorted(stored), table
