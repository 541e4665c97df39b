"""Pinning linear time on a pathological input without a fragile timing.

A regex that rescans a long run from every position takes hours on a megabyte; a linear one
takes well under a second. The code runs in a child process with a generous timeout: Python's
``re`` cannot be interrupted by a signal, so an alarm in the test's own process would wait for
the whole scan.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

#: Far more than the linear code needs (well under a second), far less than the quadratic one
#: would (hours at the sizes the tests use).
TIMEOUT = 60


def finishes(code: str) -> str:
    """The standard output of ``code`` run by this Python in a child process; the test fails
    when it runs longer than :data:`TIMEOUT` seconds or fails."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after {TIMEOUT} s: quadratic in the input?", pytrace=False)
    assert done.returncode == 0, done.stderr
    return done.stdout
