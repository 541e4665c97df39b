"""The one line ``warehouse maintain`` prints: what it deleted, and when what it replaced goes."""

from __future__ import annotations

from datetime import timedelta

from etl.maintenance import LakeFiles, Maintained


def _maintained(grace: timedelta) -> Maintained:
    files = LakeFiles(live=10, stored=12, stored_bytes=1000, snapshots=3)
    return Maintained("ducklake:/l.ducklake", grace, files, files, 171, 16, 0, 0, 171, 2)


def test_the_note_on_replaced_files_follows_the_grace_period() -> None:
    # With --grace 0 the note said "what this run replaced goes at the next run", while the
    # same run had deleted them (probe).
    kept = _maintained(timedelta(hours=24)).summary()
    assert kept.endswith(
        "deleted 171 files no snapshot needs and 2 orphans, of those older than 24 h "
        "(what this run replaced goes at the next run)"
    )
    now = _maintained(timedelta(0)).summary()
    assert now.endswith(
        "deleted 171 files no snapshot needs and 2 orphans, whatever their age "
        "(what this run replaced went too)"
    )
