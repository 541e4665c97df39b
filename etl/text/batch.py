"""The text stage over a whole batch: ingested articles in, article figures and term rows out."""

from __future__ import annotations

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


def process_batch(ingested: pa.Table) -> TextBatch:
    """Clean, split and count every article of ``ingested`` (the staged ``ingested`` table)."""
    out = TextBatch()
    kinds: dict[str, str] = {}
    terms = out.terms
    for row in ingested.to_pylist():
        figures = analyse(row["body"])
        if not figures.clean_text:
            out.quarantine.append(
                {
                    "path": row["path"],
                    "sha256": row["article_id"],
                    "record": None,
                    "stage": "text",
                    "reason": "no_text",
                    "detail": "no text left after cleaning (only whitespace or control characters)",
                }
            )
            continue
        article_terms = figures.terms
        n = len(article_terms.terms)
        terms["article_id"].extend([row["article_id"]] * n)
        terms["term"].extend(article_terms.terms)
        terms["count"].extend(article_terms.counts)
        terms["first_offset"].extend(article_terms.first_offsets)
        for term in article_terms.terms:
            kind = kinds.get(term)
            if kind is None:
                kind = kinds[term] = token_kind(term)
            terms["kind"].append(kind)
        record = {key: value for key, value in row.items() if key != "body"}
        record.update(
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
    return out
