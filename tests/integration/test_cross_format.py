"""The fundus articles as canonical .txt, as a JSONL dump and as raw HTML pages: one article each
when the cleaned text is identical."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from etl import pipeline

from .helpers import query, settings_for


def _fundus_jsonl(corpora: Path) -> str:
    """The hand-checked extractions of every page, one JSON object per line."""
    lines = []
    manifest = (corpora / "fundus.manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for row in manifest:
        _, ident, *_ = row.split("\t")
        country, publisher, version = re.fullmatch(r"fundus:(\w+)/(\w+):(\w+)", ident).groups()
        folder = corpora / "fundus-html" / "test_data" / country
        truth = json.loads((folder / f"{publisher}.json").read_text(encoding="utf-8"))[version]
        lines.append(
            json.dumps(
                {
                    "title": truth["title"],
                    "authors": truth.get("authors"),
                    "date_publish": truth["publishing_date"],
                    "source": publisher,
                    "body": truth["body"],  # fundus' {summary, sections} structure
                },
                ensure_ascii=False,
            )
        )
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_same_text_from_three_formats_is_one_article(corpora: Path, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    shutil.copytree(corpora / "fundus", landing / "txt")
    settings = settings_for(landing, tmp_path)
    first = pipeline.run(settings)
    assert first.quarantined == 0
    n_txt = first.articles_loaded
    assert n_txt > 250
    # The same articles as a JSONL dump and as the raw HTML pages the publishers served.
    (landing / "jsonl").mkdir()
    (landing / "jsonl" / "fundus.jsonl").write_text(_fundus_jsonl(corpora), encoding="utf-8")
    for page in (corpora / "fundus-html" / "test_data").glob("*/*.html.gz"):
        target = landing / "html" / page.parent.name / page.name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    n_html = sum(1 for _ in (landing / "html").rglob("*.html.gz"))
    assert n_html == 258
    second = pipeline.run(settings)
    ledger = dict(query(settings.warehouse, "SELECT path, outcome FROM ingest_ledger"))
    assert ledger["jsonl/fundus.jsonl"] == "duplicate"  # every record is a .txt article
    html = dict(
        query(
            settings.warehouse,
            "SELECT outcome, count(*) FROM ingest_ledger WHERE path LIKE 'html/%' GROUP BY 1",
        )
    )
    assert sum(html.values()) == n_html  # every page loaded, duplicate or quarantined
    # Pages whose extracted text is exactly the hand-checked text are the same article.
    assert second.duplicates == 258 + html.get("duplicate", 0)
    assert second.articles_loaded == html.get("loaded", 0)
    html_loaded = second.articles_loaded
    assert html.get("quarantined", 0) <= 3  # pages trafilatura finds no main text in
    ((total,),) = query(settings.warehouse, "SELECT count(*) FROM fact_article")
    assert total == n_txt + html_loaded
    # HTML articles carry their metadata: a URL host as source, a title, and mostly a date.
    ((with_title, with_url, with_meta_date),) = query(
        settings.warehouse,
        "SELECT count(title), count(url), count(*) FILTER (WHERE date_source = 'metadata')"
        " FROM fact_article WHERE source_format = 'html.gz'",
    )
    assert with_title == html_loaded and with_url > 0.8 * html_loaded
    assert with_meta_date > 0.8 * html_loaded
