"""Expectation suites as code: JSON files under ``schemas/expectations``, reviewed like schema."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etl.errors import ConfigError


@dataclass(frozen=True)
class SuiteSpec:
    """One suite file: the GX suite definition plus which staged table it checks."""

    name: str
    table: str  # staged table name (see etl.load.staging.SCHEMAS)
    key: str  # column identifying the record a failing row belongs to
    definition: dict[str, Any]


def load_suites(expectations_dir: Path) -> list[SuiteSpec]:
    """Every suite under ``expectations_dir``, sorted by name."""
    if not expectations_dir.is_dir():
        raise ConfigError(f"no expectation suites at {expectations_dir}")
    specs: list[SuiteSpec] = []
    for path in sorted(expectations_dir.glob("*.json")):
        try:
            definition = json.loads(path.read_text(encoding="utf-8"))
            meta = definition.get("meta", {})
            specs.append(SuiteSpec(definition["name"], meta["table"], meta["key"], definition))
        except (ValueError, KeyError) as exc:
            raise ConfigError(f"suite {path} is not a valid suite file: {exc}") from exc
    return specs
