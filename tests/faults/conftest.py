"""The fault suite: its table (reset at the start of a session, printed at its end) and the two
landing zones every fault test starts from."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from .harness import ROWS_FILE, checksums, cli, read_rows, table


def pytest_configure(config: pytest.Config) -> None:
    """Start an empty table (once, in the controlling process when tests run in parallel)."""
    if not hasattr(config, "workerinput"):
        ROWS_FILE.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault table (and write it to ``$NEWS_ETL_TEST_FAULT_TABLE`` if set)."""
    rows = read_rows()
    if not rows:
        return
    text = table(rows)
    terminalreporter.write_sep("=", "fault table")
    terminalreporter.write_line(text)
    out = os.environ.get("NEWS_ETL_TEST_FAULT_TABLE")
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Zones:
    """Landing zone A (already loaded into ``baseline``), and A+B; the checksums of the baseline
    and of the baseline after a run over A+B without any fault."""

    first: Path
    both: Path
    baseline: Path
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]

    def warehouse(self, tmp: Path) -> Path:
        """A copy of the baseline warehouse (A loaded) in ``tmp``."""
        target = tmp / "wh" / "news.duckdb"
        target.parent.mkdir(parents=True)
        shutil.copy(self.baseline, target)
        return target


@pytest.fixture(scope="session")
def zones(tmp_path_factory: pytest.TempPathFactory, corpora: Path) -> Zones:
    """Twelve Reuters files loaded, twelve more to load (batches of four)."""
    root = tmp_path_factory.mktemp("zones")
    names = sorted(p.name for p in (corpora / "reuters").glob("*.txt"))[:24]
    first, both = root / "a", root / "ab"
    first.mkdir()
    both.mkdir()
    for index, name in enumerate(names):
        if index < 12:
            shutil.copy(corpora / "reuters" / name, first / name)
        shutil.copy(corpora / "reuters" / name, both / name)
    baseline = root / "base" / "news.duckdb"
    done = cli(["run", "--landing", first, "--batch-size", "4"], baseline)
    assert done.returncode == 0, done.stderr
    clean = root / "clean" / "news.duckdb"
    clean.parent.mkdir()
    shutil.copy(baseline, clean)
    done = cli(["run", "--landing", both, "--batch-size", "4"], clean)
    assert done.returncode == 0, done.stderr
    return Zones(first, both, baseline, checksums(baseline), checksums(clean))
