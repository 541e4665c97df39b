"""Pytest plugin for mutation runs (`make mutation`, loaded with ``-p tests.mutation_plugin``).

mutmut runs a mutant against the tests that reach the mutated function, passed as node ids
sorted by their *call* time, with ``-x``. Two costs follow that the verdicts do not need:

- tests of one module interleave with other modules' tests, so a module-scoped fixture (a
  warehouse loaded from a corpus) is built again each time the run comes back to its module;
- a module whose fixture takes 30 s but whose calls take 10 ms sorts first.

This plugin records each test's setup + call + teardown seconds during mutmut's stats run
(``MUTANT_UNDER_TEST=stats``) in ``mutation-durations.json`` (in mutants/, mutmut's working
folder), and in a mutant's run keeps each module's tests together, cheapest module first
(its slowest setup, which is where a module fixture is paid, plus its selected calls), the tests
inside a module in the order mutmut gave (fastest call first). Only the order changes: the same
tests run, a survivor still runs all of them, and any failing test kills the mutant.

mutmut learns which tests reach a function from the functions each test calls in pytest's own
process. A run forks: its batches in a pool, its validation in the GX helper's child. A function
reached only there was never tied to the test, so its mutants ran without it and survived
(seed 1230: a mutant of ``_chunk_frames`` that a test of several batches kills). During the
stats run each forked process therefore writes the names of
the functions it reaches to a file of its own (:class:`ChildHits`), and before mutmut ties the
test's functions to it, this process adds them (:func:`pytest_runtest_teardown`).

mutmut runs several pytest sessions in one process (clean run, forced failure) and forks each
mutant's run from it. A test module imported by an earlier session would be reused with its
parametrize marks, and pytest escapes a reused mark's ids again (``\\n`` becomes ``\\\\n``):
the node ids mutmut recorded are then "not found", pytest exits 4 and the run stops. So every
session forgets the ``tests.*`` modules of the sessions before it and imports them afresh.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

DURATIONS = Path("mutation-durations.json")
_NOT_A_MUTANT = {"", "stats", "fail", "list_all_tests", "mutant_generation"}
_seconds: dict[str, dict[str, float]] = defaultdict(dict)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests() -> None:
    """Before this session loads conftests: drop the test modules earlier sessions imported."""
    for name in [n for n in sys.modules if n.startswith("tests.")]:
        if name != __name__:
            del sys.modules[name]


def _mode() -> str:
    """The mutant under test as mutmut announces it (``stats`` while it collects stats)."""
    return os.environ.get("MUTANT_UNDER_TEST", "")


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Remember the seconds of each phase of each test during the stats run."""
    if _mode() == "stats":
        _seconds[report.nodeid][report.when] = report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Merge this stats run's timings into the durations file (stats may run in parts)."""
    if _mode() != "stats" or not _seconds:
        return
    known: dict[str, dict[str, float]] = {}
    if DURATIONS.is_file():
        known = json.loads(DURATIONS.read_text(encoding="utf-8"))
    known.update(_seconds)
    DURATIONS.write_text(json.dumps(known, indent=1, sort_keys=True), encoding="utf-8")


def module_order(nodeids: list[str], seconds: dict[str, dict[str, float]]) -> list[str]:
    """``nodeids`` with each module's tests together, the module expected to finish first
    (slowest setup + sum of calls of the given tests) first; the given order inside a
    module. Unknown tests count as slow (60 s) so they do not delay known cheap ones."""
    by_module: dict[str, list[str]] = defaultdict(list)
    for nodeid in nodeids:
        by_module[nodeid.split("::", 1)[0]].append(nodeid)

    def cost(module: str) -> float:
        phases = [seconds.get(n) for n in by_module[module]]
        if any(p is None for p in phases):
            return 60.0
        known = [p for p in phases if p is not None]
        setup = max(p.get("setup", 0.0) + p.get("teardown", 0.0) for p in known)
        return setup + sum(p.get("call", 0.0) for p in known)

    return [n for module in sorted(by_module, key=cost) for n in by_module[module]]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """In a mutant's run, reorder the collected tests by :func:`module_order`."""
    if _mode() in _NOT_A_MUTANT or not DURATIONS.is_file():
        return
    seconds = json.loads(DURATIONS.read_text(encoding="utf-8"))
    rank = {n: i for i, n in enumerate(module_order([i.nodeid for i in items], seconds))}
    items.sort(key=lambda item: rank[item.nodeid])


class ChildHits(set[str]):
    """mutmut's set of the functions the current test reached (``state()._stats``). In a forked
    process, each name it adds the first time is also appended to ``folder/<pid>``, which
    :meth:`collect` reads back in the process that made the set."""

    def __init__(self, folder: Path, names: Iterable[str] = ()) -> None:
        super().__init__(names)
        self.folder = folder
        self.owner = os.getpid()
        self._written: tuple[int, set[str]] = (self.owner, set())

    def add(self, name: str) -> None:
        """Add ``name``; in a forked process, write it too (once per process)."""
        super().add(name)
        pid = os.getpid()
        if pid == self.owner:
            return
        if self._written[0] != pid:  # the first name of this process
            self._written = (pid, set())
        if name not in self._written[1]:
            self._written[1].add(name)
            with open(self.folder / str(pid), "a", encoding="utf-8") as out:
                out.write(name + "\n")

    def collect(self) -> None:
        """Add the names the forked processes wrote, and forget their files."""
        for path in self.folder.iterdir():
            names = path.read_text(encoding="utf-8").split()
            path.unlink()
            super().update(names)


def _mutmut_state() -> object | None:
    """mutmut's state object, when this session runs under mutmut."""
    try:
        from mutmut.state import state
    except ImportError:
        return None
    return state()


def pytest_configure(config: pytest.Config) -> None:
    """In the stats run, let forked processes report the functions they reach."""
    current = _mutmut_state()
    if _mode() != "stats" or current is None:
        return
    folder = Path(tempfile.mkdtemp(prefix="mutation-child-hits-"))
    current._stats = ChildHits(folder, current._stats)  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Before mutmut ties the functions reached to ``item``: add those its forks reached."""
    hits = getattr(_mutmut_state(), "_stats", None)
    if _mode() == "stats" and isinstance(hits, ChildHits):
        hits.collect()


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put mutmut's own set back and remove the folder of the forks' files."""
    current = _mutmut_state()
    hits = getattr(current, "_stats", None)
    if isinstance(hits, ChildHits):
        current._stats = set(hits)  # type: ignore[union-attr]
        shutil.rmtree(hits.folder, ignore_errors=True)
