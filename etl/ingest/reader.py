"""Reading one batch of landing files into article records, ledger rows and quarantine rows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from etl.ingest.canonical import BadDateError, parse_txt
from etl.ingest.decode import UndecodableError, decode
from etl.ingest.landing import LandingFile, source_name
from etl.ingest.ledger import LedgerView

#: File extensions the ingest stage reads; anything else is quarantined as ``unsupported``.
TEXT_SUFFIXES = frozenset({".txt", ".text", ""})


@dataclass
class IngestResult:
    """What one batch of files became."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    deferred: int = 0
    unchanged: int = 0  # re-read, but the ledger already has this path with this content
    seen: set[str] = field(default_factory=set)  # article ids read in this batch


@dataclass(frozen=True)
class IngestContext:
    """Run-level facts the ingest stage needs."""

    landing: Path
    partition_date: date | None  # the run's logical date (None: take every new file)
    fallback_date: date  # date for files with neither a header nor a dated folder
    today: date  # wall-clock date, for the future-date check
    max_file_bytes: int
    txt_layout: str


def ingest_files(files: list[LandingFile], ctx: IngestContext, ledger: LedgerView) -> IngestResult:
    """Read, hash, decode and parse ``files``; never raises for a bad file."""
    result = IngestResult()
    for landing_file in files:
        _ingest_one(landing_file, ctx, ledger, result)
    return result


def _quarantine(
    result: IngestResult,
    file: LandingFile,
    sha256: str | None,
    reason: str,
    detail: str,
) -> None:
    result.quarantine.append(
        {
            "path": file.path,
            "sha256": sha256,
            "record": None,
            "stage": "ingest",
            "reason": reason,
            "detail": detail,
        }
    )
    if sha256 is not None:
        result.ledger.append(_ledger_row(file, sha256, "quarantined", None))


def _ledger_row(
    file: LandingFile, sha256: str, outcome: str, article_id: str | None
) -> dict[str, Any]:
    return {
        "path": file.path,
        "sha256": sha256,
        "size_bytes": file.size,
        "mtime_ns": file.mtime_ns,
        "outcome": outcome,
        "article_id": article_id,
        "unchanged": False,
    }


def _ingest_one(
    file: LandingFile, ctx: IngestContext, ledger: LedgerView, result: IngestResult
) -> None:
    if file.outside:
        _quarantine(
            result,
            file,
            None,
            "outside_landing",
            "symlink points outside the landing zone; refused",
        )
        return
    if file.size > ctx.max_file_bytes:
        _quarantine(
            result,
            file,
            None,
            "too_large",
            f"{file.size} bytes is over the limit of {ctx.max_file_bytes}",
        )
        return
    try:
        raw = (ctx.landing / file.path).read_bytes()
    except OSError as exc:
        _quarantine(result, file, None, "unreadable", f"cannot read: {exc}")
        return
    sha256 = hashlib.sha256(raw).hexdigest()
    known = ledger.entry(file.path, sha256)
    if known is not None:
        # Same path, same content, only the mtime changed (e.g. the file was copied again): it
        # keeps its outcome. A quarantined file stays quarantined until its content changes.
        row = _ledger_row(file, sha256, known.outcome, known.article_id)
        row["unchanged"] = True
        result.ledger.append(row)
        result.unchanged += 1
        return
    if sha256 in ledger.article_ids or sha256 in result.seen:
        result.ledger.append(_ledger_row(file, sha256, "duplicate", sha256))
        return
    if Path(file.path).suffix.lower() not in TEXT_SUFFIXES:
        _quarantine(
            result, file, sha256, "unsupported", f"no reader for {Path(file.path).suffix!r} files"
        )
        return
    if not raw.strip():
        _quarantine(
            result,
            file,
            sha256,
            "empty",
            "file is empty" if not raw else "file holds only whitespace",
        )
        return
    try:
        decoded = decode(raw)
    except UndecodableError as exc:
        _quarantine(result, file, sha256, exc.reason, exc.detail)
        return
    try:
        parsed = parse_txt(decoded.text, ctx.txt_layout)
    except BadDateError as exc:
        _quarantine(result, file, sha256, "bad_date", str(exc))
        return
    if parsed.header_date is not None:
        published, date_source = parsed.header_date, "header"
    elif file.path_date is not None:
        published, date_source = file.path_date, "path"
    else:
        published, date_source = ctx.fallback_date, "run"
    if (
        ctx.partition_date is not None
        and file.path_date is None
        and published != ctx.partition_date
    ):
        result.deferred += 1  # belongs to another day's run; not recorded, so that run sees it
        return
    if published > ctx.today + timedelta(days=1):
        _quarantine(
            result,
            file,
            sha256,
            "future_date",
            f"published date {published.isoformat()} is after today ({ctx.today})",
        )
        return
    if not parsed.body.strip():
        _quarantine(result, file, sha256, "no_text", "the file has a header but no body text")
        return
    result.seen.add(sha256)
    result.ledger.append(_ledger_row(file, sha256, "new", sha256))
    result.articles.append(
        {
            "article_id": sha256,
            "path": file.path,
            "raw_bytes": len(raw),
            "encoding": decoded.encoding,
            "encoding_note": decoded.note,
            "published_date": published,
            "date_source": date_source,
            "source_name": source_name(file.path, ctx.landing),
            "title": parsed.title,
            "raw_text": decoded.text,
            "body": parsed.body,
        }
    )
