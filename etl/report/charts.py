"""Charts as inline SVG (matplotlib, Agg backend): no files, no external assets.

Every chart over time has a real time axis: dates are positioned by their value, so a gap in
the data is a gap on the axis, and the tick labels are chosen (and condensed) by matplotlib's
date locator instead of one label per bar. Labels are data, never markup: mathtext is off, so a
source called ``$\\undefinedmacro{x}$`` is drawn as those characters instead of failing.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import RendererSVG
from matplotlib.container import Container
from matplotlib.figure import Figure

from etl.output import visible

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        # Labels come from the data (sources, terms): draw them as text, never as TeX math.
        "text.parse_math": False,
    }
)


#: Labels (a word, a source) longer than this are drawn shortened, ending in "…": matplotlib
#: lays a label out glyph by glyph, and one 1.9-million-character "word" took 207 s to draw.
#: The report lists the shortened ones whole beside the chart (:func:`shortened`).
MAX_LABEL_CHARS = 60


def label(text: object) -> str:
    """``text`` as a chart draws it: control and invisible characters escaped
    (:func:`etl.output.visible`: a U+202E in a source's name would draw the rest of it backwards),
    then whole up to :data:`MAX_LABEL_CHARS` characters, else its first ``MAX_LABEL_CHARS - 1``
    and "…"."""
    text = visible(str(text), keep="")
    return text if len(text) <= MAX_LABEL_CHARS else text[: MAX_LABEL_CHARS - 1] + "…"


def shortened(names: Iterable[object]) -> list[str]:
    """The names a chart draws shortened (see :func:`label`), whole, in their order."""
    return [str(n) for n in names if len(visible(str(n), keep="")) > MAX_LABEL_CHARS]


def _legend(ax: Axes, drawn: list[tuple[Artist | Container, str]]) -> None:
    """The legend of ``drawn`` (an artist and its name each), every name shown: given by name,
    not left to matplotlib, which leaves out a label that starts with "_" (a source ``_wire``)."""
    if drawn:
        handles, names = zip(*drawn, strict=True)
        ax.legend(list(handles), [label(n) for n in names], fontsize=8, frameon=False,
                  loc="upper left")  # fmt: skip


#: matplotlib's date conversions and SVG renderer, typed (its stubs leave them untyped).
_date2num = cast(Callable[[Sequence[date]], Any], mdates.date2num)
_svg_renderer = cast(Callable[..., Any], RendererSVG)
_concise = cast(Callable[[Any], Any], mdates.ConciseDateFormatter)
_locator = cast(Callable[..., Any], mdates.AutoDateLocator)
_day_locator = cast(Callable[..., Any], mdates.DayLocator)
_date_formatter = cast(Callable[..., Any], mdates.DateFormatter)


#: matplotlib's warning that its font has no glyph for a character of a label.
_MISSING_GLYPH = r"Glyph \d+ .*missing from font"


def _svg(fig: Figure) -> str:
    """``fig`` as SVG, cropped as ``bbox_inches="tight"`` crops it, without the extra drawing
    of the whole figure that option does to find the crop (~16 ms of a ~90 ms chart; a one-file
    run draws five): the crop is measured with an SVG renderer's text metrics, at the 72 dpi
    the SVG is written at, the same measure (in inches) matplotlib takes."""
    dpi = fig.dpi
    with warnings.catch_warnings():
        # The text is written as SVG text ("svg.fonttype": "none") that the browser draws in its
        # own fonts; matplotlib's font only measures it, and warned, in six blocks of several
        # lines a run, of each glyph it lacks (a Chinese title) that the page shows anyway.
        warnings.filterwarnings("ignore", _MISSING_GLYPH, UserWarning)
        fig.set_dpi(72)
        try:
            width, height = fig.get_size_inches() * 72
            measure = _svg_renderer(width, height, io.StringIO(), image_dpi=72)
            crop = fig.get_tightbbox(measure).padded(plt.rcParams["savefig.pad_inches"])
        finally:
            fig.set_dpi(dpi)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", bbox_inches=crop)
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _time_axis(ax: Axes, days: Sequence[date] = (), margin: float = 0.5) -> None:
    """Date ticks chosen by matplotlib's locator. Given ``days`` (a chart's calendar), the axis
    spans them whole, ``margin`` days (half a day, or half a bar wider than a day) either side,
    and ticks fall on days: left to matplotlib, a window of fourteen days with one day of data
    was drawn as that day's hours, and a line of one point as five years around it (probe,
    session 41)."""
    locator = _locator(minticks=3, maxticks=8)
    formatter = _concise(locator)
    if days:
        first, last = _date2num([min(days), max(days)])
        ax.set_xlim(first - margin, last + margin)
        if last - first < 8:  # too few days for the locator's choice: it would tick hours
            locator = _day_locator()
            # one day alone: the concise form would say its hour (00:00)
            formatter = _date_formatter("%Y-%m-%d") if first == last else _concise(locator)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str) -> str:
    """A horizontal bar chart, largest on top."""
    fig, ax = plt.subplots(figsize=(7, 0.3 * max(len(labels), 3) + 0.8))
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color="#3b6ea8")
    ax.set_yticks(positions, [label(text) for text in labels])
    ax.set_title(title, loc="left")
    return _svg(fig)


#: Series drawn in their own colour; the rest are summed into one "other" series (named in the
#: legend with their number), so a day of fifty sources stays readable and fast to draw.
MAX_SERIES = 8


def _fold_small_series(series: Mapping[str, Sequence[float]]) -> dict[str, list[float]]:
    """The :data:`MAX_SERIES` - 1 largest series, then the sum of the others as one series."""
    if len(series) <= MAX_SERIES:
        return {name: list(values) for name, values in series.items()}
    ranked = sorted(series, key=lambda name: (-sum(series[name]), name))
    kept, rest = ranked[: MAX_SERIES - 1], ranked[MAX_SERIES - 1 :]
    folded = {name: list(series[name]) for name in kept}
    others = [series[n] for n in rest]
    folded[f"{len(rest)} other"] = [sum(vals) for vals in zip(*others, strict=True)]
    return folded


def legend_names(series: Mapping[str, Sequence[float]]) -> list[str]:
    """The series names :func:`stacked_bars` draws in its legend (the small ones folded)."""
    return list(_fold_small_series(series))


#: The narrowest a day's bar is drawn, in points (the SVG's units; about 4 px at 100 %).
MIN_BAR_POINTS = 3.0
#: A day's bar where the axis is wide enough: 0.8 day, so adjacent days stand apart.
DAY_BAR_WIDTH = 0.8


def _bar_width(fig: Figure, ax: Axes, days: Sequence[date]) -> float:
    """The width of a day's bar in days: :data:`DAY_BAR_WIDTH`, or wider when that would be
    narrower than :data:`MIN_BAR_POINTS` on the axis (a calendar of many years): a run of 1987
    and 2024 drew its bars 0.026 points wide, axes and legend with no visible bar (probe V,
    session 46). Adjacent days' bars then overlap; a day is still where its date is."""
    if not days:
        return DAY_BAR_WIDTH
    axis_points = float(ax.get_position().width * fig.get_size_inches()[0] * 72)
    span = (max(days) - min(days)).days + 1
    # the axis spans the calendar and a margin of half a bar either side: solved for the bar
    width = MIN_BAR_POINTS * span / (axis_points - MIN_BAR_POINTS)
    return max(DAY_BAR_WIDTH, width)


def stacked_bars(days: Sequence[date], series: Mapping[str, Sequence[float]], title: str) -> str:
    """Stacked bars per day on a time axis, one colour per series (e.g. per source).

    Only days with a value get a bar (a long calendar of empty days draws nothing there), and
    past :data:`MAX_SERIES` the smallest series are summed into one named "other" series. A
    bar is never narrower than :data:`MIN_BAR_POINTS` (:func:`_bar_width`)."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    positions = _date2num(list(days))
    width = _bar_width(fig, ax, days)
    bottom = [0.0] * len(days)
    drawn: list[tuple[Artist | Container, str]] = []
    for name, values in _fold_small_series(series).items():
        shown = [i for i, v in enumerate(values) if v]
        bars = ax.bar(
            [positions[i] for i in shown],
            [values[i] for i in shown],
            bottom=[bottom[i] for i in shown],
            width=width,
        )
        drawn.append((bars, name))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(title, loc="left")
    _legend(ax, drawn)
    _time_axis(ax, days, max(0.5, width / 2))
    return _svg(fig)


def line_chart(days: Sequence[date], series: Mapping[str, Sequence[float]], title: str) -> str:
    """One line per series on a time axis; NaN values (days without data) leave a gap."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    drawn: list[tuple[Artist | Container, str]] = []
    for name, values in series.items():
        (line,) = ax.plot(_date2num(list(days)), values, marker="o", markersize=3)
        drawn.append((line, name))
    ax.set_title(title, loc="left")
    _legend(ax, drawn)
    _time_axis(ax, days)
    return _svg(fig)


def events_chart(
    times: Sequence[datetime], series: Mapping[str, Sequence[float]], title: str
) -> str:
    """Values at points in time (e.g. per run), one marker style per series, on a time axis."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    drawn: list[tuple[Artist | Container, str]] = []
    for name, values in series.items():
        (line,) = ax.plot(_date2num(list(times)), values, marker="o", linestyle="-", markersize=4)
        drawn.append((line, name))
    ax.set_title(title, loc="left")
    _legend(ax, drawn)
    ax.set_ylim(bottom=0)
    _time_axis(ax)
    return _svg(fig)


def nan() -> float:
    """The value that leaves a gap in :func:`line_chart` (a day without articles)."""
    return math.nan
