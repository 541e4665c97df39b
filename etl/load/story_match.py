"""The matching behind story assignment, in numpy (the rule is in :mod:`etl.load.stories`).

Known articles are rows of one pool: first the stored members that share a bucket with the run,
then the run's articles in assignment order. Every ``(band, bucket)`` key of the pool is one
group of an index sorted once, rows in pool order inside a group, so the rows known before an
article are the part of each of its groups in front of it. Candidate pairs of most articles are
found and verified for the whole run in a few array operations (a cheap first pass on four bits
per signature position, exact on the few that pass); an article with very many candidates
(thousands of near-copies of one story) is verified alone, with its candidates each counted once.
Only articles with a verified match need the in-order pass that picks their story. The work is
proportional to the candidate pairs: nothing per stored article that shares no bucket with the run.

With a ``window`` (days), every pool row carries its own published date and a candidate pair
whose dates differ by more than the window is dropped before it is verified, by every path that
picks candidates (:func:`_verify_light` and :func:`_verify_one`): the pair is no candidate at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Bits above the bucket value where the band number is mixed into an index key (a collision of
#: two bands' keys is harmless: candidates are verified on the exact ``(band, bucket)``).
_BAND_SHIFT = 58
#: Candidate rows (a row once per shared group) from which an article is verified alone.
_HEAVY = 4096
#: Candidate pairs verified together in one step.
_CHUNK = 1 << 19


@dataclass
class Stored:
    """Stored members that share a bucket with the run (keys known only where they share)."""

    ids: list[str]
    story: np.ndarray  # int64 story id per row
    first: np.ndarray  # int64 ordinal of the story's first published date per row
    sig: np.ndarray  # (rows, NUM_PERM) uint32
    keys: np.ndarray  # (rows, bands) int64
    known: np.ndarray  # (rows, bands) bool
    #: int64 ordinal of each member's own published date (needed when ``assign`` has a window)
    published: np.ndarray | None = None

    @classmethod
    def empty(cls, bands: int, width: int, *, dated: bool = True) -> Stored:
        """No stored members, for signatures of ``width`` positions and ``bands`` bands
        (``dated``: with their, empty, published dates)."""
        # pragma: no mutate start (equivalent: the empty pool is built only for a run without
        # articles, which adds none to it: no dtype of these arrays reaches a row)
        return cls(
            ids=[],
            story=np.zeros(0, dtype=np.int64),
            first=np.zeros(0, dtype=np.int64),
            sig=np.zeros((0, width), dtype=np.uint32),
            keys=np.zeros((0, bands), dtype=np.int64),
            known=np.zeros((0, bands), dtype=bool),
            published=np.zeros(0, dtype=np.int64) if dated else None,
        )
        # pragma: no mutate end


@dataclass
class Assignment:
    """One article's story: matched (``other`` and ``similarity`` set) or founded."""

    story_id: int
    first: int
    other: str | None
    similarity: float | None


@dataclass
class _Pool:
    """Stored rows, then the run's rows: signatures (and their packed low bits), keys, stories."""

    sig: np.ndarray
    nibbles: _Nibbles
    keys: np.ndarray
    known: np.ndarray
    story: np.ndarray
    first: np.ndarray
    day: np.ndarray  # each row's own published date (ordinal)
    window: int | None  # candidates' dates differ by at most this many days (None: any)
    ids: list[str]
    n_stored: int
    mark: np.ndarray  # scratch: one flag per row, all False between uses


def assign(
    stored: Stored,
    ids: Sequence[str],
    dates: Sequence[int],
    sig: np.ndarray,
    keys: np.ndarray,
    has_sig: np.ndarray,
    thresholds: np.ndarray,
    founded_ids: Sequence[int],
    window: int | None = None,
) -> list[Assignment]:
    """Stories of the run's articles, in the given (assignment) order.

    ``dates`` are date ordinals, ``sig``/``keys`` the run's signatures and band keys (rows with
    ``has_sig`` false have neither), ``thresholds`` each article's match threshold and
    ``founded_ids`` the id of the story each article founds when nothing matches. With a
    ``window`` (days, ``>= 0``), a candidate (stored or earlier in the run) counts only when its
    published date (``stored.published``, ``dates``) is within ``window`` days of the article's.
    """
    if window is not None and (window < 0 or stored.published is None):
        raise ValueError("a story window needs window >= 0 and the stored members' dates")
    n = len(ids)
    run_days = np.asarray(dates, dtype=np.int64)
    stored_days = stored.first if stored.published is None else stored.published
    bands = keys.shape[1]
    run_known = np.repeat(has_sig[:, None], bands, axis=1)
    pool_sig = np.vstack([stored.sig, sig])
    pool = _Pool(
        sig=pool_sig,
        nibbles=_Nibbles(pool_sig),
        keys=np.vstack([stored.keys, keys]),
        known=np.vstack([stored.known, run_known]),
        story=np.concatenate([stored.story, np.asarray(founded_ids, dtype=np.int64)]),
        first=np.concatenate([stored.first, run_days]),
        day=np.concatenate([np.asarray(stored_days, dtype=np.int64), run_days]),
        window=window,
        ids=[*stored.ids, *ids],
        n_stored=len(stored.ids),
        mark=np.zeros(len(stored.ids) + n, dtype=bool),
    )
    index = _GroupIndex(pool.keys, pool.known)
    run_rows = pool.n_stored + np.arange(n)
    load = index.prefix[run_rows].sum(axis=1)
    heavy = has_sig & (load > _HEAVY)
    light = np.flatnonzero(has_sig & ~heavy & (load > 0))
    matches = _verify_light(pool, index, light, thresholds)
    out = [Assignment(int(founded_ids[i]), int(dates[i]), None, None) for i in range(n)]
    # In order: an article's story is final before any later article looks at it.
    for i in np.flatnonzero(heavy | np.isin(np.arange(n), list(matches))).tolist():
        row = pool.n_stored + i
        if heavy[i]:
            cand, sims = _verify_one(pool, index, row, float(thresholds[i]))
        else:
            cand, sims = matches[i]
        if cand.size:
            out[i] = _best(cand, sims, pool)
            pool.story[row], pool.first[row] = out[i].story_id, out[i].first
    return out


def _verify_light(
    pool: _Pool, index: _GroupIndex, articles: np.ndarray, thresholds: np.ndarray
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Verified matches ``(candidate rows, similarities)`` of each of ``articles`` (run
    positions) that has any, found for many articles at a time."""
    found: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if not articles.size:
        return found
    rows = pool.n_stored + articles
    load = index.prefix[rows].sum(axis=1)
    # pragma: no mutate start (equivalent: the chunks only bound memory; any split of the
    # articles into parts finds the same matches)
    bounds = np.searchsorted(np.cumsum(load), np.arange(_CHUNK, int(load.sum()), _CHUNK))
    # pragma: no mutate end
    for part in np.split(np.arange(articles.size), np.unique(bounds)):
        if not part.size:
            continue
        owner, cand = index.candidates(rows[part])
        me = rows[part][owner]
        keep = _within(pool, cand, me) & (cand != me)  # out of the window: no candidate
        owner, cand, me = owner[keep], cand[keep], me[keep]
        # Equal values have equal low bits: the count of equal 4-bit fingerprints bounds the
        # agreement above. Most pairs that only share a bucket of boilerplate (agreeing on a
        # third of the positions, say) fail here, before the pairs found once per shared band
        # are made distinct; the exact count is left for the few that pass.
        need = thresholds[articles[part][owner]] * pool.sig.shape[1]
        maybe = pool.nibbles.agreement_bound(cand, me) >= need
        code = _distinct(owner[maybe] * len(pool.ids) + cand[maybe])  # each pair once
        owner, cand = code // len(pool.ids), code % len(pool.ids)
        me = rows[part][owner]
        need = thresholds[articles[part][owner]] * pool.sig.shape[1]
        agree = (pool.sig[cand] == pool.sig[me]).sum(axis=1)
        shares = _shares(pool, index, cand, me)
        ok = (agree >= need) & shares
        owner, cand, sims = owner[ok], cand[ok], agree[ok] / float(pool.sig.shape[1])
        for local in np.unique(owner).tolist():
            mine = owner == local
            found[int(articles[part][local])] = (cand[mine], sims[mine])
    return found


def _verify_one(
    pool: _Pool, index: _GroupIndex, row: int, threshold: float
) -> tuple[np.ndarray, np.ndarray]:
    """Verified matches of one article with many candidates (near-copies of a story), each
    candidate counted once: marked in a scratch mask instead of sorted."""
    for band in np.flatnonzero(index.prefix[row]).tolist():
        start = index.start[row, band]
        pool.mark[index.rows[start : start + index.prefix[row, band]]] = True
    cand = np.flatnonzero(pool.mark[:row])
    pool.mark[cand] = False
    cand = cand[_within(pool, cand, row)]
    if not cand.size:
        return cand, np.empty(0)
    lo = int(cand[0])
    # Most rows in front are candidates: compare the whole block. Equivalent under any factor
    # or comparison: both branches give the same agreements, the test only picks the cheaper.
    if 2 * cand.size > row - lo:  # pragma: no mutate
        agree = _agreement(pool.sig[lo:row], pool.sig[row])[cand - lo]
    else:
        agree = _agreement(pool.sig[cand], pool.sig[row])
    shares = _shares(pool, index, cand, np.full(cand.size, row))
    sims = agree / float(pool.sig.shape[1])
    ok = shares & (sims >= threshold)
    return cand[ok], sims[ok]


def _within(pool: _Pool, cand: np.ndarray, me: np.ndarray | int) -> np.ndarray:
    """Whether each candidate was published within the pool's window of its article."""
    if pool.window is None:
        return np.ones(cand.size, dtype=bool)
    near: np.ndarray = np.abs(pool.day[cand] - pool.day[me]) <= pool.window
    return near


def _shares(pool: _Pool, index: _GroupIndex, cand: np.ndarray, me: np.ndarray) -> np.ndarray:
    """Whether each candidate shares an exact ``(band, bucket)`` with its article (always, unless
    the index has a group of colliding keys)."""
    if not index.mixed:
        return np.ones(cand.size, dtype=bool)
    same: np.ndarray = ((pool.keys[cand] == pool.keys[me]) & pool.known[cand]).any(axis=1)
    return same


def _agreement(block: np.ndarray, sig: np.ndarray) -> np.ndarray:
    """Equal positions of each row of ``block`` with ``sig`` (counted in bytes: at most 255)."""
    counts: np.ndarray = (block == sig).view(np.uint8).sum(axis=1, dtype=np.uint8)
    return counts.astype(np.int64)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted (by a sort: faster here than ``np.unique``'s hashing)."""
    values = np.sort(values)
    first = np.ones(values.size, dtype=bool)
    first[1:] = values[1:] != values[:-1]
    out: np.ndarray = values[first]
    return out


def _best(cand: np.ndarray, sims: np.ndarray, pool: _Pool) -> Assignment:
    """The oldest story among matching candidates (then the smallest story id); its most
    similar candidate (then the smallest article id)."""
    story, first = pool.story[cand], pool.first[cand]
    pick = np.lexsort((story, first))[0]
    in_story = story == story[pick]
    top = sims[in_story].max()
    other = min(pool.ids[r] for r in cand[in_story & (sims == top)].tolist())
    return Assignment(int(story[pick]), int(first[pick]), other, float(top))


class _Nibbles:
    """The low 4 bits of every signature position, packed 16 positions to a 64-bit
    word: a pair's count of equal fingerprints is an upper bound of its count of equal positions
    (equal values have equal low bits), computed on a quarter of the signature's bytes."""

    #: The lowest bit of every 4-bit field of a word.
    _FIELD_LOW_BITS = np.uint64(0x1111111111111111)

    def __init__(self, sig: np.ndarray) -> None:
        rows, width = sig.shape
        padded = -(-width // 16) * 16  # 16 fields to a word
        fields = np.zeros((rows, padded), dtype=np.uint8)
        fields[:, :width] = sig & 0xF
        packed = fields[:, 0::2] | (fields[:, 1::2] << 4)  # two fields to a byte
        words = packed.view(np.uint64)  # eight bytes to a word
        #: One contiguous array per word (``words[k][row]``): a pair's words are gathered
        #: column by column into short contiguous arrays.
        self.words: np.ndarray = np.ascontiguousarray(words.T)
        self.width = width

    def agreement_bound(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """For each pair of rows ``(a[k], b[k])``: how many positions have equal fingerprints
        (at least their count of equal signature values)."""
        one, two = np.uint64(1), np.uint64(2)
        differ = np.zeros(a.size, dtype=np.int64)
        merged = np.zeros(a.size, dtype=np.uint64)
        x = np.empty(a.size, dtype=np.uint64)
        y = np.empty(a.size, dtype=np.uint64)
        n_words = self.words.shape[0]
        for k, column in enumerate(self.words):
            # pragma: no mutate start (equivalent: the indices are rows, always in range, so
            # another mode gives the same values; "clip" only spares numpy's check and buffer)
            np.take(column, a, out=x, mode="clip")
            np.take(column, b, out=y, mode="clip")
            # pragma: no mutate end
            x ^= y
            # A field's low bit set when any of its bits differ (padding fields: 0 ^ 0).
            np.right_shift(x, one, out=y)
            x |= y
            np.right_shift(x, two, out=y)
            x |= y
            x &= self._FIELD_LOW_BITS
            # Four words' flags sit at distinct bits once shifted by 0..3: counted together.
            np.left_shift(x, np.uint64(k % 4), out=x)
            merged |= x
            # equivalent with "!=" (seed 1230): counting after more words counts the same bits
            if k % 4 == 3 or k == n_words - 1:  # pragma: no mutate
                differ += np.bitwise_count(merged)
                merged[:] = 0
        bound: np.ndarray = self.width - differ
        return bound


class _GroupIndex:
    """Pool rows grouped by ``(band, bucket)`` key; for each row and band, how many rows of its
    group come before it (the candidates known when it is assigned)."""

    def __init__(self, keys: np.ndarray, known: np.ndarray) -> None:
        rows, bands = keys.shape
        mixed = keys ^ (np.arange(bands, dtype=np.int64) << _BAND_SHIFT)
        entries = np.flatnonzero(known.ravel())
        entry_keys = mixed.ravel()[entries]
        order = np.argsort(entry_keys, kind="stable")  # stable: pool order inside a group
        sorted_keys = entry_keys[order]
        self.rows = (entries // bands)[order]
        starts = np.ones(sorted_keys.size, dtype=bool)
        starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
        group_start = np.flatnonzero(starts)[np.cumsum(starts) - 1]
        self.start = np.zeros(rows * bands, dtype=np.int64)
        self.start[entries[order]] = group_start
        self.start = self.start.reshape(rows, bands)
        # A group holds one (band, bucket) unless two bands' mixed keys collide: then its
        # members must be checked for the exact key they share.
        sorted_entries = entries[order]
        same = (sorted_entries % bands == (sorted_entries % bands)[group_start]) & (
            keys.ravel()[sorted_entries] == keys.ravel()[sorted_entries[group_start]]
        )
        self.mixed = not bool(same.all())
        prefix = np.zeros(rows * bands, dtype=np.int64)
        prefix[entries[order]] = np.arange(sorted_keys.size) - group_start
        self.prefix = prefix.reshape(rows, bands)

    def candidates(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(owner, candidate)``: for each of ``rows`` (owner = its position in ``rows``), the
        rows in front of it in each of its groups (a candidate once per shared group)."""
        lengths = self.prefix[rows].ravel()
        starts = self.start[rows].ravel()
        total = int(lengths.sum())
        owner = np.repeat(np.repeat(np.arange(rows.size), self.prefix.shape[1]), lengths)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        found: np.ndarray = self.rows[offsets]
        return owner, found
