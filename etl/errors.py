"""One exception hierarchy for the whole package.

Every error the pipeline raises on purpose derives from :class:`NewsEtlError` and is either
:class:`RetryableError` (a transient condition: trying again later may succeed) or
:class:`PermanentError` (retrying the same input cannot help). Orchestrators map the first to a
retry and the second to an immediate failure; problems with single input files are not errors at
all but quarantine rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast


class NewsEtlError(Exception):
    """Base class of every error raised by news-etl on purpose."""

    retryable: bool = False


class RetryableError(NewsEtlError):
    """A transient failure: the same call may succeed if tried again later."""

    retryable = True


class PermanentError(NewsEtlError):
    """A failure that retrying with the same inputs and settings cannot fix."""

    retryable = False


class WarehouseLockedError(RetryableError):
    """Another process holds the warehouse's writer lock and did not release it in time."""


class WarehouseBusyError(RetryableError):
    """DuckDB refused to open the database file because another process holds its lock."""


class LakeCommitConflictError(RetryableError):
    """A DuckLake commit lost to a concurrent one that changed the same tables (optimistic
    concurrency): the loader retries its whole transaction a bounded number of times; once
    those are spent, a later attempt of the task may succeed."""


class LakeCatalogUnavailableError(RetryableError):
    """The DuckLake catalog's database (Postgres) cannot be reached right now."""


class WarehouseCorruptError(PermanentError):
    """The warehouse file is not a readable DuckDB database (corrupted blocks, truncated, not
    DuckDB at all): retrying cannot help; restore it from a backup or rebuild it."""


class WarehouseUnavailableError(PermanentError):
    """The warehouse file cannot be opened for another reason (permissions, a missing folder)."""


class LakeMissingError(WarehouseUnavailableError):
    """A Postgres catalog in which no writer has created the DuckLake yet (a reader or the
    maintenance job finds nothing there; the first load, or ``news-etl init``, creates it)."""


class ConfigError(PermanentError):
    """A setting is missing or invalid."""


class UnknownRunError(PermanentError):
    """A run id the warehouse's ``etl_run`` does not hold (``--run`` of a reader command)."""

    def __init__(self, run_id: str) -> None:
        super().__init__(f"no run {run_id!r} in the warehouse")


class UnknownReasonError(PermanentError):
    """``replay --reason R`` where no quarantine row of the landing zone has reason ``R``."""


class MigrationError(PermanentError):
    """The warehouse schema cannot be brought to the version this code expects."""


class StagingError(PermanentError):
    """Staged Parquet for a run is missing or does not match its plan, or a staged row does not
    have its table's columns."""


class StagingUnavailableError(RetryableError):
    """The object store holding the staging could not be reached (connection refused or reset,
    timed out): trying again later may succeed."""


class ObjectStoreUnavailableError(RetryableError):
    """DuckDB could not reach the object store holding the staged Parquet or the lake's data
    (connection refused, a timeout, a name that did not resolve, or an answer that means "not
    now": HTTP 408, 429, 500, 502, 503, 504): trying again later may succeed."""


class LandingZoneError(PermanentError):
    """The landing zone does not exist or cannot be listed."""


class BatchValidationError(PermanentError):
    """A whole batch failed a batch-level data-quality check; nothing was loaded."""


class RunFailedError(PermanentError):
    """A step of the run failed and the run is recorded as failed (``etl_run.error`` says why)."""


#: How an orchestrator treats an exception, rule by rule, first match wins; anything else fails
#: at once. Written as plain data in the form of Airflow's ``ExceptionRetryPolicy.serialize()``
#: (this package never imports Airflow): every DAG builds its policy from it with
#: ``ExceptionRetryPolicy.deserialize``, so no two DAGs retry different things.
RETRY_POLICY: dict[str, object] = {
    "rules": [
        {
            "exception": "etl.errors.RetryableError",
            "action": "retry",
            "match_subclasses": True,
            "reason": "transient: the warehouse is busy or a resource is unavailable",
        },
        {
            "exception": "etl.errors.PermanentError",
            "action": "fail",
            "match_subclasses": True,
            "reason": "permanent: retrying the same input cannot help",
        },
        {
            "exception": [
                "builtins.FileNotFoundError",
                "builtins.PermissionError",
                "builtins.IsADirectoryError",
                "builtins.NotADirectoryError",
            ],
            "action": "fail",
            "match_subclasses": True,
            "reason": "permanent I/O: the path or its permissions are wrong; waiting cannot help",
        },
        {
            "exception": [
                "builtins.ConnectionError",
                "builtins.TimeoutError",
                "builtins.BlockingIOError",
                "builtins.InterruptedError",
            ],
            "action": "retry",
            "match_subclasses": True,
            "reason": "transient I/O",
        },
    ],
    "default": "fail",
}


def _rule_matches(rule: dict[str, Any], exc: BaseException) -> bool:
    """Whether ``exc`` matches one rule of :data:`RETRY_POLICY` (as Airflow's ``RetryRule``)."""
    spec = rule["exception"]
    names = spec if isinstance(spec, list) else [spec]
    classes = (type(exc),) if not rule.get("match_subclasses", True) else type(exc).__mro__
    return any(f"{cls.__module__}.{cls.__qualname__}" in names for cls in classes)


def is_retryable(exc: BaseException) -> bool:
    """Whether trying the same step again later may succeed, by :data:`RETRY_POLICY`'s rules.

    The one rule for every caller (the DAGs' retry policy is built from the same data): the
    first matching rule decides, anything no rule matches is permanent. :class:`RetryableError`
    and transient I/O (connection resets, timeouts, interrupted or would-block calls) are
    retried; :class:`PermanentError`, a missing file, a permission problem, any other
    ``OSError`` and every bug fail at once.
    """
    # pragma: no mutate start (equivalent: typing.cast does nothing at run time)
    rules = cast(list[dict[str, Any]], RETRY_POLICY["rules"])
    # pragma: no mutate end
    for rule in rules:
        if _rule_matches(rule, exc):
            return bool(rule["action"] == "retry")
    return RETRY_POLICY["default"] == "retry"


#: When a retry happens: attempts after the first, the first delay, its growth, the cap.
RETRY_TIMING: dict[str, object] = {
    "retries": 3,
    "retry_delay": timedelta(seconds=20),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=10),
}


def interrupt_of(exc: BaseException) -> KeyboardInterrupt | None:
    """The Ctrl-C or SIGTERM (:class:`KeyboardInterrupt`) that ``exc`` stands for, else
    ``None``: an interrupt that arrives while DuckDB runs a statement comes out of it as
    ``RuntimeError('Query interrupted')`` caused by the :class:`KeyboardInterrupt`. Taken for a
    failure, it was recorded as a failed run and reported as "a bug in news-etl" (probe)."""
    if isinstance(exc, KeyboardInterrupt):
        return exc
    cause = exc.__cause__ or exc.__context__
    if isinstance(exc, RuntimeError) and isinstance(cause, KeyboardInterrupt):
        return cause
    return None
