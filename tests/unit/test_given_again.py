"""Which facts make a record given again by its own file be written again (``_GIVEN_AGAIN``).

Every fact the file gives (``ARTICLE_META_FIELDS``), the text version and the language: one row
pair per fact, differing in that fact only, must be told apart; the identical pair must not. An
undated record compares with the stored date (it keeps its day).
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from etl.contracts import ARTICLE_META_FIELDS
from etl.load import modes
from etl.load.keys import stable_id

STAGED = {
    "raw_bytes": 100,
    "source_format": "jsonl",
    "encoding": "utf-8",
    "encoding_note": None,
    "text_repair": None,
    "published_date": date(2024, 3, 4),
    "date_source": "metadata",
    "source_name": "wire",
    "title": "A title",
    "url": "https://example.com/a",
    "authors": ["Ann"],
    "text_version": "text-4",
    "language_code": "en",
    "language_confidence": 0.97,
}
OTHER = {
    "raw_bytes": 101,
    "source_format": "csv",
    "encoding": "cp1252",
    "encoding_note": "chosen by charset-normalizer",
    "text_repair": "fix_encoding",
    "published_date": date(2024, 3, 5),
    "date_source": "header",
    "source_name": "courier",
    "title": None,
    "url": "https://example.com/b",
    "authors": ["Ann", "Bo"],
    "text_version": "text-5",
    "language_code": "de",
    "language_confidence": 0.5,
}


def _differ(staged: dict[str, object], stored: dict[str, object]) -> bool:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE a AS SELECT $1::DATE AS published_date, $2 AS date_source, $3 AS source_name,"
        " $4::VARCHAR AS title, $5 AS url, $6::VARCHAR[] AS authors, $7::BIGINT AS raw_bytes,"
        " $8 AS source_format, $9 AS encoding, $10::VARCHAR AS encoding_note,"
        " $11::VARCHAR AS text_repair, $12 AS text_version, $13 AS language_code,"
        " $14::DOUBLE AS language_confidence",
        [staged[k] for k in _ORDER],
    )
    stored_values = [stored[k] for k in _ORDER]
    stored_values[2] = stable_id(str(stored["source_name"]))
    con.execute(
        "CREATE TABLE f AS SELECT $1::DATE AS published_date, $2 AS date_source,"
        " $3::BIGINT AS source_id, $4::VARCHAR AS title, $5 AS url, $6::VARCHAR[] AS authors,"
        " $7::BIGINT AS raw_bytes, $8 AS source_format, $9 AS encoding,"
        " $10::VARCHAR AS encoding_note, $11::VARCHAR AS text_repair, $12 AS text_version,"
        " $13 AS language_code, $14::DOUBLE AS language_confidence",
        stored_values,
    )
    row = con.execute(f"SELECT {modes._stored_differently()} FROM a, f").fetchone()
    assert row is not None
    return bool(row[0])


_ORDER = [
    "published_date",
    "date_source",
    "source_name",
    "title",
    "url",
    "authors",
    "raw_bytes",
    "source_format",
    "encoding",
    "encoding_note",
    "text_repair",
    "text_version",
    "language_code",
    "language_confidence",
]


def test_every_fact_the_file_gives_is_compared() -> None:
    assert set(ARTICLE_META_FIELDS) <= set(_ORDER)


def test_a_record_given_again_as_stored_is_not_written_again() -> None:
    assert not _differ(STAGED, STAGED)


@pytest.mark.parametrize("field", _ORDER)
def test_a_record_given_again_with_one_fact_changed_is_written_again(field: str) -> None:
    assert _differ({**STAGED, field: OTHER[field]}, STAGED)


def test_an_undated_record_keeps_the_stored_date() -> None:
    """date_source 'run': the staged date is the run's, the stored one the day it keeps."""
    staged = {**STAGED, "date_source": "run", "published_date": date(2024, 3, 9)}
    stored = {**STAGED, "date_source": "run"}
    assert not _differ(staged, stored)
