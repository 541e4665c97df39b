"""Rebuilds of multi-record files: every record's article counts, not only the one the ledger
row used to name (``ingest_ledger.article_id``, a multi-record file's smallest article id).

Found in session 23's audit and reproduced in session 25: a rebuild removed only the articles
the ledger named, so the old version of an edited record stayed in the warehouse beside the
new one; an article that only a later record of a multi-record copy held was removed although
the copy was still there; and a record removed for good stayed missing when its file turned
back. Expected values are the texts the tests write; article ids are read from the warehouse
only to choose which file to edit.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import backfill, pipeline
from etl.cli import app
from etl.settings import Settings, load_settings
from etl.warehouse import writer

from .helpers import query, schemas_up_to, settings_for

BODY = "{words} said the spokesman on Monday.\n\nA second paragraph follows here."
DAY, OTHER_DAY, COPY_DAY = "2024-03-04", "2024-03-05", "2024-03-06"


def _line(words: str, day: str = DAY) -> str:
    return json.dumps({"published": day, "text": BODY.format(words=words)})


def _jsonl(path: Path, *words: str) -> None:
    path.write_text("".join(_line(w) + "\n" for w in words))


def _txt(path: Path, words: str, day: str = DAY) -> None:
    path.write_bytes(f" date {day} {BODY.format(words=words)}".encode())


def _loaded_feed(tmp: Path, *words: str) -> tuple[Path, Settings]:
    """A landing zone with ``DAY/a.jsonl`` holding ``words``, loaded by one run: the file and
    the settings of its warehouse."""
    landing = tmp / "landing"
    (landing / DAY).mkdir(parents=True)
    path = landing / DAY / "a.jsonl"
    _jsonl(path, *words)
    s = settings_for(landing, tmp / "wh", write_reports=False)
    pipeline.run(s)
    return path, s


def _held(s: Settings) -> list[tuple[str, str, str]]:
    """(opening words, file, day) of every stored article, sorted."""
    rows = query(
        s.warehouse,
        "SELECT split_part(t.clean_text, ' said', 1), f.source_file, f.published_date::VARCHAR "
        "FROM article_text t JOIN fact_article f USING (article_id)",
    )
    return sorted((str(a), str(b), str(c)) for a, b, c in rows)


def _id_of(s: Settings, words: str) -> str:
    ((article_id,),) = query(
        s.warehouse,
        "SELECT article_id FROM article_text WHERE clean_text LIKE ? || ' said%'",
        [words],
    )
    return str(article_id)


def _assert_consistent(s: Settings) -> None:
    """No ledger verdict names a missing article, and the daily sums follow the facts."""
    dangling = query(
        s.warehouse,
        "SELECT path FROM ingest_ledger WHERE outcome IN ('loaded', 'duplicate') "
        "AND article_id NOT IN (SELECT article_id FROM fact_article)",
    )
    assert dangling == []
    stored = query(
        s.warehouse,
        "SELECT published_date, term_id, occurrences FROM agg_daily_term ORDER BY ALL",
    )
    summed = query(
        s.warehouse,
        "SELECT published_date, term_id, sum(count) FROM fact_article_term "
        "GROUP BY ALL ORDER BY ALL",
    )
    assert stored == summed


@pytest.mark.parametrize("edited", [0, 1])
def test_a_rebuild_removes_the_old_version_of_an_edited_record(tmp_path: Path, edited: int) -> None:
    """a.jsonl holds Apple and Banana; one line is rewritten and the day rebuilt. The day holds
    the file as it is now: the old line's article is gone (it stayed when it was not the one
    article the ledger row named)."""
    words = ["Apple story", "Banana story"]
    path, s = _loaded_feed(tmp_path, *words)
    words[edited] = "Cherry story"
    _jsonl(path, *words)
    backfill.rebuild_partition(s, date(2024, 3, 4))
    here = f"{DAY}/a.jsonl"
    assert _held(s) == sorted((w, here, DAY) for w in words)
    _assert_consistent(s)


def test_a_multi_record_file_that_turns_back_loads_its_removed_record_again(
    tmp_path: Path,
) -> None:
    """a.jsonl Apple+Banana -> Apple+Cherry (rebuilt: Banana removed) -> Apple+Banana again:
    the first content's ledger row still said loaded, so the file counted as unchanged and
    Banana stayed missing. A verdict goes with every article of the file."""
    path, s = _loaded_feed(tmp_path, "Apple story", "Banana story")
    _jsonl(path, "Apple story", "Cherry story")
    backfill.rebuild_partition(s, date(2024, 3, 4))
    here = f"{DAY}/a.jsonl"
    assert _held(s) == [(w, here, DAY) for w in ("Apple story", "Cherry story")]
    _jsonl(path, "Apple story", "Banana story")
    pipeline.run(s)
    # merge never removes: Cherry stays beside the file's first content
    assert _held(s) == [(w, here, DAY) for w in ("Apple story", "Banana story", "Cherry story")]
    _assert_consistent(s)


@pytest.mark.parametrize(("mine", "other"), [("Apple", "Banana"), ("Banana", "Apple")])
def test_a_rebuild_keeps_every_article_a_multi_record_copy_holds(
    tmp_path: Path, mine: str, other: str
) -> None:
    """a.txt (mine) on the rebuilt day, z.txt (other) on the next, c.jsonl holding both two days
    later (a ``duplicate``; its ledger row names the smaller article id, so one of the two
    orders names ``other``). a.txt is edited and its day rebuilt: the copy still holds mine, so
    it stays, with the copy as its file. It was removed when the copy's row named ``other``."""
    landing = tmp_path / "landing"
    for day in (DAY, OTHER_DAY, COPY_DAY):
        (landing / day).mkdir(parents=True)
    _txt(landing / DAY / "a.txt", f"{mine} story")
    _txt(landing / OTHER_DAY / "z.txt", f"{other} story", OTHER_DAY)
    (landing / COPY_DAY / "c.jsonl").write_text(
        _line(f"{mine} story") + "\n" + _line(f"{other} story", OTHER_DAY) + "\n"
    )
    s = settings_for(landing, tmp_path / "wh", write_reports=False)
    pipeline.run(s)
    copy = f"{COPY_DAY}/c.jsonl"
    assert query(s.warehouse, "SELECT outcome FROM ingest_ledger WHERE path = ?", [copy]) == [
        ("duplicate",)
    ]
    _txt(landing / DAY / "a.txt", "Cherry story")
    backfill.rebuild_partition(s, date(2024, 3, 4))
    assert _held(s) == sorted(
        [
            (f"{mine} story", copy, DAY),  # the copy's record date
            (f"{other} story", f"{OTHER_DAY}/z.txt", OTHER_DAY),
            ("Cherry story", f"{DAY}/a.txt", DAY),
        ]
    )
    assert query(s.warehouse, "SELECT outcome FROM ingest_ledger WHERE path = ?", [copy]) == [
        ("loaded",)
    ]
    _assert_consistent(s)
    # Rebuilding any day again changes nothing: the copy is the article's file now.
    before = query(s.warehouse, "SELECT * EXCLUDE (story_id) FROM fact_article ORDER BY 1")
    for rebuilt in (date(2024, 3, 6), date(2024, 3, 5), date(2024, 3, 4)):
        backfill.rebuild_partition(s, rebuilt)
    assert query(s.warehouse, "SELECT * EXCLUDE (story_id) FROM fact_article ORDER BY 1") == before


def test_replace_drops_a_record_version_that_merge_kept(tmp_path: Path) -> None:
    """a.jsonl Apple+Banana, then Apple+Cherry under merge (which keeps Banana), then a replace
    run of the day (b.txt is new): the day holds the files as they are now. a.jsonl was skipped
    as unchanged, and every article with its path was kept, Banana too."""
    path, s = _loaded_feed(tmp_path, "Apple story", "Banana story")
    _jsonl(path, "Apple story", "Cherry story")
    pipeline.run(s)
    here = f"{DAY}/a.jsonl"
    assert _held(s) == [(w, here, DAY) for w in ("Apple story", "Banana story", "Cherry story")]
    _txt(path.parent / "b.txt", "Date story")
    summary = pipeline.run(s, mode="replace")
    assert (summary.files_unchanged, summary.articles_loaded) == (1, 1)
    assert _held(s) == [
        ("Apple story", here, DAY),
        ("Cherry story", here, DAY),
        ("Date story", f"{DAY}/b.txt", DAY),
    ]
    _assert_consistent(s)


def test_the_ledger_lists_every_article_a_file_gives(tmp_path: Path) -> None:
    """``article_ids``: each record's article, new or already known, for the file that loaded
    them, a parsed copy and a byte-identical copy recorded without being parsed; NULL for a file
    that gave none. ``article_id`` stays the smallest."""
    landing = tmp_path / "landing"
    (landing / DAY).mkdir(parents=True)
    _jsonl(landing / DAY / "a.jsonl", "Apple story", "Banana story")
    (landing / DAY / "empty.jsonl").write_text("")
    s = settings_for(landing, tmp_path / "wh", write_reports=False)
    pipeline.run(s)
    (landing / COPY_DAY).mkdir()
    (landing / COPY_DAY / "bytes.jsonl").write_bytes((landing / DAY / "a.jsonl").read_bytes())
    _jsonl(landing / COPY_DAY / "mixed.jsonl", "Banana story", "Cherry story")
    pipeline.run(s)
    apple, banana, cherry = (_id_of(s, w) for w in ("Apple story", "Banana story", "Cherry story"))
    rows = query(s.warehouse, "SELECT path, outcome, article_id, article_ids FROM ingest_ledger")
    got = {str(p).rsplit("/", 1)[1]: (o, a, ids) for p, o, a, ids in rows}
    both = sorted([apple, banana])
    assert got == {
        "a.jsonl": ("loaded", both[0], both),
        "empty.jsonl": ("quarantined", None, None),
        "bytes.jsonl": ("duplicate", both[0], both),
        "mixed.jsonl": ("loaded", min(banana, cherry), sorted([banana, cherry])),
    }


LEDGER_21 = """
INSERT INTO ingest_ledger VALUES
  ('a.txt', '/z', 'h1', 10, 1, 'loaded', 'art1', now(), now(), 'r', 'r'),
  ('b.jsonl', '/z', 'h2', 10, 1, 'duplicate', 'art2', now(), now(), 'r', 'r'),
  ('c.txt', '/z', 'h3', 10, 1, 'quarantined', NULL, now(), now(), 'r', 'r')
"""
READ_IDS = "SELECT path, article_ids FROM ingest_ledger ORDER BY path"
NOT_RECORDED = [("a.txt", None), ("b.jsonl", None), ("c.txt", None)]


@pytest.mark.parametrize("kind", ["file", "lake"])
def test_migration_0022_leaves_older_rows_not_recorded(tmp_path: Path, kind: str) -> None:
    """Rows recorded before 0022 get NULL (not recorded: the loader reads their ``article_id``),
    on a DuckDB file and on a DuckLake warehouse."""
    warehouse = (
        str(tmp_path / "w.duckdb") if kind == "file" else f"ducklake:{tmp_path}/catalog.ducklake"
    )
    with writer(
        load_settings(
            warehouse=warehouse,
            schemas_dir=schemas_up_to(tmp_path, 21, "0022_ledger_article_ids.sql"),
        )
    ) as con:
        con.execute(LEDGER_21)
        assert "article_ids" not in {r[0] for r in con.execute("DESCRIBE ingest_ledger").fetchall()}
    with writer(load_settings(warehouse=warehouse)) as con:  # opening it applies 0022
        assert con.execute(READ_IDS).fetchall() == NOT_RECORDED


def test_a_replace_keeps_every_record_of_a_file_recorded_before_0022(tmp_path: Path) -> None:
    """A multi-record file whose ledger row predates 0022 (``article_ids`` NULL, ``article_id``
    its smallest article) and is unchanged: a replace of its day keeps all its records'
    articles by its path, as before; only the named one would be kept by the list."""
    path, s = _loaded_feed(tmp_path, "Apple story", "Banana story")
    with writer(s) as con:
        con.execute("UPDATE ingest_ledger SET article_ids = NULL")
    _txt(path.parent / "b.txt", "Date story")
    assert pipeline.run(s, mode="replace").articles_loaded == 1
    here = f"{DAY}/a.jsonl"
    assert _held(s) == [
        ("Apple story", here, DAY),
        ("Banana story", here, DAY),
        ("Date story", f"{DAY}/b.txt", DAY),
    ]
    assert query(s.warehouse, "SELECT article_ids FROM ingest_ledger WHERE path = ?", [here]) == [
        (None,)
    ]


def test_a_growing_file_writes_only_its_new_records(tmp_path: Path) -> None:
    """A feed appended to in place: a.jsonl Apple+Banana, then Apple+Banana+Cherry. The second
    run wrote Apple and Banana again (unchanged rows deleted and inserted) and counted them as
    new articles loaded: 3 instead of 1. A record whose article and metadata are what the
    warehouse holds from it is a duplicate; one whose metadata changed (a title added) is
    written again from the file's new content."""
    path, s = _loaded_feed(tmp_path, "Apple story", "Banana story")
    before = query(s.warehouse, "SELECT * FROM fact_article ORDER BY article_id")
    _jsonl(path, "Apple story", "Banana story", "Cherry story")
    summary = pipeline.run(s)
    assert (summary.articles_loaded, summary.duplicates, summary.files_loaded) == (1, 2, 1)
    after = query(s.warehouse, "SELECT * FROM fact_article ORDER BY article_id")
    assert [row for row in after if row in before] == before  # the two rows as they were
    here = f"{DAY}/a.jsonl"
    assert _held(s) == [(w, here, DAY) for w in ("Apple story", "Banana story", "Cherry story")]

    lines = path.read_text().splitlines()
    record = json.loads(lines[0])
    record["title"] = "Apples"
    path.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n")
    summary = pipeline.run(s)
    assert (summary.articles_loaded, summary.duplicates) == (1, 2)
    assert query(s.warehouse, "SELECT title FROM fact_article WHERE title IS NOT NULL") == [
        ("Apples",)
    ]
    assert len(query(s.warehouse, "SELECT 1 FROM fact_article")) == 3
    _assert_consistent(s)


@pytest.mark.parametrize("change", ["edit", "drop"])
def test_a_rebuild_after_a_replay_still_replaces_the_files_records(
    tmp_path: Path, change: str
) -> None:
    """a.jsonl holds Apple, Banana and a broken line; `replay` reads it again (Apple and Banana
    given again as stored: the file is a ``duplicate`` of its own articles, and its ``loaded``
    ledger row was forgotten), then one line is rewritten or dropped and the day rebuilt. The
    day holds the file as it is now (probe E, session 48: the old article stayed, for good,
    since a rebuild took a file's earlier articles from its ``loaded`` rows only)."""
    path, s = _replayed_feed(tmp_path)
    words = ["Apple story", "Cherry story"] if change == "edit" else ["Apple story"]
    _jsonl(path, *words)
    summary = backfill.rebuild_partition(s, date(2024, 3, 4))
    assert summary.articles_removed == 1
    here = f"{DAY}/a.jsonl"
    assert _held(s) == sorted((w, here, DAY) for w in words)
    _assert_consistent(s)


def test_a_rebuild_after_a_replay_keeps_an_article_a_copy_holds(tmp_path: Path) -> None:
    """a.jsonl (Apple, Banana, a broken line) on the rebuilt day, replayed (a ``duplicate`` of
    its own articles now), and c.txt, a copy of Apple, two days later. a.jsonl drops Apple and
    its day is rebuilt: the copy still holds Apple, so it stays, with the copy as its file (the
    rebuild looks for copies of the articles a file it takes gave, its ``duplicate`` row's
    own ones too)."""
    path, s = _replayed_feed(tmp_path)
    landing = tmp_path / "landing"
    (landing / COPY_DAY).mkdir()
    _txt(landing / COPY_DAY / "c.txt", "Apple story", COPY_DAY)
    assert pipeline.run(s).duplicates == 1
    _jsonl(path, "Banana story")
    backfill.rebuild_partition(s, date(2024, 3, 4))
    copy = f"{COPY_DAY}/c.txt"
    assert _held(s) == [("Apple story", copy, COPY_DAY), ("Banana story", f"{DAY}/a.jsonl", DAY)]
    _assert_consistent(s)


def _replayed_feed(tmp_path: Path) -> tuple[Path, Settings]:
    """``DAY/a.jsonl`` holding Apple, Banana and a broken line, loaded, then replayed (the file
    is a ``duplicate`` of its own two articles): the file and the warehouse's settings."""
    landing = tmp_path / "landing"
    (landing / DAY).mkdir(parents=True)
    path = landing / DAY / "a.jsonl"
    path.write_text(_line("Apple story") + "\n" + _line("Banana story") + "\n{not json\n")
    s = settings_for(landing, tmp_path / "wh", write_reports=False)
    assert pipeline.run(s).articles_loaded == 2
    _replay(s, tmp_path)
    return path, s


def _replay(s: Settings, tmp_path: Path) -> None:
    """``news-etl replay`` of ``s``'s landing zone (no reports)."""
    env = {
        "NEWS_ETL_LANDING": str(s.landing),
        "NEWS_ETL_WAREHOUSE": str(s.warehouse),
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        "NEWS_ETL_WRITE_REPORTS": "false",
    }
    out = CliRunner().invoke(app, ["replay"], env=env)
    assert out.exit_code == 0, out.output


def test_an_unchanged_replayed_file_outside_dated_folders_is_read_as_a_copy(
    tmp_path: Path,
) -> None:
    """feed.jsonl, outside dated folders, holds Apple and a line too short to load; `replay`
    reads it again (a ``duplicate`` of its own article). Its day is rebuilt with nothing
    changed: the file is taken (its article is on the day), and its unchanged ``duplicate`` row
    makes it a copy (:func:`etl.ingest.ledger.rebuild_holders`): Apple stays from it, and it is
    neither counted as a new file nor its short line quarantined again. (Mutation seed 1230: the
    ledger looked up without the file's path, every test passed; the file was then judged anew,
    counted new and ``loaded``, and its short line quarantined once more.)"""
    landing = tmp_path / "landing"
    landing.mkdir()
    short = json.dumps({"published": DAY, "text": "Too short."})
    (landing / "feed.jsonl").write_text(_line("Apple story") + "\n" + short + "\n")
    _txt(landing / "other.txt", "Banana story")
    s = settings_for(landing, tmp_path / "wh", write_reports=False)
    assert pipeline.run(s).articles_loaded == 2
    _replay(s, tmp_path)
    assert query(s.warehouse, "SELECT outcome FROM ingest_ledger WHERE path = 'feed.jsonl'") == [
        ("duplicate",)
    ]

    summary = backfill.rebuild_partition(s, date(2024, 3, 4))

    assert (summary.files_new, summary.files_loaded) == (1, 1)  # other.txt, read again
    assert query(s.warehouse, "SELECT path, outcome FROM ingest_ledger ORDER BY path") == [
        ("feed.jsonl", "duplicate"),
        ("other.txt", "loaded"),
    ]
    # the short line: quarantined by the first run and by the replay, not by the rebuild
    sql = "SELECT path, record, run_id = ? FROM quarantine"
    assert query(s.warehouse, sql, [summary.run_id]) == [("feed.jsonl", "line 2", False)] * 2
    assert _held(s) == [("Apple story", "feed.jsonl", DAY), ("Banana story", "other.txt", DAY)]
    _assert_consistent(s)
