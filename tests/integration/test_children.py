"""The run's helper process (``etl.children.Helper``): calls answered in order, failures brought
back as they were raised, and a helper that is gone or busy never hangs the run."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from etl.children import Helper, HelperGoneError
from etl.errors import PermanentError, StagingError


def _pid() -> int:
    return os.getpid()


def _add(a: int, b: int) -> int:
    return a + b


def _fail_with_a_note() -> None:
    error = StagingError("batch 3 was not validated")
    error.add_note("the run's note")
    raise error


def _unpicklable() -> object:
    return threading.Lock()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _first() -> str:
    return "warm"


class _TwoArgumentError(PermanentError):
    """An error whose ``__init__`` takes other arguments than its ``args``: it pickles, but
    does not unpickle (``__init__() missing 1 required positional argument``)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")


def _fail_with_two_arguments() -> None:
    error = _TwoArgumentError("bad_gzip", "the stream ends early")
    error.add_note("the run's note")
    raise error


def _unloadable() -> None:
    raise ValueError("this object cannot be rebuilt")


class _Unreadable:
    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_unloadable, ())


def _unreadable() -> _Unreadable:
    return _Unreadable()


def test_calls_are_answered_in_order_in_another_process() -> None:
    helper = Helper(first=_first)
    try:
        assert helper.result() == "warm"
        assert helper.call(_pid) != os.getpid()
        helper.submit(_add, 1, 2)
        helper.submit(_add, 40, 2)
        assert (helper.result(), helper.result()) == (3, 42)
        with pytest.raises(RuntimeError, match="no call is waiting"):
            helper.result()
    finally:
        helper.close()


def test_call_waits_for_the_answers_before_it() -> None:
    helper = Helper(first=_first)  # its answer is dropped by the next call
    try:
        assert helper.call(_add, 2, 2) == 4
    finally:
        helper.close()


def test_a_failure_comes_back_with_its_type_message_and_notes() -> None:
    helper = Helper()
    try:
        with pytest.raises(StagingError, match="batch 3 was not validated") as raised:
            helper.call(_fail_with_a_note)
        assert raised.value.__notes__ == ["the run's note"]
        assert helper.call(_add, 1, 1) == 2  # the helper goes on after a failure
    finally:
        helper.close()


def test_an_answer_that_cannot_be_sent_is_a_clear_error() -> None:
    helper = Helper()
    try:
        with pytest.raises(RuntimeError, match="the helper's result could not be sent"):
            helper.call(_unpicklable)
        assert helper.call(_add, 2, 3) == 5
    finally:
        helper.close()


def _busy(helper: Helper, seconds: float) -> int:
    """The pid of ``helper``, once it is busy with a call of ``seconds``."""
    pid: int = helper.call(_pid)
    helper.submit(_sleep, seconds)
    time.sleep(0.1)
    return pid


def test_a_helper_killed_while_it_works_is_named_not_waited_for() -> None:
    helper = Helper()
    try:
        pid = _busy(helper, 60)
        os.kill(pid, signal.SIGKILL)
        started = time.monotonic()
        with pytest.raises(HelperGoneError, match=r"ended before it answered \(signal 9\)"):
            helper.result()
        assert time.monotonic() - started < 10
    finally:
        helper.close()


def test_closing_a_busy_helper_ends_it_at_once() -> None:
    helper = Helper()
    pid = _busy(helper, 60)
    started = time.monotonic()
    helper.close()
    assert time.monotonic() - started < 10
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_ctrl_c_is_left_to_the_run_not_taken_by_the_helper() -> None:
    """Ctrl-C reaches the whole process group; the run's process handles it and closes the
    helper. A helper that took it would answer its current call with a KeyboardInterrupt."""
    helper = Helper()
    try:
        pid = _busy(helper, 0.5)
        os.kill(pid, signal.SIGINT)
        assert helper.result() is None
    finally:
        helper.close()


def test_an_error_that_does_not_unpickle_comes_back_as_its_kind_and_the_helper_goes_on() -> None:
    """Such an error came back as a ``TypeError`` (reported as a bug), and the answer that could
    not be read was still counted as awaited: the next call waited for ever (review)."""
    helper = Helper()
    try:
        with pytest.raises(PermanentError) as raised:
            helper.call(_fail_with_two_arguments)
        assert str(raised.value) == "_TwoArgumentError: bad_gzip: the stream ends early"
        assert raised.value.__notes__ == ["the run's note"]
        with pytest.raises(RuntimeError, match="the helper's answer could not be read"):
            helper.call(_unreadable)
        assert helper.call(_add, 3, 4) == 7  # answered, not hung
    finally:
        helper.close()


def test_the_helpers_warnings_reach_the_terminal_as_data() -> None:
    """Forked by the program's entry point before the CLI made Python's last-resort handler
    escape control characters, the helper wrote a path's ESC and line break raw (review)."""
    import subprocess
    import sys

    program = (
        "import logging\n"
        "from etl.children import Helper\n"
        "def warn():\n"
        "    logging.getLogger('etl.pipeline').warning('docs not built: \\x1b[31mRED\\nline2')\n"
        "helper = Helper()\n"
        "helper.call(warn)\n"
        "helper.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stderr
    assert done.stderr.strip() == "docs not built: \\x1b[31mRED\\x0aline2"


def test_a_run_takes_the_helper_the_program_forked_or_ends_it() -> None:
    from etl import children

    children.prestart_gx_helper()
    early = children._prestarted
    assert early is not None
    taken = children.gx_helper(staging_is_process_local=False)
    try:
        assert taken is early and children._prestarted is None  # taken, not a second one
    finally:
        early.close()
    children.prestart_gx_helper()
    early = children._prestarted
    assert early is not None
    pid = early.call(_pid)
    assert children.gx_helper(staging_is_process_local=True) is None  # memory:// staging
    assert children._prestarted is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # ended
