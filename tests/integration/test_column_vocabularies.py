"""Each fixed vocabulary a column comment lists matches its declaration.

The column comments become the data dictionary (``warehouse/README.md``); those that list a
vocabulary listed it by hand, and one drifted: ``quarantine.stage`` said a row could come from
``load``, which never writes one (migration 0045). The current comment of each column (that of
the latest migration setting it) is read from a freshly migrated warehouse.
"""

from __future__ import annotations

import re

import pytest

from etl import timing
from etl.contracts import (
    DATE_SOURCES,
    LEDGER_OUTCOMES,
    LOAD_MODES,
    REFUSED_UNREAD,
    RUN_STATUSES,
    QuarantineReason,
    Stage,
)
from etl.ingest.formats import ADAPTERS
from etl.text.tokenize import TERM_KINDS
from tests.integration.helpers import migrated

#: The stages that write quarantine rows: ingest (etl.ingest.reader), text (etl.text.batch) and
#: validate (its rejected records, etl.load.record.write_quarantine). The load writes none.
QUARANTINE_STAGES = frozenset({Stage.INGEST, Stage.TEXT, Stage.VALIDATE})

#: The stage names etl_run_stage stores: every timing stage but the CLI's summary (not stored).
STORED_STAGES = frozenset(timing.STAGES) - {timing.SUMMARY}

#: (table, column) -> the values its comment must name, exactly.
VOCABULARIES: dict[tuple[str, str], frozenset[str]] = {
    ("dim_term", "term_kind"): TERM_KINDS,
    ("v_daily_term_counts", "term_kind"): TERM_KINDS,
    ("fact_article", "date_source"): DATE_SOURCES,
    ("v_articles", "date_source"): DATE_SOURCES,
    ("fact_article", "source_format"): frozenset(ADAPTERS),
    ("ingest_ledger", "outcome"): LEDGER_OUTCOMES,
    ("etl_run", "mode"): LOAD_MODES,
    ("etl_run", "status"): RUN_STATUSES,
    ("etl_run_stage", "stage"): STORED_STAGES,
    ("ingest_refusal", "reason"): REFUSED_UNREAD,
    ("quarantine", "stage"): QUARANTINE_STAGES,
    ("v_quarantine", "stage"): QUARANTINE_STAGES,
}

#: Columns whose comment gives examples and ``...``: the named values must all exist.
EXAMPLES: dict[tuple[str, str], frozenset[str]] = {
    ("quarantine", "reason"): frozenset(QuarantineReason),
    ("v_quarantine", "reason"): frozenset(QuarantineReason),
}


def _comments() -> dict[tuple[str, str], str]:
    con = migrated()
    try:
        rows = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE comment NOTNULL"
        ).fetchall()
    finally:
        con.close()
    return {(table, column): comment for table, column, comment in rows}


COMMENTS = _comments()


def named_values(comment: str) -> list[str]:
    """The values a comment lists, notes in parentheses left out: ``a | b | c, more`` (a value
    starts each ``|`` segment, and ends the first), or after a colon ``a, b, c or d``; a dotted
    part of a listed value (``load.stories``) counts too."""
    text = re.sub(r"\([^()]*\)", "", comment)
    if " | " in text:
        first, *rest = text.split(" | ")
        values = [re.findall(r"[\w.]+", first)[-1]]
        values += [re.findall(r"[\w.]+", segment)[0] for segment in rest]
    else:
        listed = text.split(":", 1)[-1]
        values = [v.strip() for v in re.split(r",|\bor\b", listed) if v.strip()]
    parts = [p for p in re.findall(r"\b\w+\.\w+\b", text) if p.split(".")[0] in values]
    return values + parts


@pytest.mark.parametrize("column", sorted(VOCABULARIES), ids=".".join)
def test_a_listed_vocabulary_is_its_declaration(column: tuple[str, str]) -> None:
    named = named_values(COMMENTS[column])
    assert sorted(named) == sorted(VOCABULARIES[column])


@pytest.mark.parametrize("column", sorted(EXAMPLES), ids=".".join)
def test_the_examples_a_comment_gives_exist(column: tuple[str, str]) -> None:
    named = named_values(COMMENTS[column])
    examples = named[: named.index("...")]
    assert examples and set(examples) <= EXAMPLES[column]


def test_a_compressed_format_is_said_so() -> None:
    """ingest writes ``<format>.gz`` for a gzip-compressed file (etl.ingest.reader)."""
    assert "with .gz when" in COMMENTS["fact_article", "source_format"]


@pytest.mark.parametrize(
    ("comment", "values"),
    [
        ("a | b (x | y) | c", ["a", "b", "c"]),
        (
            "from: a (why) | b | c, with its parts c.d, c.e | f (how)",
            ["a", "b", "c", "f", "c.d", "c.e"],
        ),
        ("why: a, b_c or d (see x.y)", ["a", "b_c", "d"]),
        ("an example: a, b, ... or the rest", ["a", "b", "...", "the rest"]),
    ],
)
def test_named_values_reads_the_comments_layouts(comment: str, values: list[str]) -> None:
    assert named_values(comment) == values
