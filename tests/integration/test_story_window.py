"""The story window through real runs and a real DuckDB warehouse (issue 12): near-identical
articles loaded by two runs join one story when published 30 days apart, and found two stories
at 31 days (W = 30, the default); the W a run was planned with is the one it uses; migration
0013 dates the LSH rows of a warehouse built at schema 12. Dates and texts are literals."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.load.migrations import migrate
from etl.settings import Settings, load_settings
from etl.warehouse import reader, writer

from .helpers import query, schemas_up_to, settings_for

#: Two different news texts (no shared 4-shingle), each well over 60 tokens.
TEXTS = {
    "x": (
        "The harbour authority said on Tuesday that the northern container terminal will close "
        "for six weeks of dredging work starting next month, and that shipping lines have been "
        "asked to divert their vessels to the southern quay while engineers deepen the channel "
        "to fourteen metres. Officials expect the project to cost about forty million euros and "
        "to allow larger ships to dock without waiting for the tide. Local fishermen complained "
        "that the noise would drive fish away from the bay for the whole summer season."
    ),
    "y": (
        "A regional orchestra announced its new season yesterday with eleven premieres, three "
        "visiting conductors and a series of free concerts in village churches across the "
        "valley. The director told reporters that ticket prices would stay unchanged for "
        "students and pensioners, while a new late evening programme aims at younger audiences "
        "who finish work after seven. Rehearsals begin in August in the renovated hall, whose "
        "acoustics were praised by the visiting musicians during a test performance in spring."
    ),
}


def _write(folder: Path, name: str, day: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = text.replace("\n", " ")
    (folder / f"{name}.txt").write_text(f" date {day} {body}\n\nEnd of report.", encoding="utf-8")


def _stories(s: Settings) -> dict[str, int]:
    rows = query(s.warehouse, "SELECT source_file, story_id FROM fact_article")
    return {Path(p).stem: story for p, story in rows}


def _two_runs(tmp: Path, second: dict[str, str], **overrides: object) -> dict[str, int]:
    """Run 1 loads x and y on 2024-03-01; run 2 loads a near-copy of each (one word changed) on
    the dates in ``second``; the story of each article by its file name."""
    landing = tmp / "landing"
    s = settings_for(landing, tmp / "wh", write_reports=False, **overrides)
    _write(landing / "run1", "x1", "2024-03-01", TEXTS["x"])
    _write(landing / "run1", "y1", "2024-03-01", TEXTS["y"])
    pipeline.run(s)
    shutil.rmtree(landing / "run1")  # the second run sees only its own files
    _write(landing / "run2", "x2", second["x"], TEXTS["x"].replace("Tuesday", "Wednesday"))
    _write(landing / "run2", "y2", second["y"], TEXTS["y"].replace("yesterday", "today"))
    pipeline.run(s)
    return _stories(s)


def test_near_copies_30_days_apart_share_a_story_31_days_apart_do_not(tmp_path: Path) -> None:
    stories = _two_runs(tmp_path, {"x": "2024-03-31", "y": "2024-04-01"})
    assert len(stories) == 4
    assert stories["x2"] == stories["x1"]  # 30 days after its first copy
    assert stories["y2"] != stories["y1"]  # 31 days after
    assert len(set(stories.values())) == 3


def test_a_run_uses_the_window_it_was_planned_with(tmp_path: Path) -> None:
    stories = _two_runs(tmp_path, {"x": "2024-04-01", "y": "2024-04-02"}, story_window_days=31)
    assert stories["x2"] == stories["x1"]  # 31 days: inside a window of 31
    assert stories["y2"] != stories["y1"]  # 32 days: outside


def test_a_window_of_0_days_groups_the_same_day_only(tmp_path: Path) -> None:
    """`NEWS_ETL_STORY_WINDOW_DAYS=0` (the same day only) loads: a near-copy on the day of its
    first copy joins its story, one a day later does not. The loader refused 0 as it refuses
    a negative window (survivor ``stories.assign_stories__mutmut_52`` of the seed-1208 sample,
    #18)."""
    stories = _two_runs(tmp_path, {"x": "2024-03-01", "y": "2024-03-02"}, story_window_days=0)
    assert stories["x2"] == stories["x1"]  # the same day
    assert stories["y2"] != stories["y1"]  # the next day


#: Rows of a warehouse at schema 12 (story_lsh without dates), and story_lsh after 0013.
MEMBERS = (
    "INSERT INTO story_member (article_id, story_id, published_date) VALUES "
    "('a', 1, DATE '2023-05-06'), ('b', 1, DATE '2023-07-08'), ('c', 2, DATE '2024-01-02')"
)
LSH = "INSERT INTO story_lsh VALUES (0, 11, 'a'), (1, 12, 'a'), (0, 21, 'b'), (5, 31, 'c')"
DATED = [
    ("a", 0, 11, date(2023, 5, 6)),
    ("a", 1, 12, date(2023, 5, 6)),
    ("b", 0, 21, date(2023, 7, 8)),
    ("c", 5, 31, date(2024, 1, 2)),
]
READ_LSH = "SELECT article_id, band, bucket, published_date FROM story_lsh ORDER BY ALL"


def _schemas_at_12(tmp: Path) -> Path:
    """A copy of the schemas folder with the migrations up to 0012 only."""
    return schemas_up_to(tmp, 12, "0013_story_lsh_dates.sql")


def test_migration_0013_dates_the_lsh_rows_of_a_schema_12_warehouse(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        assert migrate(con, _schemas_at_12(tmp_path) / "migrations") == list(range(1, 13))
        con.execute(MEMBERS)
        con.execute(LSH)
        # 0013 and every later migration
        latest = len(list(Settings().migrations_dir.glob("*.sql")))
        assert migrate(con, Settings().migrations_dir) == list(range(13, latest + 1))
        assert con.execute(READ_LSH).fetchall() == DATED
    finally:
        con.close()


def test_migration_0013_on_a_ducklake_warehouse(tmp_path: Path) -> None:
    lake = f"ducklake:{tmp_path}/catalog.ducklake"
    with writer(load_settings(warehouse=lake, schemas_dir=_schemas_at_12(tmp_path))) as con:
        con.execute(MEMBERS)
        con.execute(LSH)
        assert "published_date" not in {r[0] for r in con.execute("DESCRIBE story_lsh").fetchall()}
    with writer(load_settings(warehouse=lake)) as con:  # opening it applies 0013 and later ones
        applied = "SELECT list(version ORDER BY version) FROM schema_migrations WHERE version > 12"
        latest = len(list(Settings().migrations_dir.glob("*.sql")))
        assert con.execute(applied).fetchone() == (list(range(13, latest + 1)),)
        assert con.execute(READ_LSH).fetchall() == DATED


def _read(target: str, sql: str) -> list[tuple[object, ...]]:
    con = reader(target)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("kind", ["duckdb", "ducklake"])
def test_a_redated_article_moves_its_story_dates_and_window(tmp_path: Path, kind: str) -> None:
    """x1 is loaded dated 2024-01-01, then its header is changed to 2024-03-01 (same text, same
    article): the story rows follow the article's date (up to session 31 they kept 2024-01-01:
    ``dim_story.first_published_date`` named a date no article had, and the window probed from
    it). A near-copy dated 2024-03-25 is 24 days from x1 and joins its story. On a DuckDB file
    and on a DuckLake catalog (its UPDATE ... FROM)."""
    landing = tmp_path / "landing"
    target = (
        str(tmp_path / "w.duckdb")
        if kind == "duckdb"
        else f"ducklake:{tmp_path / 'lake' / 'catalog.ducklake'}"
    )
    s = load_settings(
        landing=landing,
        warehouse=target,
        staging_dir=tmp_path / "staging",
        write_reports=False,
        workers=1,
    )
    _write(landing / "wire", "x1", "2024-01-01", TEXTS["x"])
    pipeline.run(s)
    _write(landing / "wire", "x1", "2024-03-01", TEXTS["x"])
    redated = pipeline.run(s)
    assert redated.articles_loaded == 1
    [(article_id, story_id)] = _read(target, "SELECT article_id, story_id FROM fact_article")
    assert _read(target, "SELECT founding_article_id, first_published_date FROM dim_story") == [
        (article_id, date(2024, 3, 1))
    ]
    assert _read(target, "SELECT story_id, published_date FROM story_member") == [
        (story_id, date(2024, 3, 1))
    ]
    assert _read(target, "SELECT DISTINCT published_date FROM story_lsh") == [(date(2024, 3, 1),)]
    _write(landing / "wire", "x2", "2024-03-25", TEXTS["x"].replace("Tuesday", "Wednesday"))
    pipeline.run(s)
    stories = {
        Path(str(p)).stem: n
        for p, n in _read(target, "SELECT source_file, story_id FROM fact_article")
    }
    assert stories == {"x1": story_id, "x2": story_id}
