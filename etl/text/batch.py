"""The text stage over a whole batch: ingested articles in, article figures and term rows out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from etl import TEXT_VERSION
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
        )
        out.articles.append(record)
        if article_id in seen:
            continue
        seen.add(article_id)
        terms["article_id"].extend([article_id] * n)
        terms["term"].extend(article_terms.terms)
        terms["count"].extend(article_terms.counts)
        terms["first_offset"].extend(article_terms.first_offsets)
        for term in article_terms.terms:
            kind = kinds.get(term)
            if kind is None:
                kind = kinds[term] = token_kind(term)
            terms["kind"].append(kind)
    return out
