"""From cleaned text to the per-article figures and term rows that the warehouse stores."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from etl.text.clean import PARAGRAPH_SEPARATOR, paragraphs
from etl.text.sentences import sentence_spans
from etl.text.tokenize import TERM_KINDS, token_columns, token_kind


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
    """One article's terms as parallel lists."""

    terms: list[str]
    counts: list[int]
    first_offsets: list[int]


@dataclass(frozen=True)
class TextFigures:
    """Everything the text stage derives from one article."""

    clean_text: str
    n_paragraphs: int
    n_sentences: int
    n_tokens: int
    terms: TermColumns
    words: list[str]  # normal forms of the term tokens, in text order (for shingles)


def count_terms(text: str) -> tuple[int, TermColumns]:
    """Number of tokens in cleaned ``text``, and its terms with counts and first offsets."""
    n_tokens, terms, _ = _count(text)
    return n_tokens, terms


def _count(text: str) -> tuple[int, TermColumns, list[str]]:
    cols = token_columns(text)
    norms = cols.norms
    counts = Counter(norms)
    # dict() keeps the last value per key: feed positions backwards to keep the first occurrence.
    first_index = dict(zip(reversed(norms), range(len(norms) - 1, -1, -1), strict=True))
    terms = [norm for norm in counts if is_term(norm)]
    starts = cols.starts
    term_set = set(terms)
    return (
        len(norms),
        TermColumns(terms, [counts[t] for t in terms], [starts[first_index[t]] for t in terms]),
        [n for n in norms if n in term_set],
    )


def analyse(body: str) -> TextFigures:
    """Clean ``body`` and count its paragraphs, sentences, tokens and terms."""
    paras = paragraphs(body)
    text = PARAGRAPH_SEPARATOR.join(paras)
    n_tokens, terms, words = _count(text)
    return TextFigures(text, len(paras), len(sentence_spans(text)), n_tokens, terms, words)
