"""Mojibake repair (UTF-8 read as cp1252/latin-1, possibly twice) with ftfy, only where detected."""

from __future__ import annotations

import re

import ftfy
from ftfy.badness import BADNESS_RE

#: The longest match of ftfy's badness pattern, in characters. Every alternative of the pattern
#: also needs at least one non-ASCII character (both pinned by tests/unit/test_mojibake_window.py
#: against the installed ftfy).
BADNESS_MAX_MATCH = 7
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def looks_bad(text: str) -> bool:
    """``ftfy.badness.is_bad(text)``, searching only near the non-ASCII characters.

    A match holds a non-ASCII character and is at most :data:`BADNESS_MAX_MATCH` long, so it lies
    inside a window reaching that far either side of a run of non-ASCII characters; ftfy's
    pattern is searched in those windows of the text itself (``search(text, pos, endpos)``, so
    its ``^`` still means the start of the text). News text in English is mostly ASCII: this
    is about five times faster than searching every character, with the same answer.
    """
    reach = BADNESS_MAX_MATCH - 1
    # No window yet: ``search(text, -1, -1)`` searches an empty stretch (both read as 0), and
    # the pattern matches no empty text (each alternative needs a non-ASCII character: checked
    # in tests/unit/test_mojibake_window.py). (Guards of ``end`` here were equivalent mutants both
    # ways, seeds 1218 and 1232: gone.)
    start = end = -1
    for run in _NON_ASCII.finditer(text):
        lo, hi = max(0, run.start() - reach), min(len(text), run.end() + reach)
        # equivalent as ">=": windows that only touch share no match (one holds a character of
        # one run, and lies inside that run's window), so keeping them apart finds the same
        if lo > end:  # pragma: no mutate
            if BADNESS_RE.search(text, start, end):
                return True
            start = lo
        end = hi
    return BADNESS_RE.search(text, start, end) is not None


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """``(text, note)``: ftfy's encoding fix when the text looks like mojibake, else unchanged."""
    if text.isascii() or not looks_bad(text):
        return text, None
    fixed, explanation = ftfy.fix_and_explain(
        text,
        unescape_html=False,
        normalization=None,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        remove_control_chars=False,
    )
    if fixed == text:
        return text, None
    steps = [step for step in (explanation or []) if step[0] in ("encode", "decode", "transcode")]
    detail = ", ".join(f"{action} {arg}" for action, arg in steps) or "ftfy fix"
    return fixed, f"mojibake repaired by ftfy ({detail})"
