"""DuckDB extensions, loaded offline from their PyPI wheels, creating no file anywhere.

Each extension news-etl uses ships in a wheel of the lock (``duckdb-extension-<name>``), as
``<package>/extensions/<DuckDB version>/<name>.duckdb_extension``. It is loaded with
``LOAD '<that file>'``: ``INSTALL`` would first copy it into ``~/.duckdb/extensions``, so every
command (read-only ones too) wrote into the home folder and failed where that folder cannot be
written (``Failed to create directory "…/.duckdb": Read-only file system``; probe, session 45).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb


def wheel_file(con: duckdb.DuckDBPyConnection, name: str) -> Path | None:
    """The file of extension ``name`` for ``con``'s DuckDB version in its wheel
    (``duckdb_extension_<name>``), or ``None`` when that wheel or file is not installed."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    row = con.execute("PRAGMA version").fetchone()  # pragma: no mutate (keywords case-blind)
    if spec is None or spec.origin is None or row is None:
        return None
    path = Path(spec.origin).parent / "extensions" / str(row[0]) / f"{name}.duckdb_extension"
    return path if path.is_file() else None


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load extension ``name`` into ``con`` from its wheel; raises :class:`duckdb.Error` when it
    cannot be loaded (its wheel is missing: ``IOException``, or DuckDB refuses the file)."""
    path = wheel_file(con, name)
    if path is None:
        raise duckdb.IOException(
            f"the DuckDB extension {name} is not installed: news-etl loads it from the PyPI "
            f"wheel duckdb-extension-{name.replace('_', '-')} (in the lock; `make setup`)"
        )
    con.execute(f"LOAD '{path.as_posix().replace(chr(39), chr(39) * 2)}'")
