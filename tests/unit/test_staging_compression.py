"""Staged Parquet is zstd-compressed, locally and on object storage (a survivor of the
seed-1201 mutation sample, issue #18): staging on S3 moves every staged byte twice (stage, then
load), and pyarrow's default codec (snappy) makes the term tables about a third larger."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import fsspec
import pyarrow.parquet as pq
import pytest

from etl.load.staging import SCHEMAS, RunStaging

ROWS = [
    {
        **dict.fromkeys(SCHEMAS["ledger"].names),
        "path": f"wire/{i}.txt",
        "sha256": "s" * 64,
        "size_bytes": i,
        "mtime_ns": i,
        "outcome": "new",
    }
    for i in range(50)
]


def _codecs(metadata: pq.FileMetaData) -> set[str]:
    return {
        metadata.row_group(g).column(c).compression
        for g in range(metadata.num_row_groups)
        for c in range(metadata.num_columns)
    }


def test_local_staging_writes_zstd(tmp_path: Path) -> None:
    written = RunStaging(tmp_path / "run").write("ledger", 0, ROWS)
    assert _codecs(pq.read_metadata(written.local_path)) == {"ZSTD"}


@pytest.mark.parametrize("batch", [0, 7])
def test_object_storage_staging_writes_zstd(batch: int) -> None:
    root = f"memory://staging-{uuid.uuid4().hex}/run"
    written = RunStaging(root).write("ledger", batch, ROWS)
    data = fsspec.filesystem("memory").cat_file(written.url)
    assert _codecs(pq.read_metadata(io.BytesIO(data))) == {"ZSTD"}
