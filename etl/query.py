"""Read-only SQL for analysts: refuses anything but queries, waits politely while a load runs.

:func:`open_reader` opens the warehouse read-only, turns off DuckDB's access to other files and
databases (so ``COPY … TO``, ``ATTACH``, ``INSTALL``, ``read_csv('/etc/…')`` are refused), and
Python's replacement scans, caps the reader's memory (``NEWS_ETL_READER_MEMORY_LIMIT``) and locks
that configuration. :func:`check_read_only` then allows only queries (``SELECT`` and its
relatives ``FROM``, ``SHOW``, ``DESCRIBE``, ``SUMMARIZE``, ``PRAGMA``-style reads, ``CALL``),
and ``EXPLAIN [ANALYZE]`` only of a statement it would allow itself; inside every statement it
refuses the table functions that change the database or the process (``checkpoint``,
``enable_logging`` …, :data:`SIDE_EFFECT_FUNCTIONS`). :func:`deadline` interrupts a query that
runs longer than ``NEWS_ETL_QUERY_TIMEOUT_S`` (``news-etl query --timeout``).

DuckDB lets no reader open a file while a writer holds it. A load holds it for seconds at most,
inside one transaction, so readers never see half a load: :func:`open_reader` retries while the
warehouse is locked, telling the user it is waiting, and gives up with a clear error after
``wait_s`` seconds.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from etl import interrupts
from etl.errors import PermanentError, WarehouseBusyError
from etl.settings import seconds
from etl.target import DUCKLAKE_PREFIX, parse_target
from etl.warehouse import open_error, refuse_a_foreign_database

_ALLOWED = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.CALL}

#: Table functions that write, change settings or state of the process, or run SQL given as
#: data: refused wherever they appear (``CALL f()``, ``FROM f()``, a subquery).
SIDE_EFFECT_FUNCTIONS = frozenset(
    {
        "checkpoint",
        "force_checkpoint",
        "enable_logging",
        "disable_logging",
        "truncate_duckdb_logs",
        "enable_profiling",
        "disable_profiling",
        "json_execute_serialized_sql",
        "python_map_function",
        "pandas_scan",
        "arrow_scan",
        "arrow_scan_dumb",
        # DuckLake's: they write the catalog or delete data files even on a READ_ONLY attach
        # (ducklake_cleanup_old_files deleted the files `maintain` had scheduled, before its
        # grace, then failed; ducklake_set_option crashed the process).
        "ducklake_add_data_files",
        "ducklake_cleanup_old_files",
        "ducklake_commit",
        "ducklake_delete_orphaned_files",
        "ducklake_expire_snapshots",
        "ducklake_flush_inlined_data",
        "ducklake_merge_adjacent_files",
        "ducklake_rewrite_data_files",
        "ducklake_set_commit_message",
        "ducklake_set_option",
    }
)

#: Functions that run SQL given to them as text, which the checks above never see:
#: ``query('SELECT * FROM enable_logging(…)')`` ran a refused function, and one that wrote a
#: log file aborted the process (probe).
TEXT_SQL_FUNCTIONS = frozenset({"query", "query_table"})

# Leading whitespace and comments, then a keyword (EXPLAIN or CALL) and what follows it. Between
# EXPLAIN's words a comment is a gap as good as a space (`explain/**/select 1`).
_GAP = r"(?:\s|--[^\n]*(?:\n|$)|/\*.*?\*/)"
_LEAD = r"^" + _GAP + "*"
_EXPLAIN = re.compile(
    _LEAD + rf"EXPLAIN(?:{_GAP}+ANALY[SZ]E)?{_GAP}*(?:\([^)]*\){_GAP}*)?(?P<inner>.*)$",
    re.I | re.S,
)
_CALL = re.compile(_LEAD + r"CALL\s+(?P<inner>.*)$", re.I | re.S)


class QueryRefusedError(PermanentError):
    """The SQL would change something (or reach outside the warehouse): refused."""


class QueryTimeoutError(PermanentError):
    """The query ran longer than its time limit and was interrupted."""


def open_reader(
    warehouse: Path,
    *,
    wait_s: float = 60.0,  # pragma: no mutate (equivalent but in time: a minute's wait)
    notify: Callable[[str], None] | None = None,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only, sandboxed connection; waits up to ``wait_s`` while a load holds the file.

    ``memory_limit`` (a DuckDB size such as ``2GB``) caps what the connection may use.
    """
    if str(warehouse).startswith(DUCKLAKE_PREFIX):  # a DuckLake: attached read-only
        from etl import lake

        target = parse_target(str(warehouse))
        if not target.exists():  # a catalog file that is not there (a Postgres one may be)
            raise PermanentError(f"no warehouse at {target.display}")
        con = lake.connect(target, read_only=True, wait_s=wait_s, notify=notify)
        lake.allow_data_path(con)  # its data files stay readable once external access is off
    else:
        con = _open_file(warehouse, wait_s, notify)
    _load_extensions(con)
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    # No spilling: DuckDB made <warehouse>.tmp/ beside the file for a large sort, a folder a
    # killed query left behind, that could fill the disk a load commits to (probe). A query
    # that needs more than its memory fails instead (OutOfMemoryError).
    con.execute("SET temp_directory = ''")
    # equivalent in upper case (seed 1225) and in lower case (seed 1232): DuckDB's setting
    # names and values are not case-sensitive
    con.execute("SET python_enable_replacements = false")  # pragma: no mutate
    con.execute("SET enable_external_access = false")  # pragma: no mutate
    con.execute("SET lock_configuration = true")  # pragma: no mutate
    return con


def _open_file(
    warehouse: Path, wait_s: float, notify: Callable[[str], None] | None
) -> duckdb.DuckDBPyConnection:
    """``warehouse`` (a DuckDB file) opened read-only, waiting while a load holds it."""
    if not warehouse.exists():
        raise PermanentError(f"no warehouse at {warehouse}")
    deadline_at = time.monotonic() + wait_s
    told = False  # pragma: no mutate (equivalent: None is as falsy as False)
    while True:
        try:
            con = duckdb.connect(str(warehouse), read_only=True)
            break
        except duckdb.Error as exc:
            if not isinstance(open_error(exc, warehouse), WarehouseBusyError):
                raise open_error(exc, warehouse) from exc  # damaged, unreadable: not "busy"
            # equivalent: > and >= differ only when the clock reads the deadline exactly
            if time.monotonic() >= deadline_at:  # pragma: no mutate
                raise WarehouseBusyError(
                    f"{warehouse} is being written (a load is running) and stayed locked for "
                    f"{seconds(wait_s)}; try again in a moment"
                ) from exc
            if notify and not told:
                notify(
                    f"{warehouse.name} is being loaded right now; waiting for the load to commit"
                )
                told = True
            time.sleep(0.25)  # pragma: no mutate (equivalent but in time: how often it looks)
    try:
        refuse_a_foreign_database(con, warehouse)
    except BaseException:
        con.close()
        raise
    return con


def _load_extensions(con: duckdb.DuckDBPyConnection) -> None:
    """Load the full-text-search extension straight from its PyPI wheel when it is installed
    (:func:`etl.extensions.load_extension`: ``LOAD 'file'``, not ``INSTALL``, which would copy
    it into ``~/.duckdb``: a reader creates no file anywhere)."""
    from etl.extensions import load_extension

    try:
        load_extension(con, "fts")
    except duckdb.Error:
        return


#: A ``..`` segment of a path or URL, also percent-encoded: DuckDB compares a URL with
#: ``allowed_directories`` as written, and an S3 server that resolves the segment (moto does)
#: served `s3://<data path>/../../other-bucket/key` (probe P, session 39).
_DOT_DOT = re.compile(r"(?:^|[/\\])(?:\.|%2e){2}(?:[/\\?#]|$)", re.IGNORECASE)


#: Table functions that read files but whose names say so neither by a ``read_`` or
#: ``parquet_`` prefix nor by a ``_scan`` suffix.
_OTHER_FILE_READERS = frozenset({"glob", "sniff_csv"})


def _reads_files(name: str) -> bool:
    """Whether the table function ``name`` reads the files its first argument names."""
    return (
        name.startswith(("read_", "parquet_"))
        or name.endswith("_scan")
        or name in _OTHER_FILE_READERS
    )


def _text(node: Any) -> str | None:
    """The text of a text constant node, else ``None``."""
    if not isinstance(node, dict) or node.get("class") != "CONSTANT":
        return None
    value = node.get("value")
    if isinstance(value, dict) and isinstance(value.get("value"), str):
        return str(value["value"])
    return None


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every node (JSON object) of a serialized statement tree, each before its children."""
    if isinstance(node, dict):
        yield node
        for child in node.values():
            yield from _nodes(child)
    elif isinstance(node, list):
        for child in node:
            yield from _nodes(child)


def _paths(tree: Any) -> Iterator[str]:
    """Every file path a serialized statement tree names: the first argument of each function
    that reads files, which must be text or a list of texts written out (a path built by an
    expression, ``'s3://lake/' || repeat('.', 2) || '/…'``, is checked by nobody: DuckDB works
    it out, then compares it with the allowed directories as written; review, session 39),
    and each table named by a path (``FROM 's3://…/x.csv'``): every node's table name (a
    ``SHOW``'s node names none but ``"tables"``, ``"databases"`` or ``__show_tables_expanded``;
    the table a ``DESCRIBE`` or ``SUMMARIZE`` reads is a table node inside it)."""
    for node in _nodes(tree):
        if isinstance(node.get("table_name"), str):
            yield node["table_name"]
        # pragma: no mutate start (equivalent with `or True`, a survivor of seed 1212: the only
        # other nodes with a function name are windows, and a file reader called as one,
        # `read_text('x') OVER ()`, fails in DuckDB's binder either way: "Aggregate Function
        # with name read_text does not exist")
        name = node.get("function_name") if node.get("class") == "FUNCTION" else None
        # pragma: no mutate end
        if isinstance(name, str) and _reads_files(name.lower()) and node.get("children"):
            first = node["children"][0]
            listed = first.get("function_name") == "list_value"
            items = first.get("children", []) if listed else [first]
            texts = [_text(item) for item in items]
            if not texts or any(t is None for t in texts):
                raise QueryRefusedError(
                    f"{name} reads files named by an expression: write the path as text "
                    "(`news-etl query` checks the paths it is given)"
                )
            yield from (t for t in texts if t is not None)


def _function_names(tree: Any) -> Iterator[str]:
    """Every function name in a serialized statement tree (scalar and table functions)."""
    for node in _nodes(tree):
        # pragma: no mutate start (equivalent: `or` also yields WINDOW nodes' names, and a
        # side-effect function called as a window, `checkpoint() OVER ()`, fails in DuckDB's
        # binder either way: "Aggregate Function with name checkpoint does not exist")
        if node.get("class") == "FUNCTION" and isinstance(node.get("function_name"), str):
            # pragma: no mutate end
            yield node["function_name"].lower()


def _check_functions(con: duckdb.DuckDBPyConnection, select_sql: str) -> None:
    # pragma: no mutate start (equivalent: SQL keywords and function names are case-blind, and
    # a one-row SELECT always fetches a row: the `else` is there for the type checker)
    row = con.execute("SELECT json_serialize_sql(?)", [select_sql]).fetchone()
    tree = json.loads(row[0]) if row else {"error": True}
    # pragma: no mutate end
    if tree.get("error"):
        raise QueryRefusedError(
            "statements of this kind are not allowed: `news-etl query` only reads the warehouse "
            # equivalent: DuckDB gives every error an error_message; the default is never used
            f"({tree.get('error_message', 'it cannot be checked')})"  # pragma: no mutate
        )
    climbing = sorted({t for t in _paths(tree) if _DOT_DOT.search(t)})
    if climbing:
        raise QueryRefusedError(
            f"a path with a '..' segment is not allowed ({climbing[0]!r}): `news-etl query` "
            "reads the warehouse's own files only"
        )
    names = set(_function_names(tree))
    text_sql = sorted(names & TEXT_SQL_FUNCTIONS)
    if text_sql:
        raise QueryRefusedError(
            f"{', '.join(text_sql)} is not allowed: it runs SQL given as text, which "
            "`news-etl query` cannot check; write that SQL in the query itself"
        )
    # DuckLake also answers to a writing function's name without its prefix, in the lake's
    # catalog (`CALL warehouse.merge_adjacent_files()`, or unqualified once the lake is in use):
    # such a call wrote Parquet files no snapshot names, and `warehouse.set_option(…)` crashed
    # the process (probe P, session 39).
    used = sorted(n for n in names if {n, f"ducklake_{n}"} & SIDE_EFFECT_FUNCTIONS)
    if used:
        raise QueryRefusedError(
            f"{', '.join(used)} is not allowed: `news-etl query` only reads the warehouse "
            "and changes nothing"
        )


def _check_statement(con: duckdb.DuckDBPyConnection, statement: Any, depth: int = 0) -> None:
    kind = statement.type
    if kind == duckdb.StatementType.CREATE and not statement.query.strip():
        # DuckDB splits a PIVOT whose columns it must find into a CREATE TYPE (the values, by a
        # query) and the SELECT, both without text to check: the refusal names the way that works
        raise QueryRefusedError(
            "a PIVOT must name its columns here: `PIVOT … ON col IN ('a', 'b') USING …` "
            "(without IN, DuckDB finds them with a CREATE TYPE statement, which "
            "`news-etl query` does not run: it only reads the warehouse)"
        )
    if kind not in _ALLOWED or depth > 3:
        raise QueryRefusedError(
            f"{kind.name} statements are not allowed: `news-etl query` only reads the warehouse "
            "(use SELECT; the loader is the only writer)"
        )
    text = statement.query
    if kind == duckdb.StatementType.EXPLAIN:
        match = _EXPLAIN.match(text)
        try:
            # equivalent: every EXPLAIN DuckDB gives starts with EXPLAIN after comments and
            # spaces, nested comments too (the lazy comment backtracks), so `match` is never
            # None; the `else` is there for the type checker
            inner = _statements(con, match.group("inner")) if match else []  # pragma: no mutate
        except QueryRefusedError:  # e.g. a nested comment, which DuckDB reads and the gap not
            inner = []
        if len(inner) != 1:
            raise QueryRefusedError("EXPLAIN statements are not allowed here: cannot check them")
        _check_statement(con, inner[0], depth + 1)
        return
    if kind == duckdb.StatementType.CALL:
        match = _CALL.match(text)
        if match is None:
            raise QueryRefusedError("CALL statements are not allowed here: cannot check them")
        text = "SELECT * FROM " + match.group("inner")  # pragma: no mutate (keywords case-blind)
    _check_functions(con, text)


def _statements(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
    try:
        return list(con.extract_statements(sql))
    except duckdb.Error as exc:
        raise QueryRefusedError(f"cannot parse the SQL: {exc}") from exc


def check_read_only(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Raise :class:`QueryRefusedError` unless every statement in ``sql`` only reads."""
    statements = _statements(con, sql)
    if not statements:
        raise QueryRefusedError("no SQL statement given")
    for statement in statements:
        _check_statement(con, statement)


def run_query(con: duckdb.DuckDBPyConnection, sql: str) -> duckdb.DuckDBPyRelation | None:
    """Check and run read-only ``sql``; the last statement's result as a relation (``None`` if
    it returns nothing). A SELECT's relation is lazy: it runs when it is fetched."""
    check_read_only(con, sql)
    statements = con.extract_statements(sql)
    for statement in statements[:-1]:
        con.execute(statement.query)
    return con.sql(statements[-1].query)


@contextmanager
def deadline(con: duckdb.DuckDBPyConnection, timeout_s: float | None) -> Iterator[None]:
    """Interrupt ``con``'s running query after ``timeout_s`` seconds (``None``/0: no limit);
    raise :class:`QueryTimeoutError` when that happened. A limit beyond what a timer can wait
    (``threading.TIMEOUT_MAX``, some 292 years; ``inf``) is no limit: its timer thread failed
    with a traceback (probe)."""
    if not timeout_s or timeout_s > threading.TIMEOUT_MAX:
        yield
        return
    fired = threading.Event()

    def stop() -> None:
        fired.set()
        interrupts.stop(con)

    timer = threading.Timer(timeout_s, stop)
    timer.daemon = True
    timer.start()
    try:
        yield
    except duckdb.Error as exc:
        if fired.is_set():
            raise QueryTimeoutError(
                f"the query ran longer than {seconds(timeout_s)} and was stopped "
                "(--timeout, NEWS_ETL_QUERY_TIMEOUT_S)"
            ) from exc
        raise
    finally:
        timer.cancel()


def shell_command(warehouse: Path) -> list[str]:
    """The command line of a DuckDB shell on ``warehouse`` that cannot write or reach out.

    It runs the DuckDB CLI binary itself (the ``duckdb-cli`` wheel's, not its Python wrapper,
    whose start-up ``SET`` a locked configuration refuses) with ``-readonly -safe -no-init``:
    ``-safe`` disables ``.open``, ``.sh``, ``.output``, ``.read`` and the other dot-commands
    that touch files or processes, turns off external access (``read_text('/etc/passwd')``,
    ``COPY … TO``, ``ATTACH``) and locks the configuration so no ``SET`` undoes it; no
    ``~/.duckdbrc`` runs before that.
    """
    import importlib.util
    import shutil

    target = parse_target(str(warehouse))
    if target.is_lake:  # its safe mode refuses the ATTACH a lake needs
        raise PermanentError(
            f"{target.display} is a DuckLake: the safe shell opens a DuckDB file only; "
            "use `news-etl query`, or DuckDB's own CLI with ATTACH (README, DuckLake warehouse)"
        )
    if not warehouse.exists():
        raise PermanentError(f"no warehouse at {warehouse}")
    spec = importlib.util.find_spec("duckdb_cli")
    binary = None  # pragma: no mutate (equivalent: "" and None both fall through to `or`)
    if spec is not None and spec.origin is not None:
        candidate = Path(spec.origin).parent / "duckdb"
        binary = str(candidate) if candidate.is_file() else None
    binary = binary or shutil.which("duckdb")
    if binary is None:
        raise PermanentError("the duckdb shell is not installed; run `make setup`")
    return [binary, "-readonly", "-safe", "-no-init", str(warehouse)]
