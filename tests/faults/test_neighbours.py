"""Damaged warehouse files, two writers, writers and readers (issue #14, items 6 and 8).

A damaged, truncated or random-bytes warehouse is a permanent error (exit 2, one line), never
"busy"; a load waits for a reader that holds the file (up to ``NEWS_ETL_LOCK_TIMEOUT_S``) and
names it; a reader during a load waits, or gives up with exit 75 and one line.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Zones
from .harness import checksums, cli, one_line_error, record, start

HOLD = (
    "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only={ro}); "
    "print('held', flush=True); time.sleep(float(sys.argv[2]))"
)


def _hold(warehouse: Path, seconds: float, read_only: bool) -> subprocess.Popen[str]:
    """Another process holding the warehouse open (a reader, or a writable DuckDB shell)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD.format(ro=read_only), str(warehouse), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _damage(source: Path, target: Path, how: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if how == "random bytes":
        target.write_bytes(os.urandom(1 << 20))
        return
    shutil.copy(source, target)
    size = target.stat().st_size
    if how == "truncated":
        os.truncate(target, size // 3)
    else:  # every block after the three header blocks overwritten (DuckDB checks a block's
        # checksum only when it reads it, so the catalog's blocks must be hit)
        with target.open("r+b") as fh:
            fh.seek(3 * 4096)
            fh.write(os.urandom(size - 3 * 4096))


@pytest.mark.parametrize("how", ["corrupted blocks", "truncated", "random bytes"])
def test_damaged_warehouse_is_permanent_not_busy(how: str, zones: Zones, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "news.duckdb"
    _damage(zones.baseline, warehouse, how)
    codes, lines = [], []
    for args in (
        ["run", "--landing", zones.both],
        ["summary"],
        ["status"],
        ["query", "SELECT 1"],
        ["init"],
    ):
        done = cli(args, warehouse, timeout=120)
        codes.append(done.returncode)
        lines.append(one_line_error(done))
    record(f"{how} warehouse (run, summary, status, query, init)", 5, "n/a", "n/a", codes, lines[0])
    assert codes == [2] * 5, (codes, lines)
    assert all("damaged or not a DuckDB database" in line for line in lines), lines


@pytest.mark.slow
def test_two_writers_at_once(zones: Zones, tmp_path: Path) -> None:
    warehouse = zones.warehouse(tmp_path)
    args = ["run", "--landing", zones.both, "--batch-size", "4"]
    first, second = start(args, warehouse), start(args, warehouse)
    outs = [p.communicate(timeout=300) for p in (first, second)]
    codes = [first.returncode, second.returncode]
    identical = checksums(warehouse) == zones.after
    record(
        "two writers at once",
        2,
        "n/a",
        "yes" if identical else "NO",
        codes,
        "both loaded; no duplicate",
    )
    assert codes == [0, 0], outs
    assert identical


@pytest.mark.slow
def test_load_waits_for_a_reader_and_names_it(zones: Zones, tmp_path: Path) -> None:
    warehouse = zones.warehouse(tmp_path)
    reader = _hold(warehouse, 600, read_only=True)  # let go once the load says it waits
    load = start(["run", "--landing", zones.both, "--batch-size", "4"], warehouse)
    said = ""
    try:
        assert load.stderr is not None
        for line in load.stderr:
            if "held open by" in line:
                said = line.strip()
                break
    finally:
        reader.kill()
        reader.wait()
    _, rest = load.communicate(timeout=300)
    identical = checksums(warehouse) == zones.after
    record(
        "writer while a reader holds the file",
        1,
        "yes",
        "yes" if identical else "NO",
        load.returncode,
        said or "(did not say who holds it)",
    )
    assert load.returncode == 0, rest
    assert f"PID {reader.pid}" in said, said
    assert identical


def test_readers_during_a_load(zones: Zones, tmp_path: Path) -> None:
    warehouse = zones.warehouse(tmp_path)
    holder = _hold(warehouse, 600, read_only=False)  # what a load does while it commits
    waited = ""
    try:
        query = cli(["query", "--wait", "1", "SELECT count(*) FROM fact_article"], warehouse)
        summary = start(["summary"], warehouse)  # waits (up to 60 s) for the holder to let go
        assert summary.stderr is not None
        for line in summary.stderr:
            if "held open by" in line:
                waited = line.strip()
                break
    finally:
        holder.kill()
        holder.wait()
    out, rest = summary.communicate(timeout=120)
    line = one_line_error(query)
    codes = [query.returncode, summary.returncode]
    record(
        "query --wait 1, then summary, while a writer holds the file", 2, "yes", "n/a", codes, line
    )
    assert query.returncode == 75
    assert line.startswith("error: ")
    assert f"PID {holder.pid}" in waited, waited
    assert summary.returncode == 0, rest
    assert "articles" in out
