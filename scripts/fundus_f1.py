"""Token-level F1 of the HTML adapter's main text against fundus' hand-checked bodies.

For each page ``test_data/<country>/<Publisher>_<date>.html.gz`` the hand-checked extraction is
the matching version (``V1``, ``V1_1`` … in file-date order) in ``<Publisher>.json``. Both texts go
through the same cleaning and tokenization as the pipeline; F1 is over the multiset of word
tokens. Prints F1 per country folder (a proxy for language) and the mean over pages.

    .venv/bin/python scripts/fundus_f1.py [../shared/corpora/fundus-html]
"""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from statistics import mean

from etl.ingest.decode import decode
from etl.ingest.formats import Record
from etl.ingest.formats.base import _text_of
from etl.ingest.formats.html import parse_html
from etl.text.clean import clean
from etl.text.tokenize import tokenize

ROOT = Path(__file__).resolve().parents[1]


def _tokens(text: str) -> Counter[str]:
    return Counter(t.norm for t in tokenize(clean(text)) if t.kind != "punct")


def f1(predicted: str, expected: str) -> float:
    """Token-level F1 between two texts (multiset overlap of normalised word tokens)."""
    p, e = _tokens(predicted), _tokens(expected)
    overlap = sum((p & e).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(e.values())
    return 2 * precision * recall / (precision + recall)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(x) for x in name.removeprefix("V").split("_"))


def pages(root: Path) -> list[tuple[str, Path, str]]:
    """(country, page, hand-checked body) for every page of the corpus."""
    out = []
    for truth_file in sorted(root.glob("test_data/*/*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        versions = sorted((k for k in truth if k.startswith("V")), key=_version_key)
        htmls = sorted(truth_file.parent.glob(f"{truth_file.stem}_*.html.gz"))
        for version, html in zip(versions, htmls, strict=False):
            out.append((truth_file.parent.name, html, _text_of(truth[version]["body"])))
    return out


def main() -> None:
    """Score every page and print the table."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/corpora/fundus-html"
    by_country: dict[str, list[float]] = defaultdict(list)
    for country, html, expected in pages(root):
        decoded = decode(gzip.decompress(html.read_bytes()))
        parsed = parse_html(decoded.text, "canonical")
        text = parsed[0].body if isinstance(parsed[0], Record) else ""
        by_country[country].append(f1(text, expected))
    scores = [s for values in by_country.values() for s in values]
    print(f"{'country':8} {'pages':>5} {'mean F1':>8} {'min':>6}")
    for country, values in sorted(by_country.items()):
        print(f"{country:8} {len(values):5d} {mean(values):8.3f} {min(values):6.3f}")
    median = sorted(scores)[len(scores) // 2]
    print(f"{'all':8} {len(scores):5d} {mean(scores):8.3f}  (median {median:.3f})")


if __name__ == "__main__":
    main()
