"""``--replace`` over the partitions of every file the run sees, not only of its new articles.

Found by a probe on 2026-12-03: with a day's files unchanged but one deleted, or changed to a
text that is now refused, a ``--replace`` run loaded no new article, so it had no partition and
removed nothing; the deleted or refused file's article stayed. Expected values are the file
names the landing zone holds, written here as literals.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from etl import pipeline
from etl.settings import Settings
from tests.integration.helpers import query, settings_for

DAY = date(2024, 3, 4)
OTHER = date(2024, 3, 9)
BODIES = {
    "a": "Rain fell on the capital for a third day, flooding roads and closing schools.",
    "b": "Gold climbed to a record as investors sought safety amid turmoil in bond markets.",
    "c": "Oil prices fell sharply after the cartel announced a surprise output increase.",
    "d": "The museum reopened its doors after a two-year renovation of the east wing.",
}


def _write(path: Path, day: date, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f" date {day.isoformat()} {body}\n", encoding="utf-8")


def _files(warehouse: Path) -> list[str]:
    return [r[0] for r in query(warehouse, "SELECT source_file FROM fact_article ORDER BY 1")]


def _dated_day(tmp_path: Path) -> tuple[Settings, Path]:
    """A warehouse loaded by ``run --date DAY`` from the folder ``DAY/`` holding a.txt and b.txt;
    the settings and the folder."""
    landing = tmp_path / "landing"
    folder = landing / DAY.isoformat()
    for name in ("a", "b"):
        _write(folder / f"{name}.txt", DAY, BODIES[name])
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings, partition_date=DAY).articles_loaded == 2
    return settings, folder


def test_a_deleted_file_of_a_dated_folder_goes_when_nothing_is_new(tmp_path: Path) -> None:
    settings, folder = _dated_day(tmp_path)
    (folder / "b.txt").unlink()

    summary = pipeline.run(settings, partition_date=DAY, mode="replace")

    assert (summary.articles_loaded, summary.articles_removed) == (0, 1)
    assert _files(settings.warehouse) == ["2024-03-04/a.txt"]
    assert query(settings.warehouse, "SELECT path FROM ingest_ledger ORDER BY 1") == [
        ("2024-03-04/a.txt",)
    ]
    # the day's term sums follow: no term of b's text is left on the day
    assert query(
        settings.warehouse,
        "SELECT count(*) FROM agg_daily_term g JOIN dim_term t USING (term_id) "
        "WHERE t.term = 'gold'",
    ) == [(0,)]


def test_a_file_changed_to_a_refused_text_loses_its_old_article(tmp_path: Path) -> None:
    settings, folder = _dated_day(tmp_path)
    (folder / "b.txt").write_text(f" date {DAY.isoformat()}\n", encoding="utf-8")  # no body

    summary = pipeline.run(settings, partition_date=DAY, mode="replace")

    assert (summary.articles_loaded, summary.articles_removed) == (0, 1)
    assert _files(settings.warehouse) == ["2024-03-04/a.txt"]
    assert query(settings.warehouse, "SELECT path, reason FROM quarantine") == [
        ("2024-03-04/b.txt", "no_text")
    ]


def test_an_undated_landing_zone_replaces_the_days_of_its_files(tmp_path: Path) -> None:
    """A flat landing zone: a day is a file's published date. ``b`` (deleted) shared its day with
    the unchanged ``a``, and ``c`` (changed, now refused) held a day of its own: both go. ``d``
    (deleted) was the only file of its day, which the run then does not see: it stays."""
    landing = tmp_path / "landing"
    _write(landing / "a.txt", DAY, BODIES["a"])
    _write(landing / "b.txt", DAY, BODIES["b"])
    _write(landing / "c.txt", OTHER, BODIES["c"])
    _write(landing / "d.txt", date(2024, 3, 11), BODIES["d"])
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 4
    (landing / "b.txt").unlink()
    (landing / "d.txt").unlink()
    (landing / "c.txt").write_text(f" date {OTHER.isoformat()}\n", encoding="utf-8")

    summary = pipeline.run(settings, mode="replace")

    assert (summary.articles_loaded, summary.articles_removed) == (0, 2)
    assert _files(settings.warehouse) == ["a.txt", "d.txt"]


def test_another_landing_zone_s_file_of_the_same_name_keeps_its_day(tmp_path: Path) -> None:
    """The days of a changed undated file are those its own landing zone's ledger names: a file
    of the same name in another landing zone, on another day, is not touched."""
    first, second = tmp_path / "first", tmp_path / "second"
    _write(first / "a.txt", DAY, BODIES["a"])
    _write(first / "c.txt", DAY, BODIES["c"])
    _write(second / "c.txt", OTHER, BODIES["d"])
    settings = settings_for(first, tmp_path, write_reports=False)
    pipeline.run(settings)
    pipeline.run(settings_for(second, tmp_path, write_reports=False))
    (first / "c.txt").write_text(f" date {DAY.isoformat()}\n", encoding="utf-8")  # now refused

    summary = pipeline.run(settings, mode="replace")

    assert summary.articles_removed == 1
    rows = query(
        settings.warehouse,
        "SELECT source_file, published_date FROM fact_article ORDER BY published_date",
    )
    assert rows == [("a.txt", DAY), ("c.txt", OTHER)]


def test_a_days_replace_never_touches_another_days_folder(tmp_path: Path) -> None:
    """``run --date D --replace`` with a file outside dated folders whose header names another
    day: the file was counted unchanged, its article's day became one of the run's partitions,
    and every article of that day's folder, which the run never read, was removed (probe:
    4 of 5 articles of the other day gone, nothing in the landing zone changed)."""
    landing = tmp_path / "landing"
    _write(landing / DAY.isoformat() / "a.txt", DAY, BODIES["a"])
    _write(landing / OTHER.isoformat() / "b.txt", OTHER, BODIES["b"])
    _write(landing / OTHER.isoformat() / "c.txt", OTHER, BODIES["c"])
    _write(landing / "flat" / "d.txt", OTHER, BODIES["d"])  # outside dated folders: OTHER
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 4
    before = _files(settings.warehouse)

    summary = pipeline.run(settings, partition_date=DAY, mode="replace")

    assert (summary.articles_loaded, summary.articles_removed) == (0, 0)
    assert (
        _files(settings.warehouse)
        == before
        == [
            "2024-03-04/a.txt",
            "2024-03-09/b.txt",
            "2024-03-09/c.txt",
            "flat/d.txt",
        ]
    )
    ((partitions, unchanged, deferred),) = query(
        settings.warehouse,
        "SELECT partitions, files_unchanged, files_deferred FROM etl_run"
        " ORDER BY started_at DESC LIMIT 1",
    )
    assert partitions == []  # the days it wrote: none (it removed OTHER's articles)
    # the flat file is another day's, as the folder OTHER/ is: left for its own run
    assert (unchanged, deferred) == (1, 3)
