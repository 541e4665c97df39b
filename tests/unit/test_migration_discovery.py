"""Migration files are refused with a message that says what is wrong
(etl.load.migrations.discover), word for word.

A survivor of the seed-1204 mutation sample (issue #18): ``discover__mutmut_35`` dropped the
message of the gap error (None); only a test outside the fast selection matched it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.errors import MigrationError
from etl.load.migrations import discover


def _folder(root: Path, names: list[str]) -> Path:
    root.mkdir()
    for name in names:
        (root / name).write_text("SELECT 1;", encoding="utf-8")
    return root


def test_a_gap_in_the_numbers_is_refused_with_the_numbers_found(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "migrations", ["0001_core.sql", "0003_later.sql"])
    with pytest.raises(MigrationError) as caught:
        discover(folder)
    assert str(caught.value) == "migrations must be numbered 1..N without gaps, found [1, 3]"


def test_numbers_one_to_n_are_found_in_order(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "migrations", ["0002_b.sql", "0001_a.sql"])
    assert [m.version for m in discover(folder)] == [1, 2]
