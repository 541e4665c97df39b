"""The article length limit holds on the cleaned text too: ingest checks the text as it arrived,
and Unicode normalisation (NFKC) can lengthen it (U+FDFA, one ligature, is 18 characters), so a
file under the limit reached the text stage 18 times over it and was tokenized whole (probe).
Expected lengths are counted here from the characters written."""

from __future__ import annotations

import pyarrow as pa

from etl.load.staging import SCHEMAS
from etl.text.batch import process_batch

LIGATURE = "\ufdfa"  # ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM: 18 characters under NFKC


def _ingested(*bodies: str) -> pa.Table:
    rows = []
    for i, body in enumerate(bodies):
        row = dict.fromkeys(SCHEMAS["ingested"].names)
        row.update(path=f"{i}.txt", file_sha256=f"{i:064d}", body=body, raw_text=body)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=SCHEMAS["ingested"])


def test_an_article_over_the_limit_once_cleaned_is_quarantined_too_long() -> None:
    grown = " ".join([LIGATURE] * 10)  # 19 characters as it arrives
    fits = "Markets rose on Monday after the central bank held its rates."  # 62 characters
    out = process_batch(_ingested(grown, fits), max_chars=100)
    assert [a["path"] for a in out.articles] == ["1.txt"]
    assert out.quarantine == [
        {
            "path": "0.txt",
            "sha256": "0" * 64,
            "record": None,
            "stage": "text",
            "reason": "too_long",
            "detail": "189 characters of text once cleaned (Unicode NFKC writes some characters "
            "as several) is over the limit of 100 (NEWS_ETL_MAX_ARTICLE_CHARS)",
        }
    ]
    assert set(out.terms["article_id"].to_pylist()) == {out.articles[0]["article_id"]}


def test_at_the_limit_once_cleaned_the_article_is_kept() -> None:
    body = "x" * 100
    assert len(process_batch(_ingested(body), max_chars=100).articles) == 1
    assert len(process_batch(_ingested(body), max_chars=99).quarantine) == 1
    assert len(process_batch(_ingested(body)).articles) == 1  # no limit given: none applied
