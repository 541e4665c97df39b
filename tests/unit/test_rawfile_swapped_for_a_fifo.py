"""A file listed as regular but a FIFO when it is read (swapped after the listing) is refused
``not_regular`` by etl.ingest.rawfile.read_raw, without blocking, and the detail says what it is.

A survivor of the seed-1204 mutation sample (issue #18): ``read_raw__mutmut_38`` dropped that
detail (None); the tests only had FIFOs the listing already flagged, never opened.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from etl.ingest.landing import LandingFile
from etl.ingest.rawfile import RawFileError, read_raw


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_met_at_read_time_is_not_regular_with_its_kind(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "wire.txt")
    listed = LandingFile("wire.txt", 120, 1_700_000_000_000_000_000, None)  # as if regular
    with pytest.raises(RawFileError) as caught:
        read_raw(tmp_path, listed, 1_000_000)
    assert (caught.value.reason, caught.value.sha256) == ("not_regular", None)
    assert (
        caught.value.detail == "a FIFO (named pipe), not a regular file: never opened for reading"
    )
