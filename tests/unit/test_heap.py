"""The collector settings of a batch process (etl.heap)."""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection

import pytest

from etl import heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Give back to the collector what a test froze, and restore its on/off state."""
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()
    else:  # pragma: no cover - pytest runs with the collector on
        gc.disable()


@pytest.mark.usefixtures("unfrozen")
def test_heavy_import_runs_without_the_collector_and_freezes_what_it_made() -> None:
    gc.enable()
    before = gc.get_freeze_count()
    with heap.heavy_import():
        assert not gc.isenabled()
        made = [object() for _ in range(1000)] + [[i] for i in range(1000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= before + 1000  # the 1,000 lists are tracked: now frozen
    assert len(made) == 2000


@pytest.mark.usefixtures("unfrozen")
def test_heavy_import_leaves_a_disabled_collector_disabled_even_when_it_raises() -> None:
    gc.disable()
    with pytest.raises(ImportError), heap.heavy_import():
        raise ImportError("no such module")
    assert not gc.isenabled()
    assert gc.get_freeze_count() > 0


def test_the_exit_freeze_is_registered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: list[Callable[[], None]] = []
    monkeypatch.setattr(heap.atexit, "register", registered.append)
    monkeypatch.setattr(heap, "_exit_hook", False)
    heap.skip_final_collection()
    heap.skip_final_collection()
    assert registered == [gc.freeze]


def test_a_forked_child_freezes_the_heap_it_inherits() -> None:
    """The child's collector must never finalise its parent's objects (a DuckDB connection's
    destructor joins threads the child does not have): everything it inherits is frozen."""
    heap.freeze_inherited_heap_in_forked_children()
    heap.freeze_inherited_heap_in_forked_children()  # once per process, however often called
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_report_heap, args=(child,))
    tracked, frozen = len(gc.get_objects()), gc.get_freeze_count()
    process.start()
    child_frozen, child_tracked = parent.recv()
    process.join(30)
    assert child_frozen >= frozen + tracked * 0.9  # what it inherited, frozen
    assert child_tracked < tracked / 10  # left to its collector: only what it made since


def _report_heap(conn: Connection) -> None:
    conn.send((gc.get_freeze_count(), len(gc.get_objects())))
