"""Terminal payloads reach a terminal as text (issue #14, item 4, in the fault harness).

A warehouse loaded from the hostile landing zone holds file names with ESC sequences (a colour
change, a bell; titles and bodies lose their control characters at ingest) and Rich markup
(``[link=…]``, a stray ``[/nope]``). Every command that prints them for a person must write them
inert: no ESC byte, the markup as the characters it was. CSV into a pipe is data for another
program and keeps the value's own bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import cli, record
from .payloads import hostile_landing

#: The commands that print warehouse values, and what each prints.
COMMANDS = {
    "query table": [
        "query",
        "SELECT f.title, f.source_file, t.clean_text FROM fact_article f"
        " JOIN article_text t USING (article_id) ORDER BY f.title",
    ],
    "query json": ["query", "--format", "json", "SELECT title FROM fact_article ORDER BY title"],
    "status": ["status"],
    "quarantine list": ["quarantine", "list"],
    "quality": ["quality"],
}


@pytest.mark.slow
def test_terminal_payloads_are_printed_as_text(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "news.duckdb"
    done = cli(["run", "--landing", hostile_landing(tmp_path / "landing")], warehouse)
    assert done.returncode == 0, done.stderr
    leaks: dict[str, str] = {}
    for name, args in COMMANDS.items():
        shown = cli(args, warehouse)
        assert shown.returncode == 0, (name, shown.stderr)
        for stream in (shown.stdout, shown.stderr):
            if "\x1b" in stream or "\x07" in stream:
                leaks[name] = repr(stream[:200])
    table = cli(COMMANDS["query table"], warehouse)
    # The payload is there, as visible text: escapes spelled out, markup kept as written.
    assert "\\x1b[31mred" in table.stdout, table.stdout
    assert "[link=https://evil]x[/link] [/nope]" in table.stdout, table.stdout
    # CSV into a pipe is data for another program: lossless, the value's own bytes.
    csv = cli(["query", "--format", "csv", "SELECT source_file FROM fact_article"], warehouse)
    assert "\x1b[31mred\x1b[0m\x07" in csv.stdout, csv.stdout
    record(
        "terminal escapes in file names, Rich markup in titles and bodies",
        1 + len(COMMANDS),
        "yes",
        "n/a",
        done.returncode,
        f"{len(COMMANDS)} commands printed them: "
        + ("no ESC or BEL reached the terminal, markup shown as text" if not leaks else str(leaks)),
    )
    assert not leaks, leaks
