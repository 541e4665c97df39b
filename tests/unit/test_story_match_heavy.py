"""Story matching of an article with thousands of candidates (the "heavy" path of
etl.load.story_match.assign: near-copies of one story, verified one article at a time)."""

from __future__ import annotations

import numpy as np
import pytest

from etl.load import story_match
from etl.load.story_match import Assignment, Stored, assign

BANDS, PERM, N = 4, 16, 4200  # 4,200 candidates in one bucket: over the 4,096 of the light path
RUN_SIG = np.arange(1, PERM + 1, dtype=np.uint32)


def _stored() -> Stored:
    sig = np.zeros((N, PERM), dtype=np.uint32)  # similarity 0 with RUN_SIG
    sig[10, :8] = RUN_SIG[:8]  # 8 of 16: exactly the 0.5 threshold
    sig[20, :7] = RUN_SIG[:7]  # 7 of 16: below it
    sig[4150] = RUN_SIG  # identical
    first = np.full(N, 700_000, dtype=np.int64)
    first[10], first[20], first[4150] = 600_000, 500_000, 699_999
    keys = np.arange(N * BANDS, dtype=np.int64).reshape(N, BANDS) + 10_000
    keys[:, 0] = 1  # every stored article shares band 0's bucket with the first run article
    return Stored(
        ids=[f"s{j:04d}" for j in range(N)],
        story=1000 + np.arange(N, dtype=np.int64),
        first=first,
        sig=sig,
        keys=keys,
        known=np.ones((N, BANDS), dtype=bool),
    )


def _assign() -> list[Assignment]:
    sig = np.vstack([RUN_SIG, RUN_SIG])
    keys = np.asarray([[1, 2, 3, 4], [5, 6, 7, 8]], dtype=np.int64)
    return assign(
        _stored(),
        ["r0", "r1"],
        [700_001, 700_001],
        sig,
        keys,
        np.ones(2, dtype=bool),
        np.full(2, 0.5),
        [5000, 5001],
    )


EXPECTED = [
    # the oldest matching story: s0010 at exactly the threshold (s0020 is older but below it)
    Assignment(story_id=1010, first=600_000, other="s0010", similarity=0.5),
    Assignment(story_id=5001, first=700_001, other=None, similarity=None),  # no shared bucket
]


def test_an_article_with_thousands_of_candidates_joins_the_oldest_matching_story() -> None:
    assert _assign() == EXPECTED


def test_the_light_path_gives_the_same_stories(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story_match, "_HEAVY", 10 * N)
    assert _assign() == EXPECTED
