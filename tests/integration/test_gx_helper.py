"""A CLI run does its Great Expectations steps in a helper process (``etl.children``): the
warehouse, the checks, the quarantine and the pages are those of a run that does them itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl import pipeline
from etl.children import gx_helper
from etl.report.run_report import data_docs_links
from etl.sample import generate_sample

from .helpers import DATA_TABLES, checksums, query, settings_for

STORY_TABLES = ("dim_story", "story_member", "story_lsh")
#: fact_check_result and quarantine without their run ids and times
CHECKS_SQL = (
    "SELECT partition_date, batch, suite, expectation, column_name, success, element_count,"
    " unexpected_count, observed_value, detail, expected FROM fact_check_result ORDER BY ALL"
)
QUARANTINE_SQL = "SELECT path, record, stage, reason, detail FROM quarantine ORDER BY ALL"


def _zone(landing: Path) -> None:
    generate_sample(landing, days=2, articles_per_day=12)
    # Judged by GX, not at ingest: published before 1900 (the suites' lower bound).
    body = "Cocoa prices rose in Accra as the harvest came in late again this year.\n\n" * 3
    (landing / "old.txt").write_text(f" date 1850-06-01 {body}", encoding="utf-8")


def _outcome(warehouse: Path) -> tuple[object, ...]:
    return (
        checksums(warehouse, DATA_TABLES + STORY_TABLES),
        query(warehouse, CHECKS_SQL),
        query(warehouse, QUARANTINE_SQL),
    )


@pytest.mark.parametrize("batch_size", [1000, 9], ids=["one batch", "several batches"])
def test_a_run_with_the_gx_helper_gives_what_a_run_without_it_gives(
    tmp_path: Path, batch_size: int
) -> None:
    landing = tmp_path / "landing"
    _zone(landing)
    outcomes = {}
    for name in ("here", "helper"):
        settings = settings_for(landing, tmp_path / name, batch_size=batch_size, workers=1)
        gx = gx_helper(staging_is_process_local=False) if name == "helper" else None
        try:
            summary = pipeline.run(settings, gx=gx)
        finally:
            if gx is not None:
                gx.close()
        assert summary.articles_loaded > 0
        assert summary.quarantined >= 2  # the empty file and the article of 1850
        outcomes[name] = _outcome(settings.warehouse)
        # The pages: Data Docs built, and linked from the report drawn meanwhile.
        run_dir = settings.reports_root / summary.run_id
        assert summary.data_docs == run_dir / "data_docs" / "index.html"
        assert summary.data_docs.is_file()
        assert len(data_docs_links(run_dir)) > 1
        report = (run_dir / "report.html").read_text(encoding="utf-8")
        assert "data_docs/index.html" in report
        assert "<svg" in report  # the charts
        assert (run_dir / "quality.html").is_file()
    here, helper = outcomes["here"], outcomes["helper"]
    assert helper == here
    checks = here[1]
    assert isinstance(checks, list)
    assert any(row[1] == -1 for row in checks)  # the post-load suites ran
    assert any(row[5] is False for row in checks)  # a failed expectation: the date of 1850
    quarantine = here[2]
    assert isinstance(quarantine, list)
    assert [row[3] for row in quarantine if row[0].endswith("old.txt")] == [
        "expect_column_values_to_be_between"
    ]


def test_a_cli_run_never_imports_gx_in_its_own_process(tmp_path: Path) -> None:
    """Its helper imports GX while the run reads and tokenizes; the run's process waits for
    the helper's answers instead of importing GX itself (~1.2 s). The helper is given the
    suites' parameters instead of loading the language model for their language codes (~0.1 s
    on its way to its first answer, the longest path of a small run)."""
    landing = tmp_path / "landing"
    _zone(landing)
    env = {
        **os.environ,
        "NEWS_ETL_LANDING": str(landing),
        "NEWS_ETL_WAREHOUSE": str(tmp_path / "w" / "warehouse.duckdb"),
    }
    elsewhere = tmp_path / "imported elsewhere.txt"  # what another process of the run imported
    program = (
        "import atexit, os, sys\n"
        "run = os.getpid()\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'etl.text.language' and os.getpid() != run:\n"
        f"            with open({str(elsewhere)!r}, 'a') as f: f.write(name + chr(10))\n"
        "sys.meta_path.insert(0, Spy())\n"
        "atexit.register(lambda: print('GX here:', 'great_expectations' in sys.modules))\n"
        "from etl.cli import app\n"
        "sys.argv = ['news-etl', 'run']\n"
        "app()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "GX here: False" in done.stdout
    assert not elsewhere.exists()
    warehouse = tmp_path / "w" / "warehouse.duckdb"
    ((run_id,),) = query(warehouse, "SELECT run_id FROM etl_run")
    stages = dict(query(warehouse, "SELECT stage, seconds FROM etl_run_stage"))
    assert {"validate", "load.post_load_checks", "data_docs", "report"} <= set(stages)
    ((post_load,),) = query(warehouse, "SELECT count(*) FROM fact_check_result WHERE batch = -1")
    assert post_load > 0
    assert (tmp_path / "w" / "reports" / run_id / "data_docs" / "index.html").is_file()


def _through_the_entry_point(
    args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``news-etl ARGS`` as the installed program runs it (:func:`etl.entry.main`), saying at
    exit whether this process imported GX and whether it forked the helper before the CLI's
    imports (``etl.children`` imported before ``etl.cli``)."""
    program = (
        "import atexit, sys\n"
        "def said():\n"
        "    order = list(sys.modules)\n"
        "    early = 'etl.children' in order\n"
        "    early = early and order.index('etl.children') < order.index('etl.cli')\n"
        "    print('GX here:', 'great_expectations' in sys.modules)\n"
        "    print('helper forked:', early)\n"
        "atexit.register(said)\n"
        "from etl.entry import main\n"
        f"sys.argv = ['news-etl', *{args!r}]\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=300
    )


def test_the_program_forks_the_helper_before_its_imports_for_run_only(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _zone(landing)
    env = {
        **os.environ,
        "NEWS_ETL_LANDING": str(landing),
        "NEWS_ETL_WAREHOUSE": str(tmp_path / "w" / "warehouse.duckdb"),
    }
    run = _through_the_entry_point(["run"], env)
    assert run.returncode == 0, run.stderr
    assert "GX here: False" in run.stdout and "helper forked: True" in run.stdout
    ((loaded,),) = query(tmp_path / "w" / "warehouse.duckdb", "SELECT articles_loaded FROM etl_run")
    assert loaded > 0
    for other in (["status"], ["run", "--help"]):
        done = _through_the_entry_point(other, env)
        assert done.returncode == 0, done.stderr
        assert "helper forked: False" in done.stdout, other
