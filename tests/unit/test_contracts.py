"""The contracts are the one declaration: suites, README, loader, pipeline and staging agree
with them, and the loader keeps its shape (short functions, no mode branches)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import get_args, get_type_hints

from etl import backfill, contracts, pipeline
from etl.contracts import (
    BACKFILL_MODE_HELP,
    EXPECTATION_REASON_DOC,
    EXPECTATION_REASON_PREFIX,
    QUARANTINE_REASONS,
    BackfillMode,
    DateSource,
    LoadMode,
    QuarantineReason,
    Stage,
    StagedOutcome,
    TokenKind,
)
from etl.load import loader, modes, rules
from etl.load.staging import SCHEMAS
from etl.text import tokenize
from etl.text.tokenize import TOKEN_KINDS
from etl.validate import suites
from etl.validate import warehouse as validate_warehouse
from etl.validate.suites import load_suites

ROOT = Path(__file__).resolve().parents[2]
SUITES = ROOT / "schemas" / "expectations"
LOAD = ROOT / "etl" / "load"


def _value_set(suite: str, column: str) -> set[str]:
    definition = json.loads((SUITES / f"{suite}.json").read_text(encoding="utf-8"))
    (found,) = [
        e["kwargs"]["value_set"]
        for e in definition["expectations"]
        if e["type"] == "expect_column_values_to_be_in_set" and e["kwargs"]["column"] == column
    ]
    return set(found)


def test_the_suites_allow_exactly_the_declared_vocabularies() -> None:
    assert _value_set("article", "date_source") == set(DateSource)
    assert _value_set("raw_file", "outcome") == set(StagedOutcome)
    assert _value_set("article_term", "kind") == contracts.TERM_KINDS


def test_the_term_kinds_are_the_token_kinds_but_punctuation_and_symbols() -> None:
    assert set(TokenKind) == {"word", "number", "url", "email", "punct", "symbol"}
    assert {"word", "number", "url", "email"} == contracts.TERM_KINDS
    assert TOKEN_KINDS == ("word", "number", "url", "email", "punct", "symbol")  # codes' order
    assert tokenize.TERM_KINDS is contracts.TERM_KINDS


def test_the_pipeline_modes_are_the_load_modes() -> None:
    assert set(get_args(pipeline.Mode)) == set(LoadMode) == set(modes.MODES)
    assert {"merge", "replace", "rebuild"} == contracts.LOAD_MODES


def test_the_backfill_modes_are_declared_once() -> None:
    assert backfill.MODES == tuple(BackfillMode) == ("missing", "all", "stale")
    assert list(BACKFILL_MODE_HELP) == list(BackfillMode)  # the CLI's help names each, in order


def test_the_suite_stages_are_declared_once_under_their_own_name() -> None:
    """A suite's ``meta.stage`` (when it runs) is not a pipeline stage: its vocabulary has its
    own name, and the field, the check of suite files and the post-load batch number use it."""
    assert suites.SUITE_STAGES == get_args(suites.SuiteStage) == ("batch", "post_load")
    assert not hasattr(suites, "Stage")
    assert get_type_hints(suites.SuiteSpec)["stage"] == suites.SuiteStage
    assert validate_warehouse.RUN_BATCH is rules.RUN_BATCH


def test_the_readme_quarantine_table_is_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Quarantine reasons", 1)[1].split("\n\n", 2)[1]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("| `")
    ]
    documented = {row[0].strip("`"): (row[1], row[2]) for row in rows}
    expected = {str(r): (d.meaning, d.action) for r, d in QUARANTINE_REASONS.items()}
    expected[EXPECTATION_REASON_PREFIX + "…"] = (
        EXPECTATION_REASON_DOC.meaning,
        EXPECTATION_REASON_DOC.action,
    )
    assert documented == expected


#: Calls that take a quarantine reason, and the position of the reason among their arguments.
REASON_ARGUMENT = {
    "RecordError": 1,
    "RawFileError": 0,
    "UndecodableError": 0,
    "_quarantine": 3,
    "_quarantine_row": 2,
}


def _reasons_given(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            pos = REASON_ARGUMENT.get(name)
            if pos is not None and len(node.args) > pos:
                arg = node.args[pos]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "reason"
                    and isinstance(value, ast.Constant)
                ):
                    found.add(str(value.value))
    return found


def test_every_reason_the_stages_give_is_registered() -> None:
    """Every literal reason that ingest and text give is in the registry."""
    sources = [*(ROOT / "etl" / "ingest").rglob("*.py"), ROOT / "etl" / "text" / "batch.py"]
    given = set().union(*(_reasons_given(path) for path in sources))
    assert len(given) >= 10, f"the scan found only {given}"
    assert given <= set(QuarantineReason), given - set(QuarantineReason)


def test_staged_tables_are_declared_once_and_read_by_their_readers() -> None:
    assert SCHEMAS is contracts.SCHEMAS
    assert set(loader.STAGED_TABLES) == {
        t.name for t in contracts.STAGED if Stage.LOAD in t.readers
    }
    for spec in load_suites(SUITES):
        (table,) = [t for t in contracts.STAGED if t.name == spec.table]
        assert Stage.VALIDATE in table.readers, spec.name
        assert spec.key in table.schema.names, spec.name


def _functions(path: Path) -> list[ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]


def test_the_loader_has_no_function_over_60_lines() -> None:
    long = {
        f.name: (f.end_lineno or 0) - f.lineno + 1
        for f in _functions(LOAD / "loader.py")
        if (f.end_lineno or 0) - f.lineno + 1 > 60
    }
    assert long == {}


def test_no_load_mode_branch_outside_the_mode_classes() -> None:
    branch = re.compile(r"""mode\s*(==|!=|\bin\b)|==\s*["'](merge|replace|rebuild)["']""")
    offenders = [
        f"{path.name}:{n}"
        for path in LOAD.glob("*.py")
        if path.name != "modes.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if branch.search(line)
    ]
    assert offenders == []
