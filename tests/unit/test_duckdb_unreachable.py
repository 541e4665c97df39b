"""Which DuckDB errors mean "the object store could not be reached" (retry later) and which mean
"no" (fail now). The messages are DuckDB 1.5.5's httpfs words, copied literally from what it
printed against a refused port, a name that does not resolve, a silent server and a loopback
server answering each status (see tests/integration/test_object_storage.py for the real ones)."""

from __future__ import annotations

import duckdb
import pytest

from etl.errors import ObjectStoreUnavailableError, is_retryable
from etl.storage import reaching_with_duckdb, unreachable_error

URL = "'http://127.0.0.1:9000/bucket/staging/batch-0000/articles.parquet'"
WHERE = "\n\nLINE 1: SELECT * FROM read_parquet('s3://bucket/x/a.parquet')\n   ^"

NOT_REACHED = [
    f"IO Error: Could not connect to server error for HTTP HEAD to {URL}{WHERE}",
    f"IO Error: Could not connect to server error for HTTP PUT to {URL}",
    f"IO Error: Timeout was reached error for HTTP HEAD to {URL}{WHERE}",
    f"IO Error: Timeout was reached error for HTTP PUT to {URL}",
    f"IO Error: Could not resolve hostname error for HTTP HEAD to {URL}",
    f"IO Error: Couldn't connect to server error for HTTP GET to {URL}",
    f"IO Error: Failure when receiving data from the peer error for HTTP GET to {URL}",
    f"IO Error: Failed sending data to the peer error for HTTP PUT to {URL}",
    f"IO Error: Server returned nothing (no headers, no data) error for HTTP GET to {URL}",
    f"IO Error: Transferred a partial file error for HTTP GET to {URL}",
]


@pytest.mark.parametrize("message", NOT_REACHED)
def test_a_connection_that_failed_is_retryable(message: str) -> None:
    error = unreachable_error(duckdb.IOException(message))
    assert isinstance(error, ObjectStoreUnavailableError)
    assert is_retryable(error)
    first_line = message.split("\n")[0]
    assert str(error) == "cannot reach the object store: " + first_line


NOT_NOW = [408, 429, 500, 502, 503, 504]
NO = [400, 401, 403, 404, 407, 409, 412, 428, 430, 499, 501, 505]


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(s, True) for s in NOT_NOW] + [(s, False) for s in NO],
)
def test_an_answer_is_retryable_only_when_it_means_not_now(status: int, retryable: bool) -> None:
    returned = f"HTTP Error: Request returned HTTP {status} for HTTP HEAD to {URL}{WHERE}"
    reading = (
        f"HTTP Error: HTTP GET error reading {URL} in region 'us-east-1' (HTTP {status} Some"
        f" Reason){WHERE}"
    )
    for message in (returned, reading):
        error = unreachable_error(duckdb.HTTPException(message))
        assert (error is not None) is retryable, message
        if error is not None:
            assert str(error) == "cannot reach the object store: " + message.split("\n")[0]


@pytest.mark.parametrize(
    "exc",
    [
        duckdb.IOException('IO Error: Could not set lock on file "/w/news.duckdb": Conflicting'),
        duckdb.IOException("IO Error: No files found that match the pattern 's3://b/x.parquet'"),
        duckdb.IOException(f"IO Error: Something else error for HTTP GET to {URL}"),
        # the words, but not at the start: a value in a query that quotes them
        duckdb.IOException(
            f"IO Error: bad row 'Could not connect to server error for HTTP GET to {URL}"
        ),
        # the words of a connection failure, in a type httpfs does not raise them in
        duckdb.ConversionException(f"Could not connect to server error for HTTP GET to {URL}"),
        duckdb.BinderException(f"Request returned HTTP 503 for HTTP HEAD to {URL}"),
        # a status in an IOException is not an answer httpfs got
        duckdb.IOException(f"HTTP Error: Request returned HTTP 503 for HTTP HEAD to {URL}"),
        ConnectionRefusedError("not DuckDB's"),
        ValueError(f"Could not connect to server error for HTTP GET to {URL}"),
    ],
)
def test_every_other_error_is_not_an_unreachable_store(exc: BaseException) -> None:
    assert unreachable_error(exc) is None


def test_reaching_with_duckdb_raises_the_typed_error_from_duckdb_s() -> None:
    cause = duckdb.IOException(f"IO Error: Timeout was reached error for HTTP PUT to {URL}")
    with pytest.raises(ObjectStoreUnavailableError) as info, reaching_with_duckdb():
        raise cause
    assert info.value.__cause__ is cause
    other = duckdb.IOException("IO Error: No files found that match the pattern 'x'")
    with pytest.raises(duckdb.IOException) as kept, reaching_with_duckdb():
        raise other
    assert kept.value is other
