"""From cleaned text to the per-article figures and term rows that the warehouse stores.

The work is done a batch at a time (:func:`count_batch`): the lowercased texts are tokenized by
one compiled regex pass (:func:`etl.text.tokenize.scan_lowercase`) with offsets computed in bulk
by numpy, and Arrow's hash aggregation counts the ``(text, term)`` pairs and keeps each term's
first offset. Python touches each token only inside C-implemented calls (``re.findall``,
``map(len, …)``); per distinct term it looks up the token kind once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain, compress, filterfalse

import numpy as np
import pyarrow as pa

from etl.load.keys import stable_ids
from etl.text.clean import PARAGRAPH_SEPARATOR, paragraphs
from etl.text.sentences import sentence_count
from etl.text.tokenize import (
    TERM_KINDS,
    TokenScan,
    lowercase_form,
    norm_parts,
    scan_lowercase,
    token_kind,
    token_kinds,
    vocabulary_ids,
)


def is_term(token: str) -> bool:
    """True for tokens that count as terms (words, numbers, URLs, e-mails), not punct/symbols.

    Punctuation and symbol tokens are exactly ``...`` and some single characters: those that are
    neither word characters nor combining marks (a lone mark is a word token).
    """
    if len(token) > 1:
        return token != "..."
    return token_kind(token) in TERM_KINDS


@dataclass(frozen=True, slots=True)
class TermColumns:
    """One article's terms as parallel lists, in order of first occurrence."""

    terms: list[str]
    counts: list[int]
    first_offsets: list[int]


@dataclass(frozen=True)
class BatchCounts:
    """Token and term figures of a batch of cleaned texts.

    ``terms`` has one row per (text, distinct term) with columns ``text`` (the text's index in
    the batch), ``term`` (normal form), ``kind``, ``count`` and ``first_offset``, ordered by text
    and then by first occurrence. ``tokens`` holds every token's normal form, text by text.
    """

    n_tokens: list[int]
    terms: pa.Table
    tokens: list[str]
    not_terms: frozenset[str]  # the distinct tokens of the batch that are not terms
    vocabulary: list[str]  # the batch's distinct tokens
    term_index: np.ndarray  # for each row of ``terms``, its term's index in ``vocabulary``
    token_ids: np.ndarray  # every token's index in ``vocabulary``, text by text
    is_term: np.ndarray  # for each vocabulary entry, whether it is a term

    def word_ids(self, text: int) -> np.ndarray:
        """Vocabulary indices of the term tokens of text ``text``, in order (for shingles)."""
        start = sum(self.n_tokens[:text])
        ids: np.ndarray = self.token_ids[start : start + self.n_tokens[text]]
        words: np.ndarray = ids[self.is_term[ids]]
        return words

    def term_keys(self) -> np.ndarray:
        """The stable key of each row's term (:func:`etl.load.keys.stable_id`), hashing each
        distinct term once (and only once per process: :func:`etl.load.keys.stable_ids`)."""
        keys: np.ndarray = stable_ids(self.vocabulary)[self.term_index]
        return keys

    def words(self, text: int) -> list[str]:
        """The normal forms of the term tokens of text ``text``, in order (for shingles)."""
        start = sum(self.n_tokens[:text])
        tokens = self.tokens[start : start + self.n_tokens[text]]
        return list(filterfalse(self.not_terms.__contains__, tokens))


TERMS_SCHEMA = pa.schema(
    [
        ("text", pa.int32()),
        ("term", pa.string()),
        ("kind", pa.string()),
        ("count", pa.int32()),
        ("first_offset", pa.int32()),
    ]
)


def count_batch(texts: Sequence[str]) -> BatchCounts:
    """Tokenize every cleaned text of ``texts`` and count its terms, in bulk (see the module).

    Texts whose lowercase keeps every offset (almost all) are scanned together, ASCII ones apart
    from the others (their pattern is simpler, hence faster); the rest are split one by one.
    """
    lowered = [lowercase_form(t) for t in texts]
    scans: list[tuple[list[int], TokenScan]] = []
    for ascii_group in (True, False):
        group = [(i, low) for i, low in enumerate(lowered) if low is not None]
        group = [(i, low) for i, low in group if low.isascii() is ascii_group]
        if group:
            scans.append(([i for i, _ in group], scan_lowercase([low for _, low in group])))
    slow = [i for i, low in enumerate(lowered) if low is None]
    if slow:
        scans.append((slow, _scan_one_by_one([texts[i] for i in slow])))
    if len(scans) == 1 and scans[0][0] == list(range(len(texts))):
        scan, in_text_order = scans[0][1], True
    else:
        scan, in_text_order = _merge(scans), False
    # (text, term) is one integer key; punctuation and symbol tokens are dropped before counting.
    vocabulary = scan.vocabulary
    kinds = token_kinds(vocabulary)
    is_term = np.fromiter(map(TERM_KINDS.__contains__, kinds), dtype=bool, count=len(kinds))
    keep = is_term[scan.ids]
    grouped = (
        pa.table(
            {
                "key": (scan.text[keep] << 32) | scan.ids[keep],
                "offset": scan.starts[keep].astype(np.int32),
            }
        )
        .group_by("key", use_threads=False)
        .aggregate([("offset", "min"), ("offset", "count")])
    )
    group_key = grouped["key"].to_numpy()
    term_index = group_key & 0xFFFFFFFF
    ids = pa.array(term_index)
    table = pa.table(
        {
            "text": pa.array((group_key >> 32).astype(np.int32)),
            "term": pa.array(vocabulary, type=pa.string()).take(ids),
            "kind": pa.array(kinds, type=pa.string()).take(ids),
            "count": grouped["offset_count"].cast(pa.int32()),
            "first_offset": grouped["offset_min"],
        },
        schema=TERMS_SCHEMA,
    )
    text_col = table["text"].to_numpy()
    first_col = table["first_offset"].to_numpy()
    in_order = np.all(
        (np.diff(text_col) > 0) | ((np.diff(text_col) == 0) & (np.diff(first_col) > 0))
    )
    if not in_order:  # Arrow emits groups in order of first appearance, but do not rely on it
        order = np.lexsort((first_col, text_col))
        table, term_index = table.take(pa.array(order)), term_index[order]
    n_tokens = np.bincount(scan.text, minlength=len(texts)).tolist()
    not_terms = frozenset(compress(vocabulary, (~is_term).tolist()))
    tokens = scan.norms if in_text_order else list(map(vocabulary.__getitem__, scan.ids.tolist()))
    return BatchCounts(
        n_tokens, table, tokens, not_terms, vocabulary, term_index, scan.ids, is_term
    )


def _merge(scans: Sequence[tuple[list[int], TokenScan]]) -> TokenScan:
    """One scan, text by text, of the texts of several scans (each of a subset of them)."""
    vocabulary = list(dict.fromkeys(chain.from_iterable(s.vocabulary for _, s in scans)))
    position = {term: i for i, term in enumerate(vocabulary)}
    text_index, ids, starts = [], [], []
    for members, scan in scans:
        remap = np.fromiter(map(position.__getitem__, scan.vocabulary), np.int64)
        text_index.append(np.asarray(members, dtype=np.int64)[scan.text])
        ids.append(remap[scan.ids])
        starts.append(scan.starts)
    if not scans:
        empty = np.zeros(0, dtype=np.int64)
        return TokenScan([], empty, [], empty, empty)
    text = np.concatenate(text_index)
    order = np.argsort(text, kind="stable")  # text by text, tokens in order within each
    return TokenScan(
        [], np.concatenate(ids)[order], vocabulary, text[order], np.concatenate(starts)[order]
    )


def _scan_one_by_one(texts: Sequence[str]) -> TokenScan:
    """:func:`etl.text.tokenize.scan_lowercase` for texts whose lowercase moves offsets."""
    norms: list[str] = []
    text_index: list[int] = []
    starts: list[int] = []
    for i, text in enumerate(texts):
        parts, text_norms = norm_parts(text)
        norms += text_norms
        text_index += [i] * len(text_norms)
        starts += list(accumulate(map(len, parts)))[0 : 2 * len(text_norms) : 2]
    vocabulary, ids, _ = vocabulary_ids(norms)
    return TokenScan(
        norms, ids, vocabulary, np.asarray(text_index, np.int64), np.asarray(starts, np.int64)
    )


def count_terms(text: str) -> tuple[int, TermColumns]:
    """Number of tokens in cleaned ``text``, and its terms with counts and first offsets."""
    counted = count_batch([text])
    return counted.n_tokens[0], _columns(counted.terms)


def _columns(terms: pa.Table) -> TermColumns:
    return TermColumns(
        terms["term"].to_pylist(), terms["count"].to_pylist(), terms["first_offset"].to_pylist()
    )


@dataclass(frozen=True)
class TextFigures:
    """Everything the text stage derives from one article."""

    clean_text: str
    n_paragraphs: int
    n_sentences: int
    n_tokens: int
    terms: TermColumns
    words: list[str]  # normal forms of the term tokens, in text order (for shingles)


def analyse(body: str) -> TextFigures:
    """Clean ``body`` and count its paragraphs, sentences, tokens and terms (one article)."""
    paras = paragraphs(body)
    text = PARAGRAPH_SEPARATOR.join(paras)
    counted = count_batch([text])
    return TextFigures(
        text,
        len(paras),
        sentence_count(text),
        counted.n_tokens[0],
        _columns(counted.terms),
        counted.words(0),
    )
