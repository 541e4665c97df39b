"""A zero-width non-joiner or joiner between two letters is part of the word (text-7).

Persian writes "I want" می‌خواهم and the plural "books" کتاب‌ها with a non-joiner (U+200C);
Devanagari and Malayalam shape conjuncts with a joiner (U+200D). Up to session 29 each such word
was two words and a symbol. The expected tokens are written out by hand.
"""

from __future__ import annotations

import pytest

from etl.text.compiled_scan import compiled_token_lists
from etl.text.tokenize import lowercase_tokens, tokenize

ZWNJ, ZWJ = "\u200c", "\u200d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"من می{ZWNJ}خواهم کتاب{ZWNJ}ها",
            [("من", "word"), (f"می{ZWNJ}خواهم", "word"), (f"کتاب{ZWNJ}ها", "word")],
        ),
        (f"नमस्{ZWJ}ते", [(f"नमस्{ZWJ}ते", "word")]),
        (f"ab{ZWNJ}{ZWJ}cd", [(f"ab{ZWNJ}{ZWJ}cd", "word")]),  # a run of joiners
        (f"re{ZWNJ}do-it{ZWNJ}s", [(f"re{ZWNJ}do-it{ZWNJ}s", "word")]),  # inside a compound
        (f"5km{ZWNJ}h", [(f"5km{ZWNJ}h", "number")]),  # inside a number's unit
        # at a word's edge, after a number's digits or between symbols: a symbol of its own
        (f"a {ZWNJ}b", [("a", "word"), (ZWNJ, "symbol"), ("b", "word")]),
        (f"a{ZWNJ} b", [("a", "word"), (ZWNJ, "symbol"), ("b", "word")]),
        (f"5{ZWNJ}x", [("5", "number"), (ZWNJ, "symbol"), ("x", "word")]),
        (f"👨{ZWJ}👩", [("👨", "symbol"), (ZWJ, "symbol"), ("👩", "symbol")]),
        (f"a-{ZWNJ}b", [("a", "word"), ("-", "punct"), (ZWNJ, "symbol"), ("b", "word")]),
    ],
)
def test_joiners_between_letters_join_the_word(text: str, expected: list[tuple[str, str]]) -> None:
    tokens = tokenize(text)
    assert [(text[t.start : t.end], t.kind) for t in tokens] == expected
    lowered = text.lower()
    assert lowercase_tokens(lowered) == [surface.lower() for surface, _ in expected]
    assert compiled_token_lists([lowered]).to_pylist() == [lowercase_tokens(lowered)]
