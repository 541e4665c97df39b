"""Cleaning: NFKC, control characters, line breaks, whitespace and paragraphs."""

from __future__ import annotations

import pytest

from etl.text.clean import PARAGRAPH_SEPARATOR, clean, paragraphs
from etl.text.tokenize import tokenize

from ._corpora import seed_body


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ﬁnal", "final"),  # ligature
        ("１２３", "123"),  # full-width digits
        ("ＣＯＶＩＤ－１９", "COVID-19"),  # full-width letters and hyphen-minus
        ("a\u00a0b", "a b"),  # NBSP
        ("a\u3000b", "a b"),  # ideographic space
        ("meeting…in Moscow", "meeting...in Moscow"),  # horizontal ellipsis
        ("x²", "x2"),
        ("e\u0301", "é"),  # composed
    ],
)
def test_nfkc(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_typographic_quotes_are_kept() -> None:
    # NFKC leaves “ ” ’ alone (seed/000_b778bd1770123a64.txt uses them).
    assert clean("Russia’s “peace” process") == "Russia’s “peace” process"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x00b", "ab"),
        ("a\x07b\x1bc", "abc"),
        ("a\x7fb", "ab"),
        ("a\x9fb", "ab"),  # C1 control
        ("e\x00\u0301", "é"),  # a control between a letter and its accent: still composed
    ],
)
def test_control_characters_are_removed(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # white space but no line break: each is a space, so the words either side stay two
        # (text-6; they were deleted, and "Minister\fSergei" was the term ministersergei)
        ("Minister\x0cSergei Lavrov", "Minister Sergei Lavrov"),  # form feed
        ("in Moscow\x0bon Wednesday", "in Moscow on Wednesday"),  # vertical tab
        ("a\x1cb\x1dc\x1ed\x1fe", "a b c d e"),  # the information separators
        ("end. \x0c\n\nNext", "end.\n\nNext"),  # a page break beside a paragraph break
        ("\x0ctitle\x0b", "title"),
    ],
)
def test_separators_are_spaces(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_a_form_feed_between_words_leaves_two_terms() -> None:
    words = [t.norm for t in tokenize(clean("Minister\x0cSergei")) if t.kind == "word"]
    assert words == ["minister", "sergei"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Bundes\u00adregierung", "Bundesregierung"),
        ("Ge\u00adsund\u00adheits\u00administer", "Gesundheitsminister"),
        ("end\u00ad of line", "end of line"),
        ("\u00ad", ""),
        ("e\u00ad\u0301", "é"),  # between a letter and its accent: still composed
        ("a-b \u2010 c", "a-b \u2010 c"),  # a visible hyphen (U+2010) stays
    ],
)
def test_soft_hyphens_are_removed(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("b\u200bomb", "bomb"),  # a zero-width space inside a word: one word (text-5)
        ("Fort\u2060schritt\u200b", "Fortschritt"),  # word joiner; at the end
        ("\ufeffHello wo\ufeffrld", "Hello world"),  # a BOM inside the text, not only first
        ("abc \u202eevil\u202c text", "abc evil text"),  # right-to-left override and its pop
        ("\u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u200fok\u200e", "\u05e9\u05dc\u05d5\u05dd ok"),
        ("\u061cx\u202ay\u202bz\u202dw\u2066v\u2068u", "xyzwvu"),  # every other Bidi_Control
        ("a\u2061b\u2062c\u2063d\u2064e", "abcde"),  # invisible operators
        ("a\u206ab\u206fc", "abc"),  # deprecated format controls
        ("e\u200b\u0301", "é"),  # between a letter and its accent: still composed
        ("\u200b \ufeff", ""),
        # kept: the joiners (Persian, Indic scripts, emoji), a visible hyphen, the Mongolian
        # vowel separator
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0645",
        ),
        ("\U0001f469\u200d\U0001f4bb", "\U0001f469\u200d\U0001f4bb"),
        ("a\u2010b", "a\u2010b"),
    ],
)
def test_invisible_format_characters_are_removed(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_the_tokenizer_sees_one_word_where_an_invisible_character_was() -> None:
    from etl.text.tokenize import tokenize

    words = [t.norm for t in tokenize(clean("a b\u200bomb, wo\u2060rd and te\u202ext"))]
    assert words == ["a", "bomb", ",", "word", "and", "text"]


def test_tab_is_whitespace_not_removed() -> None:
    assert clean("a\tb") == "a b"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("one\r\ntwo", "one two"),  # a single line break is not a paragraph break
        ("one\r\n\r\ntwo", "one\n\ntwo"),
        ("one\r\rtwo", "one\n\ntwo"),  # old Mac line ends
        ("one\n\r\ntwo", "one\n\ntwo"),
        ("one\u2029two", "one two"),
        ("one\x85\x85two", "one\n\ntwo"),  # NEL is a line break, not a dropped control
        ("one\u2028\u2028two", "one\n\ntwo"),
    ],
)
def test_line_breaks(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a   b \t c  ", "a b c"),
        ("a\nb", "a b"),
        ("a \n b", "a b"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("a\n \t \nb", "a\n\nb"),  # a whitespace-only line is a blank line
        ("\n\n  a  \n\n\n  b  \n\n", "a\n\nb"),
        ("   ", ""),
        ("", ""),
        ("\x00\n\n\x00", ""),
    ],
)
def test_whitespace_collapsed_and_paragraphs(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_paragraphs_and_clean_agree() -> None:
    raw = "First  para.\r\n\r\n\r\nSecond\npara.\n\n\n\nThird."
    assert paragraphs(raw) == ["First para.", "Second para.", "Third."]
    assert clean(raw) == PARAGRAPH_SEPARATOR.join(paragraphs(raw))


def test_seed_has_16_paragraphs() -> None:
    # seed/000_b778bd1770123a64.txt: paragraphs separated by one or three blank lines.
    body = seed_body()
    cleaned = clean(body)
    paras = cleaned.split(PARAGRAPH_SEPARATOR)
    assert len(paras) == 16
    assert paragraphs(body) == paras
    assert all(p and "\n" not in p and p == p.strip() for p in paras)
    assert "\n\n\n" not in cleaned
    assert paras[0].startswith("Russian Foreign Minister Sergei Lavrov on Wednesday met")
    assert paras[-1] == (
        "President Joe Biden has said that date will be hard to meet despite Taliban threats "
        "of more violence if it is not."
    )
    assert "the recent meeting...in Moscow,” the statement said" in cleaned
    assert clean(cleaned) == cleaned


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("One paragraph. Two sentences.\n\nA second one.", True),
        ("Ünïcödé, 日本語 und مرحبا.\n\nZwei.", True),
        ("", True),
        ("Two  spaces.", False),
        ("A line\nbreak.", False),
        ("Three\n\n\nnewlines.", False),
        ("Space \n\nbefore a break.", False),
        ("Tab\there.", False),
        ("Ogham\u1680space.", False),
        ("Trailing space. ", False),
        ("\n\nLeading break.", False),
    ],
)
def test_already_clean_text_takes_the_fast_path_with_the_same_result(text: str, fast: bool) -> None:
    """Text already laid out as clean() lays it out is split as it is; the result equals the
    general path's."""
    from etl.text.clean import _already_clean, _collapsed_paragraphs

    assert _already_clean(text) is fast
    assert paragraphs(text) == _collapsed_paragraphs(text)
    if fast:
        assert clean(text) == text
