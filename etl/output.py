"""Writing query results for people and tools: a terminal table, CSV, JSON lines or Parquet."""

from __future__ import annotations

import io
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

OutputFormat = Literal["table", "csv", "json", "parquet"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def write_result(table: pa.Table, fmt: OutputFormat, out: Path | None) -> None:
    """Write ``table`` as ``fmt`` to ``out`` (or standard output); ``table`` format is text."""
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        view = Table(*table.column_names, show_lines=False)
        for row in table.to_pylist():
            view.add_row(*("NULL" if v is None else str(v) for v in row.values()))
        if out:
            with out.open("w", encoding="utf-8") as handle:
                Console(file=handle, width=200).print(view)
        else:
            Console().print(view)
        return
    buffer = io.BytesIO()
    if fmt == "csv":
        pacsv.write_csv(table, buffer)
    elif fmt == "json":
        for row in table.to_pylist():
            line = json.dumps({k: _jsonable(v) for k, v in row.items()}, ensure_ascii=False)
            buffer.write(line.encode("utf-8") + b"\n")
    else:
        pq.write_table(table, buffer)
    data = buffer.getvalue()
    if out:
        out.write_bytes(data)
    else:
        stream: BinaryIO = sys.stdout.buffer
        stream.write(data)
        stream.flush()
