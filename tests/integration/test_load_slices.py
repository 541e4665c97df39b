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


def test_a_post_load_failure_names_each_failing_article_when_checked_slice_by_slice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two articles without their text, each second in its slice of 7: the post-load check
    # names exactly those two, by id (a survivor of the seed-1224 mutation sample, #18: slices
    # concatenated with their own row numbers gave the failure detail pandas' printout of
    # both rows for each, and no article id a reader could use).
    import json

    from etl.settings import load_settings
    from etl.validate.runner import suite_parameters
    from etl.validate.warehouse import check_warehouse
    from etl.warehouse import writer

    generate_sample(tmp_path / "landing", days=1, start=date(2024, 3, 4), articles_per_day=20)
    settings = load_settings(warehouse=_build(tmp_path / "landing", tmp_path / "w"))
    monkeypatch.setattr(slices, "SLICE_ARTICLES", 7)
    with writer(settings) as con:
        ids = [
            r[0]
            for r in con.execute(
                "SELECT article_id FROM fact_article ORDER BY published_date, article_id"
            ).fetchall()
        ]
        assert len(ids) > 14
        victims = [ids[1], ids[8]]
        con.execute(
            "DELETE FROM article_text WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [victims]
        )
        params = suite_parameters(None, date(2024, 3, 5), settings, ["en"])
        day = {date(2024, 3, 4): len(ids)}
        outcome = check_warehouse(con, day, settings.expectations_dir, params)
    (row,) = [r for r in outcome.checks if r["column_name"] == "text_rows" and not r["success"]]
    assert row["unexpected_count"] == 2
    shown = json.loads(row["detail"])
    assert sorted(shown, key=lambda r: r["article_id"]) == sorted(
        ({"text_rows": "0", "article_id": v} for v in victims), key=lambda r: r["article_id"]
    )
    assert set(victims) <= set(outcome.rejected)
