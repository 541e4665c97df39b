"""Fault-injection points: named places in a run where a test can make something happen.

Production never installs an action, and no setting or environment variable does: the only way
to reach one is to call :func:`inject` in the process that runs the pipeline (a test's own
process, or a child it starts with ``python -c`` that installs the action and then runs the
CLI). Uninstalled, :func:`reach` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum


class FaultPoint(StrEnum):
    """The places a fault can be injected."""

    AFTER_PLAN = "after_plan"  # the run is planned (its staging folder written), nothing read
    BEFORE_COMMIT = "before_commit"  # every row of the load is written, COMMIT comes next


_ACTIONS: dict[FaultPoint, Callable[[], None]] = {}


def reach(point: FaultPoint) -> None:
    """Run the action installed at ``point``, if any."""
    action = _ACTIONS.get(point)
    if action is not None:
        action()


@contextmanager
def inject(point: FaultPoint, action: Callable[[], None]) -> Iterator[None]:
    """Install ``action`` at ``point`` for the duration of the ``with`` block."""
    previous = _ACTIONS.get(point)
    _ACTIONS[point] = action
    try:
        yield
    finally:
        if previous is None:
            _ACTIONS.pop(point, None)
        else:
            _ACTIONS[point] = previous
