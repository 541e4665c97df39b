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


def test_post_load_article_check_is_the_same_slice_by_slice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The post-load article check reads the written partitions slice by slice (its one query
    # held ~2 GB beyond DuckDB's memory limit at 100,000 articles): small slices give the same
    # rows as one slice, and a slice spanning an unchecked day leaves that day's articles out.
    from etl.settings import load_settings
    from etl.validate.warehouse import warehouse_frames
    from etl.warehouse import writer

    generate_sample(tmp_path / "landing", days=3, start=date(2024, 3, 4), articles_per_day=30)
    warehouse = _build(tmp_path / "landing", tmp_path / "w")
    days = {date(2024, 3, 4): 0, date(2024, 3, 6): 0}  # 2024-03-05 is loaded but not checked
    expected_ids = sorted(
        r[0]
        for r in query(
            warehouse,
            "SELECT article_id FROM fact_article "
            "WHERE published_date IN ('2024-03-04', '2024-03-06')",
        )
    )
    with writer(load_settings(warehouse=warehouse)) as con:
        whole = warehouse_frames(con, days)["wh_articles"]
        monkeypatch.setattr(slices, "SLICE_ARTICLES", 7)
        sliced = warehouse_frames(con, days)["wh_articles"]
    assert len(expected_ids) > 7 * 2  # several slices a day
    assert sorted(sliced["article_id"]) == expected_ids
    assert sorted(whole["article_id"]) == expected_ids
    key = ["article_id"]
    left = whole.sort_values(key).reset_index(drop=True)
    right = sliced.sort_values(key).reset_index(drop=True)
    assert list(right.columns) == list(left.columns)
    assert right.dtypes.to_dict() == left.dtypes.to_dict()
    assert right.equals(left)
    # Every article's term rows and text were found (nothing cut at a slice's edge).
    assert (right["term_rows"] == right["n_terms"]).all()
    assert (right["text_rows"] == 1).all()
