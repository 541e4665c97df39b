"""Whole real corpora: every file accounted for, encodings decoded, reruns change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import pipeline
from etl.load.loader import LoadSummary

from .helpers import checksums, query, settings_for

CORPORA_FILES = {"reuters": 2761, "fundus": 258, "bbc": 2225}


@pytest.fixture(scope="module", params=sorted(CORPORA_FILES))
def loaded(
    request: pytest.FixtureRequest, corpora: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path, LoadSummary, Path]:
    name: str = request.param
    tmp = tmp_path_factory.mktemp(name)
    settings = settings_for(corpora / name, tmp)
    summary = pipeline.run(settings)
    return name, settings.warehouse, summary, corpora / name


def _files(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_every_file_is_accounted_for(loaded: tuple[str, Path, LoadSummary, Path]) -> None:
    name, warehouse, summary, landing = loaded
    assert _files(landing) == CORPORA_FILES[name]
    assert summary.status == "success"
    assert summary.files_new == CORPORA_FILES[name]
    assert summary.articles_loaded + summary.duplicates + summary.quarantined == summary.files_new
    outcomes = dict(query(warehouse, "SELECT outcome, count(*) FROM ingest_ledger GROUP BY 1"))
    assert outcomes.get("loaded", 0) == summary.articles_loaded
    assert sum(outcomes.values()) == CORPORA_FILES[name]
    ((articles,),) = query(warehouse, "SELECT count(*) FROM fact_article")
    assert articles == summary.articles_loaded
    # Good articles are not lost: nothing in these corpora should be quarantined.
    assert summary.quarantined == 0, summary.quarantine_reasons


def _clean_of(file: Path) -> str:
    from etl.ingest.canonical import parse_txt
    from etl.ingest.decode import decode
    from etl.text.terms import analyse

    return analyse(parse_txt(decode(file.read_bytes()).text).body).clean_text


def test_duplicates_are_identical_content(loaded: tuple[str, Path, LoadSummary, Path]) -> None:
    _, warehouse, summary, landing = loaded
    rows = query(
        warehouse,
        "SELECT l.path, a.source_file FROM ingest_ledger l JOIN fact_article a USING (article_id)"
        " WHERE l.outcome = 'duplicate'",
    )
    assert len(rows) == summary.duplicates
    # Identity is the cleaned text: a duplicate's cleaned text is the original's, byte for byte
    # (most are byte-identical files; some differ only in what cleaning normalises).
    for path, original in rows:
        assert _clean_of(landing / path) == _clean_of(landing / original)


def test_dates_come_from_headers_or_the_run(loaded: tuple[str, Path, LoadSummary, Path]) -> None:
    name, warehouse, _, _ = loaded
    sources = dict(query(warehouse, "SELECT date_source, count(*) FROM fact_article GROUP BY 1"))
    if name == "bbc":  # no date headers, no dated folders: the run's date
        assert set(sources) == {"run"}
    else:
        assert set(sources) == {"header"}


def test_rerun_loads_nothing_and_changes_no_table(
    loaded: tuple[str, Path, LoadSummary, Path], tmp_path: Path
) -> None:
    name, warehouse, _, landing = loaded
    before = checksums(warehouse)
    settings = settings_for(landing, warehouse.parent)
    again = pipeline.run(settings)
    assert again.articles_loaded == 0
    assert again.files_unchanged == CORPORA_FILES[name]
    assert again.files_new == 0
    assert checksums(warehouse) == before
    ((runs,),) = query(warehouse, "SELECT count(*) FROM etl_run WHERE status = 'success'")
    assert runs >= 2


def test_latin1_bbc_file_is_decoded(corpora: Path, tmp_path: Path) -> None:
    landing = tmp_path / "landing" / "sport"
    landing.mkdir(parents=True)
    (landing / "199.txt").write_bytes((corpora / "bbc" / "sport" / "199.txt").read_bytes())
    settings = settings_for(tmp_path / "landing", tmp_path)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 1
    ((encoding, note, text),) = query(
        settings.warehouse,
        "SELECT encoding, encoding_note, clean_text FROM fact_article JOIN article_text"
        " USING (article_id)",
    )
    assert encoding == "cp1252"
    assert note and "not UTF-8" in note
    assert "£15.8m" in text
