"""Helpers for integration tests: build settings, run the pipeline, checksum tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from etl.settings import Settings, load_settings
from etl.warehouse import table_checksum

#: The analyst-facing tables whose content must be identical across reruns.
DATA_TABLES = (
    "dim_date",
    "dim_source",
    "dim_term",
    "fact_article",
    "fact_article_term",
    "article_text",
    "agg_daily_term",
)


def settings_for(landing: Path, tmp: Path, **overrides: Any) -> Settings:
    """Settings for a warehouse in ``tmp`` over ``landing``."""
    return load_settings(
        landing=landing,
        warehouse=tmp / "warehouse.duckdb",
        staging_dir=tmp / "staging",
        **overrides,
    )


def checksums(warehouse: Path, tables: tuple[str, ...] = DATA_TABLES) -> dict[str, tuple[int, int]]:
    """Row count and content checksum of each of ``tables``."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {table: table_checksum(con, table) for table in tables}
    finally:
        con.close()


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Run a read-only query and return all rows."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
