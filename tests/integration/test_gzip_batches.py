"""Batches of ``.gz`` files are cut by the size their gzip trailers give (probe: 9.7 MB of JSONL
compresses to 58 KB, so dozens of such files, counted at four times their size, made one batch
whose text needed gigabytes). Expected sizes are the bytes written here."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from etl.ingest.landing import batches_of, gzip_sizes, list_landing

MIB = 1024 * 1024


def _dump(path: Path, records: int, chars: int) -> int:
    """A JSONL dump of ``records`` long, repetitive articles, gzipped; its uncompressed bytes."""
    lines = [
        json.dumps({"date": "2021-04-07", "body": f"Story {i}. " + "The market rose. " * chars})
        for i in range(records)
    ]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data))
    return len(data)


def test_gzip_files_are_batched_by_their_uncompressed_size(tmp_path: Path) -> None:
    sizes = {f"{n}.jsonl.gz": _dump(tmp_path / f"{n}.jsonl.gz", 5, 36_500) for n in "abcd"}
    (tmp_path / "e.txt").write_text(" date 2021-04-07 A short story.\n")
    (tmp_path / "tiny.gz").write_bytes(b"\x1f\x8b")  # no trailer: counted as before
    files = list_landing(tmp_path)
    assert all(s > 2.9 * MIB and s < 3.1 * MIB for s in sizes.values())  # each ~3 MiB of text
    assert all(f.size < 60_000 for f in files if f.path in sizes)  # ... in under 60 KB
    assert gzip_sizes(tmp_path, files) == sizes
    batches = batches_of(files, 500, 8 * MIB, gzip_sizes(tmp_path, files))
    assert [[f.path for f in batch] for batch in batches] == [
        ["a.jsonl.gz", "b.jsonl.gz"],
        ["c.jsonl.gz", "d.jsonl.gz", "e.txt", "tiny.gz"],
    ]
    # Counted at four times their size, all six were one batch of ~12 MiB of text.
    assert len(batches_of(files, 500, 8 * MIB)) == 1
