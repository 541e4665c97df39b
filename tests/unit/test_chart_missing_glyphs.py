"""A chart label in a script matplotlib's font lacks (Chinese) is written as SVG text, which the
browser draws in its own fonts; matplotlib, which only measures it, warned of every missing
glyph: six blocks of several lines on a run's standard error (probe, session 43). No warning
now, and the label is in the SVG whole."""

from __future__ import annotations

import warnings

from etl.report.charts import bar_chart


def test_a_label_the_font_lacks_is_written_whole_and_says_nothing() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = bar_chart(["国家安全", "Home"], [3, 1], "标题: top sources")
    assert [str(w.message) for w in caught] == []
    assert "国家安全" in svg
    assert "标题: top sources" in svg


def test_other_warnings_still_show() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bar_chart(["Home"], [1], "plain")
        warnings.warn("something else", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == ["something else"]
