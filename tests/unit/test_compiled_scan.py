"""The compiled token automaton (Rust's regex through Polars) against Python's ``re`` grammar."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl.text.clean import clean
from etl.text.compiled_scan import (
    _python_classes,
    compiled_token_lists,
    needs_re,
    rust_class,
    token_pattern,
)
from etl.text.terms import _first_occurrences, _token_lists, count_batch
from etl.text.tokenize import lowercase_form, lowercase_tokens
from tests.unit._linear import finishes

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters and fragments where the two grammars could part: class edges (marks, CJK, digits
# that are not decimal, `_`), the possessive loops (acronyms, numbers, words), the URL's trailing
# punctuation, e-mail addresses, and whitespace other than the space.
_PIECES = st.sampled_from(
    [
        "u.s.",
        "u.s.a",
        "a.b.c.",
        "e.g.,",
        "i.e.",
        "1.5",
        "1,000.25bn",
        "3/4",
        "12:30",
        "don't",
        "covid-19",
        "rock’n’roll",
        "http://x.org/a.",
        "https://a.b/c?d=e).",
        "https://",
        "www.",
        "www.bbc.co.uk,",
        "a.b@c.de",
        "x@y",
        "@",
        "...",
        "..",
        "_",
        "__init__",
        "²",
        "½",
        "ⅻ",
        "नमस्ते",
        "\u093f",
        "\u0301",
        "\ufe0f",  # the emoji presentation selector: stays with the symbol before it
        "\u2764",
        "\u200c",  # the zero-width non-joiner and joiner join two letters (text-7)
        "\u200d",
        "مرحبا",
        "日本語",
        "カタカナー",
        "ひらがな",
        "々",
        "한국어",
        "١٢٣",
        "\u1680",
        "\u3000",
        "\t",
        "\n",
        "\n\n",
        " ",
        "-",
        "'",
        "’",
        ".",
        ",",
        "a",
        "z",
        "7",
        "$",
        "€",
        "“",
        "”",
        "«",  # a URL ends before a guillemet, CJK punctuation, CJK or Hangul (text-15)
        "»",
        "。",
        "(",
        "에",
    ]
)
_TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(_PIECES, st.text(max_size=2)), max_size=40).map("".join),
)


def test_python_classes_are_those_of_re() -> None:
    """``\\w``, ``\\d`` and ``\\s`` of ``re`` are the string predicates the masks are built from,
    for every code point (surrogates included)."""
    word, digit, space = _python_classes()
    every = "".join(map(chr, range(0x110000)))
    for mask, pattern in ((word, r"\w"), (digit, r"\d"), (space, r"\s")):
        points = np.frombuffer(
            "".join(re.findall(pattern, every)).encode("utf-32-le", "surrogatepass"), np.uint32
        )
        expected = np.zeros(0x110000, dtype=bool)
        expected[points] = True
        assert np.array_equal(mask, expected), pattern


def test_rust_class_spells_out_ranges() -> None:
    mask = np.zeros(0x110000, dtype=bool)
    mask[[ord("a"), ord("b"), ord("c"), ord("x"), 0xE9, 0xD800]] = True
    assert rust_class(mask) == r"[\x{61}-\x{63}\x{78}\x{E9}]"  # no surrogate
    assert rust_class(mask, ascii_only=True) == r"[\x{61}-\x{63}\x{78}]"
    assert rust_class(np.zeros(0x110000, dtype=bool)) == ""


def _compiled(texts: list[str]) -> list[list[str]]:
    lists: list[list[str]] = compiled_token_lists(texts).to_pylist()
    return lists


@SETTINGS
@given(st.lists(_TEXTS, min_size=1, max_size=4))
@example(["u.s. troops", "the u.s.a team", "www. and www.x."])
@example(["i \u2764\ufe0f ny \u2b50\ufe0f\u2b50 x \u0301abc e\u0301\u0301 \u0301\u0301 -\ufe0f"])
@example(["می\u200cخواهم \u200cx y\u200d\u200dz 5km\u200cx 5\u200cx it’s\u200cq-r\u200cs \u200d"])
def test_compiled_tokens_equal_re_tokens(texts: list[str]) -> None:
    """For every lowercase text the automaton may take, it gives ``re``'s tokens exactly."""
    lowered = [low for low in (lowercase_form(clean(t)) for t in texts) if low is not None]
    if not lowered:
        return
    taken = [low for low, risky in zip(lowered, needs_re(lowered), strict=True) if not risky]
    if not taken:
        return
    assert _compiled(taken) == [lowercase_tokens(low) for low in taken]
    ascii_texts = [low for low in taken if low.isascii()]  # the ASCII pattern, on its own
    if ascii_texts:
        assert _compiled(ascii_texts) == [lowercase_tokens(low) for low in ascii_texts]


def test_possessive_acronym_is_why_some_texts_go_to_re() -> None:
    """Without possessive loops the automaton would read ``u.s.a`` as ``u.s.`` + ``a``; ``re``
    reads ``u``, ``.``, ``s``, ``.``, ``a``. Such texts are flagged and left to ``re``."""
    text = "the u.s.a team"
    assert _compiled([text]) != [lowercase_tokens(text)]
    assert needs_re([text, "the u.s. team", "a.b"]).tolist() == [True, False, False]
    assert count_batch([text]).words(0) == ["the", "u", "s", "a", "team"]


def test_patterns_leave_out_what_cannot_match() -> None:
    full = token_pattern(has_at=True, has_url=True, ascii_only=False)
    plain = token_pattern(has_at=False, has_url=False, ascii_only=True)
    assert "@" in full and "https?" in full
    assert "@" not in plain and "https?" not in plain
    assert len(plain) < len(full) / 10


def test_mixed_batch_keeps_text_order() -> None:
    """ASCII texts, other texts and texts left to ``re`` are scanned apart and put back in order."""
    texts = ["Plain ASCII text.", "Ünïcödé text, 日本語.", "The U.S.A team.", "More ASCII"]
    counted = count_batch(texts)
    assert [counted.words(i) for i in range(len(texts))] == [
        ["plain", "ascii", "text"],
        ["ünïcödé", "text", "日", "本", "語"],
        ["the", "u", "s", "a", "team"],
        ["more", "ascii"],
    ]


@pytest.mark.parametrize("wide", [False, True])
def test_first_occurrences_equal_a_dictionary_count(wide: bool) -> None:
    rng = np.random.default_rng(7)
    n = 5000
    text = np.sort(rng.integers(0, 40, n))
    ids = rng.integers(0, 300, n) + (70_000 if wide else 0)  # past 2**16: the 32-bit sort
    rows, counts = _first_occurrences(text, ids)
    first: dict[tuple[int, int], int] = {}
    tally: Counter[tuple[int, int]] = Counter()
    for i, pair in enumerate(zip(text.tolist(), ids.tolist(), strict=True)):
        first.setdefault(pair, i)
        tally[pair] += 1
    assert rows.tolist() == list(first.values())
    assert counts.tolist() == [tally[pair] for pair in first]
    empty_rows, empty_counts = _first_occurrences(np.zeros(0, np.int64), np.zeros(0, np.int64))
    assert len(empty_rows) == len(empty_counts) == 0


# Inputs on which a token alternative used to start over at every token inside a long run and
# read it to its end (probe, session 48), each with the function that ran it and a length at
# which that took far more than the 60 s allowed below: ``lowercase_tokens`` is ``re``, for
# the e-mail local part (F2) and the acronym (F3); ``compiled_token_lists`` is the Rust
# automaton's e-mail (F4). Measured on one core: before the fix 4.4 s (F2), 0.49 s (F3) and
# 0.19 s / 0.07 s (F4) at 10,000 characters, growing with the square of the length, so about
# 160 s, 440 s, 300 s and 700 s at these lengths; after it 0.48 s, 0.35 s, 0.52 s and 0.15 s.
_RUNS = {
    "email-local-re": ("lowercase_tokens", "('a.' * 60_000)[:59_999] + ' x@y'"),
    "acronym-re": ("lowercase_tokens", "('a.' * 300_000)[:299_999] + ' end'"),
    "email-local-rust": ("compiled_token_lists", "'a+' * 200_000 + ' x@y'"),
    "email-words-rust": (
        "compiled_token_lists",
        "'news.' * 200_000 + ' write to desk@example.com'",
    ),
}


@pytest.mark.parametrize("function, text", _RUNS.values(), ids=_RUNS.keys())
def test_long_runs_take_linear_time(function: str, text: str) -> None:
    """A run where a token starts at every other character is scanned in linear time by both
    engines (in a child process that must finish within :data:`tests.unit._linear.TIMEOUT`: the
    quadratic scans took minutes, the linear ones under a second)."""
    code = (
        "from etl.text.compiled_scan import compiled_token_lists\n"
        "from etl.text.tokenize import lowercase_tokens\n"
        f"text = {text}\n"
        f"{function}([text] if '{function}' == 'compiled_token_lists' else text)\n"
    )
    finishes(code)


def test_texts_with_a_long_address_run_go_to_re_wherever_they_stand() -> None:
    """More than 64 address characters right before an ``@`` send a text to ``re``; 64 do not,
    nor does a long run with no ``@`` after it. Only the texts with an ``@`` are searched for such
    a run, so the flags must land on the right texts among ones without any."""
    texts = [
        "plain text",
        "a" * 65 + "@b.cd",
        "no at sign " + "a" * 80,
        "a" * 64 + "@b.cd",
        "the u.s.a team",
        "x " + "a.b+" * 17 + "@host.org",  # 68 address characters
        "x@y.z",
        "mail " + "é" * 70 + "@example.com",
        "the u.s.a team, x@y.z",  # an acronym's flag stays when the text has an @ too
    ]
    assert needs_re(texts).tolist() == [False, True, False, False, True, True, False, True, True]


_CHAIN = ".".join("abcdefghijklmnopqrstuvwxy")


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("economy.u.s. officials", ["economy", ".", "u.s.", "officials"]),
        ("e.g. i.e. u.k.", ["e.g.", "i.e.", "u.k."]),
        ("the u.s.a team", ["the", "u", ".", "s", ".", "a", "team"]),
        ("write to desk@example.com.", ["write", "to", "desk@example.com", "."]),
        ("a.b@c.d", ["a.b@c.d"]),
        ("news.news.desk@example.com", ["news.news.desk@example.com"]),
        ("o'neil.smith@example.com", ["o'neil", ".smith@example.com"]),
        ("mail " + "a" * 70 + "@example.com", ["mail", "a" * 70 + "@example.com"]),
        ("a+b-c%d@x.org!", ["a+b-c%d@x.org", "!"]),
        ("a@b 1.2.3 x.y", ["a", "@", "b", "1.2.3", "x", ".", "y"]),
        ("x@y.org.中.文. end", ["x@y.org", ".", "中.文.", "end"]),
        (_CHAIN + ". end", [_CHAIN + ".", "end"]),  # 25 letters: longer than any bound
        ("economy." + _CHAIN + ".", ["economy", ".", _CHAIN + "."]),
        ("z." + _CHAIN + " end", ["z", ".", *_CHAIN, "end"]),  # no final dot: single letters
    ],
)
def test_tricky_tokens_through_both_engines(text: str, tokens: list[str]) -> None:
    """Acronyms and e-mail addresses next to dots and runs give these tokens in ``re``, in the
    automaton (where it may take the text) and in a batch, which sends each text to one."""
    assert lowercase_tokens(text) == tokens
    if not needs_re([text])[0]:
        assert _compiled([text]) == [tokens]
    assert _token_lists([text, "plain text"]).to_pylist() == [tokens, ["plain", "text"]]
