"""A rebuild does not count files it quarantines again as before towards the run-level rules.

A rebuild reads every file of its day again, the quarantined ones too (their ledger verdict and
their remembered refusal are judged again). The quarantine-share rule counted them as new
quarantined files, so a day whose folder held more bad files than good ones (or 20 FIFOs and one
good file) could never be rebuilt: every rebuild was refused, and the refusal's hint ("the
quarantined ones are remembered and not counted as new again") was not true of rebuilds
(operator probe, session 32). Files quarantined again with the verdict the warehouse holds (the
same content quarantined, the same refusal) now count for neither side of the share; a file
the rebuild quarantines anew still does. Expected values are literals.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from etl import backfill, pipeline
from etl.errors import BatchValidationError
from etl.settings import Settings, load_settings
from etl.warehouse import reader

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")

DAY = "2024-05-06"


def _settings(tmp_path: Path, share: float = 0.5, min_files: int = 3) -> Settings:
    return load_settings(
        landing=tmp_path / "landing",
        warehouse=tmp_path / "w" / "warehouse.duckdb",
        staging_dir=tmp_path / "staging",
        write_reports=False,
        max_file_bytes=300,
        quarantine_check_min_files=min_files,
        max_quarantine_share=share,
        workers=1,
    )


def _zone(tmp_path: Path) -> Path:
    """Three good files, three empty ones, a file over the size limit and a FIFO."""
    day = tmp_path / "landing" / DAY
    day.mkdir(parents=True)
    for n in range(1, 4):
        text = f" date {DAY} Article {n}: the council met on Monday to discuss the school budget.\n"
        (day / f"good{n}.txt").write_text(text, encoding="utf-8")
    for n in range(1, 4):
        (day / f"empty{n}.txt").write_bytes(b"")
    (day / "big.txt").write_bytes(b"x" * 400)
    os.mkfifo(day / "pipe.txt")
    return day


def _share_check(settings: Settings, run_id: str) -> tuple[Any, ...]:
    con = reader(settings.target.location)
    try:
        row = con.execute(
            "SELECT success, element_count, unexpected_count, observed_value, detail "
            "FROM fact_check_result WHERE run_id = ? AND expectation = 'max_quarantine_share'",
            [run_id],
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return tuple(row)


def test_a_rebuild_of_a_day_of_known_bad_files_is_not_refused(tmp_path: Path) -> None:
    day = _zone(tmp_path)
    # 5 of 8 new files quarantined: refused, then loaded with the share raised, as the hint says
    with pytest.raises(BatchValidationError, match="5 of 8 new files"):
        pipeline.run(_settings(tmp_path))
    first = pipeline.run(_settings(tmp_path, share=1.0))
    assert (first.files_new, first.files_quarantined, first.articles_loaded) == (8, 5, 3)

    rebuilt = backfill.rebuild_partition(_settings(tmp_path), date(2024, 5, 6))
    assert (rebuilt.files_new, rebuilt.files_quarantined, rebuilt.articles_loaded) == (8, 5, 3)
    success, files, quarantined, share, detail = _share_check(_settings(tmp_path), rebuilt.run_id)
    assert (success, files, quarantined, share) == (True, 3, 0, "0.0000")
    assert "5 files quarantined as before are not counted" in detail

    # files the rebuild quarantines anew still count: two good files emptied, 2 of 3
    (day / "good1.txt").write_bytes(b"")
    (day / "good2.txt").write_bytes(b"   \n")
    with pytest.raises(BatchValidationError, match=r"2 of 3 new files \(67%\)"):
        backfill.rebuild_partition(_settings(tmp_path), date(2024, 5, 6))


def test_a_rebuild_whose_files_all_fail_as_before_is_not_refused_for_no_article(
    tmp_path: Path,
) -> None:
    day = _zone(tmp_path)
    for n in range(1, 4):
        (day / f"good{n}.txt").unlink()
    # none of 5 files gives an article: refused, then loaded with the rule's floor raised
    with pytest.raises(BatchValidationError, match="none of the 5 new files"):
        pipeline.run(_settings(tmp_path), partition_date=date(2024, 5, 6))
    first = pipeline.run(_settings(tmp_path, min_files=6), partition_date=date(2024, 5, 6))
    assert (first.files_new, first.files_quarantined) == (5, 5)
    rebuilt = backfill.rebuild_partition(_settings(tmp_path), date(2024, 5, 6))
    assert (rebuilt.files_new, rebuilt.files_quarantined, rebuilt.articles_loaded) == (5, 5, 0)
