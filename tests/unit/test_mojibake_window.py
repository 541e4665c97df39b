"""`looks_bad` (ftfy's badness search near non-ASCII characters only) against ftfy's own
`is_bad` over the whole text: the same answer, and the two facts about ftfy's pattern it rests
on, checked on the installed ftfy."""

from __future__ import annotations

import random
import re

import pytest
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, is_bad

from etl.ingest.mojibake import BADNESS_MAX_MATCH, looks_bad, repair_mojibake

try:  # Python 3.11+
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]


def _branches() -> list[list[tuple[object, object]]]:
    parsed = list(sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags))
    assert len(parsed) == 1 and parsed[0][0] == sre_constants.BRANCH
    return [list(branch) for branch in parsed[0][1][1]]


def _only_non_ascii(op: object, av: object) -> bool:
    """A mandatory pattern item that matches nothing but non-ASCII characters."""
    if op == sre_constants.LITERAL:
        return isinstance(av, int) and av > 127
    if op == sre_constants.IN:
        for kind, arg in av:  # type: ignore[attr-defined]
            if kind == sre_constants.LITERAL and arg < 128:
                return False
            if kind == sre_constants.RANGE and arg[0] < 128:
                return False
            if kind in (sre_constants.CATEGORY, sre_constants.NEGATE):
                return False
        return True
    return False


def test_the_pattern_is_no_longer_than_the_window_reaches() -> None:
    _low, high = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags).getwidth()
    assert high <= BADNESS_MAX_MATCH


def test_every_alternative_needs_a_non_ascii_character() -> None:
    branches = _branches()
    assert len(branches) > 20
    lacking = [b for b in branches if not any(_only_non_ascii(op, av) for op, av in b)]
    assert lacking == []


CASES = [
    "",
    "plain ascii text only",
    "Ã at the very start",  # '^[ÃÂ][ ]' holds only at the start of the text
    "x Ã in the middle",
    "the cafÃ© opened",
    "it costs 5 â‚¬ now",
    "donâ€™t stop",
    "a curly ’ apostrophe and “quotes” only",
    "Grüße aus Köln, schöne Straße",
    "ends with mojibake: Ã©",
    "Ã©" + "a" * 50,
    "a" * 50 + "â€œquotedâ€\x9d",
    "Ð¿Ñ€Ð¸Ð²ÐµÑ‚",
    "вЂ™ cyrillic",
    "√± macroman",
]


@pytest.mark.parametrize("text", CASES)
def test_same_answer_as_ftfy_on_known_texts(text: str) -> None:
    assert looks_bad(text) == is_bad(text)


def test_known_mojibake_is_found_anywhere_in_a_long_text() -> None:
    filler = "An ordinary sentence of plain English news text. " * 40
    for position in (0, 1, 7, len(filler) // 2, len(filler)):
        text = filler[:position] + "donâ€™t" + filler[position:]
        assert is_bad(text)
        assert looks_bad(text)
    assert not looks_bad(filler + "naïve café")


def test_same_answer_as_ftfy_on_random_texts() -> None:
    suspicious = "".join(MOJIBAKE_CATEGORIES.values())
    alphabet = "ab AZ.,!?\n\t0" + "ÃÂÐØÙàœŒ°×²√≈‚ВГРСβΒΓΞΟā€™" + suspicious[:400]
    rng = random.Random(20261201)
    found = 0
    for _ in range(4000):
        ascii_part = "".join(rng.choice("abc XYZ.\n") for _ in range(rng.randrange(0, 30)))
        text = "".join(
            rng.choice(alphabet) if rng.random() < 0.3 else rng.choice(ascii_part or "a")
            for _ in range(rng.randrange(0, 40))
        )
        expected = is_bad(text)
        found += expected
        assert looks_bad(text) == expected, text
    assert 200 < found < 3800  # both answers are exercised


def test_repair_still_repairs() -> None:
    fixed, note = repair_mojibake("The cafÃ© donâ€™t close.")
    assert fixed == "The café don’t close."
    assert note is not None and note.startswith("mojibake repaired by ftfy")
    assert repair_mojibake("Grüße aus Köln") == ("Grüße aus Köln", None)
    assert re.fullmatch(r"[\x00-\x7f]*", "plain") and repair_mojibake("plain") == ("plain", None)
