"""The summary's quarantine is what stands after a `replay`: a file refused for a date too far
in the future, replayed once the allowance is raised, loads; its old quarantine record no longer
counts (probe: `summary` still said "1 record from 1 file (future_date 1)"). A record the
replay quarantines again still counts, once. Expected counts are literals."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.report.summary import summarise

from .helpers import query, settings_for

EXAMPLES = Path(__file__).resolve().parents[2] / "warehouse" / "queries"

BODY = "{words} said the spokesman on Monday.\n\nA second paragraph follows here."


def _env(zone: Path, warehouse: Path, tmp: Path, **extra: str) -> dict[str, str]:
    return {
        "NEWS_ETL_LANDING": str(zone),
        "NEWS_ETL_WAREHOUSE": str(warehouse),
        "NEWS_ETL_STAGING_DIR": str(tmp / "staging"),
        "NEWS_ETL_WRITE_REPORTS": "false",
        **extra,
    }


def _quarantine(warehouse: Path) -> tuple[int, int, list[tuple[str, int]]]:
    s = summarise(warehouse)
    return s.quarantine_records, s.quarantined_files, s.quarantine_reasons


def test_a_file_replay_loaded_no_longer_counts_its_old_quarantine(tmp_path: Path) -> None:
    zone = tmp_path / "zone"
    zone.mkdir()
    ahead = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    (zone / "ahead.txt").write_text(f" date {ahead} {BODY.format(words='Ahead')}\n")
    (zone / "today.txt").write_text(f" date 2024-03-04 {BODY.format(words='Today')}\n")
    good = json.dumps({"text": BODY.format(words="Good record"), "date": "2024-03-04"})
    (zone / "mixed.jsonl").write_text(f"{good}\n{{bad\n", encoding="utf-8")
    s = settings_for(zone, tmp_path / "wh", write_reports=False)
    assert pipeline.run(s).articles_loaded == 2
    assert _quarantine(s.warehouse) == (2, 1, [("future_date", 1), ("malformed_json", 1)])

    env = _env(zone, s.warehouse, tmp_path, NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS="10")
    out = CliRunner().invoke(app, ["replay"], env=env)
    assert out.exit_code == 0, out.output
    # ahead.txt loaded; mixed.jsonl's bad line was quarantined again: it counts, once
    assert _quarantine(s.warehouse) == (1, 0, [("malformed_json", 1)])
    # The example query keeps the history (ahead.txt was refused once), and counts the bad
    # line refused by both runs as one record of two refusals (probe A: it said 2 records).
    sql = (EXAMPLES / "quarantine_by_reason.sql").read_text(encoding="utf-8")
    rows = {r[0]: r[2:5] for r in query(s.warehouse, sql)}
    assert rows == {"future_date": (1, 1, 1), "malformed_json": (1, 2, 1)}


def test_a_file_a_replay_loaded_is_not_read_again_by_the_next_replay(tmp_path: Path) -> None:
    # Every later replay forgot its verdict for the old quarantine row and read it again: under
    # the old limit it was refused, its ledger row said quarantined with no article while its
    # article stayed loaded, and a rebuild of its day no longer removed it (probe).
    import duckdb

    zone = tmp_path / "zone"
    zone.mkdir()
    ahead = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    (zone / "ahead.txt").write_text(f" date {ahead} {BODY.format(words='Ahead')}\n")
    (zone / "today.txt").write_text(f" date 2024-03-04 {BODY.format(words='Today')}\n")
    record = json.dumps({"text": BODY.format(words="Later record"), "date": ahead})
    (zone / "later.jsonl").write_text(f"{record}\n", encoding="utf-8")
    s = settings_for(zone, tmp_path / "wh", write_reports=False)
    assert pipeline.run(s).articles_loaded == 1
    raised = _env(zone, s.warehouse, tmp_path, NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS="10")
    out = CliRunner().invoke(app, ["replay"], env=raised)
    assert out.exit_code == 0, out.output
    assert "2 refused whole" in out.output  # ahead.txt and later.jsonl, both loaded now

    again = CliRunner().invoke(app, ["replay"], env=_env(zone, s.warehouse, tmp_path))
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0] == "replay: no quarantined file to read again"
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        ledger = con.execute(
            "SELECT path, outcome, len(article_ids) FROM ingest_ledger ORDER BY path"
        ).fetchall()
        articles = con.execute("SELECT count(*) FROM fact_article").fetchone()
    assert ledger == [
        ("ahead.txt", "loaded", 1),
        ("later.jsonl", "loaded", 1),
        ("today.txt", "loaded", 1),
    ]
    assert articles == (3,)
    assert _quarantine(s.warehouse) == (0, 0, [])


def test_a_replay_of_many_files_still_bad_and_one_fixed_loads_the_fixed_one(
    tmp_path: Path,
) -> None:
    # The files it read again and quarantined as they were counted in the quarantine share: 24
    # of 25 quarantined, the run refused whole and the fixed file not loaded (probe).
    import duckdb

    zone = tmp_path / "zone"
    zone.mkdir()
    (zone / "today.txt").write_text(f" date 2024-03-04 {BODY.format(words='Today')}\n")
    for i in range(25):
        (zone / f"empty{i:02}.txt").write_text("")
    s = settings_for(zone, tmp_path / "wh", write_reports=False, max_quarantine_share=1.0)
    assert pipeline.run(s).files_quarantined == 25
    (zone / "empty00.txt").write_text(f" date 2024-03-05 {BODY.format(words='Fixed')}\n")
    out = CliRunner().invoke(app, ["replay"], env=_env(zone, s.warehouse, tmp_path))
    assert out.exit_code == 0, out.output
    assert "read them again: 1 loaded, 0 duplicate, 24 refused whole again" in out.output
    with duckdb.connect(str(s.warehouse), read_only=True) as con:
        rows = con.execute("SELECT source_file FROM fact_article ORDER BY 1").fetchall()
        (detail,) = con.execute(
            "SELECT detail FROM fact_check_result WHERE expectation = 'max_quarantine_share' "
            "ORDER BY run_id DESC LIMIT 1"
        ).fetchone() or (None,)
    assert rows == [("empty00.txt",), ("today.txt",)]
    assert "24 files quarantined as before are not counted (a rebuild reads its day's " in str(
        detail
    )


def _listed(env: dict[str, str], *args: str) -> list[tuple[str, str, str]]:
    out = CliRunner().invoke(app, ["quarantine", "list", "--format", "csv", *args], env=env)
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    return sorted((r["path"], r["record"], r["reason"]) for r in rows)


def test_quarantine_list_standing_is_what_the_summary_counts(tmp_path: Path) -> None:
    """`quarantine list --standing` lists what stands, each refusal once: not a refusal a replay
    undid, not one of a file's earlier content; a record refused by two runs once."""
    zone = tmp_path / "zone"
    zone.mkdir()
    ahead = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    (zone / "ahead.txt").write_text(f" date {ahead} {BODY.format(words='Ahead')}\n")
    (zone / "fixed.txt").write_text("")
    (zone / "empty.txt").write_text("")
    good = json.dumps({"text": BODY.format(words="Good record"), "date": "2024-03-04"})
    (zone / "mixed.jsonl").write_text(f"{good}\n{{bad\n", encoding="utf-8")
    s = settings_for(zone, tmp_path / "wh", write_reports=False)
    s = s.model_copy(update={"max_quarantine_share": 1.0})
    assert pipeline.run(s).articles_loaded == 1
    (zone / "fixed.txt").write_text(f" date 2024-03-04 {BODY.format(words='Fixed')}\n")
    assert pipeline.run(s).articles_loaded == 1  # the new content of fixed.txt
    env = _env(
        zone,
        s.warehouse,
        tmp_path,
        NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS="10",
        NEWS_ETL_MAX_QUARANTINE_SHARE="1.0",
    )
    out = CliRunner().invoke(app, ["replay"], env=env)
    assert out.exit_code == 0, out.output

    assert _listed(env) == [  # the history: every run's rows
        ("ahead.txt", "", "future_date"),
        ("empty.txt", "", "empty"),
        ("empty.txt", "", "empty"),  # by the first run, and again by the replay's
        ("fixed.txt", "", "empty"),
        ("mixed.jsonl", "line 2", "malformed_json"),
        ("mixed.jsonl", "line 2", "malformed_json"),
    ]
    assert _listed(env, "--standing") == [
        ("empty.txt", "", "empty"),
        ("mixed.jsonl", "line 2", "malformed_json"),
    ]
    assert _quarantine(s.warehouse) == (2, 1, [("empty", 1), ("malformed_json", 1)])


def test_a_replayed_file_gone_from_the_zone_keeps_its_verdict(tmp_path: Path) -> None:
    """bad.txt (an impossible date) is quarantined, then deleted, then replayed: the run cannot
    read it again, so its verdict is put back and stands; the summary, `quarantine list
    --standing` and the next replay agree on it (probe E, session 48: the replay forgot the
    ledger row for good, later replays found nothing to read again while the summary still
    counted the record, of 0 files refused whole)."""
    zone = tmp_path / "zone"
    zone.mkdir()
    (zone / "good.txt").write_text(f" date 2024-03-04 {BODY.format(words='Good')}\n")
    bad = zone / "bad.txt"
    bad.write_text(f" date 2024-02-30 {BODY.format(words='Bad')}\n")
    s = settings_for(zone, tmp_path / "wh", write_reports=False)
    assert pipeline.run(s).articles_loaded == 1
    bad.unlink()
    env = _env(zone, s.warehouse, tmp_path)
    for _ in range(2):
        out = CliRunner().invoke(app, ["replay"], env=env)
        assert out.exit_code == 0, out.output
        assert out.output.splitlines()[0].startswith(
            "replay: forgot the verdicts on 1 file (1 refused whole, 0 loaded with bad records)"
        ), out.output
        assert "1 not read (gone from the landing zone: the verdict stands)" in out.output
        assert _quarantine(s.warehouse) == (1, 1, [("bad_date", 1)])
    listed = CliRunner().invoke(
        app, ["quarantine", "list", "--standing", "--format", "csv"], env=env
    )
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.stdout)))
    assert [(r["path"], r["reason"]) for r in rows] == [("bad.txt", "bad_date")]
