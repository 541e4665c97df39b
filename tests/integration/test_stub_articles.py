"""Stub items are not articles: a minimum-content expectation quarantines them (issue 15.5)."""

from __future__ import annotations

from pathlib import Path

from etl import pipeline

from .helpers import query, settings_for

STUBS = {"minus.txt": "-1", "comments.txt": "View Comments", "name.txt": "Jan de Vries"}
REAL = "Cocoa prices rose in Bahia on Monday as dry weather cut the crop.\n\nTraders said."


def _zone(root: Path) -> Path:
    root.mkdir()
    for name, body in STUBS.items():
        (root / name).write_text(f" date 2024-03-04 {body}", encoding="utf-8")
    (root / "real.txt").write_text(f" date 2024-03-04 {REAL}", encoding="utf-8")
    return root


def test_stubs_are_quarantined_with_a_reason(tmp_path: Path) -> None:
    settings = settings_for(_zone(tmp_path / "landing"), tmp_path, write_reports=False)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 1
    rows = query(settings.warehouse, "SELECT path, stage, reason, detail FROM quarantine")
    assert sorted(p for p, *_ in rows) == sorted(STUBS)
    assert all(s == "validate" and r == "expect_column_values_to_be_between" for _, s, r, _ in rows)
    assert all(d.startswith("n_terms:") for *_, d in rows), rows
    ((source,),) = query(settings.warehouse, "SELECT source_file FROM fact_article")
    assert source == "real.txt"


def test_the_minimum_is_a_setting(tmp_path: Path) -> None:
    settings = settings_for(
        _zone(tmp_path / "landing"), tmp_path, write_reports=False, min_article_terms=1
    )
    assert pipeline.run(settings).articles_loaded == 4
