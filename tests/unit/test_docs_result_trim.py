"""The GX results kept for Data Docs are cut to what the pages show (issue #18, a survivor of the
seed-1201 mutation sample): at most 20 unexpected values per failing expectation, and without
GX's ``unexpected_index_query`` (one pandas filter that names every failing row, so it grows
with the batch and would be stored with every run's results).

GX's batch fingerprint is not computed (issue #12): GX hashed every validated frame whole
(``pandas_data_fingerprint``), over a third of the validate stage, for a value no check reads.
The kept results say so in their batch markers instead of dropping the row silently, and every
check still runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from etl.text.language import known_languages
from etl.validate.runner import suite_parameters, validate_frame
from etl.validate.suites import SuiteSpec, load_suites

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas" / "expectations"
PARAMS = suite_parameters(date(2024, 3, 5), date(2024, 3, 5), None, known_languages())


def _ratio_suite() -> SuiteSpec:
    (spec,) = [s for s in load_suites(SCHEMAS) if s.name == "article"]
    (ratio,) = [
        e for e in spec.expectations if e.get("kwargs", {}).get("column") == "replacement_ratio"
    ]
    definition = {**spec.definition, "expectations": [ratio]}
    return SuiteSpec(spec.name, spec.table, spec.key, definition, spec.stage)


def _frame(bad: int) -> pd.DataFrame:
    ids = [f"{i:064x}" for i in range(bad + 3)]
    ratios = [0.5] * bad + [0.0] * 3  # 0.5 is far past the 1 % bound; 0.0 passes
    return pd.DataFrame({"article_id": ids, "replacement_ratio": ratios})


def _failing_results(bad: int) -> list[dict[str, Any]]:
    outcome = validate_frame(_ratio_suite(), _frame(bad), PARAMS)
    (suite_result,) = outcome.results
    return [r["result"] for r in suite_result["results"] if not r["success"]]


@pytest.mark.parametrize(("bad", "kept"), [(20, 20), (21, 20), (25, 20)])
def test_docs_keep_at_most_20_unexpected_values_and_no_index_query(bad: int, kept: int) -> None:
    (result,) = _failing_results(bad)
    assert "unexpected_index_query" not in result
    assert len(result["unexpected_index_list"]) == kept
    assert len(result["unexpected_list"]) == kept
    assert result["unexpected_count"] == bad  # the count stays whole


@pytest.mark.parametrize(
    ("ratios", "passes"),
    [([0.0, 0.01, 0.0], True), ([0.0, 0.0101, 0.5], False)],  # the bound is 0.01
)
def test_no_frame_is_hashed_and_the_docs_say_the_fingerprint_is_not_computed(
    ratios: list[float], passes: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("GX hashed the validated frame")

    monkeypatch.setattr(pd.util, "hash_pandas_object", refuse)
    frame = pd.DataFrame(
        {"article_id": [f"{i:064x}" for i in range(len(ratios))], "replacement_ratio": ratios}
    )
    outcome = validate_frame(_ratio_suite(), frame, PARAMS)
    (check,) = outcome.checks
    assert check["success"] is passes
    assert check["unexpected_count"] == (0 if passes else 2)
    (result,) = outcome.results
    markers = result["meta"]["batch_markers"]
    assert "pandas_data_fingerprint" not in markers
    assert "ge_load_time" in markers  # GX's other marker stays
    assert markers["news_etl_note"].startswith("pandas_data_fingerprint not computed")
