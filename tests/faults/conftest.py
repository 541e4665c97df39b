"""The fault suite's table: reset at the start of a session, printed at its end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .harness import ROWS_FILE, read_rows, table


def pytest_configure(config: pytest.Config) -> None:
    """Start an empty table (once, in the controlling process when tests run in parallel)."""
    if not hasattr(config, "workerinput"):
        ROWS_FILE.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the fault table (and write it to ``$NEWS_ETL_FAULT_TABLE`` if set)."""
    rows = read_rows()
    if not rows:
        return
    text = table(rows)
    terminalreporter.write_sep("=", "fault table")
    terminalreporter.write_line(text)
    out = os.environ.get("NEWS_ETL_TEST_FAULT_TABLE")
    if out:
        Path(out).write_text(text + "\n", encoding="utf-8")
