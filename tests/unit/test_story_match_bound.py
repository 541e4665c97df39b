"""Story matching's first pass (packed 4-bit fingerprints) only skips pairs that cannot match.

The expected values come from a second, plain implementation: equal low 4 bits counted position
by position, and a pair-by-pair matcher that follows the rule in :mod:`etl.load.stories`.
"""

from __future__ import annotations

import numpy as np
import pytest

from etl.load.story_match import Stored, _Nibbles, assign

PERM = 128


def _equal_low_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return ((a & 0xF) == (b & 0xF)).sum(axis=1)


@pytest.mark.parametrize("width", [128, 16, 20, 1])
def test_the_bound_counts_equal_fingerprints_and_is_never_below_the_agreement(width: int) -> None:
    rng = np.random.default_rng(width)
    sig = rng.integers(0, 2**32, size=(40, width), dtype=np.uint32)
    # Row 1: row 0 with every value changed above its low 4 bits (fingerprints all equal, no
    # value equal); row 2: row 0 with the low bits of the first half changed.
    sig[1] = sig[0] ^ np.uint32(0x10)
    sig[2] = sig[0]
    sig[2, : width // 2] ^= np.uint32(0x3)
    a = rng.integers(0, 40, size=500)
    b = rng.integers(0, 40, size=500)
    a[:3], b[:3] = [0, 0, 1], [1, 2, 2]
    bound = _Nibbles(sig).agreement_bound(a, b)
    assert bound.tolist() == _equal_low_bits(sig[a], sig[b]).tolist()
    assert (bound >= (sig[a] == sig[b]).sum(axis=1)).all()
    assert bound[:3].tolist() == [width, width - width // 2, width - width // 2]


def _reference(
    sig: np.ndarray, keys: np.ndarray, days: list[int], thresholds: list[float], window: int
) -> list[tuple[int, str | None, float | None]]:
    """The rule, pair by pair: each article (in order) against every earlier one."""
    story: list[int] = []
    first: list[int] = []
    out: list[tuple[int, str | None, float | None]] = []
    for i in range(len(days)):
        matches = []
        for j in range(i):
            shares = bool((keys[i] == keys[j]).any())
            near = abs(days[i] - days[j]) <= window
            agree = int((sig[i] == sig[j]).sum())
            if shares and near and agree >= thresholds[i] * PERM:
                matches.append((first[j], story[j], -agree, f"a{j:03d}"))
        if matches:
            f, s, _, _ = min(matches)
            best = min((m[2], m[3]) for m in matches if m[1] == s)
            story.append(s)
            first.append(f)
            out.append((s, best[1], -best[0] / PERM))
        else:
            story.append(1000 + i)
            first.append(days[i])
            out.append((1000 + i, None, None))
    return out


def test_pairs_at_the_threshold_match_as_the_plain_rule_says() -> None:
    # Article 0 is the base; every later one differs from it at exactly m positions (so agrees
    # with it at 128 - m: 64 is the 0.5 threshold, 103 the 0.8 one) and from the others at many
    # more. Odd ones change only bits above the 4-bit fingerprint, which the first pass cannot
    # see: only the exact count tells them apart. The last one is dated out of the window.
    rng = np.random.default_rng(12)
    changes = [62, 63, 64, 65, 66, 64, 65, 25, 26, 60]
    thresholds = [0.5] * 7 + [0.8, 0.8, 0.5]
    n = len(changes) + 1
    sig = np.tile(rng.integers(0, 2**32, size=PERM, dtype=np.uint32), (n, 1))
    for i, m in enumerate(changes, start=1):
        changed = rng.choice(PERM, size=m, replace=False)
        flip = np.uint32(i << 8) if i % 2 else np.uint32((i << 8) | 0x5)
        sig[i, changed] ^= flip
    keys = np.zeros((n, 4), dtype=np.int64)
    keys[:, 0] = 7  # everyone shares one bucket
    keys[:, 1:] = rng.integers(1, 1 << 40, size=(n, 3))
    days = [738_000] * (n - 1) + [738_003]
    ids = [f"a{i:03d}" for i in range(n)]
    got = assign(
        Stored.empty(4, PERM),
        ids,
        days,
        sig,
        keys,
        np.ones(n, dtype=bool),
        np.asarray([0.5, *thresholds]),
        [1000 + i for i in range(n)],
        window=2,
    )
    want = _reference(sig, keys, days, [0.5, *thresholds], window=2)
    assert [(a.story_id, a.other, a.similarity) for a in got] == want
    # The plain rule's outcome, by construction: m <= 64 (0.5) and m <= 25 (0.8) match the base.
    assert [other for _, other, _ in want] == [
        None, "a000", "a000", "a000", None, None, "a000", None, "a000", None, None
    ]  # fmt: skip
