"""Run-scoped Parquet staging: how stages hand data to each other.

Each run owns ``<staging_root>/<run_id>/``: ``plan.json`` describes the run, and every batch
writes ``batch-NNNN/<table>.parquet`` files that the next stage (possibly another process or
Airflow task) reads. The tables and their schemas are declared in :mod:`etl.contracts`; schemas
are explicit so that an all-NULL column keeps its type.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from etl.contracts import SCHEMAS
from etl.errors import StagingError

__all__ = ["SCHEMAS", "RunStaging"]


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
