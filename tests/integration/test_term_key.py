"""Words typed into the analyst macros are lowercased as the loader lowercases terms.

The loader uses Python's ``str.lower()``, but writes 'İ' as 'i' (its Turkish lowercase; Python
writes 'i' and a combining dot above: text-8); DuckDB's ``lower()`` makes a final capital sigma
'σ' (Python: 'ς'). The expected values here are Python's own lowering (a second implementation)
with that one exception written out, and literals read off the article's text.
"""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from etl import pipeline
from etl.load.migrations import migrate

from .helpers import query, settings_for

MIGRATIONS = Path(__file__).parents[2] / "schemas" / "migrations"

TURKISH = (
    "İZMİR BORNOVA'DA YANGIN\n\n"
    "İstanbul'da ve İzmir'de yağmur bekleniyor, dedi meteoroloji uzmanı Ayşe Yılmaz.\n\n"
    "ΟΔΥΣΣΕΥΣ ΚΑΙ ΑΘΗΝΑΣ: η παράσταση ανεβαίνει στο θέατρο της πόλης απόψε."
)


def test_python_lower_is_pythons_lower_on_every_code_point(tmp_path: Path) -> None:
    wh = _empty_warehouse(tmp_path)
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    table = pa.table({"c": chars})
    con = duckdb.connect(str(wh))
    try:
        con.register("chars", table)
        rows = con.execute("SELECT c, python_lower(c) FROM chars").fetchall()
    finally:
        con.close()
    assert [(c, k) for c, k in rows if k != c.lower()] == [("İ", "i")]


def test_python_lower_puts_final_sigma_where_python_does(tmp_path: Path) -> None:
    wh = _empty_warehouse(tmp_path)
    alphabet = ["Α", "Σ", "σ", "'", "’", ".", "-", " ", "\u0301", "İ", "x", "中", "1"]
    texts = ["".join(p) for n in range(1, 5) for p in itertools.product(alphabet, repeat=n)]
    texts += ["ΟΔΥΣΣΕΥΣ", "ΑΘΗΝΑΣ:", "ΟΔΥΣΣΕΥΣ ΚΑΙ ΑΘΗΝΑΣ", "Α.Σ.", "ΑΣ'Α", "ΑΣ\u00adΑ", "ΑΣ·"]
    con = duckdb.connect(str(wh))
    try:
        con.register("texts", pa.table({"t": texts}))
        rows = con.execute("SELECT t, python_lower(t) FROM texts").fetchall()
    finally:
        con.close()
    expected = {t: t.replace("İ", "i").lower() for t in texts}
    assert [(t, k, expected[t]) for t, k in rows if k != expected[t]] == []


@pytest.fixture(scope="module")
def turkish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("turkish")
    landing = tmp / "landing" / "2021-04-07"
    landing.mkdir(parents=True)
    (landing / "tr.txt").write_text(f" date 2021-04-07 {TURKISH}\n", encoding="utf-8")
    settings = settings_for(tmp / "landing", tmp / "w", write_reports=False)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 1
    return settings.warehouse


def test_a_dotted_capital_i_finds_its_term(turkish: Path) -> None:
    rows = query(
        turkish,
        "SELECT day, articles, occurrences, note FROM term_trend('İstanbul''da', ?, ?)",
        [date(2021, 4, 7), date(2021, 4, 7)],
    )
    assert rows == [(date(2021, 4, 7), 1, 1, None)]
    forms = query(turkish, "SELECT term, relation FROM term_forms('İZMİR')")
    assert ("izmir", "form") in forms  # 'İZMİR' as the loader stores it
    assert query(turkish, "SELECT count(*) FROM search('İZMİR', 5)") == [(1,)]


@pytest.mark.parametrize("typed", ["İZMİR", "İzmir", "IZMIR", "Izmir", "izmir"])
def test_a_turkish_word_is_one_term_however_its_i_is_written(turkish: Path, typed: str) -> None:
    """The headline's İZMİR is the term izmir, found whichever way the analyst types it: the
    plain spelling said "not in the vocabulary" before text-8 (probe)."""
    day = date(2021, 4, 7)
    rows = query(
        turkish, "SELECT articles, occurrences, note FROM term_trend(?, ?, ?)", [typed, day, day]
    )
    assert rows == [(1, 1, None)]
    assert query(turkish, "SELECT count(*) FROM search(?, 5)", [typed]) == [(1,)]
    kwic = "SELECT left_context, keyword, right_context FROM kwic(?, 9)"
    assert query(turkish, kwic, [typed]) == [("", "İZMİR", " BORNOVA'")]
    shared = query(turkish, "SELECT term FROM cooccurring_terms('İstanbul''da', 50, 1)")
    assert ("yağmur",) in shared


def test_kwic_cuts_the_keyword_as_written(turkish: Path) -> None:
    rows = query(turkish, "SELECT left_context, keyword, right_context FROM kwic('İZMİR', 9)")
    assert rows == [("", "İZMİR", " BORNOVA'")]
    rows = query(turkish, "SELECT left_context, keyword, right_context FROM kwic('İzmir''de', 4)")
    assert rows == [(" ve ", "İzmir'de", " yağ")]
    rows = query(turkish, "SELECT keyword, right_context FROM kwic('ΑΘΗΝΑΣ', 2)")
    assert rows == [("ΑΘΗΝΑΣ", ": ")]
    rows = query(turkish, "SELECT keyword, right_context FROM kwic_stem('İSTANBUL''DA', 3)")
    assert rows == [("İstanbul'da", " ve")]


def _empty_warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "macros.duckdb"
    con = duckdb.connect(str(wh))
    try:
        migrate(con, MIGRATIONS)
    finally:
        con.close()
    return wh
