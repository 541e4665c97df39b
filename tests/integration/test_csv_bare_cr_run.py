"""A CSV file whose rows end in LF, with a bare CR inside an unquoted text field, through a run."""

from __future__ import annotations

from pathlib import Path

from etl import pipeline

from .helpers import query, settings_for

FIRST = "The council voted on the budget after a long debate."
SECOND = "The mayor said it passed."


def test_bare_cr_row_loads_whole_and_nothing_is_quarantined(tmp_path: Path) -> None:
    folder = tmp_path / "landing" / "2024-01-02"
    folder.mkdir(parents=True)
    raw = f"date,title,text\n2024-01-02,Budget vote,{FIRST}\r{SECOND}\n".encode()
    (folder / "rows.csv").write_bytes(raw)
    settings = settings_for(tmp_path / "landing", tmp_path / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 1
    texts = query(settings.warehouse, "SELECT raw_text, clean_text FROM article_text")
    # The clean stage reads the CR as a line break: inside a paragraph, a space.
    assert texts == [(f"{FIRST}\r{SECOND}", f"{FIRST} {SECOND}")]
    assert query(settings.warehouse, "SELECT path, record, reason FROM quarantine") == []
    ledger = query(settings.warehouse, "SELECT path, outcome, len(article_ids) FROM ingest_ledger")
    assert ledger == [("2024-01-02/rows.csv", "loaded", 1)]
