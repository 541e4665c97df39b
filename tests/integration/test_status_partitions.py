"""What `status`, `summary` and `backfill` tell an operator agrees with what the warehouse holds
(an operator probe, session 29).

- `status` listed partitions by published date: a folder ``2021-04-07/`` of Reuters articles
  published in 1987 showed three 1987 days and "MISSING 12,000 days", and not 2021-04-07, the
  day the run loaded and `backfill` lists.
- A run whose new files were all duplicates got the note "no article loaded, yet a success ...
  see `news-etl quarantine list`", which lists nothing.
- `status` did not say what a replace removed: etl_run kept no count of it.
- `summary` counted every `dim_source` row, those of articles a replace removed too, and said
  "1 sources"; an empty warehouse's dates were "None .. None"; backfill said "1 articles".
- A well-formed but impossible date was "not a date in YYYY-MM-DD form".
- `summary` said "0 files refused whole" of a landing zone whose link out of it every run
  refuses before reading a byte (such a file has no ledger row).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from etl.cli import app

from .helpers import query, settings_for

FILES = ("0211_289aa47b2f437540.txt", "0796_2ebb4e7b93e37037.txt", "1276_69082322614868d7.txt")


def _cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, " ".join(result.output.split())


def _zone(corpora: Path, folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir(parents=True)
    for name in names:
        shutil.copy(corpora / "reuters" / name, folder / name)
    return folder


def test_status_lists_the_folder_day_the_run_loaded(corpora: Path, tmp_path: Path) -> None:
    _zone(corpora, tmp_path / "landing" / "2021-04-07", FILES)
    s = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    env = {"NEWS_ETL_STAGING_DIR": str(s.staging_dir)}
    code, out = _cli("run", "--landing", str(s.landing), "-w", str(s.warehouse), "--date",
                     "2021-04-07", env=env)  # fmt: skip
    assert code == 0, out
    code, out = _cli("status", "-w", str(s.warehouse))
    assert code == 0, out
    partitions = out.split("Last runs")[0]
    assert "Partitions: 1 day with articles" in partitions
    assert f"2021-04-07 {len(FILES)} " in partitions  # the day, its three articles
    assert "1987-" not in partitions.split("text version")[1].split("v1 =")[0]
    assert "MISSING" not in partitions


def test_no_note_when_every_new_file_was_a_duplicate(corpora: Path, tmp_path: Path) -> None:
    landing = _zone(corpora, tmp_path / "landing", FILES[:2])
    s = settings_for(landing, tmp_path, write_reports=False)
    env = {"NEWS_ETL_STAGING_DIR": str(s.staging_dir)}
    run = ("run", "--landing", str(landing), "-w", str(s.warehouse))
    assert _cli(*run, env=env)[0] == 0
    shutil.copy(landing / FILES[0], landing / "copy.txt")
    code, out = _cli(*run, env=env)
    assert code == 0, out
    assert "0 articles loaded, 1 duplicate," in out
    code, out = _cli("status", "-w", str(s.warehouse))
    assert "files: 1 new = 0 loaded + 1 duplicate + 0 quarantined" in out
    assert "yet a success" not in out


def test_a_replace_is_recorded_with_what_it_removed(corpora: Path, tmp_path: Path) -> None:
    """`summary` counts the sources articles have now; `status` and etl_run keep how many
    articles a replace removed (said only on the command's last line before migration 0027)."""
    day = "1987-03-04"
    a = _zone(corpora, tmp_path / "A" / day, FILES[1:]).parent
    b = _zone(corpora, tmp_path / "B" / day, FILES[:1]).parent
    s = settings_for(a, tmp_path, write_reports=False)
    env = {"NEWS_ETL_STAGING_DIR": str(s.staging_dir)}
    w = ("-w", str(s.warehouse))
    for landing, extra in ((a, ()), (b, ()), (a, ("--replace",))):
        code, out = _cli("run", "--landing", str(landing), *w, "--date", day, *extra, env=env)
        assert code == 0, out
    assert ", 1 removed" in out  # B's article: its day was replaced from A alone
    code, out = _cli("summary", *w)
    assert code == 0, out
    assert "articles 2 from 1 source, published " in out  # A's two; B's source has none now
    runs = "SELECT mode, articles_removed FROM etl_run ORDER BY started_at"
    assert query(s.warehouse, runs) == [("merge", 0), ("merge", 0), ("replace", 1)]
    code, out = _cli("status", *w)
    assert code == 0, out
    blocks = out.split("Last runs")[1]
    assert blocks.count("removed") == 1  # merge runs remove nothing: not said
    assert "articles: 0 loaded, 0 duplicate, 1 removed;" in blocks


def test_an_empty_warehouse_has_no_dates_and_counts_read_right(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    assert _cli("init", "-w", str(warehouse))[0] == 0
    code, out = _cli("summary", "-w", str(warehouse))
    assert code == 0, out
    assert "articles none" in out and "None" not in out


def test_an_impossible_day_is_called_so(tmp_path: Path) -> None:
    for value in ("1987-02-29", "2024-13-01"):
        code, out = _cli("run", "--date", value, "-w", str(tmp_path / "w.duckdb"))
        assert code == 2 and f"'{value}' is not a day of the calendar" in out
    code, out = _cli("run", "--date", "7 March", "-w", str(tmp_path / "w.duckdb"))
    assert code == 2 and "'7 March' is not a date in YYYY-MM-DD form" in out
    assert list(tmp_path.iterdir()) == []


def test_files_refused_before_reading_count_as_refused_whole(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (tmp_path / "secret.txt").write_text(" date 2021-04-07 Not the landing zone's.\n")
    (landing / "out.txt").symlink_to(tmp_path / "secret.txt")  # refused unread: outside_landing
    (landing / "empty.txt").write_bytes(b"")  # read, refused: empty (a ledger row)
    (landing / "ok.txt").write_text(" date 2021-04-07 The harbour reopened on Tuesday.\n")
    s = settings_for(landing, tmp_path, write_reports=False)
    env = {"NEWS_ETL_STAGING_DIR": str(s.staging_dir)}
    for _ in range(2):  # the link is refused again by the second run: still one file
        code, out = _cli("run", "--landing", str(landing), "-w", str(s.warehouse), env=env)
        assert code == 0, out
    code, out = _cli("summary", "-w", str(s.warehouse))
    assert code == 0, out
    assert "; 2 files refused whole" in out


def test_a_refused_run_says_its_files_would_have_loaded(corpora: Path, tmp_path: Path) -> None:
    """A run refused for its quarantine share (1 good file, 20 empty ones) loaded nothing, yet
    `status` said "21 new = 1 loaded + ..." (an operator probe, session 31): the good file is
    read again by the next run, as new."""
    landing = _zone(corpora, tmp_path / "landing", FILES[:1])
    for i in range(20):
        (landing / f"empty{i:02d}.txt").write_bytes(b"")
    s = settings_for(landing, tmp_path, write_reports=False)
    env = {"NEWS_ETL_STAGING_DIR": str(s.staging_dir)}
    code, out = _cli("run", "--landing", str(landing), "-w", str(s.warehouse), env=env)
    assert code == 2, out
    # the reasons were a Python dict: {'empty': 20}
    refusal = "20 of 21 new files (95%) were quarantined, over the limit of 50% (reasons: "
    refusal += "empty: 20)"
    assert f"{refusal}; nothing was loaded" in out, out
    code, out = _cli("status", "-w", str(s.warehouse))
    assert code == 0, out
    assert "files: 21 new = 1 would have loaded + 0 duplicate + 20 quarantined" in out
    assert "1 loaded +" not in out
