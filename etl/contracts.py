"""The contracts between stages: each staged table once, and every fixed vocabulary once.

This module is on the ground floor (next to :mod:`etl.settings` and :mod:`etl.errors`): ingest,
text, validate and load import it, and it imports none of them. A staged table is declared here
with its Arrow schema, its grain, the stage that writes it and the stages that read it; the
staging folder, the loader and the contract tests derive their lists from these declarations.
A vocabulary (load modes, ledger outcomes, date sources, token kinds, backfill modes, quarantine
reasons, run statuses) is a ``StrEnum``; the runtime sets are derived from it, and a test checks
that the Great Expectations suites under ``schemas/expectations/`` allow exactly these values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pyarrow as pa


class Stage(StrEnum):
    """The pipeline's stages, in the order a run passes them."""

    PLAN = "plan"
    INGEST = "ingest"
    TEXT = "text"
    VALIDATE = "validate"
    LOAD = "load"


class LoadMode(StrEnum):
    """How a run's articles enter their partitions (see :mod:`etl.load.modes`)."""

    MERGE = "merge"  # add the run's new articles to the partitions
    REPLACE = "replace"  # the partitions the run's new articles fall in hold exactly them
    REBUILD = "rebuild"  # replace what the run's files produced before (backfills)


class LedgerOutcome(StrEnum):
    """What the warehouse's ledger (``ingest_ledger.outcome``) says became of a file."""

    LOADED = "loaded"  # gave at least one new article
    DUPLICATE = "duplicate"  # every article it gave was already known
    QUARANTINED = "quarantined"  # gave no article


class StagedOutcome(StrEnum):
    """What ingest says of a file it read (staged ``ledger.outcome``); the load settles ``new``
    into a :class:`LedgerOutcome`."""

    NEW = "new"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"


class DateSource(StrEnum):
    """Where an article's ``published_date`` comes from (``fact_article.date_source``)."""

    HEADER = "header"  # the `` date YYYY-MM-DD `` header of a .txt file
    METADATA = "metadata"  # the record's or page's metadata (JSON/CSV fields, HTML meta tags)
    PATH = "path"  # the dated folder the file lies in
    RUN = "run"  # the run's date (nothing else said)


class TokenKind(StrEnum):
    """The kind of a token, from its text alone (:func:`etl.text.tokenize.token_kind`): staged
    ``terms.kind``, ``dim_term.term_kind``."""

    WORD = "word"  # letters, marks and digits (inner apostrophes, hyphens; dotted acronyms; CJK)
    NUMBER = "number"  # starts with a digit
    URL = "url"
    EMAIL = "email"
    PUNCT = "punct"  # Unicode punctuation
    SYMBOL = "symbol"  # anything else


class BackfillMode(StrEnum):
    """Which day partitions a backfill rebuilds (see :mod:`etl.backfill`)."""

    MISSING = "missing"
    ALL = "all"
    STALE = "stale"


#: What each backfill mode rebuilds, as ``news-etl backfill --help`` says it.
BACKFILL_MODE_HELP: dict[BackfillMode, str] = {
    BackfillMode.MISSING: "days never loaded",
    BackfillMode.ALL: "every day with files or articles",
    BackfillMode.STALE: "days built by an older text-processing or schema version",
}


class RunStatus(StrEnum):
    """``etl_run.status``."""

    SUCCESS = "success"
    FAILED = "failed"
    ABANDONED = "abandoned"  # its process was killed; found and recorded by a later run


class QuarantineReason(StrEnum):
    """Why a file or record was quarantined by ingest or text (``quarantine.reason``); the
    validate stage adds reasons named after the failed expectation (``expect_…``)."""

    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too_large"
    TOO_LONG = "too_long"
    NOT_REGULAR = "not_regular"
    OUTSIDE_LANDING = "outside_landing"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    NO_TEXT = "no_text"
    MALFORMED_JSON = "malformed_json"
    MALFORMED_CSV = "malformed_csv"
    MALFORMED_RECORD = "malformed_record"
    MALFORMED_HTML = "malformed_html"
    BAD_GZIP = "bad_gzip"
    CHANGED_WHILE_READING = "changed_while_reading"
    UNREADABLE = "unreadable"
    BAD_NAME = "bad_name"
    BROKEN_LINK = "broken_link"
    UNREADABLE_FOLDER = "unreadable_folder"
    METADATA_TOO_LONG = "metadata_too_long"


#: The reasons ingest gives a file from its listing alone, never opening it (a link out of the
#: zone, a name that is not UTF-8, a FIFO or device, a file over the size limit, a link to
#: nothing or into a loop, a folder that could not be listed). A run remembers such a refusal
#: in ``ingest_refusal`` as it remembers a quarantined file in ``ingest_ledger``: the same file
#: refused for the same reason and detail is unchanged on the next run. (Up to session 38 a
#: link to nothing was new on every run: with 20 of them every later run was refused for its
#: quarantine share, good files and all; probe.)
REFUSED_UNREAD: frozenset[str] = frozenset(
    {
        QuarantineReason.OUTSIDE_LANDING,
        QuarantineReason.BAD_NAME,
        QuarantineReason.NOT_REGULAR,
        QuarantineReason.TOO_LARGE,
        QuarantineReason.BROKEN_LINK,
        QuarantineReason.UNREADABLE_FOLDER,
    }
)


#: The most characters ingest keeps in each metadata field of an article (``authors``: its
#: names together); a longer value quarantines its record (``metadata_too_long``) rather than
#: reach an analyst's table whole or cut. Real values are far shorter: the corpora's longest
#: title has 175 characters, their longest author name 26, their longest URL about 400.
METADATA_LIMITS: dict[str, int] = {"title": 2_000, "url": 8_192, "source": 1_000, "authors": 4_000}


@dataclass(frozen=True)
class ReasonDoc:
    """What a quarantine reason means and what an operator should do about it."""

    meaning: str
    action: str


#: The one registry of quarantine reasons: the README's table is checked against it.
QUARANTINE_REASONS: dict[QuarantineReason, ReasonDoc] = {
    QuarantineReason.EMPTY: ReasonDoc(
        "0 bytes, or only white space (any, the no-break space too) or a byte-order mark",
        "fix the producer",
    ),
    QuarantineReason.BINARY: ReasonDoc(
        "a NUL, or control characters in more than 5 % of the first 8 KiB, whatever the "
        "encoding (valid UTF-8 included): not a text file (fewer control characters are removed "
        "like any others); in JSON lines it is judged line by line: lines with a NUL or that "
        "many control characters, if at most half the lines, are those lines' problem "
        "(`malformed_json`), not the file's",
        "remove it",
    ),
    QuarantineReason.UNDECODABLE: ReasonDoc("not UTF-8 and no encoding fits", "re-export as UTF-8"),
    QuarantineReason.UNSUPPORTED: ReasonDoc(
        "an extension the ingest stage cannot read", "convert it"
    ),
    QuarantineReason.TOO_LARGE: ReasonDoc(
        "over `NEWS_ETL_MAX_FILE_BYTES`", "raise the limit or split it"
    ),
    QuarantineReason.TOO_LONG: ReasonDoc(
        "an article's text is over `NEWS_ETL_MAX_ARTICLE_CHARS` characters before cleaning "
        "(refused at ingest, before the text stage), or once cleaned (Unicode NFKC writes some "
        "characters as several: refused by the text stage before it is split)",
        "split it, or raise the limit",
    ),
    QuarantineReason.NOT_REGULAR: ReasonDoc(
        "a FIFO, socket or device in the landing zone: never opened", "remove it"
    ),
    QuarantineReason.OUTSIDE_LANDING: ReasonDoc(
        "a symlink pointing outside the landing zone, to a file or to a folder (the folder is "
        "one record: none of its files is read)",
        "move the files into the zone, or point `--landing` at their folder",
    ),
    QuarantineReason.BAD_DATE: ReasonDoc(
        "the date header is not a valid `YYYY-MM-DD`, or a record's date is not a date (an "
        "ISO date with an impossible time of day among them: `2021-04-07T25:00`)",
        "fix the header or the record",
    ),
    QuarantineReason.FUTURE_DATE: ReasonDoc(
        "published after tomorrow (`NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS` days after today)",
        "fix the header",
    ),
    QuarantineReason.NO_TEXT: ReasonDoc(
        "a header but no body; a record or page without text, or an HTML page whose only text "
        "is its links (a site's menu, a list of links: the extractor falls back to them)",
        "fix the producer",
    ),
    QuarantineReason.MALFORMED_JSON: ReasonDoc(
        "a JSON document, or one JSONL line (quarantined alone), is not JSON or is nested too "
        "deeply to read (past Python's recursion limit, ~1,000 levels)",
        "fix the producer, then `news-etl replay --reason malformed_json`",
    ),
    QuarantineReason.MALFORMED_CSV: ReasonDoc(
        "a CSV file without a header row naming a text field (text, maintext, body, content, "
        "article: one row for the file), a row with the wrong number of fields, or a row whose "
        "quote runs over the lines after it without closing where a row should end",
        "fix the producer",
    ),
    QuarantineReason.MALFORMED_RECORD: ReasonDoc(
        "a JSON item that is not an object, whose text field is nested too deeply to read or "
        "holds an object news-etl cannot read as text (the detail says where, e.g. `body[1]`, "
        "and its keys; see Formats above), or a record that gives a field news-etl reads "
        "(text, date, title, …) twice with different values (under one name, under names that "
        "differ only in case or spaces, or in two CSV columns of one name)",
        "fix the producer",
    ),
    QuarantineReason.MALFORMED_HTML: ReasonDoc(
        "the HTML parser refused the page, or one tag carries more than 1,000 attributes of "
        "different names (refused before parsing), or the page has more than 20,000 elements "
        "(refused before extraction; tags inside scripts, comments and attribute values are no "
        "elements; the parser's and the extractor's time grow with their square or faster; the "
        "largest real page in the corpora has about 4,100), or it holds a run of short "
        "paragraphs (under 50 characters, e.g. 2,000 `<p>a</p>` in a row) that the extractor's "
        "fallback would walk more than 4,000,000 steps over (refused before extraction: that "
        "time grows with the square of the run; the most among the real pages is about "
        "47,000), or its elements nest 255 deep, "
        "where the parser drops the rest of the page, or it holds more different format or "
        "private-use characters than the extractor can keep (42,720), or a JSON-LD script "
        "that is not JSON would cost the extractor's fallback reading more than 10 million "
        "characters scanned or 5 billion copied (refused before extraction)",
        "inspect the file",
    ),
    QuarantineReason.BAD_GZIP: ReasonDoc(
        "a file that starts as gzip does (its magic bytes, whatever its name) but is not a "
        "valid gzip stream; a `.gz` file that does not start so is read as it is",
        "re-deliver it",
    ),
    QuarantineReason.CHANGED_WHILE_READING: ReasonDoc(
        "the file changed while it was read (hash differs between two reads)",
        "nothing: the next run reads it again",
    ),
    QuarantineReason.UNREADABLE: ReasonDoc(
        "the file could not be read (permissions, vanished, a symlink that broke after the "
        "listing); tried again on every run",
        "check the file system",
    ),
    QuarantineReason.BROKEN_LINK: ReasonDoc(
        "a symlink to nothing or into a loop (the detail says where it points): never opened; "
        "remembered like the other refusals, and judged again once it points elsewhere or its "
        "target appears",
        "fix or remove the link",
    ),
    QuarantineReason.UNREADABLE_FOLDER: ReasonDoc(
        "a folder of the landing zone that could not be listed (its permissions, an I/O error: "
        "the detail gives the system's error): none of its files was seen; remembered like the "
        "other refusals, and its files are listed, as new, once it can be read (the refusal "
        "then goes, so a folder locked again later is refused again)",
        "check the folder's permissions",
    ),
    QuarantineReason.BAD_NAME: ReasonDoc(
        "the file's path is not valid UTF-8 (a name written in another encoding): never opened; "
        "`quarantine.path` shows each byte that is not UTF-8 as `\\xNN`",
        "rename it in UTF-8",
    ),
    QuarantineReason.METADATA_TOO_LONG: ReasonDoc(
        "a record's metadata over its limit in characters ("
        + ", ".join(f"{field} {limit:,}" for field, limit in METADATA_LIMITS.items())
        + ", all names together); the detail names the field and its length; or an HTML "
        "page's author values (meta tags, JSON-LD) would take the extractor more than 30 "
        "million name comparisons (refused before extraction: they grow with the cube of the "
        "names)",
        "fix the producer",
    ),
}

#: Reasons the validate stage gives: the failed expectation's type, which starts with this.
EXPECTATION_REASON_PREFIX = "expect_"
#: The README row for the validate stage's reasons (not one fixed code each).
EXPECTATION_REASON_DOC = ReasonDoc(
    "a Great Expectations expectation failed (the detail names column and value, then what "
    "the expectation expects)",
    "inspect `quarantine.detail`",
)

#: Runtime sets, derived from the types above.
LOAD_MODES: frozenset[str] = frozenset(LoadMode)
LEDGER_OUTCOMES: frozenset[str] = frozenset(LedgerOutcome)
STAGED_OUTCOMES: frozenset[str] = frozenset(StagedOutcome)
DATE_SOURCES: frozenset[str] = frozenset(DateSource)
RUN_STATUSES: frozenset[str] = frozenset(RunStatus)
#: The token kinds that count as terms (stored in ``fact_article_term`` / ``dim_term``).
TERM_KINDS: frozenset[str] = frozenset(TokenKind) - {TokenKind.PUNCT, TokenKind.SYMBOL}


#: Characters of a value (a date string, an exception message) that a quarantine detail or a
#: check result quotes; a longer one is cut with a marker saying how much was left out, never
#: silently (the whole value stays in the raw file, or in the GX Data Docs).
MAX_QUOTED_CHARS = 500


def clipped(text: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """``text``, or its first ``limit`` characters and a marker of how many more there are."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def plural(n: int, word: str) -> str:
    """``n`` and ``word``, plural by an ``s`` unless ``n`` is 1: ``1 file``, ``2,000 files``."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def reason_counts(reasons: Mapping[str, int]) -> str:
    """Quarantine records per reason as one reads them: ``empty: 20, no_text: 1``, most frequent
    first (``none`` when there are none); a run's refusal, its check's detail, its task log and
    its last lines say them so (a refusal said ``{'empty': 20}``)."""
    if not reasons:
        return "none"
    ordered = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{reason}: {n:,}" for reason, n in ordered)


def quoted(value: str, limit: int = MAX_QUOTED_CHARS) -> str:
    """``value`` as Python quotes it (``repr``), its first ``limit`` characters only when it is
    longer, the marker of :func:`clipped` outside the quotes."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}… [{len(value) - limit} more characters]"


def is_quarantine_reason(reason: str) -> bool:
    """Whether ``reason`` is a registered reason or an expectation's name."""
    return reason in QUARANTINE_REASONS or reason.startswith(EXPECTATION_REASON_PREFIX)


# --- staged tables -------------------------------------------------------------------------

#: Per-article facts the ingest stage finds and the loader writes to ``fact_article``.
_ARTICLE_META: list[tuple[str, pa.DataType]] = [
    ("raw_bytes", pa.int64()),
    ("source_format", pa.string()),  # txt | jsonl | json | csv | html, with .gz when compressed
    ("encoding", pa.string()),
    ("encoding_note", pa.string()),
    ("text_repair", pa.string()),  # mojibake repair applied (ftfy), if any
    ("published_date", pa.date32()),
    ("date_source", pa.string()),  # a DateSource
    ("source_name", pa.string()),
    ("title", pa.string()),
    ("url", pa.string()),
    ("authors", pa.list_(pa.string())),
]

#: The names of those facts (``source_name`` is stored as ``fact_article.source_id``).
ARTICLE_META_FIELDS: tuple[str, ...] = tuple(name for name, _ in _ARTICLE_META)


@dataclass(frozen=True)
class StagedTable:
    """One table stages hand each other through the run's staging folder
    (``batch-NNNN/<name>.parquet``)."""

    name: str
    schema: pa.Schema
    grain: str
    writer: Stage  # the stage that first writes it (later stages may append, see readers)
    readers: tuple[Stage, ...]


STAGED: tuple[StagedTable, ...] = (
    StagedTable(
        "ingested",
        pa.schema(
            [
                ("file_sha256", pa.string()),  # of the raw file (the ledger's key)
                ("record", pa.string()),  # the record in a multi-record file (None: whole file)
                ("path", pa.string()),
                *_ARTICLE_META,
                ("raw_text", pa.string()),
                ("body", pa.string()),
            ]
        ),
        "one row per new record (article candidate) of a file",
        Stage.INGEST,
        (Stage.TEXT,),
    ),
    StagedTable(
        "ledger",
        pa.schema(
            [
                ("path", pa.string()),
                ("sha256", pa.string()),
                ("size_bytes", pa.int64()),
                ("mtime_ns", pa.int64()),
                ("outcome", pa.string()),  # a StagedOutcome
                ("article_id", pa.string()),
                ("unchanged", pa.bool_()),  # re-read, but the ledger already had this content
                # A rebuild's copy from outside its partition, read only to keep the articles it
                # holds that the rebuild would otherwise remove (etl.load.modes.Rebuild)
                ("holder", pa.bool_()),
            ]
        ),
        "one row per file read",
        Stage.INGEST,
        (Stage.VALIDATE, Stage.LOAD),
    ),
    StagedTable(
        "quarantine",
        pa.schema(
            [
                ("path", pa.string()),
                ("sha256", pa.string()),
                ("record", pa.string()),
                ("stage", pa.string()),  # a Stage
                ("reason", pa.string()),  # a QuarantineReason
                ("detail", pa.string()),
            ]
        ),
        "one row per quarantined file or record (ingest, then text appends)",
        Stage.INGEST,
        (Stage.TEXT, Stage.LOAD),
    ),
    StagedTable(
        "articles",
        pa.schema(
            [
                ("article_id", pa.string()),  # SHA-256 of clean_text (content identity)
                ("file_sha256", pa.string()),
                ("record", pa.string()),
                ("path", pa.string()),
                *_ARTICLE_META,
                ("raw_text", pa.string()),
                ("clean_text", pa.string()),
                ("n_chars", pa.int32()),
                ("n_paragraphs", pa.int32()),
                ("n_sentences", pa.int32()),
                ("n_tokens", pa.int32()),
                ("n_terms", pa.int32()),
                ("replacement_ratio", pa.float64()),  # share of U+FFFD characters
                ("text_version", pa.string()),
                ("language_code", pa.string()),  # ISO 639-1, or "und" without letters
                ("language_name", pa.string()),
                ("language_confidence", pa.float64()),  # the language model's probability
                ("minhash", pa.list_(pa.uint32())),  # MinHash of word shingles; NULL w/o words
                ("lsh_bands", pa.list_(pa.int64())),  # LSH bucket key per band of the MinHash
            ]
        ),
        "one row per article a record gave (the same article may come from several records)",
        Stage.TEXT,
        (Stage.VALIDATE, Stage.LOAD),
    ),
    StagedTable(
        "terms",
        pa.schema(
            [
                ("article_id", pa.string()),
                ("term", pa.string()),
                ("kind", pa.string()),
                ("count", pa.int32()),
                ("first_offset", pa.int32()),
                ("stem", pa.string()),  # Snowball stem in the article's language (else the term)
                ("is_stopword", pa.bool_()),  # a stopword of the article's language
                ("term_id", pa.int64()),  # stable_id(term): dim_term's key
                ("stem_id", pa.int64()),  # stable_id(language_code || ':' || stem)
            ]
        ),
        "one row per article and term",
        Stage.TEXT,
        (Stage.VALIDATE, Stage.LOAD),
    ),
    StagedTable(
        "rejected",
        pa.schema(
            [
                ("article_id", pa.string()),
                ("path", pa.string()),
                ("file_sha256", pa.string()),
                ("record", pa.string()),
                ("reason", pa.string()),  # the failed expectation
                ("detail", pa.string()),
            ]
        ),
        "one row per record that failed a row-level expectation",
        Stage.VALIDATE,
        (Stage.LOAD,),
    ),
    StagedTable(
        "checks",
        pa.schema(
            [
                ("batch", pa.int32()),
                ("suite", pa.string()),
                ("expectation", pa.string()),
                ("column_name", pa.string()),
                ("success", pa.bool_()),
                ("element_count", pa.int64()),
                ("unexpected_count", pa.int64()),
                ("observed_value", pa.string()),
                ("detail", pa.string()),
                ("expected", pa.string()),  # what the check expects, the run's values in
            ]
        ),
        "one row per expectation result",
        Stage.VALIDATE,
        (Stage.LOAD,),
    ),
    StagedTable(
        "stage_stats",
        pa.schema(
            [
                ("stage", pa.string()),  # a Stage
                ("n_in", pa.int64()),
                ("n_out", pa.int64()),
                ("n_duplicate", pa.int64()),
                ("n_quarantined", pa.int64()),
                ("seconds", pa.float64()),
            ]
        ),
        "one row per stage and batch",
        Stage.INGEST,
        (Stage.TEXT, Stage.VALIDATE, Stage.LOAD),
    ),
)

#: Each staged table's Arrow schema, by name.
SCHEMAS: dict[str, pa.Schema] = {table.name: table.schema for table in STAGED}


def quarantine_row(
    stage: Stage,
    path: str,
    sha256: str | None,
    reason: str,
    detail: str,
    record: str | None = None,
) -> dict[str, Any]:
    """A staged ``quarantine`` row: ``stage`` (ingest or text) refused ``record`` of the file at
    ``path`` (``None``: the whole file) for ``reason``."""
    return {
        "path": path,
        "sha256": sha256,
        "record": record,
        "stage": str(stage),
        "reason": reason,
        "detail": detail,
    }


def stage_stats_row(
    stage: str,
    n_in: int,
    n_out: int,
    n_duplicate: int,
    n_quarantined: int,
    seconds: float,
) -> dict[str, Any]:
    """A staged ``stage_stats`` row (an ``etl_run_stage`` row without its run id); ``stage`` is
    a :class:`Stage` or another name of :data:`etl.timing.STAGES`."""
    return {
        "stage": str(stage),
        "n_in": n_in,
        "n_out": n_out,
        "n_duplicate": n_duplicate,
        "n_quarantined": n_quarantined,
        "seconds": seconds,
    }


def read_by(stage: Stage) -> tuple[str, ...]:
    """The names of the staged tables ``stage`` reads, in declaration order."""
    return tuple(table.name for table in STAGED if stage in table.readers)
