"""``quarantine list --date D`` and ``quality --date D`` count the same quarantined records.

A row's day is the run's ``--date``, else the dated folder of its file, else the UTC day it was
quarantined; a run counts on the days of its rows too (``v_run_day``). Up to session 31 a run
without ``--date`` that quarantined a file of ``2024-03-04/`` listed it under the day it ran,
while ``quality --date 2024-03-04`` counted it (and every other row of the run) on 2024-03-04:
the two commands disagreed for every run made without ``--date``. Expected paths are literals.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date
from pathlib import Path

from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.quality import load_report
from etl.settings import PROJECT_ROOT
from etl.warehouse import writer

from .helpers import query, schemas_up_to, settings_for

LOADED, OTHER, REFUSED = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6)
BODY = "Rain fell on the capital for the third day and the river rose above its banks."


def _listed(warehouse: Path, day: date) -> list[tuple[str, str]]:
    result = CliRunner().invoke(
        app, ["quarantine", "list", "--date", str(day), "-f", "csv", "-w", str(warehouse)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    return sorted((row["path"], row["day"]) for row in rows)


def _counted(warehouse: Path, day: date) -> int:
    return sum(n for _, _, n in load_report(warehouse, day=day).quarantine)


def test_a_run_without_a_date_lists_its_refused_files_on_their_folders_days(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    for day in (LOADED, OTHER, REFUSED):
        (landing / day.isoformat()).mkdir(parents=True)
    (landing / f"{LOADED}/a.txt").write_text(f" date {LOADED} {BODY}\n")
    (landing / f"{LOADED}/empty.txt").write_bytes(b"")
    (landing / f"{OTHER}/b.txt").write_text(f" date {OTHER} {BODY} Again.\n")
    (landing / f"{REFUSED}/empty.txt").write_bytes(b"")  # the day's only file: refused
    (landing / "dump").mkdir()
    (landing / "dump/empty.txt").write_bytes(b"")  # undated: the day it was quarantined
    settings = settings_for(landing, tmp_path, write_reports=False)
    run = pipeline.run(settings)  # no --date
    assert (run.articles_loaded, run.quarantined) == (2, 3)
    ((started,),) = query(settings.warehouse, "SELECT started_at FROM etl_run")
    today = started.astimezone(UTC).date()

    expected = {
        LOADED: [(f"{LOADED}/empty.txt", str(LOADED))],
        OTHER: [],
        REFUSED: [(f"{REFUSED}/empty.txt", str(REFUSED))],
        today: [("dump/empty.txt", str(today))],
    }
    for day, rows in expected.items():
        assert _listed(settings.warehouse, day) == rows, day
        assert _counted(settings.warehouse, day) == len(rows), day
        # the run counts on each of those days, as quality says
        assert [r for r, _, _ in load_report(settings.warehouse, day=day).runs] == [run.run_id]
    # a day the run neither loaded nor quarantined anything on
    assert _listed(settings.warehouse, date(2024, 3, 7)) == []
    assert load_report(settings.warehouse, day=date(2024, 3, 7)).runs == []
    assert query(settings.warehouse, "SELECT day FROM v_run_day ORDER BY day") == [
        (LOADED,),
        (OTHER,),
        (REFUSED,),
        (today,),
    ]


def test_a_run_for_a_date_lists_every_row_on_that_date(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / LOADED.isoformat()).mkdir(parents=True)
    (landing / f"{LOADED}/a.txt").write_text(f" date {LOADED} {BODY}\n")
    (landing / f"{LOADED}/empty.txt").write_bytes(b"")
    (landing / "dump").mkdir()
    (landing / "dump/stub.txt").write_text(f" date {LOADED} Stub.\n")  # too short: GX
    settings = settings_for(landing, tmp_path, write_reports=False)
    run = pipeline.run(settings, partition_date=LOADED)
    assert (run.articles_loaded, run.quarantined) == (1, 2)
    assert _listed(settings.warehouse, LOADED) == [
        (f"{LOADED}/empty.txt", str(LOADED)),
        ("dump/stub.txt", str(LOADED)),
    ]
    assert _counted(settings.warehouse, LOADED) == 2


PATHS = [
    "2024-03-04/a.txt",
    "dt=2024-03-04/a.txt",
    "feeds/2024-03-04/wire/2024-03-05/a.txt",
    "2024-03-04/dt=2024-03-05/a.txt",
    "2024-03-04/2024-02-30/a.txt",
    "0000-01-01/a.txt",
    "2024-03-04x/a.txt",
    "x2024-03-04/a.txt",
    "2024-3-4/a.txt",
    "2024-03-04",
    "dump/a.txt",
    "a.txt",
]


def test_the_folder_day_macro_is_the_loaders_folder_date(tmp_path: Path) -> None:
    from etl.ingest.landing import folder_date

    landing = tmp_path / "landing"
    landing.mkdir()
    settings = settings_for(landing, tmp_path, write_reports=False)
    pipeline.run(settings)  # creates and migrates the warehouse
    got = [
        day
        for (day,) in query(
            settings.warehouse,
            "SELECT folder_day(p) FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(p, i) ORDER BY i",
            [PATHS],
        )
    ]
    assert got == [folder_date(p) for p in PATHS]
    assert got[:5] == [LOADED, LOADED, OTHER, OTHER, None]


def test_a_warehouse_of_an_older_schema_says_how_to_migrate(tmp_path: Path) -> None:
    """Read-only commands never migrate (they create and change nothing): on a warehouse made
    before migration 0029 ``quarantine list`` cannot find ``v_quarantine``; it says so and how
    to apply the pending migrations (it said only "Catalog Error: Table with name v_quarantine
    does not exist!"). After ``news-etl init`` it lists the row."""
    landing = tmp_path / "landing"
    landing.mkdir()
    older = schemas_up_to(tmp_path, 28, "0029_quarantine_days.sql")
    settings = settings_for(landing, tmp_path, write_reports=False, schemas_dir=older)
    # the warehouse an older news-etl left: its schema up to 0028, and a run's quarantine row
    # (this news-etl's runs need its later tables, so the row is written directly)
    with writer(settings) as con:
        con.execute(
            "INSERT INTO quarantine (run_id, landing, path, stage, reason, detail, quarantined_at)"
            " VALUES ('r1', ?, 'empty.txt', 'ingest', 'empty', 'the file is empty', now())",
            [str(landing)],
        )
    runner = CliRunner()
    listed = ["quarantine", "list", "-f", "csv", "-w", str(settings.warehouse)]
    result = runner.invoke(app, listed)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    # first the note every read-only command gives on an older warehouse (session 42)
    latest = len(list((PROJECT_ROOT / "schemas" / "migrations").glob("*.sql")))
    assert lines[0] == (
        f"note: this warehouse is at schema 28 and this news-etl expects {latest}: `news-etl "
        f"init` applies the {latest - 28} pending migrations; until then views and macros answer "
        "as they did in schema 28"
    )
    assert lines[1].startswith("error: CatalogException: ") and "v_quarantine" in lines[1]
    assert lines[2:] == [
        "  a warehouse made by an older news-etl lacks it: `news-etl init` applies the pending "
        "migrations (read-only commands change nothing)"
    ]
    assert runner.invoke(app, ["init", "-w", str(settings.warehouse)]).exit_code == 0
    result = runner.invoke(app, listed)
    assert result.exit_code == 0 and "empty.txt" in result.stdout
