"""Chinese and Japanese words, stored one term per Han or hiragana character and one per katakana
run, are found by kwic and search as written, without spaces.

Expected values are literals read off the article below.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl import pipeline

from .helpers import query, settings_for

DAY = date(2025, 1, 13)
JAPANESE = (
    "東京都の知事は13日、記者会見で新しい計画を発表した。カメラマンが撮影した。\n\n"
    "The new iPhone発売 was announced in Tokyo on Monday by the company."
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cjk")
    folder = tmp / "landing" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "ja.txt").write_text(f" date {DAY.isoformat()} {JAPANESE}\n", encoding="utf-8")
    (folder / "en.txt").write_text(
        f" date {DAY.isoformat()} The governor of Tokyo held a press conference on Monday.\n",
        encoding="utf-8",
    )
    settings = settings_for(tmp / "landing", tmp / "w", write_reports=False)
    assert pipeline.run(settings).articles_loaded == 2
    return settings.warehouse


def test_a_han_word_is_found_inside_a_longer_run(warehouse: Path) -> None:
    # 東京 is the terms 東 and 京; the text has 東京都 (Tokyo Metropolis) with no space
    rows = query(warehouse, "SELECT left_context, keyword, right_context FROM kwic('東京', 3)")
    assert rows == [("", "東京", "都の知")]
    assert query(warehouse, "SELECT count(*) FROM search('\"東京\"', 10)") == [(1,)]
    assert query(warehouse, "SELECT count(*) FROM search('\"京都\"', 10)") == [(1,)]  # 東京都
    assert query(warehouse, "SELECT count(*) FROM search('\"都京\"', 10)") == [(0,)]


def test_spacing_between_cjk_characters_is_optional(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT left_context, keyword FROM kwic('記者 会見', 2)")
    assert rows == [("日、", "記者会見")]


def test_a_katakana_run_is_one_term(warehouse: Path) -> None:
    # カメラマン is one term: カメラ alone is not in the text as a term
    assert query(warehouse, "SELECT count(*) FROM kwic('カメラ', 5)") == [(0,)]
    assert query(warehouse, "SELECT count(*) FROM search('\"カメラ\"', 10)") == [(0,)]
    rows = query(warehouse, "SELECT keyword, right_context FROM kwic('カメラマン', 3)")
    assert rows == [("カメラマン", "が撮影")]


def test_a_latin_phrase_may_touch_a_han_character(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT keyword, right_context FROM kwic('new iphone', 2)")
    assert rows == [("new iPhone", "発売")]


def test_term_trend_says_a_cjk_word_is_several_terms(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT articles, note FROM term_trend('東京', ?, ?)", [DAY, DAY])
    assert rows == [(0, "not one term: 2 terms (search_terms); kwic and search find a phrase")]
    rows = query(warehouse, "SELECT articles, note FROM term_trend('東', ?, ?)", [DAY, DAY])
    assert rows == [(1, None)]
