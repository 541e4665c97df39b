"""The analyst macros at their edges: phrases as whole terms, date ranges that say what is wrong,
widths below zero, ties at top_terms_stem's cut, typed words with spaces.

Expected values are literals read off the articles written here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from .helpers import day_warehouse, query

DAY = date(2021, 4, 7)
STATE = (
    "Two-thirds of the state's budget went to the state. Prices rose 3.39 pct, and 39 pct "
    "of the voters said so.\n\nThe governor spoke on Monday about the plan."
)
#: 40 words, each once: their stems tie.
TIED = " ".join(f"w{chr(97 + i // 26)}{chr(97 + i % 26)}zz" for i in range(40))


@pytest.fixture(scope="module")
def wh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return day_warehouse(
        tmp_path_factory.mktemp("edges"), DAY, {"state.txt": STATE, "tied.txt": TIED}
    )


def test_a_phrase_is_whole_terms(wh: Path) -> None:
    kwic = "SELECT left_context, keyword, right_context FROM kwic(?, 4)"
    assert query(wh, kwic, ["thirds of"]) == []  # only inside "Two-thirds of"
    assert query(wh, kwic, ["the state"]) == [(" to ", "the state", ". Pr")]  # not "state's"
    assert query(wh, kwic, ["39 pct"]) == [("and ", "39 pct", " of ")]  # not inside 3.39
    assert query(wh, kwic, ["3.39  PCT"]) == [("ose ", "3.39 pct", ", an")]
    search = "SELECT count(*) FROM search(?, 10)"
    assert query(wh, search, ['"thirds of"']) == [(0,)]
    assert query(wh, search, ['"the state"']) == [(1,)]


def test_a_reversed_or_open_range_is_an_error_that_says_so(wh: Path) -> None:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        for sql in (
            "SELECT * FROM calendar(DATE '2021-04-08', DATE '2021-04-07')",
            "SELECT * FROM term_trend('state', DATE '2021-04-08', DATE '2021-04-07')",
            "SELECT * FROM top_terms(DATE '2021-04-08', DATE '2021-04-07', 5)",
            "SELECT * FROM top_terms_stem(DATE '2021-04-08', DATE '2021-04-07', 5)",
            "SELECT * FROM distinctive_terms(DATE '2021-04-08', DATE '2021-04-07', 5)",
        ):
            with pytest.raises(duckdb.InvalidInputException, match="before it starts"):
                con.execute(sql).fetchall()
        # Either date missing (a notebook's unset parameter): an error, never a row of NULLs.
        for macro in ("calendar({})", "top_terms({}, 5)", "top_terms_stem({}, 5)",
                      "distinctive_terms({}, 5)", "term_trend('state', {})"):  # fmt: skip
            for dates in ("NULL, DATE '2021-04-07'", "DATE '2021-04-07', NULL", "NULL, NULL"):
                sql = f"SELECT * FROM {macro.format(dates)}"
                with pytest.raises(duckdb.InvalidInputException, match="needs two dates"):
                    con.execute(sql).fetchall()
                with pytest.raises(duckdb.InvalidInputException, match="needs two dates"):
                    con.execute(sql.replace("NULL", "?"), [None] * sql.count("NULL")).fetchall()
    finally:
        con.close()


def test_a_width_below_zero_is_no_context(wh: Path) -> None:
    rows = query(wh, "SELECT left_context, keyword, right_context FROM kwic('governor', -5)")
    assert rows == [("", "governor", "")]
    rows = query(wh, "SELECT left_context, keyword, right_context FROM kwic_stem('governor', NULL)")
    assert rows == [("", "governor", "")]


def test_top_terms_stem_breaks_ties_by_stem(wh: Path) -> None:
    """Most stems of the day occur once: the first n by (occurrences, stem) are those of the
    whole list, whatever n is (the pre-cut at n * 4 stems kept arbitrary ones of a tie)."""
    full = query(wh, "SELECT stem FROM top_terms_stem(?, ?, 1000)", [DAY, DAY])
    assert len(full) > 40
    for n in (1, 3, 7):
        assert query(wh, "SELECT stem FROM top_terms_stem(?, ?, ?)", [DAY, DAY, n]) == full[:n]
    assert query(wh, "SELECT count(*) FROM top_terms_stem(?, ?, 1000000000)", [DAY, DAY]) == [
        (len(full),)
    ]


@pytest.mark.parametrize("macro", ["top_terms", "top_terms_stem"])
def test_a_null_n_ranks_everything(wh: Path, macro: str) -> None:
    """n NULL is no limit, as LIMIT NULL is: top_terms_stem's cut by rank() <= n kept no stem
    and said the day had no word to rank (probe, session 40)."""
    every = query(wh, f"SELECT * FROM {macro}(?, ?, 1000000000)", [DAY, DAY])
    assert len(every) > 40  # the 40 tied words, each once, and the state article's
    assert all(row[-1] is None for row in every)  # no note: ranked rows
    assert query(wh, f"SELECT * FROM {macro}(?, ?, NULL)", [DAY, DAY]) == every


def test_a_typed_word_with_spaces_finds_its_term(wh: Path) -> None:
    rows = query(wh, "SELECT articles, note FROM term_trend(' Governor ', ?, ?)", [DAY, DAY])
    assert rows == [(1, None)]
    assert query(wh, "SELECT keyword FROM kwic('  governor', 3)") == [("governor",)]
