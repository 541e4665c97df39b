"""MinHash signatures of articles over word shingles and their LSH band keys (datasketch's scheme).

Two articles whose sets of word 4-shingles have a Jaccard similarity ``J`` agree on each of the
:data:`NUM_PERM` signature positions with probability ``J``. Syndicated copies and light rewrites
share most shingles; unrelated articles almost none. The signature is cut into :data:`BANDS`
bands of :data:`ROWS` positions; two articles become candidates when one band matches exactly
(probability ``1 - (1 - J**ROWS)**BANDS``: 0.99 at J = 0.6, 0.04 at J = 0.2). The loader stores
the band keys, so candidate search is a join in DuckDB rather than an index held in memory, and
confirms candidates by the signatures' agreement (``etl.load.stories``).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SHINGLE = 4
SEED = 1

SCHEME = "affine32"


def _affine32_permutations(seed: int, num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """``(a, b)`` of datasketch's ``affine32`` scheme for ``seed``, drawn as
    ``MinHash._init_permutations`` draws them (``a`` odd). Reproduced here so that a run does not
    import datasketch: its package imports ``scipy.integrate`` and ``redis`` for indexes this
    project never builds, 0.38 s of a one-file run. A test checks them against datasketch's."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """The 32-bit MurmurHash3 finalizer on uint32 values: datasketch's pre-mix of ``affine32``
    (``datasketch.minhash._fmix(hv, 32)``; a test checks they agree)."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = hv ^ (hv >> np.uint32(16))
    return mixed


_PERMUTATIONS = _affine32_permutations(SEED, NUM_PERM)
#: a signature's positions before any shingle: the largest uint32, as datasketch starts them
_INITIAL = np.full(NUM_PERM, (1 << 32) - 1, dtype=np.uint32)


def word_hashes(words: Sequence[str]) -> np.ndarray:
    """The CRC-32 of each word (UTF-8), as uint64: deterministic across processes."""
    return np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64, count=len(words))


def shingle_hashes(words: Sequence[str]) -> np.ndarray:
    """32-bit hashes of the distinct word ``SHINGLE``-grams of ``words`` (normal forms).

    Each word is hashed once (CRC-32, deterministic across processes) and the hashes of a
    shingle's words are combined in bulk with numpy, instead of hashing every shingle's text.
    """
    return shingles_of(word_hashes(words))


def shingles_of(word_hash: np.ndarray) -> np.ndarray:
    """:func:`shingle_hashes` from the words' hashes (uint64, in text order)."""
    if not len(word_hash):
        return np.zeros(0, dtype=np.uint32)
    n = max(1, len(word_hash) - SHINGLE + 1)
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(min(SHINGLE, len(word_hash))):
            combined = combined * np.uint64(0x9E3779B1) + word_hash[i : i + n]
    return np.unique((combined ^ (combined >> np.uint64(32))).astype(np.uint32))


def signature(words: Sequence[str]) -> list[int] | None:
    """The MinHash signature (``NUM_PERM`` values below 2**32) of an article's word sequence;
    ``None`` without words (an empty set resembles every other empty set, not a story)."""
    if not words:
        return None
    from datasketch import MinHash  # the reference implementation: the run uses signatures()

    m = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashfunc=int)
    m.update_batch(shingle_hashes(words).tolist())
    return [int(v) for v in m.hashvalues]


#: Shingles permuted at once by :func:`signatures` (rows of NUM_PERM uint32: 8 MB).
_CHUNK_SHINGLES = 16_000


def signatures(word_hash_seqs: Sequence[np.ndarray]) -> list[list[int] | None]:
    """:func:`signature` of many articles at once, from their words' hashes (uint64, in order).

    datasketch's permutation (its 32-bit MurmurHash3 pre-mix, then ``a * h + b`` with
    wrap-around; reproduced by :func:`_fmix32` and :func:`_affine32_permutations`) is applied
    to the shingles of many articles in one numpy product, and each article's minimum is taken
    with ``np.minimum.reduceat``; a test checks the result equals :func:`signature` article by
    article.
    """
    a, b = _PERMUTATIONS
    initial = _INITIAL
    out: list[list[int] | None] = [None] * len(word_hash_seqs)
    pending: list[tuple[int, np.ndarray]] = []
    size = 0
    for i, word_hash in enumerate(word_hash_seqs):
        if not len(word_hash):
            continue
        shingles = shingles_of(word_hash)
        pending.append((i, shingles))
        size += len(shingles)
        if size >= _CHUNK_SHINGLES:
            _permute(pending, a, b, initial, out)
            pending, size = [], 0
    if pending:
        _permute(pending, a, b, initial, out)
    return out


def _permute(
    pending: Sequence[tuple[int, np.ndarray]],
    a: np.ndarray,
    b: np.ndarray,
    initial: np.ndarray,
    out: list[list[int] | None],
) -> None:
    """Each pending article's signature: the minimum of its permuted shingles, position by
    position. The product is laid out one row per permutation (``NUM_PERM`` x shingles), so that
    each article's shingles are contiguous in every row: ``np.minimum.reduceat`` along the rows
    was 16 times faster than down the columns of the transposed layout, and the product 2.4 times
    (1.4 million shingles of the real corpora: 0.46 s -> 0.11 s)."""
    hv = _fmix32(np.concatenate([s for _, s in pending]).astype(initial.dtype))
    with np.errstate(over="ignore"):
        permuted = np.multiply.outer(a, hv)
        permuted += b[:, None]  # in place: one (NUM_PERM x shingles) array fewer
    starts = np.cumsum([0, *(len(s) for _, s in pending[:-1])])
    minima = np.minimum(np.minimum.reduceat(permuted, starts, axis=1), initial[:, None])
    for (i, _), row in zip(pending, minima.T.tolist(), strict=True):
        out[i] = row


def band_keys(sig: Sequence[int] | None) -> list[int] | None:
    """The ``BANDS`` LSH bucket keys of one signature (deterministic, non-negative BIGINTs)."""
    if sig is None:
        return None
    return [int(k) for k in band_key_matrix(np.asarray([sig]))[0]]


def band_key_rows(sigs: Sequence[Sequence[int] | None]) -> list[list[int] | None]:
    """:func:`band_keys` of many signatures at once (one numpy pass instead of one per article)."""
    present = [sig for sig in sigs if sig is not None]
    rows = iter(band_key_matrix(np.asarray(present, dtype=np.uint64)).tolist() if present else [])
    return [None if sig is None else next(rows) for sig in sigs]


def band_key_matrix(signatures: np.ndarray) -> np.ndarray:
    """LSH bucket keys, shape ``(n, BANDS)``, of ``(n, NUM_PERM)`` signatures."""
    sig = np.asarray(signatures, dtype=np.uint64).reshape(-1, BANDS, ROWS)
    key = np.zeros(sig.shape[:2], dtype=np.uint64)
    with np.errstate(over="ignore"):
        for r in range(ROWS):
            key = key * np.uint64(0x100000001B3) + sig[:, :, r]
    return (key >> np.uint64(1)).astype(np.int64)


def similarity(a: Sequence[int], b: Sequence[int]) -> float:
    """Estimated Jaccard similarity of two signatures: the share of equal positions."""
    return float(np.mean(np.asarray(a) == np.asarray(b)))
