"""Mojibake repair (UTF-8 read as cp1252/latin-1, possibly twice) with ftfy, only where detected."""

from __future__ import annotations

import ftfy
from ftfy.badness import is_bad


def repair_mojibake(text: str) -> tuple[str, str | None]:
    """``(text, note)``: ftfy's encoding fix when the text looks like mojibake, else unchanged."""
    if text.isascii() or not is_bad(text):
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
