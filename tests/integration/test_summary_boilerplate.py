"""The summary's top terms say when boilerplate lines have not been looked for since articles
were loaded: the lines are found only by a marts refresh (``news-etl marts``; the ``news_marts``
DAG after every Airflow load), so after ``news-etl run`` alone a wire's sign-off was counted
among the top terms while the README said boilerplate lines were left out (probe).

Expected values are literals: six stories of one source each signed ``ZEPHYRWIRE``.
"""

from __future__ import annotations

from pathlib import Path

from etl import pipeline
from etl.marts import refresh_marts
from etl.report.summary import format_summary, summarise

from .helpers import settings_for

WORDS = ("harbour", "orchard", "glacier", "quarry", "meadow", "canyon", "lagoon")


def _story(i: int) -> str:
    """Six different stories (no two near-copies), each ending with the sign-off line."""
    word = WORDS[i]
    body = f"The {word} council met on Monday about the {word} plan number {i}.\n\n"
    body += f"Residents near the {word} asked questions {i} times before the vote.\n\n"
    return body + "ZEPHYRWIRE"


def _write(landing: Path, indexes: range) -> None:
    for i in indexes:
        path = landing / "zephyr" / f"{i:03d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f" date 2021-04-0{1 + i} {_story(i)}\n", encoding="utf-8")


def _summary(warehouse: Path) -> tuple[list[str], str]:
    summary = summarise(warehouse, top=40)
    return [t for t, _ in summary.top_terms], format_summary(summary, warehouse)


def test_top_terms_say_whether_boilerplate_lines_were_looked_for(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _write(landing, range(6))
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 6

    terms, text = _summary(settings.warehouse)
    assert "zephyrwire" in terms  # six occurrences, the top of the ranking: counted
    assert "boilerplate lines such as a sign-off are not looked for yet" in text
    assert "`news-etl marts` finds them" in text
    assert max(len(line) for line in text.splitlines()[1:]) <= 80  # the path aside

    refresh_marts(settings)
    terms, text = _summary(settings.warehouse)
    assert "zephyrwire" not in terms  # found: left out, and nothing to say
    assert "boilerplate" not in text

    assert pipeline.run(settings).articles_loaded == 0  # nothing new: still current
    assert "boilerplate" not in _summary(settings.warehouse)[1]

    _write(landing, range(6, 7))
    assert pipeline.run(settings).articles_loaded == 1
    terms, text = _summary(settings.warehouse)
    assert "zephyrwire" not in terms  # the known line is applied to the new day
    assert "boilerplate lines as `news-etl marts` found them at " in text
    assert "1 run loaded articles since" in " ".join(text.split())
