"""Which migrations change stored rows (and so make loaded days stale), from literal SQL."""

from __future__ import annotations

import pytest

from etl.load.migrations import Migration, rows_version


def _migration(version: int, sql: str) -> Migration:
    return Migration(version, f"m{version}", sql)


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE VIEW v AS SELECT 1;",
        "CREATE OR REPLACE VIEW v AS SELECT 1;\nCOMMENT ON VIEW v IS 'x';",
        "-- a header\n/* and a block */\nCREATE OR REPLACE MACRO m(x) AS x + 1;",
        "create or replace temporary macro m(x) as table select x;",
        "COMMENT ON TABLE t IS 'CREATE TABLE in a comment''s text';\nCOMMENT ON COLUMN t.c IS 'y';",
        "DROP VIEW v;\nDROP MACRO m;",
        "-- only a header",
        # A new column of a run record: old runs keep NULL there, rebuilt or not.
        "ALTER TABLE fact_check_result ADD COLUMN expected VARCHAR;",
        "-- x\nalter table etl_run add detail VARCHAR;\nCOMMENT ON COLUMN etl_run.detail IS 'y';",
    ],
)
def test_views_macros_and_comments_leave_stored_rows_alone(sql: str) -> None:
    assert not _migration(1, sql).changes_stored_rows


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (a INTEGER);",
        "COMMENT ON TABLE t IS 'x';\nALTER TABLE t ADD COLUMN b INTEGER;",
        "CREATE VIEW v AS SELECT 1;\nUPDATE t SET a = 1;",
        "CREATE MACRO m(x) AS x;\nINSERT INTO t VALUES (1);",
        "CREATE INDEX i ON t (a);",
        "DELETE FROM t;",
        "-- CREATE VIEW in a comment only\nDROP TABLE t;",
        # A column of a day's rows, a run record's column with a value, a rewritten run record.
        "ALTER TABLE fact_article ADD COLUMN expected VARCHAR;",
        "ALTER TABLE fact_check_result ADD COLUMN n INTEGER DEFAULT 0;",
        "ALTER TABLE etl_run_stage_old ADD COLUMN x VARCHAR;",
        "ALTER TABLE etl_run ALTER COLUMN error TYPE VARCHAR;",
        "UPDATE fact_check_result SET detail = NULL;",
    ],
)
def test_anything_else_changes_stored_rows(sql: str) -> None:
    assert _migration(1, sql).changes_stored_rows


def test_rows_version_is_the_latest_migration_that_changes_rows() -> None:
    chain = [
        _migration(1, "CREATE TABLE t (a INTEGER);"),
        _migration(2, "CREATE VIEW v AS SELECT a FROM t;"),
        _migration(3, "ALTER TABLE t ADD COLUMN b INTEGER;"),
        _migration(4, "CREATE OR REPLACE MACRO m(x) AS x;"),
        _migration(5, "COMMENT ON TABLE t IS 'x';"),
    ]
    assert rows_version(chain) == 3
    assert rows_version(chain[:2]) == 1
    assert rows_version([]) == 0
