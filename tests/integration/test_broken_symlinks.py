"""A symlink to nothing, or into a loop, in the landing zone: quarantined as ``unreadable`` with
where it points, on every run until it is fixed, while the zone's good files load. (A loop used
to stop every run with a ``RuntimeError`` from listing the zone; a link to nothing was skipped
without a word.) Expected values are literals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl import pipeline

from .helpers import query, settings_for

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")


def test_broken_symlinks_are_quarantined_with_where_they_point(tmp_path: Path) -> None:
    day = tmp_path / "landing" / "2024-05-06"
    day.mkdir(parents=True)
    (day / "good.txt").write_text(
        " date 2024-05-06 The council met on Monday to discuss the budget for the schools.\n",
        encoding="utf-8",
    )
    (day / "gone.txt").symlink_to("missing.txt")
    (day / "loop-a.txt").symlink_to("loop-b.txt")
    (day / "loop-b.txt").symlink_to("loop-a.txt")
    settings = settings_for(tmp_path / "landing", tmp_path / "w", write_reports=False)
    first = pipeline.run(settings)
    assert (first.articles_loaded, first.files_quarantined) == (1, 3)
    expected = [
        ("2024-05-06/gone.txt", "unreadable", "a symlink to 'missing.txt', which does not exist"),
        (
            "2024-05-06/loop-a.txt",
            "unreadable",
            "a symlink to 'loop-b.txt' that leads back to itself (a loop)",
        ),
        (
            "2024-05-06/loop-b.txt",
            "unreadable",
            "a symlink to 'loop-a.txt' that leads back to itself (a loop)",
        ),
    ]
    sql = "SELECT path, reason, detail FROM quarantine WHERE run_id = ? ORDER BY path"
    assert query(settings.warehouse, sql, [first.run_id]) == expected
    # still broken on the next run: refused again (nothing to remember them by: no content)
    second = pipeline.run(settings)
    assert (second.articles_loaded, second.files_quarantined) == (0, 3)
    assert query(settings.warehouse, sql, [second.run_id]) == expected
