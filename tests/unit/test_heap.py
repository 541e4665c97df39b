"""The collector settings of a batch process (etl.heap)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

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
