"""Story matching in numpy: candidates share an exact (band, bucket), whatever the index mixes."""

from __future__ import annotations

import numpy as np

from etl.load.story_match import Stored, assign

BANDS, PERM = 4, 16


def _nothing_stored() -> Stored:
    return Stored.empty(BANDS, PERM, dated=False)


def _run(keys: list[list[int]]) -> list[tuple[int, str | None]]:
    n = len(keys)
    sig = np.tile(np.arange(PERM, dtype=np.uint32), (n, 1))  # equal signatures: similarity 1
    out = assign(
        _nothing_stored(),
        [f"a{i}" for i in range(n)],
        [700_000] * n,
        sig,
        np.asarray(keys, dtype=np.int64),
        np.ones(n, dtype=bool),
        np.full(n, 0.5),
        [100 + i for i in range(n)],
    )
    return [(a.story_id, a.other) for a in out]


def test_equal_keys_in_different_bands_are_no_candidates() -> None:
    # Band 0 of the first and band 1 of the second collide once the band is mixed into the key.
    k = 12345
    keys = [[k, 1, 2, 3], [5, k ^ (1 << 58), 6, 7]]
    assert _run(keys) == [(100, None), (101, None)]


def test_one_shared_band_makes_a_match() -> None:
    keys = [[1, 2, 3, 4], [9, 2, 8, 7], [10, 11, 12, 13]]
    assert _run(keys) == [(100, None), (100, "a0"), (102, None)]


def test_a_tie_in_similarity_with_a_younger_story_keeps_the_match_in_the_oldest_story() -> None:
    # Two stored articles, equally similar to the new one (identical signatures): "z-old" in the
    # older story 5, "a-young" (the smaller id) in story 7. The article joins story 5, and its
    # closest match must come from that story, not the smaller id of the other story.
    sig = np.arange(PERM, dtype=np.uint32)
    stored = Stored(
        ids=["z-old", "a-young"],
        story=np.asarray([5, 7], dtype=np.int64),
        first=np.asarray([10, 20], dtype=np.int64),
        sig=np.tile(sig, (2, 1)),
        keys=np.asarray([[1, 2, 3, 4]] * 2, dtype=np.int64),
        known=np.ones((2, BANDS), dtype=bool),
    )
    (out,) = assign(
        stored,
        ["new"],
        [30],
        sig[None, :],
        np.asarray([[1, 2, 3, 4]], dtype=np.int64),
        np.ones(1, dtype=bool),
        np.full(1, 0.5),
        [99],
    )
    assert (out.story_id, out.first, out.other, out.similarity) == (5, 10, "z-old", 1.0)
