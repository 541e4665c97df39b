"""The day of each raw HTML page of the corpora against the hand-checked extraction fundus ships
with it (``fundus.manifest.tsv``'s ``date``: the day of its ``publishing_date``, as written)."""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from etl.ingest.formats.base import Record
from etl.ingest.formats.html import parse_html

#: The pages whose day is not the hand-checked one, and why the page's own markup gives it.
KNOWN_APART = {
    # no JSON-LD; htmldate reads 2023-04-24 from the head
    "de/DW_2023_04_28.html.gz": "2023-04-24",
    # the page writes 06.01.2026 (6 January); the hand-checked date reads it as 1 June
    "de/KlasseGegenKlasse_2026_01_07.html.gz": "2026-01-06",
    # trafilatura finds no main text in it (the page is quarantined)
    "kr/HankookIlbo_2026_01_29.html.gz": "no_text",
    # the page writes 05.04.2025 (5 April); the hand-checked date reads it as 4 May
    "tr/AnadoluAjansi_2025_04_05.html.gz": "2025-04-05",
    # DCSext.articleFirstPublished 2019-02-05: the story's first publication
    "uk/TheTelegraph_2023_08_30.html.gz": "2019-02-05",
}


def _hand_checked_days(corpora: Path) -> dict[str, str]:
    """Page (``country/file``) → the hand-checked day: a publisher's versions ``V1``, ``V1_1``,
    … in the manifest's order are its pages in the order of their names."""
    versions: dict[tuple[str, str], list[str]] = defaultdict(list)
    manifest = (corpora / "fundus.manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for row in manifest:
        _, ident, day, *_ = row.split("\t")
        found = re.fullmatch(r"fundus:(\w+)/(\w+):\w+", ident)
        assert found is not None, ident
        versions[(found[1], found[2])].append(day)
    days = {}
    root = corpora / "fundus-html" / "test_data"
    for (country, publisher), publisher_days in versions.items():
        pages = sorted(
            p.name
            for p in (root / country).glob(f"{publisher}_*.html.gz")
            if re.fullmatch(rf"{publisher}(_\d+)+\.html\.gz", p.name)
        )
        assert len(pages) == len(publisher_days), (country, publisher)
        days.update({f"{country}/{p}": d for p, d in zip(pages, publisher_days, strict=True)})
    return days


@pytest.mark.slow
def test_each_pages_day_is_the_hand_checked_one_but_five_known(corpora: Path) -> None:
    truth = _hand_checked_days(corpora)
    assert len(truth) == 258
    apart: dict[str, str | None] = {}
    root = corpora / "fundus-html" / "test_data"
    for page, day in truth.items():
        text = gzip.decompress((root / page).read_bytes()).decode("utf-8")
        (record,) = parse_html(text, "canonical")
        if not isinstance(record, Record):
            apart[page] = record.reason
            continue
        got: date | None = record.published
        if got is None or got.isoformat() != day:
            apart[page] = got.isoformat() if got else None
    # CBC, JungeWelt (two pages) and the Mirror's live blog now take their JSON-LD article's
    # day: htmldate read a print edition's or the last update's day in the head.
    assert apart == KNOWN_APART
