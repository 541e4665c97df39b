"""Settings are read through :class:`etl.settings.Settings`: a module of ``etl/`` that reads a
``NEWS_ETL_*`` variable from an environment itself is one of the documented exceptions
(:data:`etl.settings.DIRECT_READS`) or reads a variable that is no setting
(:data:`etl.settings.OTHER_VARIABLES`).

A direct read bypasses the settings' validation and their precedence (an option over the
environment); ``etl/target.py`` and ``etl/airflow_env.py`` did so with no word of why.
"""

from __future__ import annotations

import ast

from etl import settings
from etl.settings import DIRECT_READS, OTHER_VARIABLES, PROJECT_ROOT

#: Calls that read a variable by the name in their first argument: ``os.getenv(name)``,
#: ``environ.get(name)``, ``environ.pop(name)``, ``environ.setdefault(name, …)``.
_READING_CALLS = {"getenv", "get", "pop", "setdefault"}


def _names(tree: ast.Module) -> dict[str, str]:
    """String constants a module can name a variable by: its own and those of etl.settings."""
    known = {k: v for k, v in vars(settings).items() if isinstance(v, str)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    known[target.id] = node.value.value
    return known


def variables_read(source: str) -> set[str]:
    """The ``NEWS_ETL_*`` names ``source`` reads from a mapping or the environment: by a
    reading call, a subscript that is not assigned to, or an ``in`` test."""
    tree = ast.parse(source)
    known = _names(tree)

    def name(node: ast.expr) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return known.get(node.id) if isinstance(node, ast.Name) else None

    found: set[str | None] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            called = node.func
            attr = called.attr if isinstance(called, ast.Attribute) else None
            if attr in _READING_CALLS or (isinstance(called, ast.Name) and called.id == "getenv"):
                found.add(name(node.args[0]))
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            found.add(name(node.slice))
        elif isinstance(node, ast.Compare) and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            found.add(name(node.left))
    return {n for n in found if n is not None and n.upper().startswith("NEWS_ETL_")}


def _reads() -> set[tuple[str, str]]:
    reads = set()
    for path in sorted((PROJECT_ROOT / "etl").rglob("*.py")):
        module = path.relative_to(PROJECT_ROOT).as_posix()
        if module != "etl/settings.py":
            reads |= {(module, n) for n in variables_read(path.read_text(encoding="utf-8"))}
    return reads


def test_no_module_reads_a_setting_from_the_environment_without_saying_why() -> None:
    undocumented = {(m, n) for m, n in _reads() if n not in OTHER_VARIABLES} - set(DIRECT_READS)
    assert undocumented == set(), "read it from the Settings, or say why in DIRECT_READS"


def test_each_documented_direct_read_is_still_made() -> None:
    assert set(DIRECT_READS) <= _reads()


def test_the_reads_are_found_however_they_are_written() -> None:
    source = """
import os
from etl.settings import TASK_HOSTNAME_VAR
VAR = "NEWS_ETL_B"
os.environ.get("NEWS_ETL_A")
os.getenv(VAR)
os.environ["NEWS_ETL_C"]
"NEWS_ETL_D" in env
env.pop(TASK_HOSTNAME_VAR)
env["NEWS_ETL_WRITTEN"] = "1"
os.environ.get("OTHER")
"""
    assert variables_read(source) == {
        "NEWS_ETL_A",
        "NEWS_ETL_B",
        "NEWS_ETL_C",
        "NEWS_ETL_D",
        "NEWS_ETL_AIRFLOW_HOSTNAME",
    }


def test_the_list_names_real_modules() -> None:
    assert all((PROJECT_ROOT / module).is_file() for module, _ in DIRECT_READS)
