"""Run-scoped Parquet staging: how stages hand data to each other.

Each run owns ``<staging_root>/<run_id>/``: ``plan.json`` describes the run, and every batch
writes ``batch-NNNN/<table>.parquet`` files that the next stage (possibly another process or
Airflow task) reads. Schemas are explicit so that an all-NULL column keeps its type.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from etl.errors import StagingError

#: Per-article facts the ingest stage finds and the loader writes to ``fact_article``.
_ARTICLE_META: list[tuple[str, pa.DataType]] = [
    ("raw_bytes", pa.int64()),
    ("source_format", pa.string()),  # txt | jsonl | json | csv | html, with .gz when compressed
    ("encoding", pa.string()),
    ("encoding_note", pa.string()),
    ("text_repair", pa.string()),  # mojibake repair applied (ftfy), if any
    ("published_date", pa.date32()),
    ("date_source", pa.string()),
    ("source_name", pa.string()),
    ("title", pa.string()),
    ("url", pa.string()),
    ("authors", pa.list_(pa.string())),
]

SCHEMAS: dict[str, pa.Schema] = {
    # ingest → text: one row per new article
    "ingested": pa.schema(
        [
            ("file_sha256", pa.string()),  # of the raw file (the ledger's key)
            ("record", pa.string()),  # the record in a multi-record file (None: whole file)
            ("path", pa.string()),
            *_ARTICLE_META,
            ("raw_text", pa.string()),
            ("body", pa.string()),
        ]
    ),
    # ingest → load: one row per file read
    "ledger": pa.schema(
        [
            ("path", pa.string()),
            ("sha256", pa.string()),
            ("size_bytes", pa.int64()),
            ("mtime_ns", pa.int64()),
            ("outcome", pa.string()),
            ("article_id", pa.string()),
            ("unchanged", pa.bool_()),  # re-read, but the ledger already had this content
        ]
    ),
    # any stage → load
    "quarantine": pa.schema(
        [
            ("path", pa.string()),
            ("sha256", pa.string()),
            ("record", pa.string()),
            ("stage", pa.string()),
            ("reason", pa.string()),
            ("detail", pa.string()),
        ]
    ),
    # text → validate → load: one row per article
    "articles": pa.schema(
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
            ("replacement_ratio", pa.float64()),  # share of U+FFFD characters (decoding damage)
            ("text_version", pa.string()),
            ("language_code", pa.string()),  # ISO 639-1, or "und" without letters
            ("language_name", pa.string()),
            ("language_confidence", pa.float64()),  # the language model's probability, 0..1
            ("minhash", pa.list_(pa.uint32())),  # MinHash of word shingles; NULL without words
            ("lsh_bands", pa.list_(pa.int64())),  # LSH bucket key per band of the MinHash
        ]
    ),
    # text → validate → load: one row per article and term
    "terms": pa.schema(
        [
            ("article_id", pa.string()),
            ("term", pa.string()),
            ("kind", pa.string()),
            ("count", pa.int32()),
            ("first_offset", pa.int32()),
            ("stem", pa.string()),  # Snowball stem in the article's language (else the term)
            ("is_stopword", pa.bool_()),  # a stopword of the article's language
            ("term_id", pa.int64()),  # stable_id(term): dim_term's key
            ("stem_id", pa.int64()),  # stable_id(language_code || ':' || stem): dim_stem's key
        ]
    ),
    # validate → load: records that failed a row-level expectation
    "rejected": pa.schema(
        [
            ("article_id", pa.string()),
            ("path", pa.string()),
            ("file_sha256", pa.string()),
            ("record", pa.string()),
            ("reason", pa.string()),
            ("detail", pa.string()),
        ]
    ),
    # validate → load: one row per expectation result
    "checks": pa.schema(
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
        ]
    ),
    # every stage → load: one row per stage and batch
    "stage_stats": pa.schema(
        [
            ("stage", pa.string()),
            ("n_in", pa.int64()),
            ("n_out", pa.int64()),
            ("n_duplicate", pa.int64()),
            ("n_quarantined", pa.int64()),
            ("seconds", pa.float64()),
        ]
    ),
}


class RunStaging:
    """The staging folder of one run."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def plan_path(self) -> Path:
        """Where the run's plan is written."""
        return self.root / "plan.json"

    def batch_dir(self, batch: int) -> Path:
        """The folder of one batch."""
        return self.root / f"batch-{batch:04d}"

    def path(self, table: str, batch: int) -> Path:
        """The Parquet file of ``table`` for ``batch``."""
        return self.batch_dir(batch) / f"{table}.parquet"

    def write(
        self,
        table: str,
        batch: int,
        data: pa.Table | Sequence[Mapping[str, Any]] | Mapping[str, list[Any]],
    ) -> Path:
        """Write ``data`` (Arrow table, rows or columns) as ``table`` of ``batch``, atomically."""
        schema = SCHEMAS[table]
        if isinstance(data, pa.Table):
            arrow = data.select(schema.names).cast(schema)
        elif isinstance(data, Mapping):
            arrow = pa.table({name: data[name] for name in schema.names}, schema=schema)
        else:
            arrow = pa.Table.from_pylist(list(data), schema=schema)
        target = self.path(table, batch)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".parquet.tmp")
        pq.write_table(arrow, tmp, compression="zstd")
        tmp.replace(target)
        return target

    def read(
        self,
        table: str,
        batch: int,
        columns: Sequence[str] | None = None,
        dictionary: Sequence[str] = (),
    ) -> pa.Table:
        """Read ``table`` of ``batch``; a missing file is a :class:`StagingError`.

        With ``columns``, only those (that the table has) are read; ``dictionary`` columns come
        dictionary-encoded (pandas turns them into categoricals), far cheaper for strings that
        repeat, such as the article id of each term row.
        """
        target = self.path(table, batch)
        if not target.exists():
            raise StagingError(f"staged file {target} is missing: did the earlier stage run?")
        schema = SCHEMAS[table]
        if columns is None and not dictionary:
            return pq.read_table(target, schema=schema)
        names = [c for c in schema.names if columns is None or c in set(columns)]
        encoded = [c for c in dictionary if c in names]
        if not encoded:
            return pq.read_table(target, columns=names, schema=schema)
        return pq.read_table(target, columns=names, read_dictionary=encoded)

    @property
    def gx_results_dir(self) -> Path:
        """Where the validate and load steps leave GX validation results (JSON) for Data Docs."""
        return self.root / "gx-results"

    def write_gx_result(self, name: str, result: Mapping[str, Any]) -> Path:
        """Write one GX validation result (``batch_identifier``, ``result``) as ``<name>.json``."""
        target = self.gx_results_dir / f"{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(result, default=str), encoding="utf-8")
        tmp.replace(target)
        return target

    def clear_gx_results(self) -> None:
        """Forget the GX validation results written so far."""
        shutil.rmtree(self.gx_results_dir, ignore_errors=True)

    def read_gx_results(self) -> list[dict[str, Any]]:
        """Every GX validation result written with :meth:`write_gx_result`, by name."""
        if not self.gx_results_dir.is_dir():
            return []
        return [
            json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(self.gx_results_dir.glob("*.json"))
        ]

    def files(self, table: str, batches: Iterable[int]) -> list[Path]:
        """The existing Parquet files of ``table`` over ``batches``."""
        return [p for p in (self.path(table, b) for b in batches) if p.exists()]

    def remove(self) -> None:
        """Delete the whole staging folder of the run."""
        shutil.rmtree(self.root, ignore_errors=True)
