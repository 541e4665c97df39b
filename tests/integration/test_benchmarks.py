"""The query and search benchmarks run end to end on a small warehouse (so they do not rot)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from etl import pipeline
from etl.sample import generate_sample

from .helpers import checksums, settings_for

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("bench")
    generate_sample(tmp / "landing")
    settings = settings_for(tmp / "landing", tmp, write_reports=False)
    pipeline.run(settings)
    return settings.warehouse


def test_bench_queries_times_every_query_read_only(small: Path, tmp_path: Path) -> None:
    before = checksums(small)
    out = tmp_path / "q.json"
    # --limit: whether a query is slow is the benchmark's report, not this test's (a timed
    # assertion failed on a loaded machine: a first query at 1.26 s under load average 4).
    code = _module("bench_queries").main(
        ["--warehouse", str(small), "--repeat", "1", "--json", str(out), "--limit", "3600"]
    )
    figures = json.loads(out.read_text(encoding="utf-8"))
    names = [t["name"] for t in figures["timings"]]
    queries = sorted((BENCHMARKS.parent / "warehouse" / "queries").glob("*.sql"))
    assert {f"queries/{q.name}" for q in queries} <= set(names)
    for macro in ("search(", "top_terms(", "term_trend(", "tfidf(", "trending_terms("):
        assert any(n.startswith(macro) for n in names), macro
    for other in ("kwic(", "cooccurring_terms(", "v_articles", "v_daily_term_counts"):
        assert any(n.startswith(other) for n in names), other
    assert code == 0  # every query ran
    assert checksums(small) == before


def test_bench_search_compares_fts_and_sql_on_a_copy(
    small: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fts extension it installs goes into its scratch folder, not into ~/.duckdb: up to
    # session 54 every run of the suite left ~/.duckdb/extensions/v1.5.5/... behind.
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    before = checksums(small)
    out = tmp_path / "s.json"
    args = ["--warehouse", str(small), "--repeat", "1", "--queries", "storm", "--json", str(out)]
    assert _module("bench_search").main([*args, "--scratch", str(tmp_path)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["cost"]["fts_postings"] > 0 and figures["cost"]["build_s"] >= 0
    (storm,) = figures["queries"]
    assert storm["sql_matches"] > 0 and storm["fts_matches"] > 0
    assert figures["plain_client"]["sql search"] == "works"
    assert figures["plain_client"]["fts, installed from the wheel"] == "works"
    assert figures["plain_client"]["fts, nothing installed"].startswith("fails")
    assert checksums(small) == before  # the index went into the copy only
    assert list(home.iterdir()) == []
