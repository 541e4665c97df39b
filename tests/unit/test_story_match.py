"""Story matching in numpy: candidates share an exact (band, bucket), whatever the index mixes."""

from __future__ import annotations

import numpy as np

from etl.load.story_match import Stored, assign

BANDS, PERM = 4, 16


def _nothing_stored() -> Stored:
    return Stored(
        ids=[],
        story=np.zeros(0, dtype=np.int64),
        first=np.zeros(0, dtype=np.int64),
        sig=np.zeros((0, PERM), dtype=np.uint32),
        keys=np.zeros((0, BANDS), dtype=np.int64),
        known=np.zeros((0, BANDS), dtype=bool),
    )


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
