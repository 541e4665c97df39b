"""The contracts are the one declaration: suites, README, loader, pipeline and staging agree
with them, and the loader keeps its shape (short functions, no mode branches)."""

from __future__ import annotations

import ast
import json
import re
from enum import StrEnum
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

from etl import backfill, contracts, pipeline, timing
from etl.contracts import (
    BACKFILL_MODE_HELP,
    EXPECTATION_REASON_DOC,
    EXPECTATION_REASON_PREFIX,
    QUARANTINE_REASONS,
    BackfillMode,
    DateSource,
    LedgerOutcome,
    LoadMode,
    QuarantineReason,
    RunStatus,
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
    # the pipeline takes the declared modes (or their values, checked at the plan): no copy
    assert get_args(pipeline.Mode) == (LoadMode, str)
    assert set(LoadMode) == set(modes.MODES)
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


def test_the_quarantine_reasons_are_the_registry() -> None:
    """Each reason has its entry in the registry (what it means, what to do) and nothing else
    is registered: the README's table and the ``reason`` values ingest gives stay in step."""
    assert set(QUARANTINE_REASONS) == set(QuarantineReason)


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


def test_the_timed_stages_are_the_pipeline_stages_and_their_parts() -> None:
    assert set(Stage) <= set(timing.STAGES)
    assert [s for s in timing.STAGES if s in set(Stage)] == list(Stage)  # in run order
    # timing's names of the stages are the members themselves, not copies of their values
    assert timing.PLAN is Stage.PLAN and timing.INGEST is Stage.INGEST
    assert timing.TEXT is Stage.TEXT and timing.VALIDATE is Stage.VALIDATE
    assert timing.LOAD is Stage.LOAD
    assert len(set(timing.STAGES)) == len(timing.STAGES)


def _alternatives(*vocabularies: type[StrEnum]) -> str:
    return "|".join(sorted(re.escape(str(v)) for vocabulary in vocabularies for v in vocabulary))


_STAGE = _alternatives(Stage)
#: Values precise enough that a literal comparison with one means the vocabulary: stages, file
#: outcomes (staged and settled), run statuses and quarantine reasons (not date sources: "path"
#: is a column; load modes have their own guard above).
_VALUE = _alternatives(Stage, LedgerOutcome, StagedOutcome, RunStatus, QuarantineReason)
_VALUE_NO_REASON = _alternatives(Stage, LedgerOutcome, StagedOutcome, RunStatus)
#: (A stage name is also a column's or field's name, "text": returned, it is left alone.)
_OUTCOME_OR_STATUS = _alternatives(LedgerOutcome, StagedOutcome, RunStatus)
#: Where a literal stands for a vocabulary's value: compared in Python or SQL (``== "success"``,
#: ``stage = 'ingest'``, ``IN ('loaded', 'duplicate')``), a staged row's stage, a stage passed
#: to the calls that take one, a stage a SQL select list writes (``, 'validate', reason``).
#: Ruff writes Python strings with double quotes, so a single-quoted value is SQL's.
VOCABULARY_LITERAL = [
    re.compile(rf"""(==|!=)\s*(['"])({_VALUE})\2|(['"])({_VALUE})\4\s*(==|!=)"""),
    re.compile(rf"""(<>|(?<![=!<>])=)\s*'({_VALUE})'"""),
    re.compile(rf"""\b(IN|in)\s*[(\[{{]\s*(['"]({_VALUE})['"]\s*,?\s*)+[)\]}}]"""),
    re.compile(rf"""['"]stage['"]\s*:\s*(['"])({_STAGE})\1"""),
    re.compile(rf"""\b(progress|_notes_failure|note_failure|timed|add)\(\s*(['"])({_STAGE})\2"""),
    re.compile(rf"""(,|SELECT)\s*'({_STAGE})'\s*(AS\b|,)"""),
    # a value given to the builders of staged rows, matched on, or returned (review R2: the
    # refactored ``_ledger_row(file, raw.sha256, "quarantined", None)`` passed the guard)
    re.compile(
        rf"""\b(_ledger_row|stage_stats_row|_stats|quarantine_row|_quarantine_row|_quarantine)"""
        rf"""\([^)]*?(['"])({_VALUE_NO_REASON})\2"""
    ),
    re.compile(rf"""\bcase\s+(['"])({_VALUE})\1"""),
    re.compile(rf"""\b(return|else)\s+(['"])({_OUTCOME_OR_STATUS})\2(?!\w)"""),
]


def _vocabulary_literal(line: str) -> bool:
    return any(pattern.search(line) for pattern in VOCABULARY_LITERAL)


@pytest.mark.parametrize(
    "line",
    [
        "WHERE q.landing = ? AND r.status = 'success' AND q.stage = 'ingest'",
        "WHEN outcome <> 'new' THEN outcome",
        "count(*) FILTER (WHERE outcome IN ('loaded', 'duplicate'))",
        'if any(r[0] == "load" for r in rows) or run["status"] != "success":',
        """f"<span class='{'ok' if run['status'] == 'success' else 'bad'}'>\"""",
        '"stage": "text",',
        '@_notes_failure("validate")',
        'progress("plan", -1, plan.n_batches)',
        "SELECT path, file_sha256, coalesce(record, article_id), 'validate', reason, detail",
        "WHERE reason = 'too_large'",
        'result.ledger.append(_ledger_row(file, raw.sha256, "quarantined", None))',
        'stage_stats_row("ingest", 1, 1, 0, 0, 1.0)',
        'case "success":',
        'return "failed" if error else "success"',
    ],
)
def test_the_literal_guard_finds_a_vocabulary_value_written_out(line: str) -> None:
    assert _vocabulary_literal(line)


@pytest.mark.parametrize(
    "line",
    [
        'n_terms = np.bincount(counted.terms["text"].to_numpy(), minlength=len(texts))',
        'verb = "loaded" if status == RunStatus.SUCCESS else "would have loaded"',
        "window.addEventListener('load',function(){var s=[];",
        'TEXT_FIELDS = ("text", "maintext", "body", "content", "article")',
        'mode="replace" if replace else "merge",',
        "WHERE stage = '{Stage.INGEST}'",
        '("quarantined", run["quarantined"]),',
        'return "text"',
        '_quarantine(result, file, raw.sha256, "empty", detail)',
    ],
)
def test_the_literal_guard_leaves_other_strings_alone(line: str) -> None:
    assert not _vocabulary_literal(line)


def test_no_stage_outcome_or_status_is_written_as_a_literal() -> None:
    """Code names a stage, a file's outcome, a run's status or a quarantine reason it compares
    or stages by its enum (in SQL: ``'{RunStatus.SUCCESS}'`` in an f-string), never as a
    literal: a renamed or misspelled value would otherwise match nothing, silently.
    :mod:`etl.contracts` declares them, :mod:`etl.timing` the stage names around them. (The
    quarantine reasons the formats and the reader give where they refuse a record are
    literals: test_every_reason_the_stages_give_is_registered checks each against the
    registry.)"""
    sources = [
        path
        for path in sorted((ROOT / "etl").rglob("*.py"))
        if path.name not in {"contracts.py", "timing.py"} or path.parent != ROOT / "etl"
    ]
    assert len(sources) > 50, "the scan found too few files"
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sources
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _vocabulary_literal(line)
    ]
    assert offenders == []
