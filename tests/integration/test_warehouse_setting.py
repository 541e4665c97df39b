"""A warehouse or landing setting that names no database file or folder is refused, saying
which setting and why, before anything is created; a bad setting the command's option replaces
is not read.

Up to session 29, ``init -w ""`` said "file '' is a directory", ``init -w x.duckdb/`` created a
file ``x.duckdb`` (the slash dropped), ``NEWS_ETL_WAREHOUSE=<a folder>`` left ``<folder>.lock``
beside the folder before DuckDB refused it, and an invalid ``NEWS_ETL_*`` came out as pydantic's
multi-line report on one line.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from etl.cli import app


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _invoke(
    folder: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str]
) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    for name in ("NEWS_ETL_WAREHOUSE", "NEWS_ETL_WORKERS", "NEWS_ETL_LANDING"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, args, env=env)
    return result.exit_code, " ".join(result.output.split())  # as one line, however wrapped


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["init", "-w", ""], {}, "--warehouse: the warehouse is empty: give a DuckDB file"),
        (
            ["init", "-w", "x.duckdb/"],
            {},
            "--warehouse: the warehouse 'x.duckdb/' names a folder, not a database file",
        ),
        (["init", "-w", "d"], {}, "--warehouse: the warehouse 'd' names a folder"),
        (["init"], {"NEWS_ETL_WAREHOUSE": "d"}, "NEWS_ETL_WAREHOUSE: the warehouse 'd' names a"),
        (["init"], {"NEWS_ETL_WAREHOUSE": ""}, "NEWS_ETL_WAREHOUSE: the warehouse is empty"),
        (["status", "-w", "d/"], {}, "--warehouse: the warehouse 'd/' names a folder"),
        (
            ["status", "-w", "w.duckdb"],
            {"NEWS_ETL_WORKERS": "many"},
            "NEWS_ETL_WORKERS: Input should be a valid integer, unable to parse string as an "
            "integer; given 'many'",
        ),
        # An empty landing zone was the working folder, whose files a run loaded (probe: a DAG
        # param `landing: ""` loaded the task's working folder into the warehouse).
        (["run", "-w", "w.duckdb", "-l", ""], {}, "--landing: the landing zone is empty"),
        (["run", "-w", "w.duckdb", "-l", "  "], {}, "--landing: the landing zone is empty"),
        (["run", "-w", "w.duckdb"], {"NEWS_ETL_LANDING": ""}, "NEWS_ETL_LANDING: the landing"),
        # ~user of no user was "unexpected RuntimeError … a bug in news-etl" (probe)
        (
            ["status", "-w", "~no-such-user-x/w.duckdb"],
            {},
            "--warehouse: '~no-such-user-x/w.duckdb' cannot be expanded",
        ),
        (
            ["run", "-w", "w.duckdb", "-l", "~no-such-user-x/zone"],
            {},
            "--landing: '~no-such-user-x/zone' cannot be expanded",
        ),
        (
            ["run", "-w", "w.duckdb", "-l", "d"],
            {"NEWS_ETL_STAGING_DIR": "~no-such-user-x/s"},
            "NEWS_ETL_STAGING_DIR: '~no-such-user-x/s' cannot be expanded",
        ),
        # An empty folder was the working folder: the run's pages, or the cache's arrays, went
        # there (probe, session 40).
        *[
            (["run", "-w", "w.duckdb", "-l", "d"], {name: value}, f"{name}: the folder is empty")
            for name, value in [
                ("NEWS_ETL_REPORTS_DIR", ""),
                ("NEWS_ETL_CACHE_DIR", " "),
                ("NEWS_ETL_SCHEMAS_DIR", ""),
            ]
        ],
        # A missing schemas folder failed the run at validate, after ingest and text (probe).
        (
            ["run", "-w", "w.duckdb", "-l", "d"],
            {"NEWS_ETL_SCHEMAS_DIR": "nonexist"},
            "NEWS_ETL_SCHEMAS_DIR: no folder at ",
        ),
        # Three million days overflowed Python's dates part-way through a run (probe).
        *[
            (
                ["run", "-w", "w.duckdb", "-l", "d"],
                {name: "36501"},
                f"{name}: Input should be less than or equal to 36500; given '36501'",
            )
            for name in ("NEWS_ETL_STORY_WINDOW_DAYS", "NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS")
        ],
        # 0MB failed a load after every other stage and left an empty warehouse file; 8MB failed
        # its migrations; 99999999999TB is more than DuckDB reads (probe, session 40).
        *[
            (["run", "-w", "w.duckdb", "-l", "d"], {name: value}, f"{name}: {message}")
            for name, value, message in [
                ("NEWS_ETL_DUCKDB_MEMORY_LIMIT", "0MB", "give from 64MB (a load failed with"),
                ("NEWS_ETL_DUCKDB_MEMORY_LIMIT", "63.9MB", "give from 64MB"),
                ("NEWS_ETL_DUCKDB_MEMORY_LIMIT", "1001TB", "give from 64MB"),
                ("NEWS_ETL_DUCKDB_MEMORY_LIMIT", "99999999999TB", "give from 64MB"),
                ("NEWS_ETL_DUCKDB_MEMORY_LIMIT", "768mb", "give a size such as 768MB or 2GiB"),
                ("NEWS_ETL_READER_MEMORY_LIMIT", "0MB", "give from 1MB to 1000TB"),
                # Arabic-Indic or fullwidth digits passed, and the run failed at its load, after
                # every other stage, in DuckDB's words (probe V, session 46).
                ("NEWS_ETL_DUCKDB_MEMORY_LIMIT", "١٠٠MB", "give a size such as 768MB or 2GiB"),
                ("NEWS_ETL_READER_MEMORY_LIMIT", "１００MB", "give a size such as 768MB or 2GiB"),
            ]
        ],
        # Only spaces made a new lake's data folder named so, in the working folder (probe V).
        (
            ["init", "-w", "ducklake:c.ducklake"],
            {"NEWS_ETL_DUCKLAKE_DATA_PATH": "  "},
            "NEWS_ETL_DUCKLAKE_DATA_PATH: the folder is empty",
        ),
    ],
)
def test_a_setting_that_names_no_file_or_folder_is_refused_and_nothing_is_created(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    env: dict[str, str],
    expected: str,
) -> None:
    (tmp_path / "d").mkdir()
    code, output = _invoke(tmp_path, monkeypatch, args, env)
    assert code == 2, output
    assert expected in output
    assert "validation error" not in output and "pydantic" not in output
    assert _files(tmp_path) == ["d"]  # no x.duckdb, no d.lock, no lock beside the folder
    assert not (tmp_path.parent / f"{tmp_path.name}.lock").exists()


def test_the_folder_message_names_a_file_to_give_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, output = _invoke(tmp_path, monkeypatch, ["init", "-w", "x.duckdb/"], {})
    assert f"such as '{tmp_path / 'x.duckdb' / 'news.duckdb'}'" in output


def test_an_option_replaces_a_bad_variable_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "d").mkdir()
    code, output = _invoke(
        tmp_path, monkeypatch, ["init", "-w", "ok.duckdb"], {"NEWS_ETL_WAREHOUSE": "d"}
    )
    assert code == 0, output
    assert f"{tmp_path / 'ok.duckdb'}: schema version" in output
    assert (tmp_path / "ok.duckdb").is_file()


@pytest.mark.parametrize(
    "args",
    [
        ["status", "-w", "f.duckdb"],
        ["query", "SELECT 1", "-w", "f.duckdb"],
        ["init", "-w", "f.duckdb"],
    ],
)
def test_a_fifo_named_as_the_warehouse_is_refused_without_waiting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    # Every command, readers too, hung forever opening it (probe).
    import os

    os.mkfifo(tmp_path / "f.duckdb")
    code, output = _invoke(tmp_path, monkeypatch, args, {})
    assert code == 2, output
    assert "--warehouse: the warehouse 'f.duckdb' is a FIFO (named pipe), not a database file" in (
        output
    )
    assert _files(tmp_path) == ["f.duckdb"]


def test_options_replace_bad_variables_in_every_step_of_a_run(tmp_path: Path) -> None:
    """``run --workers 1 --batch-size 1`` over ``NEWS_ETL_WORKERS=0`` and
    ``NEWS_ETL_BATCH_SIZE=abc`` planned and ingested, then failed in the text stage with
    "unexpected ValidationError … a bug in news-etl": the tokenizer's and language model's
    cache read every setting from the environment again (probe, session 40); with several
    batches (text and validate in child processes) the load failed the same way where it
    counts the words of boilerplate lines (review). In a fresh process: each model is looked
    up once per process."""
    import os
    import subprocess
    import sys

    import duckdb

    from etl import pipeline

    from .helpers import settings_for

    landing = tmp_path / "landing"
    landing.mkdir()
    line = "Follow us for more news from the council."
    story = "The council met on Monday and agreed the budget for the {} school."
    (landing / "a.txt").write_text(f" date 2024-05-06 {story.format('first')}\n", "utf-8")
    first = settings_for(landing, tmp_path, write_reports=False)
    pipeline.run(first)  # the source is known: one of its lines is boilerplate
    with duckdb.connect(str(first.warehouse)) as con:
        con.execute(
            "INSERT INTO boilerplate_line SELECT source_id, lower(?), 5, 5, 5, now()"
            " FROM dim_source",
            [line],
        )
    for name in ("b", "c", "d"):
        text = f" date 2024-05-06 {story.format(name)}\n\n{line}\n"
        (landing / f"{name}.txt").write_text(text, "utf-8")
    env = {
        **os.environ,
        "NEWS_ETL_WORKERS": "0",
        "NEWS_ETL_BATCH_SIZE": "abc",
        "NEWS_ETL_WRITE_REPORTS": "false",
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        "NEWS_ETL_CACHE_DIR": str(tmp_path / "cache"),  # the models are built, not read, here
    }
    args = ["-l", str(landing), "-w", str(first.warehouse), "--workers", "1", "--batch-size", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "etl.cli", "run", *args], env=env, capture_output=True, timeout=600
    )
    assert done.returncode == 0, done.stderr.decode()
    with duckdb.connect(str(first.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM fact_article").fetchone() == (4,)
        flagged = con.execute("SELECT count(*) FROM boilerplate_term").fetchone()
    assert flagged is not None and flagged[0] > 0  # the load counted the line's words
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "cache").iterdir()) == [
        "py3langid",
        "python",
    ]  # the run's cache folder holds both cached models


@pytest.mark.parametrize("value", ["64MB", "1000TB", "768 MiB", "1.5GB", "65536KiB"])
def test_a_memory_limit_within_its_bounds_is_taken_as_written(value: str) -> None:
    from etl.settings import load_settings

    settings = load_settings(duckdb_memory_limit=value, reader_memory_limit=value)
    assert (settings.duckdb_memory_limit, settings.reader_memory_limit) == (value, value)


@pytest.mark.parametrize(
    ("value", "plain"),
    [(" 1_000MB ", "1000MB"), ("1_0.5 GiB", "10.5GiB"), ("100\tMB", "100MB")],
)
def test_a_memory_limit_the_settings_take_is_one_duckdb_reads(value: str, plain: str) -> None:
    from etl.settings import load_settings

    settings = load_settings(duckdb_memory_limit=value)
    with duckdb.connect() as con:
        con.execute(f"SET memory_limit = '{plain}'")
        expected = con.execute("SELECT current_setting('memory_limit')").fetchone()
        con.execute(f"SET memory_limit = '{settings.duckdb_memory_limit}'")
        assert con.execute("SELECT current_setting('memory_limit')").fetchone() == expected


def test_marts_with_an_option_over_a_bad_variable_counts_boilerplate_words(
    tmp_path: Path,
) -> None:
    """``news-etl marts -w W`` over ``NEWS_ETL_WAREHOUSE=<a folder>`` failed with "unexpected
    ValidationError … a bug in news-etl" where it counts the words of the boilerplate lines it
    found: the tokenizer's cache read every setting from the environment (review, session 40).
    In a fresh process: the tokenizer's arrays are looked up once per process."""
    import os
    import subprocess
    import sys

    import duckdb

    from etl import pipeline

    from .helpers import settings_for

    landing = tmp_path / "landing"
    landing.mkdir()
    topics = ["harbour", "school", "railway", "hospital", "library", "stadium"]
    for i, topic in enumerate(topics):
        text = (
            f" date 2024-05-06 The council voted on the {topic} plan number {i} after a long "
            f"debate about its {topic} budget and the people it serves.\n\n"
            "Follow us for more news from the council.\n"
        )
        (landing / f"{topic}.txt").write_text(text, "utf-8")
    settings = settings_for(landing, tmp_path, write_reports=False)
    pipeline.run(settings)
    (tmp_path / "folder").mkdir()
    env = {
        **os.environ,
        "NEWS_ETL_WAREHOUSE": str(tmp_path / "folder"),
        "NEWS_ETL_CACHE_DIR": str(tmp_path / "cache"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "etl.cli", "marts", "-w", str(settings.warehouse)],
        env=env,
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        lines = con.execute("SELECT line FROM boilerplate_line").fetchall()
        flagged = con.execute("SELECT count(*) FROM boilerplate_term").fetchone()
    assert lines == [("follow us for more news from the council.",)]
    assert flagged is not None and flagged[0] > 0
