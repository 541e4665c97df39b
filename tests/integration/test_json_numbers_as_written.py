"""A text field of a JSON record given as a number is stored as the file writes the number.

``{"title": 1e5, …}`` reached ``fact_article.title`` as ``100000.0`` (Python's reading of the
number, written back by ``json.dumps``), ``1.50`` as ``1.5``: a value that is not in the file.
The lines below are the landing zone's bytes; the expected values are the same literals as
the file writes them.
"""

from __future__ import annotations

from pathlib import Path

from etl import pipeline

from .helpers import query, settings_for

#: (JSONL line, the title and url then stored; the unit tests judge source and authors).
LINES = [
    (
        '{"title": 1e5, "text": "Cocoa prices rose in Accra on Monday, traders said."}',
        ("1e5", None),
    ),
    (
        '{"title": 1.50, "url": 10E-2, "text": "Oil prices fell in London on Tuesday."}',
        ("1.50", "10E-2"),
    ),
    (
        '{"title": -0.0, "source": 2.000, "author": [1e3, "Ann Lee"], '
        '"text": "Gold held steady in Zurich on Wednesday, dealers said."}',
        ("-0.0", None),
    ),
    (
        '{"title": [1.0, {"n": 2E+1}], "text": "Wheat climbed in Chicago on Thursday."}',
        ('[1.0, {"n": 2E+1}]', None),
    ),
    (
        '{"title": 12345678901234567890, "text": "Copper slipped in Shanghai on Friday."}',
        ("12345678901234567890", None),
    ),
]


def test_a_number_in_a_text_field_is_stored_as_the_file_writes_it(tmp_path: Path) -> None:
    landing = tmp_path / "landing" / "2024-03-05"
    landing.mkdir(parents=True)
    text = "\n".join(line for line, _ in LINES) + "\n"
    (landing / "numbers.jsonl").write_text(text, encoding="utf-8")
    settings = settings_for(landing.parent, tmp_path, workers=1, write_reports=False)
    assert pipeline.run(settings).articles_loaded == len(LINES)
    rows = query(
        settings.warehouse,
        "SELECT title, url, source_record FROM fact_article ORDER BY source_record",
    )
    stored = {record: (title, url) for title, url, record in rows}
    for number, (_, (title, url)) in enumerate(LINES, start=1):
        assert stored[f"line {number}"] == (title, url)
