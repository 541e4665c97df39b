"""Batches are cut by files and by bytes (session 20).

A landing zone of a few large multi-record files (JSONL dumps of thousands of articles each) was
one batch of up to 500 files: one process did all its text work, however many workers the run
had, and its memory grew with the whole zone's text (15 dumps of 6 MB: 3.5 GB). A batch now also
ends at ``batch_bytes`` raw bytes, a ``.gz`` file counted at its gzip trailer's size and at
least four times its own (session 34). The expected batches are written out by hand.
"""

from __future__ import annotations

import pytest

from etl.ingest.landing import GZIP_EXPANSION, LandingFile, batches_of, planned_bytes
from etl.settings import Settings


def _files(*sizes: int, suffix: str = ".jsonl") -> list[LandingFile]:
    return [LandingFile(f"f{i}{suffix}", size, 0, None) for i, size in enumerate(sizes)]


def _sizes(batches: list[list[LandingFile]]) -> list[list[int]]:
    return [[f.size for f in batch] for batch in batches]


def test_the_defaults_are_500_files_and_8_mib() -> None:
    fields = Settings.model_fields
    assert fields["batch_size"].default == 500
    assert fields["batch_bytes"].default == 8 * 1024 * 1024


def test_a_batch_ends_when_the_next_file_would_pass_the_bytes() -> None:
    assert _sizes(batches_of(_files(4, 6, 1, 9, 2, 3), 100, 10)) == [[4, 6], [1, 9], [2, 3]]


def test_a_batch_may_hold_exactly_the_bytes_but_not_one_more() -> None:
    assert _sizes(batches_of(_files(5, 5, 5), 100, 10)) == [[5, 5], [5]]
    assert _sizes(batches_of(_files(5, 6, 5), 100, 10)) == [[5], [6], [5]]


def test_a_file_larger_than_the_bytes_is_a_batch_alone() -> None:
    assert _sizes(batches_of(_files(1, 50, 1, 1), 100, 10)) == [[1], [50], [1, 1]]


def test_the_file_count_still_ends_a_batch() -> None:
    assert _sizes(batches_of(_files(1, 1, 1, 1, 1), 2, 1000)) == [[1, 1], [1, 1], [1]]


def test_order_is_kept_and_nothing_is_lost_or_repeated() -> None:
    files = _files(3, 8, 2, 2, 7, 1, 12, 4)
    batches = batches_of(files, 3, 10)
    assert [f for batch in batches for f in batch] == files
    assert _sizes(batches) == [[3], [8, 2], [2, 7, 1], [12], [4]]


def test_no_files_no_batches() -> None:
    assert batches_of([], 500, 10) == []


@pytest.mark.parametrize("name", ["a.jsonl.gz", "a.TXT.GZ", "b.html.gz"])
def test_a_gzip_file_counts_four_times_its_size(name: str) -> None:
    assert GZIP_EXPANSION == 4
    assert planned_bytes(LandingFile(name, 3, 0, None)) == 12
    # 3 MB of gzip is about 12 MB of text: with 10 MB batches it is a batch alone.
    gz = [LandingFile(name, 3, 0, None), LandingFile("next.txt", 3, 0, None)]
    assert _sizes(batches_of(gz, 100, 10)) == [[3], [3]]
    assert _sizes(batches_of(_files(3, 3), 100, 10)) == [[3, 3]]


def test_a_gzip_file_counts_at_its_trailer_size_when_that_is_more() -> None:
    """A 10-byte .gz whose trailer says 9 MB (JSONL compresses ~170 to one) counts 9 MB; a
    trailer saying less than four times the file's size (a multi-member file, a size over
    4 GiB wrapped) never lowers it below that."""
    gz = LandingFile("a.jsonl.gz", 100, 0, None)
    assert planned_bytes(gz, 9_000_000) == 9_000_000
    assert planned_bytes(gz, 7) == 400
    assert planned_bytes(gz, None) == 400
    assert planned_bytes(LandingFile("a.txt", 100, 0, None), 9_000_000) == 100  # not gzip
    files = [LandingFile(f"{n}.jsonl.gz", 100, 0, None) for n in "abcd"]
    inflated = {"a.jsonl.gz": 6, "b.jsonl.gz": 5, "c.jsonl.gz": 4, "d.jsonl.gz": 1_000}
    batches = batches_of(files, 100, 1000, {k: v * 100 for k, v in inflated.items()})
    assert [[f.path[0] for f in batch] for batch in batches] == [["a"], ["b", "c"], ["d"]]
