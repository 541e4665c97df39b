"""The text stage over a whole batch: ingested articles in, article figures and term rows out.

Per article: clean, sentences, tokens and term counts (:func:`etl.text.terms.analyse`), the
language with its confidence, and a MinHash signature for near-duplicate detection. Per batch:
stems and stopword flags, computed once per distinct (language, term) pair.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from etl import TEXT_VERSION
from etl.text.language import detect_language, language_name
from etl.text.minhash import band_keys, signature
from etl.text.stems import stem_terms, stopword_flags
from etl.text.terms import analyse
from etl.text.tokenize import token_kind


@dataclass
class TextBatch:
    """Columns for the staged ``articles`` and ``terms`` tables, plus quarantine rows."""

    articles: list[dict[str, Any]] = field(default_factory=list)
    terms: dict[str, list[Any]] = field(
        default_factory=lambda: {
            "article_id": [],
            "term": [],
            "kind": [],
            "count": [],
            "first_offset": [],
            "stem": [],
            "is_stopword": [],
        }
    )
    quarantine: list[dict[str, Any]] = field(default_factory=list)


def article_id_of(clean_text: str) -> str:
    """An article's identity: the SHA-256 (hex) of its cleaned text, whatever format it came in."""
    return hashlib.sha256(clean_text.encode("utf-8")).hexdigest()


def process_batch(ingested: pa.Table) -> TextBatch:
    """Clean, split and count every article of ``ingested`` (the staged ``ingested`` table).

    Each article gets its content identity (:func:`article_id_of`). A repeat of an article
    already seen in the batch keeps its row (the loader counts it as a duplicate) but adds no
    term rows.
    """
    out = TextBatch()
    kinds: dict[str, str] = {}
    terms = out.terms
    seen: set[str] = set()
    languages: list[str] = []  # language of each term row, for the stems below
    for row in ingested.to_pylist():
        figures = analyse(row["body"])
        if not figures.clean_text:
            out.quarantine.append(
                {
                    "path": row["path"],
                    "sha256": row["file_sha256"],
                    "record": row["record"],
                    "stage": "text",
                    "reason": "no_text",
                    "detail": "no text left after cleaning (only whitespace or control characters)",
                }
            )
            continue
        article_id = article_id_of(figures.clean_text)
        language = detect_language(figures.clean_text)
        article_terms = figures.terms
        n = len(article_terms.terms)
        record = {key: value for key, value in row.items() if key != "body"}
        record.update(
            article_id=article_id,
            clean_text=figures.clean_text,
            n_chars=len(figures.clean_text),
            n_paragraphs=figures.n_paragraphs,
            n_sentences=figures.n_sentences,
            n_tokens=figures.n_tokens,
            n_terms=n,
            replacement_ratio=figures.clean_text.count("\ufffd") / len(figures.clean_text),
            text_version=TEXT_VERSION,
            language_code=language.code,
            language_name=language_name(language.code),
            language_confidence=language.confidence,
            minhash=(sig := signature(figures.words)),
            lsh_bands=band_keys(sig),
        )
        out.articles.append(record)
        if article_id in seen:
            continue
        seen.add(article_id)
        terms["article_id"].extend([article_id] * n)
        terms["term"].extend(article_terms.terms)
        terms["count"].extend(article_terms.counts)
        terms["first_offset"].extend(article_terms.first_offsets)
        languages.extend([language.code] * n)
        for term in article_terms.terms:
            kind = kinds.get(term)
            if kind is None:
                kind = kinds[term] = token_kind(term)
            terms["kind"].append(kind)
    terms["stem"], terms["is_stopword"] = normal_forms(terms["term"], terms["kind"], languages)
    return out


def normal_forms(
    term_rows: list[str], kind_rows: list[str], language_rows: list[str]
) -> tuple[list[str], list[bool]]:
    """Stem and stopword flag of each term row, computed once per distinct (language, term)."""
    by_language: dict[str, dict[str, str]] = {}
    for term, kind, language in zip(term_rows, kind_rows, language_rows, strict=True):
        by_language.setdefault(language, {})[term] = kind
    stems: dict[tuple[str, str], str] = {}
    stops: dict[tuple[str, str], bool] = {}
    for language, term_kinds in by_language.items():
        distinct = list(term_kinds)
        for term, stem, stop in zip(
            distinct,
            stem_terms(language, distinct, list(term_kinds.values())),
            stopword_flags(language, distinct),
            strict=True,
        ):
            stems[language, term] = stem
            stops[language, term] = stop
    keys = list(zip(language_rows, term_rows, strict=True))
    return [stems[k] for k in keys], [stops[k] for k in keys]
