"""Language identification per article with py3langid (its model ships in the wheel).

py3langid is a maintained fork of langid.py: a naive Bayes model over byte n-grams (here
restricted to its ISO 639-1 languages, see :data:`EXCLUDED`), loaded from the package itself, so
nothing is downloaded at run time. Confidence is the normalised posterior probability of the
chosen language (0..1). Only the first :data:`SAMPLE_CHARS` characters are scored: a news
article's language is settled long before that, and it bounds the cost per article.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from babel import Locale
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
from scipy.sparse import csr_matrix

from etl.cache import cached_arrays

#: Characters of cleaned text scored per article.
SAMPLE_CHARS = 1000
#: Code for text without letters (numbers, symbols only): no language can be told.
UNDETERMINED = "und"


class Language(NamedTuple):
    """An ISO 639-1 code (or ``und``) and the model's probability for it."""

    code: str
    confidence: float


#: Model classes never chosen: an artificial language that wins on terse wire copy (tables,
#: all-caps headlines). Three-letter codes (regional varieties such as ``pcm``, ``zxx``) are
#: left out too, so every answer is an ISO 639-1 code.
EXCLUDED = frozenset({"vo"})


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    keep = [c for c in identifier.nb_classes if len(c) == 2 and c not in EXCLUDED]
    identifier.set_languages(sorted(set(keep)))
    return identifier


class _Model(NamedTuple):
    """py3langid's model (restricted as in :func:`_identifier`) as the arrays the bulk walk and
    scoring use."""

    next_move: np.ndarray  # int32: the byte automaton's transitions
    row_base: np.ndarray  # int32: each state's first transition (row << 8)
    output: np.ndarray  # int32: the feature a state emits, or -1
    table: np.ndarray  # float32, row-major: feature x language log-probabilities
    prior: np.ndarray  # float32: each language's prior
    classes: np.ndarray  # str: the language codes, in the table's column order
    aliases: np.ndarray  # int64 (k, 2): (first, duplicate) columns of a code listed twice


@lru_cache(maxsize=1)
def _model() -> _Model:
    """The model's arrays, from the cross-process cache (:mod:`etl.cache`) when they are there.

    Building them means decompressing py3langid's model (~1.3 s) and converting its tables
    (~0.4 s), which every text task process would pay; a cached copy loads in milliseconds.
    The cache entry is keyed by the model file's content and the languages left out.
    """
    model_file = MODEL_DIR / MODEL_FILE
    inputs = {
        "model_sha256": hashlib.sha256(model_file.read_bytes()).hexdigest(),
        "excluded": sorted(EXCLUDED),
        "layout": 2,
    }
    return _Model(**cached_arrays("py3langid-model", inputs, _model_arrays))


def _model_arrays() -> dict[str, np.ndarray]:
    identifier = _identifier()
    return {
        # int32 halves the cache entry; states, transitions and features all fit
        "next_move": _int32(identifier.tk_nextmove),
        "row_base": _int32(identifier._rowbase),
        "output": _int32(identifier.tk_output),
        # float32 (it ships as float16, which numpy multiplies without BLAS), row-major for the
        # sparse product; the scores come out the same (a test compares with py3langid)
        "table": np.ascontiguousarray(identifier.nb_ptc, dtype=np.float32),
        "prior": np.asarray(identifier.nb_pc, dtype=np.float32),
        "classes": np.asarray([str(c) for c in identifier.nb_classes]),
        "aliases": np.asarray(identifier._alias_pairs, dtype=np.int64).reshape(-1, 2),
    }


def _int32(values: object) -> np.ndarray:
    wide = np.asarray(values, dtype=np.int64)
    narrow = wide.astype(np.int32)
    if not np.array_equal(narrow, wide):  # pragma: no cover - a model that outgrew 32 bits
        raise ValueError("py3langid's automaton no longer fits in 32-bit integers")
    return narrow


def known_languages() -> list[str]:
    """Every code :func:`detect_language` can return (ISO 639-1 codes and ``und``), sorted."""
    codes = {str(c) for c in _model().classes if len(c) == 2 and c not in EXCLUDED}
    return sorted({*codes, UNDETERMINED})


def detect_language(text: str) -> Language:
    """The language of cleaned ``text`` with its probability; ``und`` when it has no letters."""
    return detect_languages([text])[0]


def detect_languages(texts: Sequence[str]) -> list[Language]:
    """:func:`detect_language` of many texts, with py3langid's byte automaton run in bulk.

    py3langid walks a DFA over each text's bytes in a Python loop (about 1 µs a byte); here one
    numpy step advances every text of the batch by a byte, so the walk costs a few numpy calls
    per byte position instead of a Python iteration per byte per text. The features each text
    visits are then scored with py3langid's formula, for the whole batch in one sparse product
    (float32, summed in another order than py3langid's float16 loop), and the answers, rounded
    to four decimals, equal ``LanguageIdentifier.classify``'s (a test checks it on the corpora).
    """
    model = _model()
    samples = [text[:SAMPLE_CHARS] for text in texts]
    lettered = [i for i, sample in enumerate(samples) if any(ch.isalpha() for ch in sample)]
    out = [Language(UNDETERMINED, 0.0)] * len(texts)
    encoded = [LanguageIdentifier._encode(samples[i]) for i in lettered]
    text, feature = _visits(model, encoded)
    n_bytes = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    answers = _classify(model, text, feature, n_bytes)
    for i, (code, prob) in zip(lettered, answers, strict=True):
        out[i] = Language(code, round(prob, 4))
    return out


def _visits(model: _Model, encoded: Sequence[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Every feature the DFA walk of each text emits: (text index, feature) pairs."""
    next_move, row_base, output = model.next_move, model.row_base, model.output
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
    order = np.argsort(-lengths, kind="stable")  # longest first: the active texts are a prefix
    width = max(map(len, encoded), default=0)
    grid = np.zeros((len(encoded), width), dtype=np.uint8)
    for row, i in enumerate(order.tolist()):
        grid[row, : lengths[i]] = np.frombuffer(encoded[i], dtype=np.uint8)
    # active[j]: how many texts (a prefix, longest first) have a byte at position j
    active = np.searchsorted(-lengths[order], -np.arange(width), side="left")
    state = np.zeros(len(encoded), dtype=np.int64)
    emitted_text: list[np.ndarray] = []
    emitted_feature: list[np.ndarray] = []
    for j in range(width):
        k = int(active[j])
        state[:k] = next_move[row_base[state[:k]] + grid[:k, j]]
        feature = output[state[:k]]
        hit = np.flatnonzero(feature >= 0)
        emitted_text.append(order[hit])
        emitted_feature.append(feature[hit])
    if not emitted_text:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(emitted_text), np.concatenate(emitted_feature)


def _classify(
    model: _Model, text: np.ndarray, feature: np.ndarray, n_bytes: np.ndarray
) -> list[tuple[str, float]]:
    """py3langid's ``classify`` (normalised probabilities) of every text at once.

    Each text's score vector is the log1p of its feature counts times the model's table: one
    sparse (texts x features) by dense (features x languages) product for the whole batch, in
    float32 as before, instead of a gather and a product per text.
    """
    n_texts, table = len(n_bytes), model.table
    visits = csr_matrix(
        (np.ones(len(feature), dtype=np.float32), (text, feature)),
        shape=(n_texts, table.shape[0]),
    )
    visits.sum_duplicates()
    np.log1p(visits.data, out=visits.data)
    scores = np.asarray(visits @ table, dtype=np.float32) + model.prior
    scores[np.diff(visits.indptr) == 0] = 0.0  # no feature at all: py3langid scores zeros
    scores *= (1.0 / np.sqrt(np.maximum(n_bytes, 1))).astype(np.float32)[:, None]
    np.exp(scores - scores.max(axis=1, keepdims=True), out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    for i, j in model.aliases.tolist():
        scores[:, i] += scores[:, j]
        scores[:, j] = 0.0
    best = scores.argmax(axis=1)
    probs = scores[np.arange(n_texts), best]
    classes = model.classes
    return [(str(classes[b]), float(p)) for b, p in zip(best.tolist(), probs.tolist(), strict=True)]


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """The English name of an ISO 639-1 language code (``und`` → ``Undetermined``): CLDR's name
    of the language itself, never of a locale (``Locale.parse('tl')`` is the locale ``fil_PH``,
    whose name, "Filipino (Philippines)", carries a territory; ``tl`` is Tagalog); the code
    itself when CLDR names no such language."""
    if code == UNDETERMINED:
        return "Undetermined"
    return str(Locale("en").languages.get(code, code))
