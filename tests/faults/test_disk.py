"""A full disk and a read-only folder (issue #14, items 8 and 9), on small tmpfs mounts.

Disk full at COMMIT: nothing is loaded, ``etl_run.error`` keeps "No space left on device" (not
the failed ROLLBACK's "no transaction is active"), one line, and once space is back the rerun
loads exactly a clean run's data. Disk full after COMMIT (the pages): a success with a warning.
A read-only warehouse folder: one line, no traceback; reading still works.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from .conftest import Zones
from .harness import checksums, cli, fill, one_line_error, record, remount_read_only, tmpfs

pytestmark = pytest.mark.slow


def _runs(warehouse: Path) -> list[tuple[str, str | None]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT status, error FROM etl_run ORDER BY started_at").fetchall()
    finally:
        con.close()


def test_disk_full_at_commit(zones: Zones, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "wh", "16m") as folder:
        warehouse = folder / "news.duckdb"
        shutil.copy(zones.baseline, warehouse)
        filler = fill(folder, 32 * 1024)
        env = {
            "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
            "NEWS_ETL_REPORTS_DIR": str(tmp_path / "reports"),
        }
        args = ["run", "--landing", zones.both, "--batch-size", "4"]
        full = cli(args, warehouse, **env)
        line = one_line_error(full)
        intact = checksums(warehouse) == zones.before
        status, error = _runs(warehouse)[-1]
        filler.unlink()
        rerun = cli(args, warehouse, **env)
        identical = checksums(warehouse) == zones.after
    record("disk full at COMMIT", 2, _yes(intact), _yes(identical), full.returncode, line)
    assert full.returncode == 2
    assert "No space left on device" in line
    assert status == "failed"
    assert error is not None and "No space left on device" in error, error
    assert rerun.returncode == 0, rerun.stderr
    assert intact and identical


def test_disk_full_after_commit_is_a_warning(zones: Zones, tmp_path: Path) -> None:
    warehouse = zones.warehouse(tmp_path)
    with tmpfs(tmp_path / "reports", "1m") as reports:
        fill(reports, 0)
        done = cli(
            ["run", "--landing", zones.both, "--batch-size", "4"],
            warehouse,
            NEWS_ETL_REPORTS_DIR=str(reports),
        )
    warned = [line for line in done.stderr.splitlines() if "is committed, but" in line]
    identical = checksums(warehouse) == zones.after
    record(
        "disk full after COMMIT (pages)",
        1,
        _yes(identical),
        "n/a",
        done.returncode,
        warned[0] if warned else done.stderr,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert warned, done.stderr
    assert identical
    assert _runs(warehouse)[-1][0] == "success"


def test_read_only_folder(zones: Zones, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "16m") as folder:
        warehouse = folder / "news.duckdb"
        shutil.copy(zones.baseline, warehouse)
        remount_read_only(folder)
        done = cli(["run", "--landing", zones.both], warehouse)
        line = one_line_error(done)
        summary = cli(["summary"], warehouse)
        intact = checksums(warehouse) == zones.before
    record("read-only warehouse folder", 1, _yes(intact), "n/a", done.returncode, line)
    assert done.returncode == 2
    assert "Read-only file system" in line
    assert summary.returncode == 0, summary.stderr
    assert intact


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"
