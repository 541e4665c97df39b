"""The fault harness: run ``news-etl`` as a real process, check the warehouse, record a row.

Every fault test records one row (fault, runs, data intact, rerun identical, exit code,
message) through :func:`record`; ``conftest.py`` prints the table at the end of the session
(``NEWS_ETL_TEST_FAULT_TABLE`` names a file to write it to as well), and the README's reliability
section quotes it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pytest

from etl.warehouse import table_checksum

from ..integration.helpers import paused_cli

#: The analyst-facing tables; with ``etl_run`` left out, they must equal a clean run's.
DATA_TABLES = (
    "dim_source",
    "dim_term",
    "fact_article",
    "fact_article_term",
    "article_text",
    "agg_daily_term",
)
NEWS_ETL = str(Path(sys.executable).with_name("news-etl"))
ROWS_FILE = Path(tempfile.gettempdir()) / f"news-etl-fault-table-{os.getuid()}.jsonl"


@dataclass(frozen=True)
class Row:
    """One line of the fault table."""

    fault: str
    runs: int
    intact: str  # "yes" / "no" / "n/a"
    rerun_identical: str
    exit_code: str
    message: str


def record(fault: str, runs: int, intact: str, rerun: str, exit_code: object, message: str) -> None:
    """Add a row to the session's fault table."""
    # Paths of the test's temp folders shortened to their last part: the table shows causes.
    message = re.sub(re.escape(tempfile.gettempdir()) + r"/\S*/", "…/", " ".join(message.split()))
    row = Row(fault, runs, intact, rerun, str(exit_code), message[:160])
    with ROWS_FILE.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(row)) + "\n")


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table."""
    head = "| fault | runs | data intact | rerun identical | exit code | message |"
    lines = [head, "|---|---|---|---|---|---|"]
    for r in rows:
        message = r.message.replace("|", "\\|")
        lines.append(
            f"| {r.fault} | {r.runs} | {r.intact} | {r.rerun_identical} | {r.exit_code} | "
            f"{message} |"
        )
    return "\n".join(lines)


def read_rows() -> list[Row]:
    """The rows recorded so far in this session."""
    if not ROWS_FILE.exists():
        return []
    rows = [Row(**json.loads(line)) for line in ROWS_FILE.read_text(encoding="utf-8").splitlines()]
    return sorted(rows, key=lambda r: r.fault)


def env_for(warehouse: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``news-etl`` child: the test's, plus ``NEWS_ETL_*`` ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWS_ETL_")}
    env["NEWS_ETL_WAREHOUSE"] = str(warehouse)
    env["NEWS_ETL_STAGING_DIR"] = str(warehouse.parent / "staging")
    env["NEWS_ETL_LOCK_TIMEOUT_S"] = extra.pop("NEWS_ETL_LOCK_TIMEOUT_S", "60")
    env.update(extra)
    return env


def cli(
    args: Sequence[str | Path], warehouse: Path, timeout: float = 240, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``news-etl args`` to completion."""
    return subprocess.run(
        [NEWS_ETL, *map(str, args)],
        env=env_for(warehouse, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(
    args: Sequence[str | Path],
    warehouse: Path,
    *,
    pause_marker: Path | None = None,
    **env: str,
) -> subprocess.Popen[str]:
    """Start ``news-etl args`` in the background (its own process group). With
    ``pause_marker``, the run writes that file inside its load transaction, right before COMMIT,
    and waits there to be killed (the loader's ``BEFORE_COMMIT`` fault point)."""
    command = paused_cli(pause_marker) if pause_marker is not None else [NEWS_ETL]
    return subprocess.Popen(
        [*command, *map(str, args)],
        env=env_for(warehouse, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_when(proc: subprocess.Popen[str], ready: Callable[[], bool], timeout: float = 180) -> bool:
    """SIGKILL ``proc`` as soon as ``ready()`` holds; False if it ended (or timed out) first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    return False


def checksums(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Row count and content checksum of every analyst table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {t: table_checksum(con, t) for t in DATA_TABLES}
    finally:
        con.close()


def one_line_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The one line a failed command printed on stderr (asserting there is no traceback)."""
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    return errors[0]


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at ``path`` (under the test's own temp dir), unmounted after."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def remount_read_only(path: Path) -> None:
    """Make the tmpfs at ``path`` read-only."""
    subprocess.run(["mount", "-o", "remount,ro", str(path)], check=True)


def fill(folder: Path, leave_bytes: int) -> Path:
    """Fill the file system of ``folder`` until only ``leave_bytes`` are free."""
    filler = folder / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave_bytes))
    return filler
