"""Task log lines show paths as data: one line, control characters escaped."""

from __future__ import annotations

from etl.load.loader import LoadSummary
from etl.pipeline import RunPlan
from etl.task_log import ingest_line, load_line, marts_line, plan_line, publish_line


def test_a_hostile_landing_path_stays_on_one_line_and_shows_its_escapes() -> None:
    plan = RunPlan(
        run_id="r1",
        staging_dir="/tmp/st",
        settings={"landing": "/data/in\nrun r2: SUCCESS\x1b[2J", "warehouse": "/w/news.duckdb"},
        partition_date="2024-03-04",
        fallback_date="2024-03-04",
        mode="merge",
        trigger="test",
        external_run_id=None,
        started_at="2024-03-05T00:00:00Z",
        files_seen=0,
        files_deferred=0,
    )
    line = plan_line(plan)
    assert "\n" not in line and "\x1b" not in line
    assert "landing /data/in\\x0arun r2: SUCCESS\\x1b[2J, partition 2024-03-04" in line
    published = publish_line("/w/a\u202etxt.duckdb", ["2024-03-04"])
    assert "/w/a\\u202etxt.duckdb" in published
    assert (
        marts_line("/w/\rx.duckdb", {"mart": 1})
        == "marts of /w/\\x0dx.duckdb rebuilt: mart: 1 rows"
    )


def test_the_load_line_counts_one_article_and_many_in_words_that_agree() -> None:
    # "1 articles loaded, 1 duplicates" up to session 29
    one = LoadSummary(run_id="r1", articles_loaded=1, duplicates=1, files_new=2, files_loaded=1)
    assert "; 1 article loaded, 1 duplicate, 0 quarantined;" in load_line(one)
    many = LoadSummary(run_id="r2", articles_loaded=12345, duplicates=0)
    assert "; 12,345 articles loaded, 0 duplicates, 0 quarantined;" in load_line(many)


def test_the_ingest_line_says_its_duplicates_are_files_loaded_before() -> None:
    # It said "0 duplicate files" beside the load's "duplicate 1": a copy within the run is
    # settled by the load (probe).
    counts = {"files": 17, "articles": 16, "duplicates": 0, "quarantined": 1, "deferred": 2}
    assert ingest_line(0, counts) == (
        "ingest batch 0: 17 files read: 16 article records, 0 files loaded before (copies "
        "within the run: see load), 1 quarantined, 2 deferred to other days, 0 unchanged"
    )
