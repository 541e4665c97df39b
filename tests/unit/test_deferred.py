"""Deferred imports (etl.deferred): a stand-in in ``sys.modules`` until a first attribute read.

The modules deferred here are made in memory by a finder of the test's own, whose source counts
how many times each module's code ran: the count, not the code under test, says whether a
module was imported.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Iterator, Sequence

import pytest

from etl import deferred

#: module name -> its source; ``RUNS`` counts, by name, how many times a module's code ran.
SOURCES = {
    "etl_probe_plain": "import etl_probe_counter as c\nc.RUNS.append(__name__)\nVALUE = 41 + 1\n",
    "etl_probe_pkg": "import etl_probe_counter as c\nc.RUNS.append(__name__)\nNAME = 'pkg'\n",
    "etl_probe_pkg.sub": "import etl_probe_counter as c\nc.RUNS.append(__name__)\n"
    "from etl_probe_pkg import NAME\nPARENT = NAME\n",
}
PACKAGES = {"etl_probe_pkg"}


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the modules of :data:`SOURCES` (and the counter) in memory."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in SOURCES:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=fullname in PACKAGES)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        if module.__spec__ is not None and module.__spec__.submodule_search_locations is not None:
            module.__path__ = []
        exec(SOURCES[module.__name__], module.__dict__)


@pytest.fixture
def runs() -> Iterator[list[str]]:
    """The finder installed and the counter module in place; everything removed afterwards."""
    counter = types.ModuleType("etl_probe_counter")
    counter.RUNS = []  # type: ignore[attr-defined]
    sys.modules["etl_probe_counter"] = counter
    finder = _Finder()
    sys.meta_path.insert(0, finder)
    try:
        yield counter.RUNS
    finally:
        sys.meta_path.remove(finder)
        for name in [*SOURCES, "etl_probe_counter"]:
            sys.modules.pop(name, None)


def test_a_deferred_module_is_not_run_by_import_statements(runs: list[str]) -> None:
    assert deferred.defer(["etl_probe_plain"]) == ["etl_probe_plain"]
    import etl_probe_plain

    module = importlib.import_module("etl_probe_plain")
    assert module is etl_probe_plain
    assert module.__spec__ is not None and module.__spec__.name == "etl_probe_plain"
    assert module.__name__ == "etl_probe_plain"
    assert runs == []
    assert not deferred.is_imported(module)


def test_the_first_attribute_read_runs_the_module_once(runs: list[str]) -> None:
    deferred.defer(["etl_probe_plain"])
    import etl_probe_plain

    assert etl_probe_plain.VALUE == 42
    assert etl_probe_plain.VALUE == 42
    assert runs == ["etl_probe_plain"]
    real = sys.modules["etl_probe_plain"]
    assert not isinstance(real, deferred.DeferredModule)
    assert real.VALUE == 42
    assert deferred.is_imported(etl_probe_plain)
    assert deferred.imported(etl_probe_plain) is real
    # a later import statement gets the real module, and does not run it again
    assert importlib.import_module("etl_probe_plain") is real
    assert runs == ["etl_probe_plain"]


def test_a_missing_attribute_is_an_attribute_error_after_the_import(runs: list[str]) -> None:
    deferred.defer(["etl_probe_plain"])
    import etl_probe_plain

    with pytest.raises(AttributeError):
        _ = etl_probe_plain.NO_SUCH_NAME
    assert runs == ["etl_probe_plain"]
    assert not hasattr(etl_probe_plain, "imported")  # no name of the stand-in's own shows through


def test_setting_an_attribute_sets_it_on_the_real_module(runs: list[str]) -> None:
    deferred.defer(["etl_probe_plain"])
    import etl_probe_plain

    etl_probe_plain.PATCHED = "yes"
    assert sys.modules["etl_probe_plain"].PATCHED == "yes"
    assert runs == ["etl_probe_plain"]


def test_a_submodule_import_runs_the_deferred_package_first(runs: list[str]) -> None:
    deferred.defer(["etl_probe_pkg"])
    from etl_probe_pkg import sub

    assert runs == ["etl_probe_pkg", "etl_probe_pkg.sub"]
    assert sub.PARENT == "pkg"


def test_imported_or_unknown_modules_are_left_alone(runs: list[str]) -> None:
    import etl_probe_plain

    assert runs == ["etl_probe_plain"]
    assert deferred.defer(["etl_probe_plain", "etl_probe_not_installed_anywhere"]) == []
    assert sys.modules["etl_probe_plain"] is etl_probe_plain
    assert "etl_probe_not_installed_anywhere" not in sys.modules
    assert deferred.imported(etl_probe_plain) is etl_probe_plain
    assert deferred.is_imported(etl_probe_plain)


def test_a_module_a_library_imports_by_name_stays_deferred(runs: list[str]) -> None:
    """The case of GX: a module runs ``import x as y`` at its top and uses ``y`` only inside a
    function. Importing that module must not import ``x``; calling the function must."""
    deferred.defer(["etl_probe_plain"])
    user = types.ModuleType("etl_probe_user")
    exec("import etl_probe_plain as p\ndef value():\n    return p.VALUE\n", user.__dict__)
    assert runs == []
    assert user.value() == 42
    assert runs == ["etl_probe_plain"]


def _optional_import(name: str) -> str:
    """What a library's guard for an optional dependency does: import it, or go on without."""
    try:
        importlib.import_module(name)
    except ImportError:
        return "absent"
    return "present"


def test_a_hidden_module_is_absent_inside_the_block_and_importable_after(runs: list[str]) -> None:
    with deferred.hidden(["etl_probe_plain", "etl_probe_pkg"]) as names:
        assert names == ["etl_probe_plain", "etl_probe_pkg"]
        assert _optional_import("etl_probe_plain") == "absent"
        assert _optional_import("etl_probe_pkg.sub") == "absent"  # a submodule as well
        with pytest.raises(ModuleNotFoundError) as caught:
            import etl_probe_pkg  # noqa: F401
        assert caught.value.name == "etl_probe_pkg"
    assert runs == []
    assert "etl_probe_plain" not in sys.modules
    assert _optional_import("etl_probe_plain") == "present"
    assert _optional_import("etl_probe_pkg.sub") == "present"
    assert runs == ["etl_probe_plain", "etl_probe_pkg", "etl_probe_pkg.sub"]


def test_a_module_imported_already_is_not_hidden_nor_its_submodules(runs: list[str]) -> None:
    import etl_probe_pkg  # noqa: F401

    with deferred.hidden(["etl_probe_pkg", "etl_probe_plain"]) as names:
        assert names == ["etl_probe_plain"]
        assert _optional_import("etl_probe_pkg") == "present"
        assert _optional_import("etl_probe_pkg.sub") == "present"
        assert _optional_import("etl_probe_plain") == "absent"
    assert runs == ["etl_probe_pkg", "etl_probe_pkg.sub"]


def test_another_threads_imports_are_not_hidden(runs: list[str]) -> None:
    import threading

    seen: list[str] = []
    with deferred.hidden(["etl_probe_plain"]):
        other = threading.Thread(target=lambda: seen.append(_optional_import("etl_probe_plain")))
        other.start()
        other.join()
    assert seen == ["present"]
    assert runs == ["etl_probe_plain"]


def test_the_block_removes_its_finder_when_it_fails(runs: list[str]) -> None:
    finders = list(sys.meta_path)
    with pytest.raises(RuntimeError), deferred.hidden(["etl_probe_plain"]):
        raise RuntimeError("inside")
    assert sys.meta_path == finders
    assert _optional_import("etl_probe_plain") == "present"
