"""Reading one batch of landing files into article records, ledger rows and quarantine rows.

Every file read ends as exactly one ledger row (``new``: it produced at least one record for the
text stage; ``duplicate``: the same bytes are already known; ``quarantined``: nothing usable) or,
when its bytes could not be read or trusted, as a quarantine row without a hash that the next run
retries. Records that fail inside a multi-record file (a broken JSONL line) are quarantined alone,
with the line in ``record``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from etl.contracts import DateSource, QuarantineReason, Stage, StagedOutcome, quarantine_row
from etl.ingest.canonical import BadDateError, parse_txt
from etl.ingest.decode import UndecodableError, decode
from etl.ingest.formats import (
    ADAPTERS,
    LINE_RECORDS,
    MULTI_RECORD_FORMATS,
    RECORD_DATE_SOURCE,
    Record,
    RecordError,
    choose_format,
)
from etl.ingest.landing import LandingFile, open_landing_file, read_at_most, source_name
from etl.ingest.ledger import LedgerView
from etl.ingest.metadata import clean_metadata, metadata_over_limit
from etl.ingest.mojibake import repair_mojibake
from etl.ingest.rawfile import RawFile, RawFileError, read_raw

#: Bytes of a file's start decoded for format sniffing: enough for an HTML doctype plus a long
#: <head> preamble or the first JSON lines, small enough to decode for every file.
SNIFF_BYTES = 2048
#: The detail of a linked folder's refusal (one row for the folder, whose path is the folder's):
#: migration 0031's ``v_quarantine`` dates such a row by the folder it names.
FOLDER_OUTSIDE = "a symlink to a folder outside the landing zone: none of its files is read"
#: How a too-large file's refusal names the limit: ``"<size> bytes is over the limit of <limit>"``.
_OVER_LIMIT = " is over the limit of "


@dataclass
class IngestResult:
    """What one batch of files became."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)
    deferred: int = 0
    files_out: int = 0  # files that produced at least one record
    files_duplicate: int = 0
    files_quarantined: int = 0
    unchanged: int = 0  # re-read, but the ledger already has this path with this content


@dataclass(frozen=True)
class IngestContext:
    """Run-level facts the ingest stage needs."""

    landing: Path | str
    partition_date: date | None  # the run's logical date (None: take every new file)
    fallback_date: date  # date for files with neither a header nor a dated folder
    today: date  # wall-clock date, for the future-date check
    max_file_bytes: int
    txt_layout: str
    future_date_allowance_days: int  # published dates up to today + this are not in the future
    #: Longer article texts are quarantined here (``too_long``), before the text stage, whose
    #: memory grows with the text: what reaches it is bounded.
    max_article_chars: int = 2_000_000
    #: A rebuild: a file outside dated folders is also read by the partitions its articles are
    #: on, an undated record keeps the day the warehouse holds it on, and a file with an undated
    #: record the warehouse holds nowhere is left to a run that is not a rebuild.
    rebuild: bool = False
    #: Copies from outside the rebuilt partition (see :mod:`etl.load.modes`): never deferred;
    #: an undated record of one gets the run's date unless the warehouse already places it.
    holders: frozenset[str] = frozenset()


def header_date(landing: Path | str, path: str, max_bytes: int, txt_layout: str) -> date | None:
    """The ``date`` header of the landing file ``path`` read as a canonical ``.txt`` file
    (``None``: no header, or a file that is too large, unreadable or undecodable): the day a file
    outside dated folders belongs to before any run has loaded it."""
    try:
        with open_landing_file(landing, path) as handle:
            raw = read_at_most(handle, max_bytes)
        if len(raw) > max_bytes:
            return None
        return parse_txt(decode(raw).text, txt_layout).header_date
    except (OSError, UndecodableError, BadDateError):
        return None


def ingest_files(files: list[LandingFile], ctx: IngestContext, ledger: LedgerView) -> IngestResult:
    """Read, hash, decode and parse ``files``; never raises for a bad file."""
    result = IngestResult()
    for landing_file in files:
        _ingest_one(landing_file, ctx, ledger, result)
    return result


def _quarantine_row(
    file: LandingFile, sha256: str | None, reason: str, detail: str, record: str | None = None
) -> dict[str, Any]:
    return quarantine_row(Stage.INGEST, file.path, sha256, reason, detail, record)


def _quarantine(
    result: IngestResult, file: LandingFile, sha256: str | None, reason: str, detail: str
) -> None:
    result.quarantine.append(_quarantine_row(file, sha256, reason, detail))
    result.files_quarantined += 1
    if sha256 is not None:
        result.ledger.append(_ledger_row(file, sha256, StagedOutcome.QUARANTINED, None))


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
        "holder": False,
    }


def record_source(record: Record, path: str, landing: Path | str) -> str:
    """A record's source: its metadata, else its URL's host, else the landing subfolder or zone."""
    if record.source:
        return record.source
    if record.url:
        try:
            host = (urlsplit(record.url).hostname or "").removeprefix("www.")
        except ValueError:  # not a URL one can read a host from ("http://[::1/news")
            host = ""
        if host:
            return host
    return source_name(path, landing)


def _ingest_holder(
    file: LandingFile, ctx: IngestContext, ledger: LedgerView, result: IngestResult
) -> None:
    """Read a rebuild's copy from outside its partition (``ctx.holders``) for the articles it
    holds. Only content the ledger already knows is parsed; anything else about the file (it
    changed, it cannot be read) is its own day's run's business: it is left to that run, like a
    deferred file, and nothing of it is recorded here."""
    if file.size > ctx.max_file_bytes:
        result.deferred += 1
        return
    try:
        raw = read_raw(ctx.landing, file, ctx.max_file_bytes)
    except RawFileError:
        result.deferred += 1
        return
    if ledger.entry(file.path, raw.sha256) is None:
        result.deferred += 1
        return
    first = len(result.ledger)
    _parse_file(file, raw, ctx, result, ledger)
    for row in result.ledger[first:]:
        row["holder"] = True


def unread_refusal(file: LandingFile, max_file_bytes: int) -> tuple[str, str] | None:
    """Why ``file`` is refused from its listing alone, never opened (``(reason, detail)``, a
    reason of :data:`~etl.contracts.REFUSED_UNREAD`), or ``None`` when it is to be read. The plan
    asks too: a file refused for the same reason and detail before is unchanged."""
    if file.outside:
        detail = (
            FOLDER_OUTSIDE
            if file.special == "folder"
            else "symlink points outside the landing zone"
        )
        return QuarantineReason.OUTSIDE_LANDING, detail
    if file.bad_name:
        detail = (
            "the path is not valid UTF-8 (each byte that is not is shown as \\xNN): never opened"
        )
        return QuarantineReason.BAD_NAME, detail
    if file.broken is not None:
        return QuarantineReason.BROKEN_LINK, file.broken
    if file.unlisted is not None:
        detail = f"a folder that could not be listed ({file.unlisted}): none of its files was seen"
        return QuarantineReason.UNREADABLE_FOLDER, detail
    if file.special is not None:
        detail = f"a {file.special}, not a regular file: never opened for reading"
        return QuarantineReason.NOT_REGULAR, detail
    if file.size > max_file_bytes:
        return QuarantineReason.TOO_LARGE, f"{file.size} bytes{_OVER_LIMIT}{max_file_bytes}"
    return None


def same_refusal(known: tuple[str, str], refusal: tuple[str, str]) -> bool:
    """Whether ``refusal`` (:func:`unread_refusal`) is the refusal ``known`` (``(reason,
    detail)`` a run recorded): the same reason and detail, the limit a too-large file is over
    aside (a file of the same size is the same refusal under another limit; up to session 32 a
    changed NEWS_ETL_MAX_FILE_BYTES made every such file new again)."""

    def identity(reason: str, detail: str) -> tuple[str, str]:
        if reason == QuarantineReason.TOO_LARGE:
            return reason, detail.partition(_OVER_LIMIT)[0]
        return reason, detail

    return identity(*known) == identity(*refusal)


def refused_as_before(ledger: LedgerView, path: str, refusal: tuple[str, str]) -> bool:
    """Whether a run recorded the refusal ``refusal`` of the file ``path`` before
    (``ingest_refusal``; :func:`same_refusal`): the file is unchanged."""
    known = ledger.refused.get(path)
    return known is not None and same_refusal(known, refusal)


def judged_as_it_is(file: LandingFile, ledger: LedgerView, max_file_bytes: int) -> bool:
    """Whether a run has judged ``file`` as it is now: the ledger records it unchanged since it
    was read (loaded, a duplicate or quarantined), or it is refused unread as before."""
    refusal = unread_refusal(file, max_file_bytes)
    if refusal is not None:
        return refused_as_before(ledger, file.path, refusal)
    return ledger.unchanged(file.path, file.size, file.mtime_ns) is not None


def _ingest_one(
    file: LandingFile, ctx: IngestContext, ledger: LedgerView, result: IngestResult
) -> None:
    if file.path in ctx.holders:
        _ingest_holder(file, ctx, ledger, result)
        return
    refusal = unread_refusal(file, ctx.max_file_bytes)
    if refusal is not None:
        _quarantine(result, file, None, *refusal)
        return
    try:
        raw = read_raw(ctx.landing, file, ctx.max_file_bytes)
    except RawFileError as exc:
        _quarantine(result, file, exc.sha256, exc.reason, exc.detail)
        return
    known = ledger.entry(file.path, raw.sha256)
    if known is not None:
        # Same path, same content, only the mtime changed (e.g. the zone was synced again): the
        # file keeps its outcome. A quarantined file stays quarantined until its content changes
        # or `news-etl replay` forgets the verdict.
        row = _ledger_row(file, raw.sha256, known.outcome, known.article_id)
        row["unchanged"] = True
        result.ledger.append(row)
        result.unchanged += 1
        return
    if raw.sha256 in ledger.file_articles and not ledger.loaded_before(file.path, raw.sha256):
        article_id = ledger.file_articles[raw.sha256]
        result.ledger.append(_ledger_row(file, raw.sha256, StagedOutcome.DUPLICATE, article_id))
        result.files_duplicate += 1
        return
    _parse_file(file, raw, ctx, result, ledger)


def _parse_file(
    file: LandingFile, raw: RawFile, ctx: IngestContext, result: IngestResult, ledger: LedgerView
) -> None:
    head = raw.data[:SNIFF_BYTES].decode("utf-8", "replace")
    fmt = choose_format(file.path, head)
    if fmt is None:
        name = Path(file.path)
        suffix = name.suffix
        if suffix.lower() == ".gz" and Path(name.stem).suffix:  # the kind is inside: '.pdf.gz'
            suffix = Path(name.stem).suffix + suffix
        _quarantine(result, file, raw.sha256, "unsupported", f"no reader for {suffix!r} files")
        return
    if not raw.data.strip():
        detail = "file is empty" if not raw.data else "file holds only whitespace"
        _quarantine(result, file, raw.sha256, "empty", detail)
        return
    try:
        decoded = decode(raw.data, LINE_RECORDS.get(fmt))
    except UndecodableError as exc:
        _quarantine(result, file, raw.sha256, exc.reason, exc.detail)
        return
    if not decoded.text.strip():  # Unicode white space (no-break, ideographic), a BOM alone
        detail = (
            "file holds only whitespace" if decoded.text else "file holds only a byte-order mark"
        )
        _quarantine(result, file, raw.sha256, "empty", detail)
        return
    text, repair = repair_mojibake(decoded.text)
    parsed = ADAPTERS[fmt](text, ctx.txt_layout)
    multi = fmt in MULTI_RECORD_FORMATS
    holder = file.path in ctx.holders
    # Under a rebuild, a file outside dated folders belongs to the partitions its articles are on
    # (as well as to its own date's): the warehouse follows it there when its date changed.
    placed_here = (
        ctx.rebuild
        and file.path_date is None
        and ctx.partition_date in ledger.placed_days(file.path)
    )
    rows: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    deferred = unplaced = False
    for item in parsed:
        if isinstance(item, RecordError):
            problems.append(_quarantine_row(file, raw.sha256, item.reason, item.detail, item.key))
            continue
        item, metadata_note = clean_metadata(item)
        if item.published is not None:
            published, date_source = item.published, RECORD_DATE_SOURCE[fmt]
        elif file.path_date is not None:
            published, date_source = file.path_date, DateSource.PATH
        elif ctx.rebuild and (kept := ledger.placed_day(file.path, item.key)) is not None:
            published, date_source = kept, DateSource.RUN  # an undated record keeps its day
        elif ctx.rebuild and not holder:
            unplaced = True  # an undated record no partition holds: a rebuild never places one
            continue
        else:
            published, date_source = ctx.fallback_date, DateSource.RUN
        if (
            not multi
            and not holder
            and ctx.partition_date is not None
            and file.path_date is None
            and published != ctx.partition_date
            and not placed_here
        ):
            deferred = True  # belongs to another day's run; not recorded, so that run sees it
            continue
        if len(item.body) > ctx.max_article_chars:
            detail = (
                f"{len(item.body)} characters of text is over the limit of "
                f"{ctx.max_article_chars} (NEWS_ETL_MAX_ARTICLE_CHARS)"
            )
            problems.append(_quarantine_row(file, raw.sha256, "too_long", detail, item.key))
            continue
        too_long = metadata_over_limit(item)
        if too_long is not None:
            problems.append(
                _quarantine_row(file, raw.sha256, "metadata_too_long", too_long, item.key)
            )
            continue
        if published > ctx.today + timedelta(days=ctx.future_date_allowance_days):
            allowance = ctx.future_date_allowance_days
            detail = (
                f"published date {published.isoformat()} is more than {allowance} "
                f"day{'s' if allowance != 1 else ''} after today ({ctx.today}; "
                "NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS)"
            )
            problems.append(_quarantine_row(file, raw.sha256, "future_date", detail, item.key))
            continue
        rows.append(
            {
                "file_sha256": raw.sha256,
                "record": item.key,
                "path": file.path,
                "raw_bytes": raw.size if not multi else len(item.body.encode()),
                "source_format": fmt + (".gz" if raw.compressed else ""),
                "encoding": decoded.encoding,
                "encoding_note": decoded.note,
                "text_repair": "; ".join(n for n in (repair, metadata_note) if n) or None,
                "published_date": published,
                "date_source": date_source,
                "source_name": record_source(item, file.path, ctx.landing),
                "title": item.title,
                "url": item.url,
                "authors": list(item.authors) or None,
                "raw_text": text if not multi else item.body,
                "body": item.body,
            }
        )
    if unplaced or (deferred and not rows and not problems):
        result.deferred += 1  # not recorded, so the run it belongs to reads it
        return
    if not rows:
        if not problems:
            problems.append(_quarantine_row(file, raw.sha256, "no_text", "no article in the file"))
        for row in problems:
            row["record"] = row["record"] if multi else None
        result.quarantine.extend(problems)
        result.ledger.append(_ledger_row(file, raw.sha256, StagedOutcome.QUARANTINED, None))
        result.files_quarantined += 1
        return
    result.quarantine.extend(problems)
    result.articles.extend(rows)
    result.ledger.append(_ledger_row(file, raw.sha256, StagedOutcome.NEW, None))
    result.files_out += 1
