"""A file renamed in the landing zone: a rebuild of its day gives its article the present name.

A merge run counts the renamed file as a duplicate of the article it already loaded (its bytes
are known), so the article keeps naming the old path. Up to session 31 a rebuild
(``backfill --mode all``) left it so too: its scope was the articles the day's present files
gave, and the old path is none of them. Now an article of the day whose file the rebuild did
not find (it reads every file of the day) and that a present file of the day gives is written
again from that file. An article no present file gives keeps its row: a rebuild does not
delete what it cannot see.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl import backfill, pipeline
from etl.settings import Settings

from .helpers import query, settings_for

DAY = date(2024, 3, 5)
BODY = "The harbour board met on Monday and approved the new ferry timetable for the islands."
OTHER = "Rain closed the mountain pass for a second day and the ski lifts stayed shut."
THIRD = "The village council voted to reopen the old railway station as a public library."


def _articles(warehouse: Path) -> list[tuple[str, str, date]]:
    return query(
        warehouse,
        "SELECT article_id, source_file, published_date FROM fact_article ORDER BY source_file",
    )


def _ledger(warehouse: Path) -> dict[str, str]:
    return dict(query(warehouse, "SELECT path, outcome FROM ingest_ledger"))


def _two_articles(tmp_path: Path) -> tuple[Settings, Path]:
    """A day folder of two articles (``harbour.txt``, ``pass.txt``), loaded."""
    folder = tmp_path / "landing" / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "harbour.txt").write_text(f" date {DAY} {BODY}\n")
    (folder / "pass.txt").write_text(f" date {DAY} {OTHER}\n")
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 2
    return settings, folder


@pytest.mark.parametrize("run_between", [False, True], ids=["rebuild-only", "merge-then-rebuild"])
def test_a_rebuild_names_the_renamed_file_of_a_dated_folder(
    tmp_path: Path, run_between: bool
) -> None:
    settings, folder = _two_articles(tmp_path)
    before = _articles(settings.warehouse)
    terms_before = query(settings.warehouse, "SELECT * FROM agg_daily_term ORDER BY ALL")
    (folder / "harbour.txt").rename(folder / "ferry.txt")
    if run_between:
        merged = pipeline.run(settings)
        assert (merged.articles_loaded, merged.duplicates) == (0, 1)
        assert _ledger(settings.warehouse)[f"{DAY}/ferry.txt"] == "duplicate"

    rebuilt = backfill.rebuild_partition(settings, DAY)

    assert rebuilt.status == "success"
    harbour_id = next(a for a, path, _ in before if path.endswith("harbour.txt"))
    pass_id = next(a for a, path, _ in before if path.endswith("pass.txt"))
    assert _articles(settings.warehouse) == [
        (harbour_id, f"{DAY}/ferry.txt", DAY),
        (pass_id, f"{DAY}/pass.txt", DAY),
    ]
    assert _ledger(settings.warehouse)[f"{DAY}/ferry.txt"] == "loaded"
    # The same article on the same day: the day's term sums are what they were.
    assert (
        query(
            settings.warehouse,
            "SELECT * FROM agg_daily_term ORDER BY ALL",
        )
        == terms_before
    )
    # A second rebuild finds nothing to move.
    again = backfill.rebuild_partition(settings, DAY)
    assert again.status == "success"
    assert _articles(settings.warehouse) == [
        (harbour_id, f"{DAY}/ferry.txt", DAY),
        (pass_id, f"{DAY}/pass.txt", DAY),
    ]


def test_a_rebuild_names_the_renamed_file_outside_dated_folders(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    flat = landing / "dump"
    flat.mkdir(parents=True)
    (flat / "harbour.txt").write_text(f" date {DAY} {BODY}\n")
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 1
    [(article_id, _, _)] = _articles(settings.warehouse)
    (flat / "harbour.txt").rename(flat / "ferry.txt")

    assert backfill.rebuild_partition(settings, DAY).status == "success"

    assert _articles(settings.warehouse) == [(article_id, "dump/ferry.txt", DAY)]


def test_a_rebuild_keeps_the_article_of_a_deleted_file(tmp_path: Path) -> None:
    settings, folder = _two_articles(tmp_path)
    before = _articles(settings.warehouse)
    (folder / "harbour.txt").unlink()

    rebuilt = backfill.rebuild_partition(settings, DAY)

    assert (rebuilt.status, rebuilt.articles_removed) == ("success", 0)
    assert _articles(settings.warehouse) == before


def test_a_rebuild_keeps_the_old_name_when_the_renamed_file_now_fails_a_check(
    tmp_path: Path,
) -> None:
    """The present file gives the article's id, but its record now fails validation (a stricter
    minimum of terms): the article stays as it was, from its old path, rather than going."""
    landing = tmp_path / "landing"
    folder = landing / DAY.isoformat()
    folder.mkdir(parents=True)
    (folder / "harbour.txt").write_text(f" date {DAY} {BODY}\n")
    settings = settings_for(landing, tmp_path, write_reports=False)
    assert pipeline.run(settings).articles_loaded == 1
    before = _articles(settings.warehouse)
    (folder / "harbour.txt").rename(folder / "ferry.txt")
    strict = settings.model_copy(update={"min_article_terms": 1000})

    rebuilt = backfill.rebuild_partition(strict, DAY)

    assert (rebuilt.status, rebuilt.articles_loaded, rebuilt.quarantined) == ("success", 0, 1)
    assert _articles(settings.warehouse) == before


def test_a_replace_run_keeps_the_articles_of_renamed_files(tmp_path: Path) -> None:
    """``run --date D --replace`` after two files were renamed (one of ``D/``, one undated with no
    date of its own): the run reads both under their new names and finds their bytes known (a
    ``duplicate`` of what the warehouse holds). Up to session 31 it removed both articles (their
    old paths were not among its files, and a known copy counted for nothing), and the next run
    loaded the undated one again on that run's day. A known copy now keeps its articles as an
    unchanged file does: nothing is removed, and the undated article keeps its day."""
    settings, folder = _two_articles(tmp_path)
    (tmp_path / "landing" / "u.txt").write_text(f"{THIRD}\n")  # no date: the run's
    assert pipeline.run(settings, partition_date=DAY).articles_loaded == 1
    before = _articles(settings.warehouse)
    assert [day for _, _, day in before] == [DAY, DAY, DAY]
    (folder / "harbour.txt").rename(folder / "ferry.txt")
    (tmp_path / "landing" / "u.txt").rename(tmp_path / "landing" / "v.txt")

    replaced = pipeline.run(settings, partition_date=DAY, mode="replace")

    assert (replaced.articles_loaded, replaced.articles_removed) == (0, 0)
    assert _articles(settings.warehouse) == before
    ledger = _ledger(settings.warehouse)
    assert (ledger[f"{DAY}/ferry.txt"], ledger["v.txt"]) == ("duplicate", "duplicate")
    # a later run has nothing to load again
    assert pipeline.run(settings).articles_loaded == 0
    assert _articles(settings.warehouse) == before
