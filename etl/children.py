"""Child processes of a run: a helper that imports Great Expectations while the run reads and
tokenizes, and the rule that a child ends with its parent.

A one-file ``news-etl run`` spent ~1.2 s of its ~3.7 s importing GX before it could validate, one
core idle (2026-12-05, 2 cores). The CLI forks a :class:`Helper` as a run starts; the helper
imports GX and builds its context while this process imports the pipeline, plans, ingests and
tokenizes, then does every GX step of the run for it: the validate stage, the post-load suites
(over frames this process reads from the warehouse inside its load transaction) and the Data
Docs, which it builds while this process draws the report's charts. This process never imports
GX then. Everything the helper reads or writes goes through the run's staging folder or the
arguments and results of its calls (pickled), so a staging store only this process sees
(``memory://``) runs without a helper, as does a system without ``fork``.
"""

from __future__ import annotations

import atexit
import contextlib
import multiprocessing
import multiprocessing.context
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from etl import heap
from etl.errors import NewsEtlError, PermanentError, RetryableError

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


class HelperGoneError(PermanentError):
    """The run's helper process ended before it answered (killed, or out of memory)."""


def die_with_parent(parent: int) -> None:
    """In a worker process of this run (the batches' pool, the validation child, the helper):
    end when the run's process ``parent`` dies. Linux sends the worker SIGKILL then (``prctl``'s
    ``PR_SET_PDEATHSIG``); a run killed with SIGKILL or by the OOM killer left its idle workers
    behind, reparented to init, ~100–230 MB each, for good (probe). A parent already gone when
    the worker starts ends it at once. Elsewhere (macOS) nothing is set."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


def _pool_worker(parent: int) -> None:
    """The start of a worker of :func:`worker_pool`: ends with the run's process ``parent``
    (:func:`die_with_parent`) and ignores Ctrl-C, which reaches the whole process group: the
    run's process handles it and ends the workers. Interrupted itself, a worker went on with
    the next batch with a module half imported, and noted that batch's failure
    (``AttributeError: module 'polars' has no attribute 'Series'``) as the run's (probe W3)."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def worker_pool(
    max_workers: int, context: multiprocessing.context.BaseContext
) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``max_workers`` worker processes of this run (see :func:`_pool_worker`). When
    the block ends by an exception (Ctrl-C, a failed batch), the work not started is cancelled
    and the workers are killed at once: the pool's own exit waited for every queued batch to
    run (a Ctrl-C took 3-7.5 s, longer with more batches; probe W3)."""
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        max_workers=max_workers,
        mp_context=context,
        initializer=_pool_worker,
        initargs=(os.getpid(),),
    )
    try:
        yield pool
    except BaseException:
        # the pool's processes by pid (a private attribute; Python 3.14 adds kill_workers())
        workers = list(getattr(pool, "_processes", None) or {})
        for pid in workers:  # before the pool reaps them: a pid is never another process's
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _serve(conn: Connection, parent: int, first: Callable[[], object] | None) -> None:
    """The helper's loop: run ``first``, then each call received, in order, and send back
    ``("ok", result)`` or ``("error", exception)`` for each; end when the pipe closes."""
    die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the run's process handles it and ends this one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Its warnings as data, as the CLI's (forked by etl.entry before the CLI set this up, the
    # helper wrote a path's ESC and line break raw: review, session 41).
    from etl.output import escape_unconfigured_logging

    escape_unconfigured_logging()
    calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    if first is not None:
        calls.append((first, ()))
    while True:
        if not calls:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            calls.append(message)
        function, args = calls.pop(0)
        try:
            answer: tuple[str, object] = ("ok", function(*args))
        except BaseException as exc:  # every failure, interrupts too, goes back to the run
            answer = ("error", _portable(exc))
        try:
            conn.send(answer)
        except (EOFError, OSError):
            return
        except Exception as exc:  # an answer that does not pickle
            kind = "result" if answer[0] == "ok" else "error"
            conn.send(("error", RuntimeError(f"the helper's {kind} could not be sent: {exc!r}")))


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it comes back from pickling as it went in; else an exception of its kind
    (retryable, permanent, else ``RuntimeError``) that says its type and message, with its
    notes. An exception whose ``__init__`` takes other arguments than its ``args`` pickles but
    does not unpickle: the run got a ``TypeError`` instead of it (review, session 41)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        kind: type[BaseException] = RuntimeError
        if isinstance(exc, RetryableError):
            kind = RetryableError
        elif isinstance(exc, NewsEtlError):
            kind = PermanentError
        stand_in = kind(f"{type(exc).__name__}: {exc}")
        for note in getattr(exc, "__notes__", ()):
            stand_in.add_note(note)
        return stand_in
    return exc


class Helper:
    """A forked process that runs calls for this one, one at a time and in order. A call's
    function and arguments, its result and its exception travel pickled; the caller waits for
    each answer with :meth:`result` (or :meth:`call`). The helper ends with :meth:`close`, or
    with this process."""

    def __init__(self, first: Callable[[], object] | None = None) -> None:
        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe()
        heap.freeze_inherited_heap_in_forked_children()
        # Not a daemon: a daemon may not start processes, and the helper forks the validation
        # child of a run of several batches. This process ends it when it exits, whatever path
        # it exits by (``multiprocessing`` would otherwise wait for it at exit).
        self._process = context.Process(
            target=_serve, args=(theirs, os.getpid(), first), name="news-etl-helper"
        )
        self._process.start()
        atexit.register(self.close)
        theirs.close()
        self._conn = mine
        self._pending = 1 if first is not None else 0
        self.waited = 0.0  #: seconds this process spent waiting for answers

    @staticmethod
    def can_fork() -> bool:
        """Whether this system starts processes with ``fork`` (Linux; not macOS's default)."""
        return "fork" in multiprocessing.get_all_start_methods()

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        """Send a call; its answer comes with a later :meth:`result`, after earlier calls'."""
        try:
            self._conn.send((function, args))
        except (EOFError, OSError) as exc:
            raise self._gone() from exc
        self._pending += 1

    def result(self) -> Any:
        """The answer to the oldest call not answered yet: its result, or its exception raised
        here."""
        if self._pending <= 0:
            raise RuntimeError("no call is waiting for an answer")
        started = time.perf_counter()
        try:
            answer = self._conn.recv_bytes()
        except (EOFError, OSError) as exc:
            raise self._gone() from exc
        finally:
            self.waited += time.perf_counter() - started
        self._pending -= 1  # answered, whether or not the answer can be read
        try:
            kind, value = pickle.loads(answer)
        except Exception as exc:
            raise RuntimeError(f"the helper's answer could not be read: {exc!r}") from exc
        if kind == "error":
            raise value
        return value

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run ``function(*args)`` in the helper, after every call sent before, and return its
        result (or raise its exception)."""
        while self._pending:
            self.result()
        self.submit(function, *args)
        return self.result()

    def settle(self) -> None:
        """Wait for every call sent so far (their results are dropped; an exception is raised)."""
        while self._pending:
            self.result()

    def _gone(self) -> HelperGoneError:
        self._process.join(timeout=1)
        code = self._process.exitcode
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return HelperGoneError(f"the run's helper process ended before it answered ({how})")

    def close(self) -> None:
        """End the helper now, whatever it is doing (a call's answer no longer matters)."""
        atexit.unregister(self.close)
        self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._pending = 0


def _warm_gx() -> None:
    """GX imported and its context built, and the pipeline's modules, whose functions the run
    sends (importing them as the first call arrives cost its wait ~0.2 s more)."""
    from etl.validate.runner import warm_up

    warm_up()
    import etl.pipeline  # noqa: F401


#: A helper forked as the program started (:func:`prestart_gx_helper`), until a run takes it.
_prestarted: Helper | None = None


def prestart_gx_helper() -> None:
    """Fork the GX helper now, before the CLI's imports (:mod:`etl.entry`); the ``run``
    command takes it with :func:`gx_helper`. A command that ends before (a usage error) leaves
    it to this process's exit, which ends it."""
    global _prestarted
    if _prestarted is None and Helper.can_fork():
        _prestarted = Helper(first=_warm_gx)


def gx_helper(staging_is_process_local: bool) -> Helper | None:
    """A :class:`Helper` that imports GX and builds its context at once (the one forked as the
    program started, if any), for a run whose staging store other processes can see; ``None``
    when it cannot be used (``memory://`` staging, no ``fork``)."""
    global _prestarted
    early, _prestarted = _prestarted, None
    if staging_is_process_local or not Helper.can_fork():
        if early is not None:
            early.close()
        return None
    return early or Helper(first=_warm_gx)
