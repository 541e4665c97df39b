"""How the validate stage groups a run's batches into chunks and spots repeated articles."""

from __future__ import annotations

import pyarrow as pa

from etl.validate.stage import _without, chunk_batches, repeated_articles


def test_batches_are_grouped_up_to_the_article_limit() -> None:
    assert chunk_batches([500] * 4, 20_000) == [[0, 1, 2, 3]]
    assert chunk_batches([500, 500, 500], 1000) == [[0, 1], [2]]
    # A batch over the limit is a chunk of its own; empty batches join the current chunk.
    assert chunk_batches([10, 3000, 0, 10], 1000) == [[0], [1, 2], [3]]
    assert chunk_batches([0, 0], 5) == [[0, 1]]
    assert chunk_batches([], 5) == []


def _ids(*ids: str | None) -> pa.Table:
    return pa.table({"article_id": pa.array(ids, pa.string())})


def test_an_article_repeated_in_a_later_batch_is_known_there() -> None:
    occurrences = [_ids("a", "b", "b"), _ids("c", None), _ids("b", "d", "a")]
    assert repeated_articles(occurrences) == {2: {"a", "b"}}
    assert repeated_articles([_ids("a"), _ids("b")]) == {}


def test_the_copies_checked_in_an_earlier_batch_are_left_out_of_a_batch() -> None:
    # The rows a later batch keeps for the suites: ids not in the earlier batches' set (a row
    # without an id stays), plain or dictionary-encoded as the terms table is read.
    ids = ["a1", "b2", None, "c3", "b2"]
    plain = pa.table({"article_id": ids, "n": [1, 2, 3, 4, 5]})
    encoded = pa.table({"article_id": pa.array(ids).dictionary_encode(), "n": [1, 2, 3, 4, 5]})
    for table in (plain, encoded):
        kept = _without(table, {"b2", "zz"})
        assert kept.column("n").to_pylist() == [1, 3, 4]
        assert _without(table, set()).column("n").to_pylist() == [1, 2, 3, 4, 5]
    no_ids = pa.table({"n": [1, 2]})
    assert _without(no_ids, {"a1"}).column("n").to_pylist() == [1, 2]
