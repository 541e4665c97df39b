"""Expectation suites as code: JSON files under ``schemas/expectations``, reviewed like schema.

Each file is a GX suite (``name``, ``expectations``) plus ``meta``:

* ``table``: the DataFrame it checks: a staged table (``ledger``, ``articles``, ``terms``) for
  suites of the ``batch`` stage, or a warehouse frame (see :mod:`etl.validate.warehouse`) for
  suites of the ``post_load`` stage;
* ``key``: the column naming the record a failing row belongs to (``batch`` suites quarantine
  that record);
* ``stage``: ``batch`` (default: run on every batch before staging for load) or ``post_load``
  (run on the warehouse inside the load transaction).

An expectation whose ``meta.optional`` is true is skipped when one of its columns is absent
(e.g. ``language`` before language identification exists); any other missing column is a failure.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal, get_args

from etl.errors import ConfigError

#: When a suite runs (its ``meta.stage``): not a pipeline stage (:class:`etl.contracts.Stage`).
SuiteStage = Literal["batch", "post_load"]
SUITE_STAGES: tuple[SuiteStage, ...] = get_args(SuiteStage)


@dataclass(frozen=True)
class SuiteSpec:
    """One suite file: the GX suite definition plus which table it checks."""

    name: str
    table: str  # staged table name (etl.load.staging.SCHEMAS) or warehouse frame name
    key: str  # column identifying the record a failing row belongs to
    definition: dict[str, Any]
    stage: SuiteStage = "batch"

    @property
    def expectations(self) -> list[dict[str, Any]]:
        """The suite's expectation definitions (``type``, ``kwargs``, optional ``meta``)."""
        return list(self.definition.get("expectations", []))


def expectation_columns(expectation: dict[str, Any]) -> list[str]:
    """The columns an expectation definition refers to, in order."""
    kwargs = expectation.get("kwargs", {})
    columns = [kwargs.get(k) for k in ("column", "column_A", "column_B")]
    columns += list(kwargs.get("column_list") or [])
    return [c for c in columns if isinstance(c, str)]


_COLUMN_KWARGS = ("column", "column_list", "column_A", "column_B")


def expectation_column(expectation: dict[str, Any]) -> str | None:
    """The column(s) an expectation checks as ``fact_check_result.column_name`` names them:
    ``column``, else ``column_list`` or ``column_A,column_B`` joined with commas."""
    columns = expectation_columns(expectation)
    return ",".join(columns) or None


def _value_text(value: Any) -> str:
    if isinstance(value, datetime) and value.tzinfo is None and value.time() == time(0):
        return value.date().isoformat()  # a date bound, held as a midnight timestamp
    if isinstance(value, date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def expects_text(expectation: dict[str, Any], parameters: Mapping[str, Any] | None = None) -> str:
    """What an expectation expects, as text: its arguments other than the column(s), in the
    suite's order (``min_value=1, mostly=0.99``). A ``$PARAMETER`` argument shows the run's
    value and the parameter's name when ``parameters`` has it (``min_value=5
    ($min_article_terms)``), else the name alone (``min_value=$min_article_terms``)."""
    parts = []
    for key, value in expectation.get("kwargs", {}).items():
        if key in _COLUMN_KWARGS:
            continue
        if isinstance(value, dict) and "$PARAMETER" in value:
            name = str(value["$PARAMETER"])
            if parameters is not None and name in parameters:
                parts.append(f"{key}={_value_text(parameters[name])} (${name})")
            else:
                parts.append(f"{key}=${name}")
        else:
            parts.append(f"{key}={json.dumps(value, ensure_ascii=False)}")
    return ", ".join(parts)


def expects_note(expects: str | None) -> str:
    """``"; expects <text>"`` for the :func:`expects_text` of an expectation, to follow what a
    check or a rejected record shows; ``""`` when it expects nothing beyond its name (e.g.
    ``expect_column_values_to_not_be_null``)."""
    return f"; expects {expects}" if expects else ""


def active_expectations(spec: SuiteSpec, columns: set[str]) -> list[dict[str, Any]]:
    """The expectations of ``spec`` that apply to a frame with ``columns``.

    Optional expectations (``meta.optional``) whose columns are missing are left out.
    """
    return [
        e
        for e in spec.expectations
        if not (e.get("meta", {}).get("optional") and not set(expectation_columns(e)) <= columns)
    ]


def load_suites(expectations_dir: Path, stage: SuiteStage = "batch") -> list[SuiteSpec]:
    """Every suite of ``stage`` under ``expectations_dir``, sorted by file name; a
    :class:`ConfigError` when there is none (a missing or empty folder, or none of the stage)."""
    if not expectations_dir.is_dir():
        raise ConfigError(f"no expectation suites at {expectations_dir}")
    specs: list[SuiteSpec] = []
    for path in sorted(expectations_dir.glob("*.json")):
        try:
            definition = json.loads(path.read_text(encoding="utf-8"))
            meta = definition.get("meta", {})
            spec = SuiteSpec(
                definition["name"],
                meta["table"],
                meta["key"],
                definition,
                meta.get("stage", "batch"),
            )
        except (ValueError, KeyError) as exc:
            raise ConfigError(f"suite {path} is not a valid suite file: {exc}") from exc
        if spec.stage not in SUITE_STAGES:
            raise ConfigError(f"suite {path}: unknown stage {spec.stage!r}")
        if spec.stage == stage:
            specs.append(spec)
    if not specs:  # an empty folder turned validation off without a word (probe)
        raise ConfigError(
            f"no {stage.replace('_', '-')} expectation suites at {expectations_dir}: validation "
            "would check nothing (the project's suites are in schemas/expectations)"
        )
    return specs
