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


#: Shingles permuted at once by :func:`signatures` (NUM_PERM uint32 each: 8 MB, however long
#: an article is).
_CHUNK_SHINGLES = 16_000


def signatures(word_hash_seqs: Sequence[np.ndarray]) -> list[list[int] | None]:
    """:func:`signature` of many articles at once, from their words' hashes (uint64, in order).

    The shingles of every article are hashed in one numpy pass over all the words (without
    :func:`shingles_of`'s per-article ``np.unique``: a minimum does not change when a value
    repeats). datasketch's permutation (its 32-bit MurmurHash3 pre-mix, then ``a * h + b`` with
    wrap-around; reproduced by :func:`_fmix32` and :func:`_affine32_permutations`) is applied to
    the shingles of many articles in one numpy product, and each article's minimum is taken
    with ``np.minimum.reduceat``; a test checks the result equals :func:`signature` article by
    article.
    """
    articles, shingles, counts = _all_shingles(word_hash_seqs)
    ends = np.cumsum(counts)
    starts = ends - counts
    minima = np.repeat(_INITIAL[:, None], len(articles), axis=1)  # NUM_PERM x articles
    for lo in range(0, len(shingles), _CHUNK_SHINGLES):  # an article may span chunks
        hi = min(lo + _CHUNK_SHINGLES, len(shingles))
        first = int(np.searchsorted(ends, lo, side="right"))
        last = int(np.searchsorted(starts, hi, side="left"))
        part = _permuted_minima(shingles[lo:hi], np.maximum(starts[first:last], lo) - lo)
        np.minimum(minima[:, first:last], part, out=minima[:, first:last])
    out: list[list[int] | None] = [None] * len(word_hash_seqs)
    for i, row in zip(articles, minima.T.tolist(), strict=True):
        out[i] = row
    return out


def _all_shingles(word_hash_seqs: Sequence[np.ndarray]) -> tuple[list[int], np.ndarray, np.ndarray]:
    """``(articles, shingles, counts)``: the indices of the articles with words, the 32-bit
    hashes of their word shingles article after article (repeats kept, as the text has them),
    and how many each article has. An article of fewer than ``SHINGLE`` words is one shingle,
    as :func:`shingles_of` makes it: its words after leading zeros, which leave the combined
    hash unchanged."""
    articles = [i for i, words in enumerate(word_hash_seqs) if len(words)]
    padded = [
        words if len(words) >= SHINGLE else np.concatenate([_PADDING[len(words) :], words])
        for words in (word_hash_seqs[i] for i in articles)
    ]
    if not padded:
        return articles, np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, padded), dtype=np.int64, count=len(padded))
    words = np.concatenate(padded).astype(np.uint64, copy=False)
    n = len(words) - SHINGLE + 1
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(SHINGLE):
            combined = combined * np.uint64(0x9E3779B1) + words[i : i + n]
    article_of = np.repeat(np.arange(len(padded)), lengths)
    combined = combined[article_of[:n] == article_of[SHINGLE - 1 :]]  # within one article
    shingles = (combined ^ (combined >> np.uint64(32))).astype(np.uint32)
    return articles, shingles, lengths - SHINGLE + 1


#: leading zero words for an article shorter than a shingle (``_PADDING[len(words):]``)
_PADDING = np.zeros(SHINGLE, dtype=np.uint64)


def _permuted_minima(shingles: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """``NUM_PERM`` x ``len(starts)``: the minimum of each permuted run of ``shingles`` (runs
    beginning at ``starts``), position by position. The product is laid out one row per
    permutation, so that each run is contiguous in every row: ``np.minimum.reduceat`` along the
    rows was 16 times faster than down the columns of the transposed layout, and the product
    2.4 times (1.4 million shingles of the real corpora: 0.46 s -> 0.11 s)."""
    a, b = _PERMUTATIONS
    with np.errstate(over="ignore"):
        permuted = np.multiply.outer(a, _fmix32(shingles))
        permuted += b[:, None]  # in place: one (NUM_PERM x shingles) array fewer
    minima: np.ndarray = np.minimum.reduceat(permuted, starts, axis=1)
    return minima


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
