"""The reference sample end to end: dates, paragraphs, offsets and term counts."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest

from etl import pipeline

from .helpers import query, settings_for

SEED_FILE = "000_b778bd1770123a64.txt"


@pytest.fixture(scope="module")
def seed_warehouse(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("seed")
    settings = settings_for(corpora / "seed", tmp)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 1
    return settings.warehouse


def test_seed_article_facts(seed_warehouse: Path, corpora: Path) -> None:
    import hashlib

    # The article's identity is the SHA-256 of its cleaned text (same text, same id, any format);
    # the raw file's hash is kept in the ledger.
    raw = (corpora / "seed" / SEED_FILE).read_bytes()
    ((clean,),) = query(seed_warehouse, "SELECT clean_text FROM article_text")
    rows = query(
        seed_warehouse,
        "SELECT article_id, published_date::VARCHAR, date_source, n_paragraphs, source_file,"
        " encoding FROM fact_article",
    )
    assert rows == [
        (hashlib.sha256(clean.encode()).hexdigest(), "2021-04-07", "header", 16, SEED_FILE, "utf-8")
    ]
    ((sha,),) = query(seed_warehouse, "SELECT sha256 FROM ingest_ledger")
    assert sha == hashlib.sha256(raw).hexdigest()


def test_every_token_offset_slices_the_clean_text(seed_warehouse: Path) -> None:
    """The stored offsets (``fact_article_term.first_offset``), not a fresh tokenization."""
    ((clean, n_terms),) = query(
        seed_warehouse,
        "SELECT clean_text, n_terms FROM article_text JOIN fact_article USING (article_id)",
    )
    rows = query(
        seed_warehouse,
        "SELECT t.term, f.first_offset FROM fact_article_term f JOIN dim_term t USING (term_id)"
        " ORDER BY f.first_offset",
    )
    assert len(rows) == n_terms > 200
    for term, offset in rows:
        # a term is its text lowercased, the typographic apostrophe written '
        assert clean[offset : offset + len(term)].lower().replace("’", "'") == term
        assert offset == 0 or not clean[offset - 1].isalnum()  # a token starts there
    # Distinct terms start at distinct places and never overlap.
    assert all(a + len(t) <= b for (t, a), (_, b) in pairwise(rows))


def test_first_offsets_point_at_the_first_occurrence(seed_warehouse: Path) -> None:
    ((clean,),) = query(seed_warehouse, "SELECT clean_text FROM article_text")
    rows = query(
        seed_warehouse,
        "SELECT t.term, f.first_offset FROM fact_article_term f JOIN dim_term t USING (term_id)",
    )
    lowered = clean.lower().replace("’", "'")  # terms write the typographic apostrophe '
    for term, offset in rows:
        assert lowered[offset : offset + len(term)] == term
        assert lowered.find(term) <= offset


def _whole_word_count(text: str, word: str) -> int:
    # A whole word: not preceded or followed by a letter, digit, apostrophe or hyphen.
    pattern = rf"(?<![\w'’\-]){re.escape(word)}(?![\w'’\-])"
    return len(re.findall(pattern, text, flags=re.IGNORECASE))


def test_taliban_count_matches_whole_word_count(seed_warehouse: Path) -> None:
    ((clean,),) = query(seed_warehouse, "SELECT clean_text FROM article_text")
    ((count,),) = query(
        seed_warehouse,
        "SELECT f.count FROM fact_article_term f JOIN dim_term t USING (term_id)"
        " WHERE t.term = 'taliban'",
    )
    assert count == _whole_word_count(clean, "taliban") == 6


def test_all_plain_word_counts_match_an_independent_count(seed_warehouse: Path) -> None:
    ((clean,),) = query(seed_warehouse, "SELECT clean_text FROM article_text")
    stored = dict(
        query(
            seed_warehouse,
            "SELECT t.term, f.count FROM fact_article_term f JOIN dim_term t USING (term_id)"
            " WHERE t.term_kind = 'word'",
        )
    )
    plain = {w for w in stored if re.fullmatch(r"[a-z]+", w)}
    assert len(plain) > 150
    independent = Counter(
        w.lower() for w in re.findall(r"(?<![\w'’\-])[A-Za-z]+(?![\w'’\-])", clean)
    )
    for word in plain:
        assert stored[word] == independent[word], word
