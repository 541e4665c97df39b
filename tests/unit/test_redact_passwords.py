"""No character of a password reaches a message: libpq ``password=`` words and URLs' users'
passwords, whatever characters the password holds (``@``, ``=``, spaces in quotes, escaped
spaces). Expected values are literals.

``postgresql://u:p@ss@host/db`` kept the whole password (redact knew no URL) and, through
``holder_of``, showed ``ss@`` (the URL's password stopped at its first ``@``);
``password=a\\ b`` (libpq's escaped space) showed `` b``, and a quote that did not close showed
what followed its first space.
"""

from __future__ import annotations

import pytest

from etl.target import libpq_words, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # libpq key=value
        (
            "ducklake:postgres:dbname=lake host=db user=u password=p@ss@word",
            "ducklake:postgres:dbname=lake host=db user=u password=***",
        ),
        ("dbname=lake password='a b' host=db", "dbname=lake password=*** host=db"),
        ("dbname=lake password='p@ss w@rd' host=db", "dbname=lake password=*** host=db"),
        ("dbname=lake password=a=b host=db", "dbname=lake password=*** host=db"),
        ("dbname=lake password='a=b c' host=db", "dbname=lake password=*** host=db"),
        (r"dbname=lake password=a\ b host=db", "dbname=lake password=*** host=db"),
        ("failed: password='a b host=db", "failed: password=***"),
        # URLs
        ("postgresql://u:p@ss@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u:p@ss@word@host:5432/db x", "postgresql://u:***@host:5432/db x"),
        ("postgresql://u:a=b@host/db", "postgresql://u:***@host/db"),
        ("postgresql://u:p:ss@host", "postgresql://u:***@host"),
        ("postgresql://:p@ss@host/db", "postgresql://:***@host/db"),
        (
            'at "postgresql://u:p@ss@host/db?password=x@y": refused',
            'at "postgresql://u:***@host/db?password=*** refused',
        ),
        # a user name with "@" (Azure's user@server form): the password after its first ":"
        (
            "postgresql://etl@myserver:s3cret@myserver.postgres.database.azure.com/news",
            "postgresql://etl@myserver:***@myserver.postgres.database.azure.com/news",
        ),
        # libpq reads a PostgreSQL URL's user part to the "/": "?" and "#" may be in a password
        ("postgresql://etl:pa?ss@127.0.0.1:1/news", "postgresql://etl:***@127.0.0.1:1/news"),
        ("postgres://etl:pa#ss@h/db", "postgres://etl:***@h/db"),
        # two URLs side by side: each password masked
        (
            "postgresql://u:p1@h1,postgresql://v:q2@h2/db",
            "postgresql://u:***@h1,postgresql://v:***@h2/db",
        ),
        ("https://u:p@[::1]:8080/x", "https://u:***@[::1]:8080/x"),
        # nothing else is touched: another URL's authority ends at the path, query or fragment
        ("see http://host:8080?mail=a@b.com now", "see http://host:8080?mail=a@b.com now"),
        ("http://host:8080#a:b@c", "http://host:8080#a:b@c"),
        ("http://host:8080/users/@alice", "http://host:8080/users/@alice"),
        ("s3://bucket/key@v2 mailto:a@b.c", "s3://bucket/key@v2 mailto:a@b.c"),
        ("postgresql://u@host/db", "postgresql://u@host/db"),
        # a password holding "@" and then "?key=": masked to the last "@", never in part (a rule
        # that took the first "@" followed by a host and a query showed "***@9?a=Q7zP@db...";
        # review, session 44); a query holding "@" is therefore masked with the password
        (
            "postgresql://etl:Xk@9?a=Q7zP@db.example.com:5432/news",
            "postgresql://etl:***@db.example.com:5432/news",
        ),
        ("postgresql://u:x@y?k=v@host", "postgresql://u:***@host"),
        ("postgresql://u:pw@host?options=a@b", "postgresql://u:***@b"),
    ],
)
def test_no_character_of_a_password_is_shown(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_libpq_reads_an_escaped_space_as_part_of_the_value() -> None:
    """The value redact masks is the value libpq reads: ``a\\ b`` is one word, ``a b``."""
    assert libpq_words(r"dbname=lake password=a\ b host=db") == {
        "dbname": "lake",
        "password": r"a\ b",
        "host": "db",
    }
