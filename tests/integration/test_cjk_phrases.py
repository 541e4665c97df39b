"""Chinese and Japanese words, stored one term per Han or hiragana character and one per katakana
run, are found by kwic and search as written, without spaces.

Expected values are literals read off the article below.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pytest

from etl.text.grammar import CJK_PUNCTUATION, URL_NOT_LAST
from etl.text.terms import is_term
from etl.text.tokenize import lowercase_tokens

from .helpers import day_warehouse, query

DAY = date(2025, 1, 13)
JAPANESE = (
    "東京都の知事は13日、記者会見で新しい計画を発表した。カメラマンが撮影した。\n\n"
    "The new iPhone発売 was announced in Tokyo on Monday by the company."
)

CHINESE = (
    "各地企业纷纷表示支持。韩国的 尹锡悦 总统发表讲话。"
    "ソニーグループは発表した。ソニーとグループは別。"
)
MIXED = (
    "Fans wrote 大阪Osaka Castle first. Later the Osaka Castle again.\n\n"
    "詳しくは https://ja.wikipedia.org/wiki/大阪 を参照。"
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bodies = {
        "ja.txt": JAPANESE,
        "zh.txt": CHINESE,
        "mixed.txt": MIXED,
        "en.txt": "The governor of Tokyo held a press conference on Monday.",
    }
    return day_warehouse(tmp_path_factory.mktemp("cjk"), DAY, bodies)


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
    assert rows == [(0, "not one term: 2 terms (typed_terms); kwic and search find a phrase")]
    rows = query(warehouse, "SELECT articles, note FROM term_trend('東', ?, ?)", [DAY, DAY])
    assert rows == [(1, None)]


def test_a_word_of_one_repeated_character_is_a_phrase(warehouse: Path) -> None:
    # 纷纷 is the term 纷 twice
    rows = query(warehouse, "SELECT left_context, keyword, right_context FROM kwic('纷纷', 2)")
    assert rows == [("企业", "纷纷", "表示")]
    rows = query(warehouse, "SELECT articles, note FROM term_trend('纷纷', ?, ?)", [DAY, DAY])
    assert rows == [(0, "not one term: 2 terms (typed_terms); kwic and search find a phrase")]


def test_cjk_typed_without_a_space_finds_text_with_one(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT keyword FROM kwic('韩国的尹锡悦', 2)")
    assert rows == [("韩国的 尹锡悦",)]
    assert query(warehouse, "SELECT count(*) FROM search('\"韩国的尹锡悦\"', 10)") == [(1,)]


def test_two_katakana_runs_need_a_space(warehouse: Path) -> None:
    # ソニーグループ is one term; the terms ソニー and グループ are in the text, never side by side
    assert query(warehouse, "SELECT count(*) FROM kwic('ソニー グループ', 5)") == [(0,)]
    assert query(warehouse, "SELECT count(*) FROM search('\"ソニー グループ\"', 10)") == [(0,)]
    rows = query(warehouse, "SELECT keyword FROM kwic('ソニーグループ', 5)")
    assert rows == [("ソニーグループ",)]


def test_kwic_shows_the_first_occurrence_after_a_cjk_character(warehouse: Path) -> None:
    rows = query(warehouse, "SELECT left_context, keyword FROM kwic('osaka castle', 4)")
    assert rows == [("e 大阪", "Osaka Castle")]


def test_a_url_ends_before_cjk_characters(warehouse: Path) -> None:
    """Chinese and Japanese put no space after a URL, so a URL ends at the first Han or kana
    character (text-15): the 大阪 of a Japanese Wikipedia address is two terms after the URL, as
    typed_terms splits it (up to text-14 the URL was one term, and in unspaced text it took the
    rest of the paragraph)."""
    stored = {t for (t,) in query(warehouse, "SELECT term FROM dim_term WHERE term LIKE 'http%'")}
    assert stored == {"https://ja.wikipedia.org/wiki/"}
    url = "https://ja.wikipedia.org/wiki/"
    rows = query(warehouse, "SELECT left_context, keyword, right_context FROM kwic(?, 5)", [url])
    assert rows == [("詳しくは ", url, "大阪 を参")]
    # Copied with the punctuation a URL now ends before, it is the URL (review R2: the typed
    # URL kept the » or 。 and kwic found nothing).
    pasted_forms = (url + "。", url + "」", "«" + url + "»", url + "（", url + "(")
    # ... and with the rarer marks of the same blocks (migration 0044: 0043 listed the common
    # ones only, and a wave dash or prime quotes were kept)
    pasted_forms += (url + "〜", "〝" + url + "〟", url + "〃", url + "〰")
    for pasted in pasted_forms:
        sql = "SELECT left_context, keyword, right_context FROM kwic(?, 5)"
        assert query(warehouse, sql, [pasted]) == [("詳しくは ", url, "大阪 を参")], pasted
    # Typed whole, it is a phrase of those three terms (migration 0043; is_phrase called a typed
    # URL one term, and kwic, search and term_trend found nothing).
    whole = url + "大阪"
    rows = query(warehouse, "SELECT left_context, keyword, right_context FROM kwic(?, 5)", [whole])
    assert rows == [("詳しくは ", whole, " を参照。")]  # the text of line 28
    ((found,),) = query(warehouse, "SELECT count(*) FROM search(?, 10)", [whole])
    assert found == 1
    ((note,),) = query(warehouse, "SELECT note FROM term_trend(?, ?, ?)", [whole, DAY, DAY])
    assert note == "not one term: 3 terms (typed_terms); kwic and search find a phrase"


@pytest.mark.parametrize(
    "typed",
    [
        "https://ko.wikipedia.org/wiki/서울",
        "문의는 info@example.com으로",
        "«https://www.gouv.fr/plan» 참조",
        "https://www.gov.cn(官网)",
        "请访问https://www.gov.cn了解详情",
        "https://ja.wikipedia.org/wiki/大阪",
        "https://de.wikipedia.org/wiki/Köln",
    ],
)
def test_typed_addresses_split_as_the_loader_splits_text(warehouse: Path, typed: str) -> None:
    """typed_terms (SQL) against the loader's own tokenizer (Python): an address ends at Hangul,
    CJK punctuation, a guillemet and an opening bracket too (migration 0043, review R1:
    https://ko.wikipedia.org/wiki/서울 typed whole was one term the loader never stores)."""
    lowered = unicodedata.normalize("NFKC", typed).lower()
    expected = [t for t in lowercase_tokens(lowered) if is_term(t)]
    assert query(warehouse, "SELECT typed_terms(?)", [typed]) == [(expected,)]


def test_term_trend_by_keeps_the_note(warehouse: Path) -> None:
    rows = query(
        warehouse, "SELECT articles, note FROM term_trend_by('東京', ?, ?, 'week')", [DAY, DAY]
    )
    assert rows == [(0, "not one term: 2 terms (typed_terms); kwic and search find a phrase")]
    rows = query(
        warehouse, "SELECT articles, note FROM term_trend_by('zzzq', ?, ?, 'week')", [DAY, DAY]
    )
    assert rows == [(0, "not in the vocabulary")]


def _characters_of(char_class: str) -> set[str]:
    """The characters of a regex character class body written as single characters and
    ``a-b`` ranges (the form of ``etl.text.grammar``'s constants)."""
    chars: set[str] = set()
    i = 0
    while i < len(char_class):
        if i + 2 < len(char_class) and char_class[i + 1] == "-":
            chars.update(chr(c) for c in range(ord(char_class[i]), ord(char_class[i + 2]) + 1))
            i += 3
        else:
            chars.add(char_class[i])
            i += 1
    return chars


def _expected_marks(listed: str) -> set[str]:
    """The punctuation marks, symbols and spaces of the CJK and full-width blocks
    (``CJK_PUNCTUATION``) that a list of what typed text drops must hold, given its other
    characters: a mark that cleaning's NFKC leaves as it is, and a full-width form that NFKC
    turns into characters already on the list (``（`` is ``(``)."""
    expected = set()
    for c in _characters_of(CJK_PUNCTUATION):
        if unicodedata.category(c)[0] not in "PSZ":
            continue
        normal = unicodedata.normalize("NFKC", c)
        if normal == c or all(n in listed for n in normal):
            expected.add(c)
    return expected


def test_typed_text_drops_every_cjk_and_full_width_mark(warehouse: Path) -> None:
    """What typed_text drops at either end (word_punctuation), after a URL
    (url_end_punctuation) and names as a dropped symbol (typed_symbols) holds every mark of the
    CJK and full-width blocks that cleaning keeps or makes one of the list's own characters, and
    no letter or digit (a Han ideograph after a URL is a term of its own). Up to migration 0044
    the lists held the common CJK marks only: （oil） or a URL pasted before 〜 found nothing."""
    ((words, symbols, after_url),) = query(
        warehouse, "SELECT word_punctuation(), typed_symbols(), url_end_punctuation()"
    )
    stable_marks = {c for c in _expected_marks("") if unicodedata.normalize("NFKC", c) == c}
    assert len(stable_marks) > 30  # the class was read (the blocks hold ~40 such marks)
    assert _expected_marks(words) <= set(words), sorted(_expected_marks(words) - set(words))
    assert stable_marks | set(URL_NOT_LAST) <= set(after_url)
    assert _expected_marks(after_url) <= set(after_url)
    symbols_expected = _expected_marks(symbols) - stable_marks
    assert {"＃", "％", "＄"} <= symbols_expected <= set(symbols)
    assert set(symbols) <= set(words)
    for listed in (words, symbols, after_url):
        assert not [c for c in listed if unicodedata.category(c)[0] in "LNM"]
    assert "／" not in words and "＿" not in words  # cleaning makes them / and _, kept in terms


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("（governor）", None),
        ("＂governor＂。", None),
        ("〝governor〟", None),
        ("＃governor", "the term governor: terms never start or end with a symbol (＃ dropped)"),
    ],
)
def test_a_word_typed_with_full_width_marks_is_the_word(
    warehouse: Path, typed: str, note: str | None
) -> None:
    rows = query(warehouse, "SELECT keyword, right_context FROM kwic(?, 5)", [typed])
    assert rows == [("governor", " of T")]
    rows = query(warehouse, "SELECT articles, note FROM term_trend(?, ?, ?)", [typed, DAY, DAY])
    assert rows == [(1, note)]
