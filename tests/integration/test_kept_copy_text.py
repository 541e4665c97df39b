"""The text an article keeps is its kept copy's: when the same article (the same clean text)
arrives in several files in one run, ``article_text`` holds the raw text of the file that
``fact_article.source_file`` names, once. The load reads the texts from the staged files for the
new articles only (``etl.load.account.TEXT_COLUMNS``), matching each article to the staged row
it was settled from. Expected values are the files' own bytes, decoded."""

from __future__ import annotations

import json
from pathlib import Path

from etl import pipeline

from .helpers import query, settings_for

BODY = "The council met on Monday to discuss the budget for the schools."
OTHER = "A new ferry timetable starts on the island next week."


def test_each_article_keeps_the_raw_text_of_the_copy_it_names(tmp_path: Path) -> None:
    day = tmp_path / "landing" / "2024-05-06"
    day.mkdir(parents=True)
    files = {
        # three copies of one article, each written differently: the first path is kept
        "a.txt": f" date 2024-05-06 {BODY}\n".encode(),
        "b.txt": f" date 2024-05-06 {BODY}\r\n".encode(),
        "c.txt": f" date 2024-05-06  {BODY}\n\n".encode(),
        # the same article as the second record of a JSON Lines file, after another article
        "d.jsonl": (
            json.dumps({"date": "2024-05-06", "title": "Other", "body": OTHER})
            + "\n"
            + json.dumps({"date": "2024-05-06", "body": BODY})
            + "\n"
        ).encode(),
    }
    for name, data in files.items():
        (day / name).write_bytes(data)
    settings = settings_for(tmp_path / "landing", tmp_path / "w", write_reports=False)
    run = pipeline.run(settings)
    assert run.articles_loaded == 2
    rows = query(
        settings.warehouse,
        """
        SELECT f.source_file, f.source_record, x.raw_text, x.clean_text
        FROM fact_article f JOIN article_text x USING (article_id, published_date)
        ORDER BY f.source_file, f.source_record
        """,
    )
    assert [(path, record) for path, record, _, _ in rows] == [
        ("2024-05-06/a.txt", None),
        ("2024-05-06/d.jsonl", "line 1"),
    ]
    assert rows[0][2] == files["a.txt"].decode()
    assert rows[0][3] == BODY
    assert rows[1][3] == OTHER
    assert query(settings.warehouse, "SELECT count(*) FROM article_text") == [(2,)]
