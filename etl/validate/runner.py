"""Running the suites on a batch's DataFrames with Great Expectations (imported lazily).

GX runs once per table and batch, never per record. Each expectation result becomes a row for
``fact_check_result``; each failing row of a row-level expectation rejects the record it belongs
to (the suite's ``key``), with the expectation's name as the reason and the offending value.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from etl.validate.suites import SuiteSpec

_MAX_DETAIL_VALUES = 5


@dataclass
class ValidationOutcome:
    """Results of all suites over one batch."""

    checks: list[dict[str, Any]] = field(default_factory=list)
    rejected: dict[str, list[tuple[str, str]]] = field(
        default_factory=dict
    )  # key -> (reason, detail)


@lru_cache(maxsize=1)
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def _batch(frame: pd.DataFrame, name: str) -> Any:
    context = _context()
    try:
        source = context.data_sources.get("news_etl")
    except (KeyError, ValueError, LookupError):
        source = context.data_sources.add_pandas("news_etl")
    try:
        asset = source.get_asset(name)
    except (KeyError, ValueError, LookupError):
        asset = source.add_dataframe_asset(name)
    try:
        definition = asset.get_batch_definition("whole")
    except (KeyError, ValueError, LookupError):
        definition = asset.add_batch_definition_whole_dataframe("whole")
    return definition.get_batch(batch_parameters={"dataframe": frame})


def suite_parameters(run_date: date | None, today: date) -> dict[str, Any]:
    """Values for the ``$PARAMETER`` placeholders of the suites."""
    latest = max(run_date, today) if run_date else today
    return {
        "min_date": pd.Timestamp("1900-01-01"),
        "max_date": pd.Timestamp(latest) + pd.Timedelta(days=1),
    }


def _jsonable(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, default=str, ensure_ascii=False)[:500]


def validate_frame(
    spec: SuiteSpec, frame: pd.DataFrame, parameters: dict[str, Any]
) -> ValidationOutcome:
    """Run one suite on one DataFrame."""
    import great_expectations as gx

    outcome = ValidationOutcome()
    suite = gx.ExpectationSuite(**spec.definition)
    result = _batch(frame, spec.name).validate(
        suite,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": [spec.key]},
        expectation_parameters=parameters,
    )
    for item in result.results:
        config = item.expectation_config
        kwargs = config.kwargs
        column = (
            kwargs.get("column")
            or ",".join(
                kwargs.get("column_list")
                or [c for c in (kwargs.get("column_A"), kwargs.get("column_B")) if c]
            )
            or None
        )
        res = item.result or {}
        failures = res.get("unexpected_index_list") or []
        raised = bool(item.exception_info and item.exception_info.get("raised_exception"))
        detail = None
        if raised:
            detail = str(item.exception_info.get("exception_message"))[:500]
        elif failures:
            detail = _jsonable(failures[:_MAX_DETAIL_VALUES])
        outcome.checks.append(
            {
                "suite": spec.name,
                "expectation": config.type,
                "column_name": column,
                "success": bool(item.success),
                "element_count": res.get("element_count"),
                "unexpected_count": res.get("unexpected_count"),
                "observed_value": _jsonable(res.get("observed_value")),
                "detail": detail,
            }
        )
        for failure in failures:
            key = str(failure.get(spec.key))
            values = {k: v for k, v in failure.items() if k != spec.key}
            outcome.rejected.setdefault(key, []).append(
                (config.type, f"{column}: {_jsonable(values)}")
            )
    return outcome
