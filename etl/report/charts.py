"""Charts as inline SVG (matplotlib, Agg backend): no files, no external assets."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

plt.rcParams.update(
    {"svg.fonttype": "none", "font.size": 10, "axes.spines.top": False, "axes.spines.right": False}
)


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str) -> str:
    """A horizontal bar chart, largest on top."""
    fig, ax = plt.subplots(figsize=(7, 0.3 * max(len(labels), 3) + 0.8))
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color="#3b6ea8")
    ax.set_yticks(positions, labels)
    ax.set_title(title, loc="left")
    return _svg(fig)


def stacked_bars(days: Sequence[date], series: Mapping[str, Sequence[float]], title: str) -> str:
    """Stacked vertical bars per day, one colour per series (e.g. per source)."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    bottom = [0.0] * len(days)
    labels = [d.isoformat() for d in days]
    for name, values in series.items():
        ax.bar(labels, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(title, loc="left")
    ax.legend(fontsize=8, frameon=False)
    ax.tick_params(axis="x", labelrotation=45)
    return _svg(fig)


def line_chart(days: Sequence[date], series: Mapping[str, Sequence[float]], title: str) -> str:
    """One line per series over days."""
    fig, ax = plt.subplots(figsize=(8, 3.2))
    labels = [d.isoformat() for d in days]
    for name, values in series.items():
        ax.plot(labels, values, marker="o", label=name)
    ax.set_title(title, loc="left")
    ax.legend(fontsize=8, frameon=False)
    ax.tick_params(axis="x", labelrotation=45)
    return _svg(fig)
