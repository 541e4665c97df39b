"""The quarantine rows of records refused inside a readable file (etl.ingest.reader.ingest_files):
which record, which reason, which detail. One small file in a temporary landing zone, no
warehouse. Expected values are literals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl.ingest.landing import LandingFile
from etl.ingest.ledger import LedgerView
from etl.ingest.reader import IngestContext, ingest_files


def _context(landing: Path, max_article_chars: int) -> IngestContext:
    return IngestContext(
        landing=landing,
        partition_date=None,
        fallback_date=date(2024, 3, 4),
        today=date(2024, 3, 4),
        max_file_bytes=1_000_000,
        txt_layout="canonical",
        future_date_allowance_days=1,
        max_article_chars=max_article_chars,
    )


def _landing_file(landing: Path, name: str, data: bytes) -> LandingFile:
    path = landing / name
    path.write_bytes(data)
    stat = path.stat()
    return LandingFile(name, stat.st_size, stat.st_mtime_ns, None)


def test_a_too_long_record_is_quarantined_under_its_line_with_the_sizes(tmp_path: Path) -> None:
    data = (
        b'{"text": "short enough", "published": "2024-03-01"}\n'
        b'{"text": "' + b"x" * 21 + b'", "published": "2024-03-01"}\n'
    )
    file = _landing_file(tmp_path, "feed.jsonl", data)
    result = ingest_files([file], _context(tmp_path, max_article_chars=20), LedgerView())
    assert [a["record"] for a in result.articles] == ["line 1"]
    assert [(q["record"], q["reason"], q["detail"]) for q in result.quarantine] == [
        (
            "line 2",
            "too_long",
            "21 characters of text is over the limit of 20 (NEWS_ETL_MAX_ARTICLE_CHARS)",
        )
    ]
