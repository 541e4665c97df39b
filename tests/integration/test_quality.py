"""Data quality end to end: seeded bad records, post-load checks, results as facts, reports."""

from __future__ import annotations

import re
from datetime import UTC, date
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.errors import BatchValidationError
from etl.quality import format_quality, load_report

from .helpers import DATA_TABLES, checksums, query, settings_for

DAY = "2024-03-04"


def _article(words: str, day: str = DAY) -> bytes:
    body = f"{words} said the spokesman on Monday.\n\nA second paragraph follows here."
    return f" date {day} {body}".encode()


BAD = {
    # Mojibake that ftfy cannot undo: ingest repairs what it can (see test_formats), the
    # expectation rejects what is left.
    "mojibake.txt": (
        f" date {DAY} Ã… Ã… ÃŽ The mayor ÃŽ said Ã… ÃŽ that Ã… the plan Ã… was ÃŽ fine.".encode(),
        "expect_column_values_to_have_few_mojibake_markers",
    ),
    "boilerplate.txt": (
        f" date {DAY} All rights reserved.\n\nSign up for our newsletter today.\n\n"
        "Click here to read more.\n\nShares rose.".encode(),
        "expect_column_values_to_have_boilerplate_ratio_below",
    ),
    "ancient.txt": (_article("An old story", "1850-06-01"), "expect_column_values_to_be_between"),
    "damaged.txt": (
        f" date {DAY} ".encode()
        + ("Broken \ufffd\ufffd text arrived from the wire " * 20).encode(),
        "expect_column_values_to_be_between",
    ),
}


def test_bad_records_are_quarantined_with_the_expectation_and_the_rest_loaded(
    tmp_path: Path,
) -> None:
    root = tmp_path / "landing"
    root.mkdir()
    for i in range(6):
        (root / f"good{i}.txt").write_bytes(_article(f"Story number {i}"))
    for name, (data, _) in BAD.items():
        (root / name).write_bytes(data)
    settings = settings_for(root, tmp_path)
    summary = pipeline.run(settings)
    assert (summary.articles_loaded, summary.quarantined) == (6, len(BAD))
    rows = query(settings.warehouse, "SELECT path, stage, reason, detail FROM quarantine")
    assert {p: r for p, _, r, _ in rows} == {name: reason for name, (_, reason) in BAD.items()}
    assert {s for _, s, _, _ in rows} == {"validate"}
    details = {p: d for p, _, _, d in rows}
    assert "published_date" in details["ancient.txt"] and "1850-06-01" in details["ancient.txt"]
    assert "replacement_ratio" in details["damaged.txt"]
    loaded = {p for (p,) in query(settings.warehouse, "SELECT source_file FROM fact_article")}
    assert loaded == {f"good{i}.txt" for i in range(6)}

    failed = query(
        settings.warehouse,
        "SELECT suite, expectation, column_name, unexpected_count FROM fact_check_result"
        " WHERE NOT success ORDER BY ALL",
    )
    assert failed == sorted(
        [
            ("article", "expect_column_values_to_be_between", "published_date", 1),
            ("article", "expect_column_values_to_be_between", "replacement_ratio", 1),
            ("article", "expect_column_values_to_have_boilerplate_ratio_below", "clean_text", 1),
            ("article", "expect_column_values_to_have_few_mojibake_markers", "clean_text", 1),
        ]
    )
    suites = {
        s for (s,) in query(settings.warehouse, "SELECT DISTINCT suite FROM fact_check_result")
    }
    assert suites == {
        "article",
        "article_term",
        "raw_file",
        "run",
        "warehouse_article",
        "warehouse_dimension",
        "warehouse_partition",
    }
    # Joinable to etl_run and dim_date; summarised per day by the view.
    ((joined,),) = query(
        settings.warehouse,
        "SELECT count(*) FROM fact_check_result c JOIN etl_run USING (run_id)"
        " JOIN dim_date d ON d.date_key = coalesce(c.partition_date, etl_run.started_at::DATE)"
        " OR d.date_key = DATE '2024-03-04'",
    )
    assert joined > 0
    # The run counts on the day it loaded and on the day of its quarantined records (undated
    # files, a run without --date: the UTC day it ran), each with the run's checks.
    ((started,),) = query(settings.warehouse, "SELECT started_at FROM etl_run")
    by_day = query(
        settings.warehouse,
        "SELECT day, suite, failed_checks, unexpected_rows, failed_expectations"
        " FROM v_quality_by_day WHERE suite = 'article' ORDER BY day",
    )
    assert [row[:4] for row in by_day] == [
        (date.fromisoformat(DAY), "article", 4, 4),
        (started.astimezone(UTC).date(), "article", 4, 4),
    ]
    assert all(
        "expect_column_values_to_have_few_mojibake_markers(clean_text)" in names
        for *_, names in by_day
    )

    # The terminal summary and the HTML page list the failures first.
    report = load_report(settings.warehouse)
    text = format_quality(report)
    assert text.index("FAIL") < text.index("passed checks")
    assert "mojibake" in text and "validate" in text
    (page,) = (settings.warehouse.parent / "reports").glob("*/quality.html")
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=|https?://|//cdn|@import|url\(", html)
    assert html.index('id="failures"') < html.index('id="passes"')
    assert html.index("few_mojibake_markers") < html.index('id="passes"')


def test_post_load_check_failure_rolls_the_partition_back(tmp_path: Path) -> None:
    root = tmp_path / "landing"
    (root / DAY).mkdir(parents=True)
    (root / DAY / "a.txt").write_bytes(_article("First story"))
    settings = settings_for(root, tmp_path)
    pipeline.run(settings, partition_date=date(2024, 3, 4))
    # Corrupt the partition behind the pipeline's back: a fact row without its dimension.
    con = duckdb.connect(str(settings.warehouse))
    con.execute(
        "INSERT INTO fact_article SELECT * REPLACE (repeat('f', 64) AS article_id,"
        " 42 AS source_id) FROM fact_article"
    )
    con.close()
    before = checksums(settings.warehouse)
    (root / DAY / "b.txt").write_bytes(_article("Second story"))
    with pytest.raises(BatchValidationError, match="post-load warehouse checks failed"):
        pipeline.run(settings, partition_date=date(2024, 3, 4))
    assert checksums(settings.warehouse) == before  # nothing half-loaded
    ((status, error),) = query(
        settings.warehouse, "SELECT status, error FROM etl_run ORDER BY started_at DESC LIMIT 1"
    )
    assert status == "failed" and "dim_source_id" in error
    failed = query(
        settings.warehouse,
        "SELECT suite, column_name FROM fact_check_result WHERE NOT success ORDER BY ALL",
    )
    assert ("warehouse_article", "dim_source_id") in failed
    assert ("warehouse_article", "text_rows") in failed
    for table in DATA_TABLES:
        assert checksums(settings.warehouse, (table,))[table] == before[table]


def test_a_rebuilt_day_counts_each_quarantined_record_once(tmp_path: Path) -> None:
    """Probe: after a rebuild of the day, quality --date said "quarantined (2 records)" for the
    one empty file both runs refused; summary said 1."""
    landing = tmp_path / "landing" / DAY
    landing.mkdir(parents=True)
    (landing / "good.txt").write_bytes(_article("A council story"))
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    first = pipeline.run(settings, partition_date=date.fromisoformat(DAY))
    assert (
        format_quality(load_report(settings.warehouse, day=date.fromisoformat(DAY))).count(
            "  quarantined (1 record):"
        )
        == 1
    )
    rebuilt = pipeline.run(settings, partition_date=date.fromisoformat(DAY), mode="rebuild")
    assert {first.files_quarantined, rebuilt.files_quarantined} == {1}
    lines = format_quality(load_report(settings.warehouse, day=date.fromisoformat(DAY)))
    assert (
        "  quarantined (1 record; 2 quarantine rows of 2 runs: refused again by a later run):\n"
        "    ingest   empty: 1\n"
    ) in lines
    # A third run of the day that refused nothing (a new good file) is not one of the runs the
    # rows are of (probe R3: "of 3 runs").
    (landing / "later.txt").write_bytes(_article("A later harbour story"))
    pipeline.run(settings, partition_date=date.fromisoformat(DAY))
    report = load_report(settings.warehouse, day=date.fromisoformat(DAY))
    assert len(report.runs) == 3
    assert "1 record; 2 quarantine rows of 2 runs: refused again" in format_quality(report)


def test_a_check_that_failed_in_one_run_and_passed_in_another_is_counted_apart(
    tmp_path: Path,
) -> None:
    """A day whose first run was refused for its quarantine share (3 of 4 files) and whose
    rebuild, with the limit raised, loaded: the FAIL line counts the refused run's files only,
    and the passing run's are a pass line; each says which runs it is. The FAIL line summed both
    runs' files ("6 unexpected of 8", probe O, session 39)."""
    landing = tmp_path / "landing" / DAY
    landing.mkdir(parents=True)
    (landing / "good.txt").write_bytes(_article("A council story"))
    for i in range(3):
        (landing / f"empty{i}.txt").write_bytes(b"")
    strict = settings_for(
        tmp_path / "landing", tmp_path, write_reports=False, quarantine_check_min_files=2
    )
    with pytest.raises(BatchValidationError):
        pipeline.run(strict, partition_date=date.fromisoformat(DAY))
    lenient = strict.model_copy(update={"max_quarantine_share": 0.9})
    pipeline.run(lenient, partition_date=date.fromisoformat(DAY), mode="rebuild")
    text = format_quality(load_report(strict.warehouse, day=date.fromisoformat(DAY)))
    share = [line.strip() for line in text.splitlines() if "max_quarantine_share" in line]
    assert len(share) == 2, text
    assert share[0].startswith("FAIL run.max_quarantine_share (in 1 of 2 runs): 3 unexpected of 4")
    assert share[1].startswith("pass run.max_quarantine_share (in 1 of 2 runs): 3 unexpected of 4")
