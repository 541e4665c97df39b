"""A Ctrl-C or SIGTERM that arrives while DuckDB runs a statement comes out as
``RuntimeError('Query interrupted')``: :func:`etl.errors.interrupt_of` finds the interrupt it
stands for (it was recorded as a failed run and reported as a bug; probe). The error's shape is
DuckDB 1.5.5's: a SIGTERM handler raising KeyboardInterrupt during ``con.execute`` gave
``RuntimeError('Query interrupted')`` with the interrupt as its ``__cause__``. (A test that
sends the signal hung the suite once in a full run, the query never interrupted: it is not
kept.)"""

from __future__ import annotations

import contextlib

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


def test_noticing_interrupts_leaves_an_ignored_sigint_ignored_and_restores_the_handler() -> None:
    # a command started in the background (``cmd &``) has SIGINT ignored: it must stay so
    import signal

    from etl.interrupts import check, noticing_interrupts

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with noticing_interrupts():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        signal.signal(signal.SIGINT, signal.default_int_handler)
        with noticing_interrupts():
            assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
            check()  # nothing raised yet: nothing to raise again
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with pytest.raises(KeyboardInterrupt), noticing_interrupts():
            with contextlib.suppress(KeyboardInterrupt):  # as DuckDB swallows one
                signal.raise_signal(signal.SIGINT)
            check()  # raised again
        check()  # outside the block, nothing is raised (a later run in the same process)
    finally:
        signal.signal(signal.SIGINT, previous)
