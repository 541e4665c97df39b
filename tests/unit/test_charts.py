"""Charts over time have a real time axis, and labels are drawn as text, never as TeX math."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from etl.report import charts

BAR = re.compile(r'<g id="patch_\d+">\s*<path d="M ([\d.]+) [\d.]+\s*L ([\d.]+) ')


def _bar_lefts(svg: str) -> list[float]:
    """Left edges of the bars (the patches of the width most patches have: not the axes, not
    the legend's key), in drawing order."""
    edges = [(float(a), float(b)) for a, b in BAR.findall(svg)]
    widths = [round(b - a, 2) for a, b in edges]
    bar, _ = Counter(w for w in widths if w > 0).most_common(1)[0]
    return [a for (a, _), w in zip(edges, widths, strict=True) if abs(w - bar) < 0.01]


def test_bars_stand_where_their_dates_are() -> None:
    days = [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 21)]
    svg = charts.stacked_bars(days, {"articles": [1.0, 2.0, 3.0]}, "articles")
    first, second, third = _bar_lefts(svg)
    # One day apart, then nineteen: a gap in the data is a gap on the axis.
    assert math.isclose((third - second) / (second - first), 19, rel_tol=0.01)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "2024-01-21" not in labels  # the locator chooses the ticks, not one label per bar


def test_labels_that_look_like_tex_math_are_drawn_as_text() -> None:
    name = r"$\undefinedmacro{x}$"
    svg = charts.stacked_bars([date(2024, 1, 1)], {name: [1.0]}, "articles")
    assert r"\undefinedmacro{x}" in svg
    assert r"\undefinedmacro" in charts.bar_chart([name], [1.0], name)
    line = charts.line_chart([date(2024, 1, 1), date(2024, 1, 3)], {name: [1.0, math.nan]}, "t")
    assert "<svg" in line


def test_a_long_label_is_drawn_shortened_and_listed_whole() -> None:
    # A "word" of 100,000 letters (hostile input loads it: words are data) took matplotlib
    # minutes to lay out; it is drawn as its first 59 characters and "…", and named whole.
    word = "w" * 100_000
    fits = "x" * 60
    svg = charts.bar_chart([word, fits, "short"], [3.0, 2.0, 1.0], "words")
    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "w" * 59 + "…" in drawn
    assert fits in drawn and "short" in drawn
    assert "w" * 60 not in svg
    assert charts.label(word) == "w" * 59 + "…"
    assert charts.label(fits) == fits
    assert charts.shortened([fits, word, "short"]) == [word]
    legend = charts.stacked_bars([date(2024, 1, 1)], {word: [1.0], "b": [2.0]}, "articles")
    assert "w" * 59 + "…" in legend and "w" * 60 not in legend
    lines = charts.line_chart([date(2024, 1, 1)], {word: [1.0]}, "t")
    assert "w" * 59 + "…" in lines and "w" * 60 not in lines


def test_every_name_is_in_the_legend_and_drawn_as_data() -> None:
    # matplotlib leaves a label that starts with "_" out of a legend: a source named "_wire"
    # had a bar and no name. A U+202E in a name drew the rest of the label backwards.
    day = [date(2024, 1, 1)]
    series = {"_wire": [3.0], "desk\u202eled": [2.0]}
    for svg in (
        charts.stacked_bars(day, series, "articles"),
        charts.line_chart(day, series, "share"),
        charts.events_chart([datetime(2024, 1, 1, 12)], series, "per run"),
    ):
        labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert "_wire" in labels and "desk\\u202eled" in labels
        assert "\u202e" not in svg
    assert charts.label("a\x1b[2J") == "a\\x1b[2J"
    assert charts.shortened(["x\u200b" * 20, "y\u200b" * 5]) == ["x\u200b" * 20]


def _ticks(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_a_calendar_with_one_day_of_data_is_drawn_as_its_days() -> None:
    """A run report's fourteen-day window with articles on its last day only was ticked in that
    day's hours (15:00, 18:00, ...), and its trend line of one point over five years (2022 ..
    2026): matplotlib scaled the axis to the data, not the calendar (probe, session 41)."""
    days = [date(2024, 2, 17) + timedelta(days=i) for i in range(14)]
    bars = _ticks(charts.stacked_bars(days, {"articles": [0.0] * 13 + [3.0]}, "articles"))
    line = _ticks(charts.line_chart(days, {"oil": [charts.nan()] * 13 + [0.5]}, "share"))
    for ticks in (bars, line):
        assert not [t for t in ticks if ":" in t]  # no hours
        assert "17" in ticks and "Mar" in ticks  # the window's first day and its last month
        assert not [t for t in ticks if t in ("2022", "2023", "2025", "2026")]


def test_one_day_alone_is_labelled_with_its_date() -> None:
    ticks = _ticks(charts.stacked_bars([date(2024, 3, 1)], {"articles": [3.0]}, "articles"))
    assert "2024-03-01" in ticks
    assert not [t for t in ticks if ":" in t]


def test_a_chart_is_drawn_once_and_cropped_as_matplotlibs_tight_crop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``bbox_inches="tight"`` drew each figure twice, once to find the crop (~16 ms of a ~90 ms
    chart); the crop is now measured without drawing, and the SVG is the one that option writes."""
    import io

    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    draws: list[str] = []
    draw = Figure.draw

    def counting(self: Figure, renderer: Any) -> None:
        draws.append(type(renderer).__name__)
        draw(self, renderer)

    def tight(fig: Figure) -> str:  # matplotlib's own crop, as the charts had it
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches="tight")
        plt.close(fig)
        return buffer.getvalue()

    number = re.compile(r"-?\d+(?:\.\d+)?")

    def same_drawing(ours: str, theirs: str) -> bool:
        """The same SVG but for its date, the random ids of clip paths and markers, and
        coordinates a millionth of a point apart (the crop is the same sum taken another way)."""
        shapes, values = [], []
        for svg in (ours, theirs):
            svg = re.sub(r"<dc:date>[^<]*</dc:date>", "", svg[svg.index("<svg") :])
            svg = re.sub(r"\b([pm])[0-9a-f]{10}\b", r"\1", svg)
            shapes.append(number.sub("N", svg))
            values.append([float(v) for v in number.findall(svg)])
        close = all(math.isclose(a, b, abs_tol=1e-5) for a, b in zip(*values, strict=True))
        return shapes[0] == shapes[1] and close

    long_label = "w" * (charts.MAX_LABEL_CHARS - 1)  # the widest label drawn whole
    days = [date(2024, 1, 1) + timedelta(days=i) for i in range(30)]
    drawings: list[Callable[[], str]] = [
        lambda: charts.bar_chart([long_label, "Ωμέγα " * 9, "b"], [3.0, 2.0, 1.0], "Top terms"),
        lambda: charts.stacked_bars(days, {long_label: [1.0] * 30, "b": [2.0] * 30}, "articles"),
        lambda: charts.line_chart(days, {"x": [float(i) for i in range(30)]}, "% of articles"),
    ]
    for drawing in drawings:
        monkeypatch.setattr(Figure, "draw", counting)
        draws.clear()
        ours = drawing()
        assert len(draws) == 1
        monkeypatch.setattr(Figure, "draw", draw)
        with monkeypatch.context() as m:
            m.setattr(charts, "_svg", tight)
            assert same_drawing(ours, drawing())


def _bars(svg: str) -> list[tuple[float, float]]:
    """``(left, right)`` of the patches after the figure's and the axes' backgrounds, in
    drawing order: the bars, then the legend's keys."""
    return [(float(a), float(b)) for a, b in BAR.findall(svg)][2:]


def test_bars_of_days_years_apart_are_visible() -> None:
    """A run of one 1987 and one 2024 article drew each bar 0.8 day wide on a 37-year axis:
    0.026 points, an empty-looking chart with axes and legend (probe V, session 46)."""
    days = [date(1987, 2, 13) + timedelta(days=i) for i in range(13_550)]
    values = [0.0] * len(days)
    values[13] = values[-1] = 1.0  # 1987-02-26 and the last day, 2024-03-25
    svg = charts.stacked_bars(days, {"reuters": values[:], "fundus": [0.0] * len(days)}, "a")
    axes_left, axes_right = [(float(a), float(b)) for a, b in BAR.findall(svg)][1]
    first, last = _bars(svg)[:2]
    for left, right in (first, last):
        assert right - left >= 2.9  # points: a bar a reader sees
        assert axes_left <= left and right <= axes_right  # whole inside the axes
    # still a time axis: the bars stand 37 years apart, at the ends of the calendar
    middle = (first[0] + first[1]) / 2, (last[0] + last[1]) / 2
    per_day = (middle[1] - middle[0]) / (len(days) - 1 - 13)
    assert math.isclose(middle[0] - 13 * per_day, axes_left, abs_tol=3)


def test_bars_of_adjacent_days_stand_apart() -> None:
    days = [date(2024, 3, 1) + timedelta(days=i) for i in range(14)]
    lefts_rights = _bars(charts.stacked_bars(days, {"articles": [1.0] * 14}, "articles"))[:14]
    for (_, right), (left, _) in itertools.pairwise(lefts_rights):
        assert right < left
