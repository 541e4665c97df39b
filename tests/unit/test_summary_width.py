"""``status`` and ``summary`` fit 80 terminal cells with wide characters and long terms.

The top-terms line was measured in code points: three Japanese articles gave lines of 99 and 109
cells (a CJK character takes two), and a 300-character term a line of 321. Widths are counted
here by the East Asian Width property itself (W and F take two cells), not by the code.
"""

from __future__ import annotations

import unicodedata

from etl.report.summary import _wrap_items


def _cells(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def test_cjk_terms_wrap_at_80_cells() -> None:
    items = [f"{t} ({n})" for t, n in [("地震", 12), ("気象庁", 9), ("震度", 7)] * 8]
    lines = _wrap_items("top terms", items, ", ")
    assert max(_cells(line) for line in lines) <= 80
    assert len(lines) > 1
    # nothing lost or reordered: the lines read back as the items joined
    assert lines[0].startswith("  top terms     ")
    assert " ".join(line[16:] for line in lines) == ", ".join(items)


def test_a_term_wider_than_a_line_is_folded_whole() -> None:
    long = "x" * 300
    lines = _wrap_items("top terms", ["oil (3)", f"{long} (1)", "gas (2)"], ", ")
    assert max(_cells(line) for line in lines) <= 80
    assert "".join(line[16:] for line in lines).replace(" ", "") == f"oil(3),{long}(1),gas(2)"
    wide = "東" * 100
    lines = _wrap_items("top terms", [wide], ", ")
    assert max(_cells(line) for line in lines) <= 80
    assert "".join(line[16:] for line in lines) == wide
