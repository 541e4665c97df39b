"""Run expectation suites on DataFrames with Great Expectations (imported lazily: it costs seconds).

A suite runs once per table and validated chunk of the run (see :mod:`etl.validate.stage`), never
per record. Each expectation result becomes a row for ``fact_check_result``; each failing row of a
row-level expectation rejects the record it belongs to (the suite's ``key``), with the
expectation's name as the reason and, as the detail, the offending value and what the
expectation expects. GX's own validation result is kept too (as JSON), for the run's Data Docs
(:mod:`etl.validate.docs`).

Speed (GX spends its time in per-expectation bookkeeping, not in pandas):

* the context, data source, assets and batch definitions are built once per process;
* a first pass runs the whole suite with the ``BASIC`` result format and no partial lists, which
  is about half the cost of ``COMPLETE``; only expectations that found unexpected rows run a
  second time, with ``COMPLETE`` and the key column, to name the rejected records;
* frames hold only the columns the suite reads, as int64 / datetime64[ns], the dtypes for which
  GX's pandas metrics are vectorised (int32 and datetime64[s] fall back to per-value Python). A
  date column with a date nanoseconds cannot hold (before 1677-09-22 or after 2262-04-11: a
  header ``date 0001-01-01``) stays datetime64[s] instead: slower, but GX judges the date, where
  the conversion used to stop the run before any record loaded;
* GX's batch fingerprint is not computed: each fetch of a DataFrame batch hashed the whole frame
  (``pandas_data_fingerprint``, an md5 over ``pandas.util.hash_pandas_object``), 38 % of the
  validate stage's CPU on a 20,000-article chunk, for a value no check reads (GX itself skips
  it for frames of 1 GB or more). The results staged for Data Docs say so in their batch
  markers (:data:`FINGERPRINT_NOTE`); the batch is named by its run and chunk instead.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd

from etl.contracts import clipped
from etl.deferred import HIDDEN_FROM_VALIDATION, UNUSED_BY_VALIDATION, defer, hidden
from etl.heap import heavy_import
from etl.settings import Settings
from etl.validate.suites import (
    SuiteSpec,
    active_expectations,
    expectation_column,
    expectation_columns,
    expects_note,
    expects_text,
)

_MAX_DETAIL_VALUES = 5
_FIRST_PASS = {"result_format": "BASIC", "partial_unexpected_count": 0}
#: Unexpected values kept per expectation in the GX results handed to Data Docs.
_MAX_DOCS_VALUES = 20
#: What the batch markers of a staged GX result say in place of GX's frame fingerprint.
FINGERPRINT_NOTE = (
    "pandas_data_fingerprint not computed: news-etl skips GX's hash of the whole frame "
    "(over a third of the validate stage); the batch is named by its run and chunk"
)


@dataclass
class ValidationOutcome:
    """Results of all suites over one batch."""

    checks: list[dict[str, Any]] = field(default_factory=list)
    rejected: dict[str, list[tuple[str, str]]] = field(
        default_factory=dict
    )  # key -> (reason, detail)
    #: GX's validation result of each suite run (``ExpectationSuiteValidationResult`` as JSON)
    results: list[dict[str, Any]] = field(default_factory=list)

    def merge(self, other: ValidationOutcome) -> None:
        """Add ``other``'s checks, rejections and GX results to this outcome."""
        self.checks.extend(other.checks)
        for key, problems in other.rejected.items():
            self.rejected.setdefault(key, []).extend(problems)
        self.results.extend(other.results)


@lru_cache(maxsize=1)
def _context() -> Any:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with heavy_import(), hidden(HIDDEN_FROM_VALIDATION):
        defer(UNUSED_BY_VALIDATION)  # ~1 s of GX's import that no suite of ours needs
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        import etl.validate.expectations  # noqa: F401  (registers the custom expectations)

    from great_expectations.execution_engine import pandas_execution_engine

    # GX fingerprints a DataFrame batch smaller than this many bytes (see the module docstring)
    pandas_execution_engine.HASH_THRESHOLD = 0
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def warm_up() -> None:
    """Import GX and build its context now (seconds, once per process)."""
    _context()


@lru_cache(maxsize=64)
def _batch_definition(name: str) -> Any:
    source_name = "news_etl"
    context = _context()
    try:
        source = context.data_sources.get(source_name)
    except (KeyError, ValueError, LookupError):
        source = context.data_sources.add_pandas(source_name)
    asset = source.add_dataframe_asset(name)
    return asset.add_batch_definition_whole_dataframe("whole")


def suite_parameters(
    run_date: date | None,
    today: date,
    settings: Settings | None = None,
    known_languages: list[str] | None = None,
) -> dict[str, Any]:
    """Values for the ``$PARAMETER`` placeholders of the suites: the plausible date range
    (1900-01-01 .. the later of the run date and today, plus the future-date allowance), the
    text-quality thresholds from settings, and the language codes the text stage can produce."""
    latest = max(run_date, today) if run_date else today
    settings = settings or Settings()
    return {
        "min_date": pd.Timestamp("1900-01-01"),
        "max_date": pd.Timestamp(latest) + pd.Timedelta(days=settings.future_date_allowance_days),
        "max_replacement_ratio": settings.max_replacement_ratio,
        "max_mojibake_ratio": settings.max_mojibake_ratio,
        "max_boilerplate_ratio": settings.max_boilerplate_ratio,
        "min_article_chars": settings.min_article_chars,
        "min_article_terms": settings.min_article_terms,
        "max_article_chars": settings.max_article_chars,
        "known_languages": known_languages or ["und"],
    }


def prepare_frame(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The ``columns`` of ``frame`` that exist, in dtypes GX's pandas metrics vectorise."""
    out = frame[[c for c in dict.fromkeys(columns) if c in frame.columns]].copy()
    for name in out.columns:
        dtype = out[name].dtype
        # A column in the dtype already is left as it is (copy-on-write: astype copies nothing).
        if pd.api.types.is_integer_dtype(dtype):
            out[name] = out[name].astype("int64") if not out[name].isna().any() else out[name]
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out[name] = _nanoseconds_if_they_fit(out[name])
        elif (
            pd.api.types.is_object_dtype(dtype) and len(out) and isinstance(out[name].iloc[0], date)
        ):
            out[name] = _nanoseconds_if_they_fit(pd.to_datetime(out[name]))
    return out


def _nanoseconds_if_they_fit(values: pd.Series) -> pd.Series:
    """``values`` (datetime64 of any unit) as datetime64[ns] when every value fits, else as
    datetime64[s], which holds every date from year 1 to 9999 (see the module docstring)."""
    try:
        return values.astype("datetime64[ns]")
    except pd.errors.OutOfBoundsDatetime:
        return values.astype("datetime64[s]")


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or another non-scalar: a value, not a gap
        return False


def _missing_as_none(row: dict[str, Any]) -> dict[str, Any]:
    """A failing row with pandas' missing markers (NaN, NA, NaT: whichever the column's dtype
    uses) as ``None``, so details read the same for every dtype and stay valid JSON."""
    return {key: None if _is_missing(value) else value for key, value in row.items()}


def _exception_message(info: dict[str, Any]) -> str | None:
    """The message of the exception behind a result, or ``None``. GX 1.x gives it at the top of
    ``exception_info`` when the expectation itself raised, but under each failed metric's id when
    a metric raised (a missing column, values of the wrong type): the first one found."""
    for item in [info, *(value for value in info.values() if isinstance(value, dict))]:
        if item.get("raised_exception"):
            return str(item.get("exception_message"))
    return None


def _jsonable(value: Any) -> str | None:
    if value is None:
        return None
    # Whole: a value cut mid-id cannot be looked up (the number of values is capped instead).
    return json.dumps(value, default=str, ensure_ascii=False)


def _quoted(row: dict[str, Any]) -> dict[str, Any]:
    """A failing row with each text value longer than the quarantine quotes cut to its first
    500 characters and a count of the rest (:func:`etl.contracts.clipped`, as every detail
    says a long value). A record's whole 150 KB text stood in its quarantine detail and its
    check's (probe, session 41). Ids, far shorter, stay whole."""
    return {key: clipped(v) if isinstance(v, str) else v for key, v in row.items()}


def _column_of(kwargs: dict[str, Any]) -> str | None:
    return (
        kwargs.get("column")
        or ",".join(
            kwargs.get("column_list")
            or [c for c in (kwargs.get("column_A"), kwargs.get("column_B")) if c]
        )
        or None
    )


def _unexpected(item: Any) -> int:
    return int((item.result or {}).get("unexpected_count") or 0)


def _identity(item: Any) -> tuple[str, str | None]:
    config = item.expectation_config
    return str(config.type), _column_of(config.kwargs)


def _definition(item: Any) -> dict[str, Any]:
    config = item.expectation_config
    return {"type": config.type, "kwargs": dict(config.kwargs)}


def _run(
    spec: SuiteSpec,
    expectations: list[dict[str, Any]],
    frame: pd.DataFrame,
    parameters: dict[str, Any],
    result_format: dict[str, Any],
) -> Any:
    """GX's ``ExpectationSuiteValidationResult`` of ``expectations`` over ``frame``."""
    import great_expectations as gx
    from great_expectations.validator.v1_validator import Validator

    suite = gx.ExpectationSuite(name=spec.name, expectations=expectations)
    # What Batch.validate builds, without fetching the batch first: each fetch of a DataFrame
    # batch hashes the whole frame (GX's batch fingerprint), 4.3 s of a 100,000-article run's
    # 22 s when done twice per suite.
    validator = Validator(
        batch_definition=_batch_definition(spec.table),
        batch_parameters={"dataframe": frame},
        result_format=result_format,
    )
    return validator.validate_expectation_suite(suite, expectation_parameters=parameters)


def _trimmed(item: Any) -> Any:
    """A second-pass (``COMPLETE``) result with its value lists cut to what Data Docs shows."""
    res = item.result or {}
    for name in ("unexpected_list", "unexpected_index_list", "partial_unexpected_list"):
        if isinstance(res.get(name), list):
            res[name] = res[name][:_MAX_DOCS_VALUES]
    res.pop("unexpected_index_query", None)  # one pandas filter naming every failing row
    return item


def _docs_result(first: Any, second: list[Any]) -> dict[str, Any]:
    """The first-pass suite result as JSON, failing expectations replaced by their second-pass
    results (which carry the unexpected values), for Data Docs."""
    detailed = {_identity(item): _trimmed(item) for item in second}
    first.results = [detailed.get(_identity(item), item) for item in first.results]
    result: dict[str, Any] = first.to_json_dict()
    markers = result.setdefault("meta", {}).setdefault("batch_markers", {})
    if "pandas_data_fingerprint" not in markers:
        markers["news_etl_note"] = FINGERPRINT_NOTE
    return result


def _rejection_detail(column: str | None, values: dict[str, Any], expects: str | None) -> str:
    """A rejected record's quarantine detail: the column and the record's failing values (long
    texts quoted, :func:`_quoted`), then what the expectation expects, in the words of its check
    row's ``expected`` (``n_terms: {"n_terms": "1"}; expects min_value=5 ($min_article_terms)``)."""
    return f"{column}: {_jsonable(values)}{expects_note(expects)}"


def validate_frame(
    spec: SuiteSpec, frame: pd.DataFrame, parameters: dict[str, Any]
) -> ValidationOutcome:
    """Run one suite on one DataFrame (see the module docstring for the two passes)."""
    _context()
    expectations = active_expectations(spec, set(frame.columns))
    needed = [spec.key] + [c for e in expectations for c in expectation_columns(e)]
    data = prepare_frame(frame, needed)
    outcome = ValidationOutcome()
    if not expectations:
        return outcome
    suite_result = _run(spec, expectations, data, parameters, _FIRST_PASS)
    first = list(suite_result.results)
    failing = [item for item in first if not item.success and _unexpected(item)]
    unexpected: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    second: list[Any] = []
    if failing and spec.key in data.columns:
        second = list(
            _run(
                spec,
                [_definition(item) for item in failing],
                data,
                parameters,
                {"result_format": "COMPLETE", "unexpected_index_column_names": [spec.key]},
            ).results
        )
        # Matched by (type, column), not position: GX does not promise to keep the order.
        unexpected = {
            _identity(item): [
                _missing_as_none(row)
                for row in (item.result or {}).get("unexpected_index_list") or []
            ]
            for item in second
        }
    expects = {
        (str(e.get("type")), expectation_column(e)): expects_text(e, parameters)
        for e in expectations
    }
    for item in first:
        config = item.expectation_config
        column = _column_of(config.kwargs)
        res = item.result or {}
        failures = unexpected.get(_identity(item), [])
        message = _exception_message(item.exception_info or {})
        detail = None
        if message is not None:
            detail = clipped(message)
        elif failures:
            detail = _jsonable([_quoted(row) for row in failures[:_MAX_DETAIL_VALUES]])
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
                "expected": expects.get(_identity(item)),
            }
        )
        for failure in failures:
            key = str(failure.get(spec.key))
            values = _quoted({k: v for k, v in failure.items() if k != spec.key})
            outcome.rejected.setdefault(key, []).append(
                (config.type, _rejection_detail(column, values, expects.get(_identity(item))))
            )
    outcome.results.append(_docs_result(suite_result, second))
    return outcome
