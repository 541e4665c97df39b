"""Inputs that stall, explode or pretend (issue #14 item 7, issue #17 item 9).

A FIFO in the landing zone is refused with a reason and never opened (the run does not hang);
a valid-UTF-8 file of control bytes is ``binary``; a 50 MB single-article file is quarantined
before the text stage, with the child's peak memory bounded (measured, under an address-space
cap so that a regression cannot hurt the machine).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from .conftest import Zones
from .harness import NEWS_ETL, checksums, cli, env_for, record


def _quarantine(warehouse: Path) -> dict[str, str]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return dict(con.execute("SELECT path, reason FROM quarantine").fetchall())
    finally:
        con.close()


@pytest.mark.slow
def test_fifo_and_binary_files_are_refused(zones: Zones, tmp_path: Path) -> None:
    landing = tmp_path / "zone" / zones.both.name  # same name: same default source
    shutil.copytree(zones.both, landing)
    os.mkfifo(landing / "pipe.txt")
    (landing / "binary.txt").write_bytes(b"\x00\x01\x02binary\x00")
    warehouse = zones.warehouse(tmp_path)
    done = cli(["run", "--landing", landing, "--batch-size", "4"], warehouse, timeout=180)
    reasons = _quarantine(warehouse)
    identical = checksums(warehouse) == zones.after
    record(
        "FIFO and control-byte file in the landing zone",
        1,
        "yes",
        "yes" if identical else "NO",
        done.returncode,
        f"pipe.txt: {reasons.get('pipe.txt')}, binary.txt: {reasons.get('binary.txt')}",
    )
    assert done.returncode == 0, done.stderr
    assert reasons.get("pipe.txt") == "not_regular"
    assert reasons.get("binary.txt") == "binary"
    assert identical


# The cap bounds the harm of a regression, not the figure under test (peak RSS, asserted below).
# A run of one small file already reserves about 3.1 GB of address space (thread arenas and
# BLAS buffers, mostly never touched: its RSS is a tenth of that), so a 3 GiB cap made the child
# abort at random ("terminate called without an active exception", CI stop 40) and 2.5 GiB
# aborts it every time. 8 GiB leaves that reserve room on a 24 GiB machine running two workers.
_ADDRESS_SPACE_CAP = 8 << 30


def _capped() -> None:
    """In the child: at most ``_ADDRESS_SPACE_CAP`` bytes of address space."""
    resource.setrlimit(resource.RLIMIT_AS, (_ADDRESS_SPACE_CAP, _ADDRESS_SPACE_CAP))


@pytest.mark.slow
def test_a_50_mb_article_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    paragraph = ("The minister said the plan would go ahead as agreed. " * 20 + "\n\n").encode()
    with (landing / "huge.txt").open("wb") as fh:
        fh.write(b" date 2024-03-04 A very long article.\n\n")
        for _ in range(50_000_000 // len(paragraph)):
            fh.write(paragraph)
    warehouse = tmp_path / "wh" / "news.duckdb"
    done = subprocess.run(
        [NEWS_ETL, "run", "--landing", str(landing)],
        env=env_for(warehouse),
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=_capped,
        check=False,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    reasons = _quarantine(warehouse) if done.returncode == 0 else {}
    record(
        "50 MB single-article file",
        1,
        "yes",
        "n/a",
        done.returncode,
        f"quarantined {reasons.get('huge.txt')}; peak RSS of the largest child so far "
        f"{peak_mb:.0f} MB",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert reasons.get("huge.txt") == "too_long"
    assert peak_mb < 1500
