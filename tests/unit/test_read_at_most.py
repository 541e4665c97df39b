"""``read_at_most`` reads a file in pieces (mutation sample, seed 1211: the pieces' join was
never checked, every test file fitting in one piece)."""

from __future__ import annotations

import io

from etl.ingest import landing


def test_a_file_of_several_pieces_reads_whole_and_in_order() -> None:
    size = landing._READ_PIECE * 2 + 123
    data = bytes(i % 251 for i in range(size))
    assert landing.read_at_most(io.BytesIO(data), size + 10) == data


def test_a_larger_file_reads_to_one_byte_over_the_limit() -> None:
    limit = landing._READ_PIECE + 5
    data = b"x" * (limit * 3)
    assert landing.read_at_most(io.BytesIO(data), limit) == b"x" * (limit + 1)
