"""A Ctrl-C or SIGTERM that arrives while DuckDB runs a statement comes out as
``RuntimeError('Query interrupted')``: :func:`etl.errors.interrupt_of` finds the interrupt it
stands for (it was recorded as a failed run and reported as a bug; probe)."""

from __future__ import annotations

import os
import signal
import threading

import duckdb
import pytest

from etl.errors import interrupt_of


def _caused(exc: BaseException, cause: BaseException) -> BaseException:
    exc.__cause__ = cause
    return exc


def test_the_interrupt_behind_an_error_is_found_and_nothing_else_is_one() -> None:
    ctrl_c = KeyboardInterrupt("signal 15")
    assert interrupt_of(ctrl_c) is ctrl_c
    assert interrupt_of(_caused(RuntimeError("Query interrupted"), ctrl_c)) is ctrl_c
    assert interrupt_of(RuntimeError("Query interrupted")) is None  # no interrupt behind it
    assert interrupt_of(_caused(ValueError("x"), ctrl_c)) is None  # not DuckDB's wrapper
    assert interrupt_of(_caused(RuntimeError("x"), OSError("disk"))) is None


def test_duckdbs_own_error_for_a_signal_during_a_query_is_an_interrupt() -> None:
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGUSR1, interrupt)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGUSR1))
    try:
        con = duckdb.connect()
        timer.start()
        with pytest.raises(BaseException) as caught:
            con.execute("SELECT count(*) FROM range(1000000000000) a, range(10) b")
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, previous)
    found = interrupt_of(caught.value)
    assert isinstance(found, KeyboardInterrupt) and found.args == (f"signal {signal.SIGUSR1}",)
