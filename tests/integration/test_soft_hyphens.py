"""Soft hyphens (U+00AD) in a real load: one word, found as read; a copy without them is a copy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import pipeline

from .helpers import day_warehouse, query, settings_for

DAY = date(2024, 3, 4)
SHY = "\u00ad"
BODY = "Die Bundes{s}regierung hat am Montag den Gesund{s}heits{s}minister bestätigt."


def test_a_hyphenated_word_is_one_term_that_kwic_and_search_find(tmp_path: Path) -> None:
    warehouse = day_warehouse(tmp_path, DAY, {"a.txt": BODY.format(s=SHY)})
    terms = {t for (t,) in query(warehouse, "SELECT term FROM dim_term")}
    assert {"bundesregierung", "gesundheitsminister"} <= terms
    assert not terms & {"bundes", "regierung", "gesund", "heits", "minister"}
    assert query(warehouse, "SELECT keyword FROM kwic('Bundesregierung', 5)") == [
        ("Bundesregierung",)
    ]
    assert len(query(warehouse, "SELECT * FROM search('\"die bundesregierung\"', 5)")) == 1


def test_a_copy_that_differs_only_by_soft_hyphens_is_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "plain.txt").write_text(f" date {DAY} {BODY.format(s='')}\n", encoding="utf-8")
    (folder / "shy.txt").write_text(f" date {DAY} {BODY.format(s=SHY)}\n", encoding="utf-8")
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    summary = pipeline.run(settings)
    assert (summary.articles_loaded, summary.duplicates) == (1, 1)
    assert query(settings.warehouse, "SELECT count(*) FROM fact_article") == [(1,)]
