"""A password in a DuckLake URL never reaches a message, and a failed attach of a catalog is
typed by what a retry can change.

DuckDB's errors for a Postgres catalog quote the whole connection string, password included,
twice (the messages below are literal copies of what DuckDB 1.5.5 printed here against a
throwaway server, with the port and names shortened); the Postgres server's own words are
those of its source (``auth.c``, ``postinit.c``).
"""

from __future__ import annotations

import duckdb
import pytest

from etl.errors import (
    ConfigError,
    LakeCatalogUnavailableError,
    LakeMissingError,
    WarehouseBusyError,
    WarehouseUnavailableError,
)
from etl.lake import open_error
from etl.target import parse_target, redact

URL = "ducklake:postgres:dbname=news host=db port=5432 user=etl password=s3cret"
ATTACH = (
    'IO Error: Failed to attach DuckLake MetaData "__ducklake_metadata_warehouse" at path + '
    '"postgres:dbname=news host=db port=5432 user=etl password=s3cret"Unable to connect to '
    'Postgres at "dbname=news host=db port=5432 user=etl password=s3cret": '
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("user=etl password=s3cret host=db", "user=etl password=*** host=db"),
        ("password='two words' host=db", "password=*** host=db"),
        (r"password='it\'s' host=db", "password=*** host=db"),
        ("password = spaced host=db", "password = *** host=db"),
        ("PASSWORD=Upper", "PASSWORD=***"),
        ('at "user=etl password=s3cret": refused', 'at "user=etl password=*** refused'),
        ("a password=one, then password=two", "a password=*** then password=***"),
        ("dbname=news user=etl", "dbname=news user=etl"),
        ("mypassword=x is not libpq's word", "mypassword=x is not libpq's word"),
        ("", ""),
    ],
)
def test_every_password_value_is_masked_and_nothing_else(text: str, expected: str) -> None:
    assert redact(text) == expected


def _error(message: str) -> Exception:
    return open_error(duckdb.Error(message), parse_target(URL, "/tmp/lake-data/"))


#: libpq's words before the server's reason.
FAILED = 'connection to server at "db", port 5432 failed: '
#: (what the server or libpq said, the error's type, whether it is retryable)
ANSWERS = [
    (FAILED + "Connection refused", LakeCatalogUnavailableError, True),
    ('could not translate host name "db" to address: Name or service not known',
     LakeCatalogUnavailableError, True),
    (FAILED + "FATAL:  the database system is starting up", LakeCatalogUnavailableError, True),
    (FAILED + 'FATAL:  database "news" does not exist', ConfigError, False),
    (FAILED + 'FATAL:  role "etl" does not exist', ConfigError, False),
    (FAILED + 'FATAL:  password authentication failed for user "etl"', ConfigError, False),
    (FAILED + 'FATAL:  no pg_hba.conf entry for host "10.0.0.7", user "etl", database "news", '
     "no encryption", ConfigError, False),
    (FAILED + "fe_sendauth: no password supplied", ConfigError, False),
    (FAILED + 'FATAL:  permission denied for database "news"', ConfigError, False),
]  # fmt: skip


@pytest.mark.parametrize(("server_says", "kind", "retryable"), ANSWERS)
def test_a_catalog_that_cannot_be_reached_is_retryable_and_one_that_refuses_is_not(
    server_says: str, kind: type[Exception], retryable: bool
) -> None:
    error = _error(ATTACH + server_says)
    assert type(error) is kind
    assert error.retryable is retryable
    assert "s3cret" not in str(error)
    assert "password=***" in str(error)
    assert server_says in str(error)  # the server's reason is kept


def test_a_new_catalog_read_only_is_no_lake_yet() -> None:
    message = (
        'Invalid Input Error: Existing DuckLake at metadata catalog "postgres:dbname=news '
        'host=db port=5432 user=etl password=s3cret" does not exist - and creating a new '
        "DuckLake is explicitly disabled"
    )
    error = _error(message)
    assert type(error) is LakeMissingError
    assert isinstance(error, WarehouseUnavailableError) and not error.retryable
    assert str(error) == (
        "no DuckLake in the catalog of ducklake:postgres:dbname=news host=db port=5432 "
        "user=etl password=*** yet"
    )


def test_other_attach_errors_keep_their_kind_without_the_password() -> None:
    busy = _error('IO Error: Could not set lock on file "x.ducklake": Conflicting lock')
    assert type(busy) is WarehouseBusyError
    other = _error('Catalog Error: something else about "password=s3cret"')
    assert type(other) is WarehouseUnavailableError
    assert "s3cret" not in str(other) and "something else" in str(other)


def test_a_recorded_failure_and_an_error_line_mask_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Two nets behind the attach's own typing: any error a run records in etl_run, and any
    # `error: …` line the CLI prints (e.g. a DuckDB error mid-load that quotes the URL).
    from etl.output import error
    from etl.pipeline import describe_error

    raw = duckdb.IOException(ATTACH + "server closed the connection unexpectedly")
    assert describe_error(raw) == (
        'IOException: IO Error: Failed to attach DuckLake MetaData "__ducklake_metadata_warehouse" '
        'at path + "postgres:dbname=news host=db port=5432 user=etl password=*** to connect to '
        'Postgres at "dbname=news host=db port=5432 user=etl password=*** '
        "server closed the connection unexpectedly"
    )
    error(str(raw))
    printed = capsys.readouterr().err
    assert "s3cret" not in printed and printed.count("password=***") == 2
