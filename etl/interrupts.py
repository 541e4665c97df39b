"""Ctrl-C that a library swallowed, raised again where the run can stop cleanly.

Python raises :class:`KeyboardInterrupt` wherever the main thread is when SIGINT arrives. When
that is inside DuckDB's lazy import of pandas (in the plan's first query), DuckDB catches the
exception and goes on: the run went on through ingest, text and validation as if nothing had
happened, and, when the signal had landed inside the import machinery itself, with Python's
import lock still held by the main thread, so that the thread that readies the load blocked
on its first import and the run hung for good, a second Ctrl-C swallowed too (probe W3,
4 runs in 9). While :func:`noticing_interrupts` is active, SIGINT is remembered as well as
raised, and :func:`check`, called between a run's steps and before its COMMIT, raises it again.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

_raised = threading.Event()


def _interrupt(signum: int, frame: FrameType | None) -> None:
    _raised.set()
    raise KeyboardInterrupt


@contextlib.contextmanager
def noticing_interrupts() -> Iterator[None]:
    """Remember every SIGINT raised in the block (see the module's docstring). Only in the main
    thread, and only where SIGINT raises :class:`KeyboardInterrupt` (Python's own handler): a
    command started in the background with SIGINT ignored keeps ignoring it."""
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    _raised.clear()
    signal.signal(signal.SIGINT, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _raised.clear()  # outside a block, check() raises nothing (a test's later run)


def check() -> None:
    """Raise :class:`KeyboardInterrupt` when a Ctrl-C was raised inside
    :func:`noticing_interrupts` and something caught it: the command is ending either way."""
    if _raised.is_set():
        raise KeyboardInterrupt("a Ctrl-C that a library had caught")


def raised() -> bool:
    """Whether a Ctrl-C was raised inside :func:`noticing_interrupts` (see :func:`check`)."""
    return _raised.is_set()


_stops = 0
_stops_lock = threading.Lock()


def stop(con: duckdb.DuckDBPyConnection) -> None:
    """Interrupt ``con``'s running query on purpose (a time limit, a Ctrl-C), counted in
    :func:`stops`: DuckDB reports such an interrupt as it reports some failing queries
    (:data:`etl.output._RACED`), and only the count tells them apart."""
    global _stops
    with _stops_lock:
        _stops += 1
    con.interrupt()


def stops() -> int:
    """How many queries this process has interrupted on purpose (:func:`stop`)."""
    return _stops
