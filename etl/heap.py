"""Python's cyclic garbage collector, set for a batch process that imports much and then exits.

Two costs of the collector showed on a one-file ``news-etl run`` (2026-12-02, gc callbacks, 2
cores): its full passes while Great Expectations is imported (each pass walks every object
imported so far: ~0.9 s of ~1 s of collection in the whole run) and its last full pass when the
interpreter exits (~1.3 s, after the run had printed its summary). Neither freed anything: the
objects of an import live as long as the process. Freezing them (``gc.freeze``) moves them where
the collector no longer walks them; objects a run allocates afterwards are collected as before.
A forked child freezes what it inherits (:func:`freeze_inherited_heap_in_forked_children`).
"""

from __future__ import annotations

import atexit
import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

_exit_hook = False


@contextmanager
def heavy_import() -> Iterator[None]:
    """Run a large import (a library and its dependencies) without the collector's passes,
    then freeze everything alive: later passes no longer walk the imported modules, classes and
    functions. Garbage the import made in cycles stays (a few kilobytes)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def skip_final_collection() -> None:
    """Freeze the heap when the interpreter exits, after every other exit hook, so its last
    full collection has nothing to walk: the memory goes back with the process anyway. Objects
    in reference cycles are then not finalised at exit; the CLI closes its files and
    connections explicitly before returning. Registered once per process."""
    global _exit_hook
    if not _exit_hook:
        _exit_hook = True
        # atexit runs hooks last-registered first: registered early, this one runs last.
        atexit.register(gc.freeze)


_fork_hook = False


def freeze_inherited_heap_in_forked_children() -> None:
    """Freeze, in every child this process forks from now on, the heap it inherits: the child's
    collector then never finalises an object of its parent's.

    A forked child has only the thread that forked; the parent's other threads are gone. Found
    on 2026-12-02: a validation child (``fork``) collected a DuckDB connection its parent had left
    in a reference cycle, and the connection's destructor joined DuckDB's worker threads, which
    do not exist in the child: it waited for ever. Objects the child makes are collected as
    usual. Registered once per process."""
    global _fork_hook
    if not _fork_hook:
        os.register_at_fork(after_in_child=gc.freeze)
        _fork_hook = True
