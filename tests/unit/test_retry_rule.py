"""One retry rule: ``etl.errors.is_retryable`` answers from ``RETRY_POLICY``, whose verdicts are
pinned here by a literal table (the DAG test compares the same table with Airflow's evaluation)."""

from __future__ import annotations

import pytest

from etl import errors
from etl.errors import is_retryable

#: exception -> retried? Written by hand from the README's policy: transient errors (the
#: warehouse is busy, connection resets, timeouts) are retried; bad data, bugs and I/O errors that
#: waiting cannot fix (a missing file, a permission problem, any other OSError) fail at once.
VERDICTS: list[tuple[BaseException, bool]] = [
    (errors.RetryableError("busy"), True),
    (errors.WarehouseLockedError("lock"), True),
    (errors.WarehouseBusyError("lock"), True),
    (errors.PermanentError("bad"), False),
    (errors.ConfigError("bad"), False),
    (errors.MigrationError("bad"), False),
    (errors.StagingError("bad"), False),
    (errors.LandingZoneError("bad"), False),
    (errors.BatchValidationError("bad"), False),
    (errors.RunFailedError("bad"), False),
    (errors.NewsEtlError("neither"), False),
    (ConnectionError("reset"), True),
    (ConnectionResetError("reset"), True),
    (ConnectionRefusedError("refused"), True),
    (BrokenPipeError("pipe"), True),
    (TimeoutError("slow"), True),
    (BlockingIOError("would block"), True),
    (InterruptedError("signal"), True),
    (FileNotFoundError("gone"), False),
    (PermissionError("denied"), False),
    (IsADirectoryError("dir"), False),
    (NotADirectoryError("not dir"), False),
    (OSError("plain"), False),
    (ValueError("bug"), False),
    (KeyError("bug"), False),
    (AssertionError("bug"), False),
    (RuntimeError("bug"), False),
]


@pytest.mark.parametrize(("exc", "retried"), VERDICTS, ids=[type(e).__name__ for e, _ in VERDICTS])
def test_is_retryable_follows_the_policy_table(exc: BaseException, retried: bool) -> None:
    assert is_retryable(exc) is retried


def test_permanent_os_errors_are_never_in_a_retry_rule() -> None:
    """A missing file or a permission problem must not be retried, by name either."""
    permanent = {
        "builtins.FileNotFoundError",
        "builtins.PermissionError",
        "builtins.IsADirectoryError",
        "builtins.NotADirectoryError",
        "builtins.OSError",
    }
    rules = errors.RETRY_POLICY["rules"]
    assert isinstance(rules, list)
    for rule in rules:
        names = rule["exception"] if isinstance(rule["exception"], list) else [rule["exception"]]
        if rule["action"] == "retry":
            assert not permanent & set(names), rule
    assert errors.RETRY_POLICY["default"] == "fail"


def test_a_subclass_matches_only_when_the_rule_says_so() -> None:
    """``match_subclasses: false`` matches the exact class only, as Airflow's RetryRule does."""

    class SlowLinkError(ConnectionError):
        pass

    exact = {"exception": "builtins.ConnectionError", "action": "retry", "match_subclasses": False}
    loose = {**exact, "match_subclasses": True}
    assert errors._rule_matches(exact, ConnectionError("x"))
    assert not errors._rule_matches(exact, SlowLinkError("x"))
    assert errors._rule_matches(loose, SlowLinkError("x"))
    assert not errors._rule_matches(loose, OSError("x"))


def test_a_rule_names_exceptions_by_their_exact_dotted_path() -> None:
    """A single name is a path, not a substring to search in (Airflow imports it)."""
    longer = {"exception": "builtins.ConnectionErrorX", "action": "retry"}
    assert not errors._rule_matches(longer, ConnectionError("x"))
    exact = {"exception": "builtins.ConnectionError", "action": "retry"}
    assert errors._rule_matches(exact, ConnectionError("x"))


def test_subclasses_match_unless_a_rule_says_otherwise() -> None:
    """Airflow's RetryRule defaults ``match_subclasses`` to true."""
    rule = {"exception": "builtins.ConnectionError", "action": "retry"}
    assert errors._rule_matches(rule, ConnectionResetError("x"))


def test_the_default_applies_to_what_no_rule_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(errors.RETRY_POLICY, "default", "retry")
    assert is_retryable(ValueError("unmatched"))
    assert not is_retryable(FileNotFoundError("matched by a fail rule"))
    monkeypatch.setitem(errors.RETRY_POLICY, "default", "fail")
    assert not is_retryable(ValueError("unmatched"))


def test_an_unknown_run_is_named_and_permanent() -> None:
    # no test reached its message: two mutants of etl/errors.py had no test (issue #18)
    error = errors.UnknownRunError("20240304T000000Z-abc")
    assert str(error) == "no run '20240304T000000Z-abc' in the warehouse"
    assert not error.retryable and not is_retryable(error)
