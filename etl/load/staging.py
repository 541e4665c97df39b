"""Run-scoped Parquet staging: how stages hand data to each other.

Each run owns ``<staging_root>/<run_id>/``: ``plan.json`` describes the run, and every batch
writes ``batch-NNNN/<table>.parquet`` files that the next stage (possibly another process or
Airflow task) reads. The tables and their schemas are declared in :mod:`etl.contracts`; schemas
are explicit so that an all-NULL column keeps its type.

The staging root is a local folder or an object-storage URL (``s3://bucket/prefix``, see
:mod:`etl.storage`): the same files, named by the same relative paths, on either. Locally a file
is written beside its final name and renamed into place; on object storage it is PUT whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from etl.contracts import SCHEMAS
from etl.errors import StagingError
from etl.leftovers import PLAN_FILE
from etl.storage import Location, location

__all__ = ["SCHEMAS", "RunStaging", "rows_table"]


def rows_table(table: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """``rows`` as an Arrow table of the staged ``table``'s schema; each row must have exactly
    the schema's columns, else a :class:`StagingError` names the missing and unknown keys
    (Arrow itself would stage a missing key as NULL and drop an unknown one, silently)."""
    schema = SCHEMAS[table]
    for index, row in enumerate(rows):
        _check_names(table, row.keys(), f"row {index}", "keys")
    return pa.Table.from_pylist(list(rows), schema=schema)


def _check_names(table: str, names: Iterable[str], what: str, kind: str) -> None:
    """Raise a :class:`StagingError` unless ``names`` are exactly the staged ``table``'s
    columns, naming the missing and unknown ones (``what`` and ``kind`` say where they were)."""
    expected, given = set(SCHEMAS[table].names), set(names)
    if given != expected:
        raise StagingError(
            f"staged {table} {what} does not match its schema: "
            f"missing {kind} {sorted(expected - given)}, unknown {kind} {sorted(given - expected)}"
        )


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


class RunStaging:
    """The staging folder of one run: a local folder or an object-storage prefix."""

    def __init__(self, root: str | Path | Location) -> None:
        self.root = location(root)

    @property
    def plan_path(self) -> Location:
        """Where the run's plan is written."""
        return self.root / PLAN_FILE

    def batch_dir(self, batch: int) -> Location:
        """The folder of one batch."""
        return self.root / f"batch-{batch:04d}"

    def path(self, table: str, batch: int) -> Location:
        """The Parquet file of ``table`` for ``batch``."""
        return self.batch_dir(batch) / f"{table}.parquet"

    def write(
        self,
        table: str,
        batch: int,
        data: pa.Table | Sequence[Mapping[str, Any]] | Mapping[str, list[Any]],
    ) -> Location:
        """Write ``data`` (Arrow table, rows or columns) as ``table`` of ``batch``, atomically;
        it must have exactly the table's columns (:func:`rows_table`): a missing one would be
        staged NULL and an unknown one dropped, without a word."""
        schema = SCHEMAS[table]
        if isinstance(data, pa.Table):
            _check_names(table, data.column_names, "table", "columns")
            arrow = data.select(schema.names).cast(schema)
        elif isinstance(data, Mapping):
            _check_names(table, data.keys(), "columns", "columns")
            arrow = pa.table({name: data[name] for name in schema.names}, schema=schema)
        else:
            arrow = rows_table(table, data)
        target = self.path(table, batch)
        if not target.is_local:
            target.write_bytes(_parquet_bytes(arrow))
            return target
        local = target.local_path
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_suffix(".parquet.tmp")
        pq.write_table(arrow, tmp, compression="zstd")
        tmp.replace(local)
        return target

    def _source(self, target: Location) -> Any:
        """What pyarrow reads ``target`` from: its path, or its bytes from object storage."""
        try:
            if target.is_local:
                if not target.exists():
                    raise FileNotFoundError(target.url)
                return target.path
            return pa.BufferReader(target.read_bytes())
        except FileNotFoundError:
            raise StagingError(
                f"staged file {target} is missing: did the earlier stage run?"
            ) from None

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
        source = self._source(self.path(table, batch))
        schema = SCHEMAS[table]
        if columns is None and not dictionary:
            return pq.read_table(source, schema=schema)
        names = [c for c in schema.names if columns is None or c in set(columns)]
        encoded = [c for c in dictionary if c in names]
        if not encoded:
            return pq.read_table(source, columns=names, schema=schema)
        return pq.read_table(source, columns=names, read_dictionary=encoded)

    def rows(self, table: str, batch: int) -> int:
        """Rows of ``table`` of ``batch``, from the Parquet footer; 0 when it was not staged."""
        target = self.path(table, batch)
        if not target.exists():
            return 0
        return int(pq.read_metadata(self._source(target)).num_rows)

    @property
    def gx_results_dir(self) -> Location:
        """Where the validate and load steps leave GX validation results (JSON) for Data Docs."""
        return self.root / "gx-results"

    def write_gx_result(self, name: str, result: Mapping[str, Any]) -> Location:
        """Write one GX validation result (``batch_identifier``, ``result``) as ``<name>.json``."""
        target = self.gx_results_dir / f"{name}.json"
        target.write_text(json.dumps(result, default=str))
        return target

    def clear_gx_results(self) -> None:
        """Forget the GX validation results written so far."""
        self.gx_results_dir.remove()

    def _gx_result_files(self) -> list[Location]:
        return sorted(
            (e.location for e in self.gx_results_dir.files() if e.location.name.endswith(".json")),
            key=lambda loc: loc.name,
        )

    def read_gx_results(self) -> list[dict[str, Any]]:
        """Every GX validation result written with :meth:`write_gx_result`, by name."""
        return [json.loads(loc.read_text()) for loc in self._gx_result_files()]

    def has_gx_results(self) -> bool:
        """Whether a GX validation result was written (the run has Data Docs to build)."""
        return bool(self._gx_result_files())

    def files(self, table: str, batches: Iterable[int]) -> list[str]:
        """The existing Parquet files of ``table`` over ``batches``, as paths or URLs that
        DuckDB's ``read_parquet`` takes (see :func:`etl.storage.configure_duckdb`)."""
        wanted = [self.path(table, b) for b in batches]
        if self.root.is_local:
            return [p.url for p in wanted if p.exists()]
        present = {e.location for e in self.root.files()}  # one listing, not one call a file
        return [p.url for p in wanted if p in present]

    def remove(self) -> None:
        """Delete the whole staging folder of the run."""
        self.root.remove()
