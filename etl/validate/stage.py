"""The validate stage over a whole run: the run's staged batches checked together by GX.

GX costs ~20 ms per expectation and validation whatever the data size, plus seconds to import, so
validating each 500-file batch on its own spent most of the stage in GX's bookkeeping. Here the
batches of a run are concatenated into **chunks** of up to ``validate_chunk_articles`` articles
(one chunk for a normal day) and each suite runs once per chunk:

* only the columns the suites read are loaded from the staged Parquet files, and the strings
  that repeat on every term row (article id, term) come dictionary-encoded: pandas categoricals
  that read, hash and compare many times faster than 1.8 million separate strings;
* an article (same cleaned text) that several files of the run produced is checked once, where
  it first appears: its later copies, and their term rows, are left out of the frames, so
  ``article_id`` and (``article_id``, ``term``) stay unique across the whole run;
* a record that fails a row-level expectation is rejected in every batch it appears in, with
  the expectation's name and the offending value (and what the expectation expects);
* checks are staged with the chunk's first batch number (``fact_check_result.batch``), rejected
  records with their own batch, so the load step reads the same files as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.load.staging import RunStaging
from etl.validate.runner import ValidationOutcome, validate_frame
from etl.validate.suites import SuiteSpec, expectation_columns

#: The columns naming each staged article occurrence (a rejected record needs all of them).
OCCURRENCE_COLUMNS = ["article_id", "path", "file_sha256", "record"]
#: Columns read dictionary-encoded: one row per article and term repeats both strings.
DICTIONARY_COLUMNS = {"terms": ["article_id", "term"]}
#: Tables with one row per file, not per article: copies of an article keep their rows.
PER_FILE_TABLES = {"ledger"}


@dataclass
class RunValidation:
    """What the validate stage found over one run."""

    checks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # batch -> rows
    rejected: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # batch -> rows
    results: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (chunk, GX JSON)
    articles: dict[int, int] = field(default_factory=dict)  # batch -> articles staged

    @property
    def failed_expectations(self) -> int:
        """Expectation results that failed, over every chunk."""
        return sum(1 for rows in self.checks.values() for row in rows if not row["success"])


def suite_columns(specs: Sequence[SuiteSpec], table: str) -> list[str]:
    """Columns of staged ``table`` that the suites read, plus the ids the stage needs."""
    columns = ["article_id"]
    for spec in specs:
        if spec.table == table:
            columns.append(spec.key)
            columns += [c for e in spec.expectations for c in expectation_columns(e)]
    return list(dict.fromkeys(columns))


def chunk_batches(articles: Sequence[int], limit: int) -> list[list[int]]:
    """Consecutive batches grouped so that each group holds at most ``limit`` articles (a batch
    larger than ``limit`` is a group of its own); batches without articles join their group."""
    chunks: list[list[int]] = []
    total = 0
    for batch, n in enumerate(articles):
        if not chunks or (n and total and total + n > limit):
            chunks.append([])
            total = 0
        chunks[-1].append(batch)
        total += n
    return chunks


def repeated_articles(occurrences: Sequence[pa.Table]) -> dict[int, set[str]]:
    """Per batch, the article ids it shares with an earlier batch (checked there already)."""
    seen: set[str] = set()
    repeats: dict[int, set[str]] = {}
    for batch, table in enumerate(occurrences):
        ids = {a for a in table["article_id"].to_pylist() if a is not None}
        if ids & seen:
            repeats[batch] = ids & seen
        seen |= ids
    return repeats


def _without(table: pa.Table, article_ids: set[str] | None) -> pa.Table:
    """Rows of ``table`` whose ``article_id`` is not one of ``article_ids`` (``None``: all)."""
    if not article_ids or "article_id" not in table.column_names:
        return table
    ids = table["article_id"]
    if pa.types.is_dictionary(ids.type):
        ids = ids.cast(pa.string())
    # equivalent: a non-empty list of str is inferred as pa.string() without the type
    known = pc.is_in(ids, value_set=pa.array(sorted(article_ids), pa.string()))  # pragma: no mutate
    # is_in never answers null (a null id is not in a value set without nulls): the fill is a
    # guard, equivalent with any fill value
    return table.filter(pc.invert(pc.fill_null(known, False)))  # pragma: no mutate


def _chunk_frames(
    staging: RunStaging,
    specs: Sequence[SuiteSpec],
    batches: list[int],
    repeats: dict[int, set[str]],
) -> dict[str, pd.DataFrame]:
    """One DataFrame per staged table the suites check, over ``batches``, without the copies of
    articles that an earlier batch holds (``repeats``)."""
    tables = sorted({spec.table for spec in specs} | {"articles"})
    frames = {}
    for table in tables:
        columns = suite_columns(specs, table)
        parts = []
        for batch in batches:
            # pragma: no mutate start (equivalent: `columns` only narrows the read to what the
            # suites check, and no suite checks the set of columns)
            part = staging.read(table, batch, columns, DICTIONARY_COLUMNS.get(table, ()))
            # pragma: no mutate end
            if table not in PER_FILE_TABLES:
                part = _without(part, repeats.get(batch))
            parts.append(part)
        # pragma: no mutate start (equivalent for every file this version stages, seed 1227:
        # RunStaging.write casts each to the contract's schema, so a table's parts share one
        # schema and need no promotion)
        frames[table] = pa.concat_tables(parts, promote_options="permissive").to_pandas()
        # pragma: no mutate end
    # An article that several files of one batch produced is checked once.
    frames["articles"] = frames["articles"].drop_duplicates("article_id")
    return frames


def _rejected_rows(
    occurrences: pa.Table, rejected: dict[str, list[tuple[str, str]]]
) -> list[dict[str, Any]]:
    """One row per staged occurrence of a rejected record: the first failed expectation names
    the reason; its offending value, then what the expectation expects, is the detail."""
    rows = []
    for row in occurrences.to_pylist():
        problems = rejected.get(str(row["article_id"]))
        if problems:
            reason, detail = problems[0]
            rows.append({**row, "reason": reason, "detail": detail})
    return rows


def validate_staged(
    staging: RunStaging,
    n_batches: int,
    specs: Sequence[SuiteSpec],
    parameters: dict[str, Any],
    chunk_articles: int,
) -> RunValidation:
    """Run every batch-stage suite over the run's staged batches, chunk by chunk."""
    # pragma: no mutate start (equivalent in results: the columns named only limit what is read)
    occurrences = [staging.read("articles", b, OCCURRENCE_COLUMNS) for b in range(n_batches)]
    # pragma: no mutate end
    out = RunValidation(articles={b: t.num_rows for b, t in enumerate(occurrences)})
    repeats = repeated_articles(occurrences)
    rejected: dict[str, list[tuple[str, str]]] = {}
    for chunk in chunk_batches([t.num_rows for t in occurrences], chunk_articles):
        out.checks.update({b: [] for b in chunk})
        if not any(out.articles[b] for b in chunk):
            # `break` is equivalent: chunk_batches starts a group only at a batch with articles,
            # so a group without any is the one group of a run without articles
            continue  # nothing to check: GX is not even imported  # pragma: no mutate
        frames = _chunk_frames(staging, specs, chunk, repeats)
        if frames["articles"].empty:
            continue  # every article was checked in an earlier chunk
        outcome = ValidationOutcome()
        for spec in specs:
            outcome.merge(validate_frame(spec, frames[spec.table], parameters))
        out.checks[chunk[0]] = [{**row, "batch": chunk[0]} for row in outcome.checks]
        name = f"batches-{chunk[0]:04d}-{chunk[-1]:04d}"
        out.results += [(name, result) for result in outcome.results]
        for key, problems in outcome.rejected.items():
            rejected.setdefault(key, []).extend(problems)
    out.rejected = {b: _rejected_rows(t, rejected) for b, t in enumerate(occurrences)}
    return out
