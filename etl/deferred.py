"""Modules a library imports at start-up but a run never uses, imported on first use instead.

Great Expectations imports, through two expectations this project never runs (KL divergence and
the Kolmogorov-Smirnov p-value), ``scipy.stats`` and ``altair`` when it is itself imported:
about 1 s of a one-file run's 7 s on this machine (2026-12-03, 2 cores). Both are imported
as ``import altair as alt`` / ``from scipy import stats`` at the top of those modules and used
only inside functions, so a stand-in module object in ``sys.modules`` satisfies the import and
the real module is imported the first time anything reads one of its attributes.

Why not ``importlib.util.LazyLoader``: Python's import system reads ``__spec__`` of a module
already in ``sys.modules`` (``_find_and_load``, 3.11 and 3.12), and a ``LazyLoader`` module
loads itself on that read: it was loaded by GX's own ``import altair`` (measured). The stand-in
here keeps ``__spec__`` and ``__name__`` in its own dictionary; every other attribute (``__path__``
included, so that a submodule import loads the package first) imports the real module.

GX also imports optional libraries when they are installed (SQLAlchemy, boto3), not as
``import x`` alone but through their submodules (``from sqlalchemy.engine import Engine``), which
a stand-in cannot answer without importing the package. :func:`hidden` makes them look not
installed while GX is imported: GX then goes on without them, as its own optional-dependency
guards intend.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import types
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

#: GX's start-up imports that no expectation of ours uses (see the module docstring).
UNUSED_BY_VALIDATION = ("scipy.stats", "altair")

#: Optional libraries GX imports at start-up when they are installed, for data sources and
#: stores this project never configures (SQL databases through SQLAlchemy, S3 through boto3):
#: ~0.22 s of its ~1.3 s import (2026-12-06, 2 cores). SQLAlchemy is installed for Airflow, and
#: botocore for object storage (s3fs). GX imports them inside ``try: ... except ImportError``
#: and runs its pandas data sources without them (they are optional dependencies of GX).
HIDDEN_FROM_VALIDATION = ("sqlalchemy", "boto3", "botocore")

_lock = threading.RLock()
#: the stand-in's own key for the real module, once imported
_REAL = "_deferred_module_real"


class DeferredModule(types.ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet; the first read of any attribute
    other than ``__spec__`` and ``__name__`` imports the module and is answered by it, as is
    every later one. It defines no attribute of its own that could hide one of the module's."""

    def __init__(self, name: str, spec: importlib.machinery.ModuleSpec) -> None:
        super().__init__(name)
        for own in ("__doc__", "__package__", "__loader__"):  # answered by the real module
            self.__dict__.pop(own, None)
        self.__dict__["__spec__"] = spec
        self.__dict__[_REAL] = None

    def __getattr__(self, attr: str) -> Any:
        return getattr(imported(self), attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        setattr(imported(self), attr, value)

    def __dir__(self) -> list[str]:
        return dir(imported(self))


def imported(module: types.ModuleType) -> types.ModuleType:
    """The real module behind ``module`` (a :class:`DeferredModule`), imported now if it is not
    yet; any other module is returned as it is."""
    if not isinstance(module, DeferredModule):
        return module
    real: types.ModuleType | None = module.__dict__[_REAL]
    if real is None:
        with _lock:
            real = module.__dict__[_REAL]
            if real is None:
                name = module.__dict__["__name__"]
                if sys.modules.get(name) is module:
                    del sys.modules[name]
                real = importlib.import_module(name)
                module.__dict__[_REAL] = real
    return real


def is_imported(module: types.ModuleType) -> bool:
    """Whether ``module`` is a real module or a stand-in whose module has been imported."""
    return not isinstance(module, DeferredModule) or module.__dict__[_REAL] is not None


def defer(names: Iterable[str]) -> list[str]:
    """Put a stand-in in ``sys.modules`` for each module of ``names`` that is installed and not
    imported yet; return the names deferred. The parent packages are imported (``scipy`` for
    ``scipy.stats``: a few milliseconds). A module already imported, or not installed, is left
    alone."""
    deferred = []
    with _lock:
        for name in names:
            if name in sys.modules:
                continue
            spec = importlib.util.find_spec(name)
            if spec is None:
                continue
            sys.modules[name] = DeferredModule(name, spec)
            deferred.append(name)
    return deferred


class _Hider(importlib.abc.MetaPathFinder):
    """A finder that answers "not installed" for the modules ``names`` (their submodules then
    fail with them: a submodule's package is imported first), to imports made by the thread that
    installed it (another thread's imports go on as usual)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self.thread = threading.get_ident()

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in self.names and threading.get_ident() == self.thread:
            raise ModuleNotFoundError(f"No module named {fullname!r} (hidden)", name=fullname)
        return None


@contextmanager
def hidden(names: Iterable[str]) -> Iterator[list[str]]:
    """Within the block, importing a module of ``names`` (or a submodule) that is not imported
    yet raises :class:`ModuleNotFoundError`, as if it were not installed: a library that imports
    it optionally then goes on without it. Afterwards it imports as usual; a module already
    imported stays available throughout. Yields the names hidden (those not imported yet).
    ``importlib.util.find_spec`` of a hidden name raises that error too, where a module not
    installed gives ``None``: no library GX imports looks these names up that way (one finder
    cannot make the others answer "none"), so use the block for imports alone."""
    names = [n for n in names if n not in sys.modules]
    hider = _Hider(names)
    sys.meta_path.insert(0, hider)
    try:
        yield names
    finally:
        sys.meta_path.remove(hider)
