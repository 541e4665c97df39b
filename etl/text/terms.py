"""From cleaned text to the per-article figures and term rows that the warehouse stores.

The work is done a batch at a time (:func:`count_batch`): the lowercased texts are tokenized by
a compiled automaton (:mod:`etl.text.compiled_scan`), offsets and vocabulary ids come in bulk
(:func:`etl.text.tokenize.scan_from_tokens`), and a stable sort by term id counts the
``(text, term)`` pairs and finds each one's first offset. No Python code runs per token; per
distinct token, a process-wide memo gives its kind and key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, chain
from operator import itemgetter

import numpy as np
import pyarrow as pa

from etl.load.keys import stable_id
from etl.memo import Memo
from etl.text._marks import MARKS
from etl.text.clean import PARAGRAPH_SEPARATOR, paragraphs
from etl.text.compiled_scan import TOKEN_LISTS, compiled_token_lists, needs_re
from etl.text.sentences import sentence_count
from etl.text.tokenize import (
    TERM_KINDS,
    TOKEN_KINDS,
    TokenScan,
    fold_scan,
    lowercase_form,
    lowercase_tokens,
    norm_parts,
    scan_from_tokens,
    token_kind,
    vocabulary_ids,
)


def is_term(token: str) -> bool:
    """True for tokens that count as terms (words, numbers, URLs, e-mails), not punct/symbols.

    Punctuation and symbol tokens are ``...``, some single characters (those that are not word
    characters, combining marks with no letter before them among them), and a symbol with the
    marks after it (``❤️``: the emoji and its presentation selector).
    """
    if len(token) > 1:
        trailing_marks = _MARKS_ONLY.fullmatch(token, 1) is not None
        return token != "..." and not (trailing_marks and token_kind(token[0]) not in TERM_KINDS)
    return token_kind(token) in TERM_KINDS


_MARKS_ONLY = re.compile(f"[{MARKS}]+")


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
    and then by first occurrence.
    """

    n_tokens: list[int]
    terms: pa.Table
    vocabulary: list[str]  # the batch's distinct tokens
    term_index: np.ndarray  # for each row of ``terms``, its term's index in ``vocabulary``
    token_ids: np.ndarray  # every token's index in ``vocabulary``, text by text
    is_term: np.ndarray  # for each vocabulary entry, whether it is a term
    keys: np.ndarray  # for each vocabulary entry, its stable key (etl.load.keys.stable_id)

    def word_ids(self, text: int) -> np.ndarray:
        """Vocabulary indices of the term tokens of text ``text``, in order (for shingles)."""
        start = sum(self.n_tokens[:text])
        ids: np.ndarray = self.token_ids[start : start + self.n_tokens[text]]
        words: np.ndarray = ids[self.is_term[ids]]
        return words

    def term_keys(self) -> np.ndarray:
        """The stable key of each row's term (:func:`etl.load.keys.stable_id`); each distinct
        term is hashed once per process."""
        keys: np.ndarray = self.keys[self.term_index]
        return keys

    def words(self, text: int) -> list[str]:
        """The normal forms of the term tokens of text ``text``, in order (for shingles)."""
        return [self.vocabulary[i] for i in self.word_ids(text).tolist()]


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
    bulk = [i for i, low in enumerate(lowered) if low is not None]
    scans: list[tuple[list[int], TokenScan]] = []
    if bulk:
        bulk_lowered = [low for low in lowered if low is not None]
        scans.append((bulk, scan_from_tokens(bulk_lowered, _token_lists(bulk_lowered))))
    slow = [i for i, low in enumerate(lowered) if low is None]
    if slow:
        scans.append((slow, _scan_one_by_one([texts[i] for i in slow])))
    if len(scans) == 1 and scans[0][0] == list(range(len(texts))):
        scan = scans[0][1]
    else:
        scan = _merge(scans)
    scan = fold_scan(scan)  # it’s and it's: one vocabulary entry, one term
    # Each distinct token's kind and key; punctuation and symbols are dropped before counting.
    vocabulary = scan.vocabulary
    facts = _TOKEN_FACTS(vocabulary)
    kind_codes = np.fromiter(map(itemgetter(0), facts), dtype=np.int8, count=len(facts))
    keys = np.fromiter(map(itemgetter(1), facts), dtype=np.int64, count=len(facts))
    is_term = _IS_TERM_KIND[kind_codes]
    keep = is_term[scan.ids]
    text, ids, starts = scan.text[keep], scan.ids[keep], scan.starts[keep]
    rows, counts = _first_occurrences(text, ids)
    term_index = ids[rows]
    table = pa.table(
        {
            "text": pa.array(text[rows].astype(np.int32)),
            "term": scan.terms.take(pa.array(term_index)).cast(pa.string()),
            "kind": _KIND_NAMES.take(pa.array(kind_codes[term_index])),
            "count": pa.array(counts.astype(np.int32)),
            "first_offset": pa.array(starts[rows].astype(np.int32)),
        },
        schema=TERMS_SCHEMA,
    )
    n_tokens = np.bincount(scan.text, minlength=len(texts)).tolist()
    return BatchCounts(n_tokens, table, vocabulary, term_index, scan.ids, is_term, keys)


def _first_occurrences(text: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions where each distinct ``(text, id)`` pair first occurs, in order, and how many
    times each occurs, for tokens that come text by text.

    A stable sort by id (numpy's radix sort, for ids below 2**16) brings each id's tokens
    together still in order, so the occurrences of a pair are adjacent: no hash table needed.
    """
    n = len(ids)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    narrow = ids.astype(np.uint16 if ids.max() < 1 << 16 else np.uint32)
    order = np.argsort(narrow, kind="stable")
    sorted_ids, sorted_text = narrow[order], text[order]
    new_pair = np.ones(n, dtype=bool)
    new_pair[1:] = (sorted_ids[1:] != sorted_ids[:-1]) | (sorted_text[1:] != sorted_text[:-1])
    pair_starts = np.flatnonzero(new_pair)
    counts = np.zeros(n, dtype=np.int64)
    counts[order[pair_starts]] = np.diff(pair_starts, append=n)
    rows = np.flatnonzero(counts)
    return rows, counts[rows]


def _token_facts(token: str) -> tuple[int, int]:
    """A token's kind (its index in :data:`TOKEN_KINDS`) and its stable key."""
    return TOKEN_KINDS.index(token_kind(token)), stable_id(token)


#: :func:`_token_facts` of each distinct token, worked out once per process.
_TOKEN_FACTS: Memo[tuple[int, int]] = Memo(_token_facts, limit=1 << 20)
_IS_TERM_KIND = np.array([kind in TERM_KINDS for kind in TOKEN_KINDS])
_KIND_NAMES = pa.array(TOKEN_KINDS, pa.string())


def _token_lists(lowered: Sequence[str]) -> pa.Array:
    """Each lowercase text's tokens, one list per text, in order: by the compiled automaton
    (ASCII texts apart from the others), except the few texts it must leave to ``re``."""
    risky = needs_re(lowered).tolist()
    groups = [
        [i for i, low in enumerate(lowered) if not risky[i] and low.isascii()],
        [i for i, low in enumerate(lowered) if not risky[i] and not low.isascii()],
    ]
    parts = [compiled_token_lists([lowered[i] for i in group]) for group in groups if group]
    by_re = [i for i in range(len(lowered)) if risky[i]]
    if by_re:
        groups.append(by_re)
        parts.append(pa.array([lowercase_tokens(lowered[i]) for i in by_re], TOKEN_LISTS))
    lists = parts[0] if len(parts) == 1 else pa.concat_arrays(parts)
    order = np.concatenate([np.asarray(group, dtype=np.int64) for group in groups])
    if len(order) > 1 and np.any(np.diff(order) < 0):
        lists = lists.take(pa.array(np.argsort(order)))
    return lists


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
        return TokenScan(empty, [], pa.array([], pa.string()), empty, empty)
    text = np.concatenate(text_index)
    order = np.argsort(text, kind="stable")  # text by text, tokens in order within each
    return TokenScan(
        np.concatenate(ids)[order],
        vocabulary,
        pa.array(vocabulary, pa.string()),
        text[order],
        np.concatenate(starts)[order],
    )


def _scan_one_by_one(texts: Sequence[str]) -> TokenScan:
    """The :class:`TokenScan` of texts whose lowercase moves offsets, split one by one."""
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
        ids,
        vocabulary,
        pa.array(vocabulary, pa.string()),
        np.asarray(text_index, np.int64),
        np.asarray(starts, np.int64),
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
