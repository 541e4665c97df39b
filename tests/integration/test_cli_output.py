"""The analyst's and operator's command line on a real warehouse: nothing lost, mangled or obeyed.

One warehouse (Reuters over three days with a two-day gap, a JSONL record with authors and a
hostile title, a quarantined file with a hostile name, a small all-bad run and a failed run) serves
every test. Expected values come from DuckDB's own Python result, compared after reading each
output back with a second, independent reader (csv, json, pyarrow).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.errors import PermanentError

from .helpers import DATA_TABLES, checksums, query, settings_for

pytestmark = pytest.mark.xdist_group("cli_output")

QUERIES = sorted((Path(__file__).resolve().parents[2] / "warehouse" / "queries").glob("*.sql"))
DAYS = ("1987-02-26", "1987-03-01", "1987-03-02")  # 1987-02-27 and -28 have no articles
HOSTILE_TITLE = "Markup [bold]kept[/bold] [link=https://evil.example]x[/link] \x1b[31mred\x1b[0m"
HOSTILE_NAME = "evil\x1b]0;pwned\x07[link=mailto:x@evil.example]n[-link].txt"


@pytest.fixture(scope="module")
def warehouse(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("cli_output")
    landing = tmp / "landing"
    landing.mkdir()
    manifest = (corpora / "reuters.manifest.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for day in DAYS:
        for line in [row for row in manifest if row.split("\t")[2] == day][:8]:
            name = line.split("\t")[0]
            shutil.copy(corpora / "reuters" / name, landing / name)
    body = (corpora / "seed").glob("*.txt").__next__().read_text(encoding="utf-8")
    record = {
        "title": HOSTILE_TITLE,
        "url": "https://example.com/a",
        "source": "wire [bold]desk[/bold]",
        "authors": ["A. Writer", "B. [i]Writer[/i]"],
        "published": "1987-03-02",
        "text": body.split(" ", 3)[3],
    }
    boilerplate = {  # quarantined by the boilerplate expectation; its detail is long
        "title": "Newsletter",
        "published": "1987-03-02",
        "text": "\n\n".join(
            ["Subscribe to our newsletter for the latest news.", "All rights reserved."] * 40
        ),
    }
    (landing / "dump.jsonl").write_text(
        json.dumps(record) + "\n" + json.dumps(boilerplate) + "\n", encoding="utf-8"
    )
    (landing / HOSTILE_NAME).write_bytes(b"")
    settings = settings_for(landing, tmp)
    pipeline.run(settings)
    # A small run whose only file is bad: under NEWS_ETL_QUARANTINE_CHECK_MIN_FILES, a success.
    small = tmp / "small"
    small.mkdir()
    (small / "blank.txt").write_bytes(b"   \n")
    pipeline.run(settings.model_copy(update={"landing": small}))
    # A run that fails (all files bad, the check applies from one file): its error is recorded.
    bad = tmp / "bad"
    bad.mkdir()
    (bad / "a.txt").write_bytes(b"")
    (bad / "b.txt").write_bytes(b"")
    with pytest.raises(PermanentError):
        pipeline.run(settings.model_copy(update={"landing": bad, "quarantine_check_min_files": 1}))
    return settings.warehouse


def _cli(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    # the bytes as written (Click's .stdout turns CRLF into LF)
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


def _relations(warehouse: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT internal UNION ALL "
            "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return [(name, f'SELECT * FROM "{name}" ORDER BY ALL') for (name,) in names]


def _cases(warehouse: Path) -> list[tuple[str, str]]:
    # a total order, so two executions list rows alike (ties of the queries' own ORDER BY may not)
    files = [
        (
            q.stem,
            f"SELECT * FROM ({q.read_text(encoding='utf-8').strip().rstrip(';')}\n) ORDER BY ALL",
        )
        for q in QUERIES
    ]
    return files + _relations(warehouse)


def _duck(warehouse: Path, sql: str) -> tuple[list[str], list[str], list[tuple[Any, ...]]]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rel = con.sql(sql)
        return list(rel.columns), [str(t.id) for t in rel.types], rel.fetchall()
    finally:
        con.close()


# --- the test's own reading of each format (independent of etl.output) ---------------------

_ISO = re.compile(
    r"^P(?:(?P<Y>-?\d+)Y)?(?:(?P<M>-?\d+)M)?(?:(?P<D>-?\d+)D)?"
    r"(?:T(?:(?P<h>-?\d+)H)?(?:(?P<m>-?\d+)M)?(?:(?P<s>-?\d+(?:\.\d+)?)S)?)?$"
)


def _iso_to_timedelta(text: str) -> timedelta:
    """ISO 8601 duration -> timedelta the way DuckDB's Python client converts intervals
    (a month is 30 days)."""
    match = _ISO.match(text)
    assert match, text
    part = {k: v or "0" for k, v in match.groupdict().items()}
    months = int(part["Y"]) * 12 + int(part["M"])
    return timedelta(
        days=months * 30 + int(part["D"]),
        hours=int(part["h"]),
        minutes=int(part["m"]),
        seconds=float(Decimal(part["s"])),
    )


def _plain(value: Any) -> Any:
    """A DuckDB Python value as JSON would hold it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _text_matches(value: Any, kind: str, text: str) -> bool:
    if kind in ("list", "struct", "map", "array"):
        return bool(json.loads(text, parse_float=Decimal) == _plain(value))
    if kind == "interval":
        return _iso_to_timedelta(text) == value
    if isinstance(value, bool):
        return text == ("true" if value else "false")
    if isinstance(value, int):
        return int(text) == value
    if isinstance(value, Decimal):
        return Decimal(text) == value
    if isinstance(value, float):
        return (math.isnan(value) and text == "nan") or float(text) == value
    if isinstance(value, datetime):
        return datetime.fromisoformat(text) == value
    if isinstance(value, date):
        return text == value.isoformat()
    return bool(text == value)


def _json_matches(value: Any, kind: str, parsed: Any) -> bool:
    if value is None:
        return parsed is None
    if isinstance(value, float):
        return parsed is None if math.isnan(value) else float(parsed) == value
    if isinstance(value, bool):
        return parsed is value
    if isinstance(value, int):
        return type(parsed) is int and parsed == value  # whole numbers stay integers
    if isinstance(value, Decimal):
        return isinstance(parsed, Decimal | int) and Decimal(parsed) == value
    if kind in ("list", "struct", "map", "array"):
        return bool(parsed == _plain(value))
    return isinstance(parsed, str) and _text_matches(value, kind, parsed)


def _escaped(text: str) -> str:
    """Control characters as the terminal must show them (the test's own spelling)."""
    return "".join(
        f"\\x{ord(c):02x}" if ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F else c for c in text
    )


def _check_output(
    fmt: str, out: Path, columns: list[str], kinds: list[str], rows: list[tuple[Any, ...]]
) -> None:
    if fmt == "csv":
        data = out.read_bytes().decode("utf-8")
        got = list(csv.reader(io.StringIO(data, newline="")))
        assert got[0] == columns
        assert len(got) - 1 == len(rows)
        for row, back in zip(rows, got[1:], strict=True):
            for value, kind, text in zip(row, kinds, back, strict=True):
                if text == "":
                    assert value in (None, ""), (value, text)
                else:
                    assert _text_matches(value, kind, text), (kind, value, text)
        header = data.split("\r\n", 1)[0]
        assert '"' not in header or any(set(c) & set(',"\r\n') for c in columns)
    elif fmt == "json":
        lines = out.read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(rows)
        for row, line in zip(rows, lines, strict=True):
            parsed = json.loads(line, parse_float=Decimal)  # strict JSON: NaN would fail below
            assert "NaN" not in line or "NaN" in json.dumps(_plain(list(row)))
            assert list(parsed) == columns
            for value, kind, name in zip(row, kinds, columns, strict=True):
                assert _json_matches(value, kind, parsed[name]), (kind, value, parsed[name])
    elif fmt == "parquet":
        table = pq.read_table(out)
        assert table.column_names == columns
        back = table.to_pylist()
        assert len(back) == len(rows)
        for row, got in zip(rows, back, strict=True):
            for value, kind, name in zip(row, kinds, columns, strict=True):
                if kind == "interval" and value is not None:
                    assert _iso_to_timedelta(got[name]) == value
                elif isinstance(value, float) and math.isnan(value):
                    assert math.isnan(got[name])
                elif kind == "map" and value is not None:
                    assert dict(got[name]) == value
                else:
                    assert got[name] == value, (name, value, got[name])
    else:
        lines = out.read_text(encoding="utf-8").splitlines()
        assert lines[-1] == f"{len(rows):,} row" + ("" if len(rows) == 1 else "s")
        body = [line for line in lines if line.startswith("│")]
        assert len(body) == len(rows) + 0  # one line per row: no value wrapped or cut
        for row, line in zip(rows, body, strict=True):
            position = 0
            for value in row:
                if isinstance(value, str | int) and not isinstance(value, bool):
                    shown = _escaped(str(value))
                    found = line.find(shown, position)
                    assert found >= 0, (shown[:80], line[:200])
                    position = found + len(shown)
            assert "…" not in line or any("…" in str(v) for v in row)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "table"])
def test_every_query_table_and_view_round_trips(warehouse: Path, tmp_path: Path, fmt: str) -> None:
    cases = _cases(warehouse)
    assert len(cases) >= len(QUERIES) + len(DATA_TABLES)
    for name, sql in cases:
        columns, kinds, rows = _duck(warehouse, sql)
        sql_file = tmp_path / f"{name}.sql"
        sql_file.write_text(sql, encoding="utf-8")
        out = tmp_path / f"{name}.{fmt}"
        code, _, err = _cli(
            "query", "--file", str(sql_file), "-f", fmt, "-o", str(out), "-w", str(warehouse)
        )
        assert code == 0, (name, err)
        if fmt == "table":
            columns_in_header = out.read_text(encoding="utf-8").splitlines()[1]
            assert all(c in columns_in_header for c in columns), name
        _check_output(fmt, out, columns, kinds, rows)


EVERY_TYPE = """
SELECT 1::HUGEINT * 123456789012345678901234567 AS huge, 1.50::DECIMAL(5, 2) AS dec,
       sum(x) AS whole_sum, 'NaN'::DOUBLE AS nan, 0.1::DOUBLE AS tenth,
       INTERVAL '1 month 2 days 3.5 seconds' AS gap, [DATE '2020-01-01', NULL] AS days,
       {'a': [1, 2], 'b': 'x'} AS rec, MAP {'k': 1.25} AS m, '' AS empty, NULL AS nothing,
       'a,b "quoted"' || chr(10) || 'line' AS tricky, TRUE AS yes
FROM range(3) t(x)
"""


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "table"])
def test_every_duckdb_type_is_written_losslessly(warehouse: Path, tmp_path: Path, fmt: str) -> None:
    columns, kinds, rows = _duck(warehouse, EVERY_TYPE)
    out = tmp_path / f"types.{fmt}"
    code, _, err = _cli("query", EVERY_TYPE, "-f", fmt, "-o", str(out), "-w", str(warehouse))
    assert code == 0, err
    if fmt == "table":
        text = out.read_text(encoding="utf-8")
        assert "P1M2DT3.5S" in text and "123456789012345678901234567" in text
        assert 'a,b "quoted"\\x0aline' in text
        return
    _check_output(fmt, out, columns, kinds, rows)
    if fmt == "csv":
        data = out.read_bytes().decode("utf-8").split("\r\n")
        assert data[0] == ",".join(columns)  # the header is not quoted
        # only what needs quotes is quoted; NULL is empty, the empty string is ""
        assert data[1].split(",")[:5] == ["123456789012345678901234567", "1.50", "3", "nan", "0.1"]
        assert ',"",,"a,b ""quoted""\nline",true' in "\r\n".join(data)
    if fmt == "json":
        line = out.read_text(encoding="utf-8").splitlines()[0]
        assert '"whole_sum":3,' in line and '"dec":1.50,' in line and '"nan":null' in line
        assert '"gap":"P1M2DT3.5S"' in line


def test_values_with_markup_and_escapes_are_printed_as_data(warehouse: Path) -> None:
    sql = (
        "SELECT 'He said [laughter] and [bold]left' AS a, '[/nope]' AS b, "
        "'[link=https://evil.example]click[/link]' AS c, chr(27) || '[31mred' AS d"
    )
    code, out, err = _cli("query", sql, "-w", str(warehouse))
    assert code == 0, err
    assert "He said [laughter] and [bold]left" in out and "[/nope]" in out
    assert "[link=https://evil.example]click[/link]" in out
    assert "\x1b" not in out and "\\x1b[31mred" in out
    code, out, err = _cli("query", "SELECT '[abc]'::INTEGER[]", "-w", str(warehouse))
    assert code == 2 and "Traceback" not in err
    assert "'abc'" in err and len(err.strip().splitlines()) == 1


def test_a_written_escape_and_the_character_it_names_look_different(warehouse: Path) -> None:
    """Probe, session 49: a value holding a line break and one holding the four characters
    ``\x0a`` printed alike in a table (and a zero-width space like ``\u200b``)."""
    sql = (
        "SELECT * FROM (VALUES (1, 'a' || chr(10) || 'b.txt'), (2, 'a\\x0ab.txt'), "
        "(3, 'z' || chr(8203) || 'w'), (4, 'z\\u200bw'), (5, 'C:\\news')) t(n, v) ORDER BY n"
    )
    code, out, err = _cli("query", sql, "-w", str(warehouse))
    assert code == 0, err
    cells = [line.split("│")[2].strip() for line in out.splitlines() if line.count("│") == 3]
    assert cells == ["a\\x0ab.txt", "a\\x5cx0ab.txt", "z\\u200bw", "z\\x5cu200bw", "C:\\news"]


def test_hostile_titles_in_articles_stay_text(warehouse: Path) -> None:
    code, out, err = _cli(
        "query", "SELECT title, authors FROM fact_article WHERE title IS NOT NULL",
        "-w", str(warehouse),
    )  # fmt: skip
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    # Ingest removes control characters from metadata as from text (ESC included, the note in
    # text_repair); the markup is kept as written and printed as the characters it is. An ESC
    # that does reach the warehouse (a file name, a literal) is spelled out: tests below.
    assert _escaped(HOSTILE_TITLE.replace("\x1b", "")) in out
    assert '"B. [i]Writer[/i]"' in out


def test_piped_ids_are_whole_and_counted(warehouse: Path) -> None:
    code, out, err = _cli(
        "query", "SELECT article_id, title FROM fact_article", "-w", str(warehouse)
    )
    assert code == 0, err
    ids = [r[0] for r in _duck(warehouse, "SELECT article_id FROM fact_article")[2]]
    assert all(i in out for i in ids) and "…" not in out
    assert out.rstrip().splitlines()[-1] == f"{len(ids)} rows"


def test_sql_from_stdin_and_from_a_file(warehouse: Path, tmp_path: Path) -> None:
    code, out, err = _cli(
        "query", "-", "-f", "csv", "-w", str(warehouse), stdin="SELECT 40 + 2 AS answer;\n"
    )
    assert code == 0, err
    assert out == "answer\r\n42\r\n"
    (tmp_path / "q.sql").write_text("SELECT 'file' AS origin", encoding="utf-8")
    code, out, err = _cli(
        "query", "-F", str(tmp_path / "q.sql"), "-f", "json", "-w", str(warehouse)
    )
    assert code == 0 and out == '{"origin":"file"}\n'


@pytest.mark.parametrize(
    "args",
    [
        ["SELECT 1", "-o", "/nonexistent-folder/x.csv", "-f", "csv"],
        ["SELECT nope FROM nowhere"],
        ["SELECT '[abc]'::INTEGER[]", "-f", "json"],
        ["-F", "/nonexistent-folder/q.sql"],
        ["SELECT count(*) FROM range(100000000000000)", "--timeout", "0.5"],
        ["EXPLAIN ANALYZE CREATE TEMP TABLE t AS SELECT 1"],
        ["EXPLAIN CREATE TABLE t AS SELECT 1"],
        ["CALL enable_logging(storage='file', storage_path='/tmp/news-etl-logs')"],
        ["SELECT * FROM checkpoint()"],
        ["/* hidden */ CALL disable_logging()"],
    ],
)
def test_every_failure_is_one_line_with_exit_2(warehouse: Path, args: list[str]) -> None:
    before = checksums(warehouse, (*DATA_TABLES, "etl_run"))
    code, out, err = _cli("query", *args, "-w", str(warehouse))
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert checksums(warehouse, (*DATA_TABLES, "etl_run")) == before
    assert not Path("/tmp/news-etl-logs").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["quality", "--run", "20990101T000000Z-nosuch00"],
        ["quarantine", "list", "--run", "20990101T000000Z-nosuch00"],
        ["report", "--run", "20990101T000000Z-nosuch00"],
        ["query", "SELECT 1 AS a, 2 AS a", "-f", "json"],
    ],
)
def test_an_unknown_run_or_ambiguous_columns_are_an_error(warehouse: Path, args: list[str]) -> None:
    # quality and quarantine list said "no runs found" / printed 0 rows and exited 0 for a
    # mistyped run id, where report exits 2 (session 20).
    code, out, err = _cli(*args, "-w", str(warehouse))
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "20990101T000000Z-nosuch00" in lines[0] or "named 'a'" in lines[0]


def test_several_statements_say_that_only_the_last_result_is_shown(warehouse: Path) -> None:
    # "SELECT 1; SELECT 2" printed 2 alone, without a word about the first result (session 20).
    code, out, err = _cli(
        "query", "SELECT 1 AS a; SELECT 2 AS b", "-f", "csv", "-w", str(warehouse)
    )
    assert (code, out) == (0, "b\r\n2\r\n")
    assert "note: 2 statements ran; only the last one's result is shown" in err
    code, out, err = _cli("query", "SELECT 2 AS b", "-f", "csv", "-w", str(warehouse))
    assert (code, out) == (0, "b\r\n2\r\n") and "note:" not in err


def test_explain_of_a_query_and_introspection_still_work(warehouse: Path) -> None:
    for sql in (
        "EXPLAIN SELECT count(*) FROM fact_article",
        "EXPLAIN ANALYZE SELECT count(*) FROM fact_article",
        "CALL pragma_version()",
        "PRAGMA table_info('etl_run')",
        "SHOW TABLES",
        "DESCRIBE fact_article",
        "SUMMARIZE etl_run",
    ):
        code, _, err = _cli("query", sql, "-f", "csv", "-w", str(warehouse))
        assert code == 0, (sql, err)


def test_timeout_interrupts_a_long_query(warehouse: Path) -> None:
    import time

    started = time.monotonic()
    code, _, err = _cli(
        "query", "SELECT count(*) FROM range(100000000000000)", "--timeout", "1",
        "-w", str(warehouse),
    )  # fmt: skip
    assert code == 2 and "longer than 1s" in err
    assert time.monotonic() - started < 30


def test_the_reader_memory_limit_is_applied(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_ETL_READER_MEMORY_LIMIT", "300MB")
    code, out, err = _cli(
        "query", "SELECT current_setting('memory_limit') AS m", "-f", "csv", "-w", str(warehouse)
    )
    assert code == 0, err
    assert out.splitlines()[1] in ("286.1 MiB", "300.0 MB", "286.1MiB")
    code, _, err = _cli(
        "query", "SELECT list(range) FROM range(100000000)", "-f", "csv", "-w", str(warehouse)
    )
    assert code == 2 and "memory" in err.lower()


# --- status, summary, quarantine, quality, version ------------------------------------------


def test_status_fits_80_columns_flags_missing_days_and_shows_errors(warehouse: Path) -> None:
    code, out, err = _cli("status", "-w", str(warehouse))
    assert code == 0, err
    long = [line for line in out.splitlines() if len(line) > 80 and str(warehouse) not in line]
    assert not long, long
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        runs = con.execute("SELECT run_id, status, error FROM etl_run").fetchall()
        records, files = con.execute(
            "SELECT count(*), count(DISTINCT path) FROM quarantine"
        ).fetchone() or (0, 0)
    finally:
        con.close()
    for run_id, _, _ in runs:
        assert run_id in out  # whole ids
    (error,) = [e for _, s, e in runs if s == "failed"]
    assert " ".join(error.split()) in " ".join(out.split())
    assert "MISSING" in out and "1987-02-27 .. 1987-02-28" in out
    assert f"{records} records from {files} files" in out
    assert "NEWS_ETL_QUARANTINE_CHECK_MIN_FILES" in out  # the 0-article success says why
    assert "\x1b" not in out


def test_status_shows_what_the_newest_day_over_uses(warehouse: Path) -> None:
    """The status names the newest day's distinctive words, as ``distinctive_terms`` ranks them
    (its statistic is checked against a Python G² in test_rankings), or says why there are none."""
    code, out, err = _cli("status", "-w", str(warehouse))
    assert code == 0, err
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (newest,) = con.execute("SELECT max(published_date) FROM fact_article").fetchone() or (
            None,
        )
        rows = con.execute(
            "SELECT term, note FROM distinctive_terms(?, ?, 10)", [newest, newest]
        ).fetchall()
    finally:
        con.close()
    terms = [t for t, _ in rows if t is not None]
    shown = ", ".join(terms) if terms else f"({rows[0][1]})"
    label = f"Distinctive words of the newest published day, {newest}:"
    assert f"{label} {shown}" in " ".join(out.split())


def test_quarantine_list_has_a_header_formats_and_filters(warehouse: Path, tmp_path: Path) -> None:
    code, out, err = _cli("quarantine", "list", "-w", str(warehouse))
    assert code == 0, err
    assert out.splitlines()[1].split("┃")[1].strip() == "reason"
    assert "\x1b" not in out and "\x07" not in out and _escaped(HOSTILE_NAME) in out
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (failed,) = con.execute("SELECT run_id FROM etl_run WHERE status = 'failed'").fetchone()
        expected = con.execute(
            "SELECT path FROM quarantine WHERE run_id = ? ORDER BY path", [failed]
        ).fetchall()
    finally:
        con.close()
    code, out, err = _cli("quarantine", "list", "--run", failed, "-f", "json", "-w", str(warehouse))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["path"] for r in rows) == [p for (p,) in expected]
    code, out, _ = _cli(
        "quarantine", "list", "--date", "1999-01-01", "-f", "csv", "-w", str(warehouse)
    )
    assert out.splitlines() == ["reason,stage,path,record,detail,run_id,day,quarantined_at"]


def test_quarantine_list_says_when_its_limit_cut_the_list(warehouse: Path) -> None:
    # it stopped at --limit (200 by default) without a word: 205 rows listed as "200 rows"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (total,) = con.execute("SELECT count(*) FROM quarantine").fetchone()
    finally:
        con.close()
    assert total >= 3
    code, out, err = _cli("quarantine", "list", "--limit", "2", "-f", "csv", "-w", str(warehouse))
    assert code == 0, err
    assert len(out.splitlines()) == 1 + 2
    note = f"note: the newest 2 of {total:,} quarantine rows are listed; --limit {total} lists"
    assert note in " ".join(err.split())
    code, out, err = _cli("quarantine", "list", "--limit", str(total), "-w", str(warehouse))
    assert code == 0, err
    assert "note:" not in err and f"{total} rows" in out


def test_read_only_commands_on_a_missing_warehouse_create_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "not-here" / "news.duckdb"
    for command in (
        ["quarantine", "list"],
        ["status"],
        ["summary"],
        ["quality"],
        ["query", "SELECT 1"],
        ["shell"],
    ):
        code, _, err = _cli(*command, "-w", str(missing))
        assert code == 2, (command, err)
        assert "no warehouse" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_replay_into_a_missing_warehouse_loads_nothing(tmp_path: Path) -> None:
    """A mistyped --warehouse: replay made that warehouse and loaded the whole landing zone
    into it, "no quarantined file to read again" and exit 0 (probe)."""
    landing = tmp_path / "landing" / "2024-05-06"
    landing.mkdir(parents=True)
    (landing / "a.txt").write_text(" date 2024-05-06 The council met on Monday.\n", "utf-8")
    missing = tmp_path / "not-here" / "news.duckdb"
    code, _, err = _cli("replay", "-l", str(tmp_path / "landing"), "-w", str(missing))
    assert code == 2, err
    assert f"no warehouse at {missing}" in " ".join(err.split())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing"]


def test_a_backfill_dry_run_creates_nothing(tmp_path: Path) -> None:
    # --dry-run only reads: it took the writer lock to read, which made the warehouse's folder
    # and its .lock file (on a missing warehouse, and on one whose lock file was never made here)
    landing = tmp_path / "landing" / "2024-05-06"
    landing.mkdir(parents=True)
    (landing / "a.txt").write_text(" date 2024-05-06 The council met on Monday.\n", "utf-8")
    missing = tmp_path / "not-here" / "news.duckdb"
    dry = ["backfill", "--start", "2024-05-01", "--end", "2024-05-09", "--dry-run"]
    code, out, err = _cli(*dry, "-l", str(tmp_path / "landing"), "-w", str(missing))
    assert code == 0, err
    assert "1 of 1 day with files or articles to rebuild, 1 file" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landing"]
    made = tmp_path / "made" / "news.duckdb"
    assert _cli("init", "-w", str(made))[0] == 0
    (made.parent / "news.duckdb.lock").unlink()  # as if copied here: no writer ran next to it
    before = sorted(p.name for p in made.parent.iterdir())
    assert before == ["news.duckdb"]
    code, out, err = _cli(*dry, "-l", str(tmp_path / "landing"), "-w", str(made))
    assert code == 0, err
    assert sorted(p.name for p in made.parent.iterdir()) == before


def test_a_backfill_dry_run_does_not_wait_for_the_writer_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--dry-run only reads: it took the writer lock, so it waited behind a load (600 s by
    default) and failed on a read-only folder, where status worked (probe). The backfill itself
    still takes the lock."""
    from filelock import FileLock

    landing = tmp_path / "landing" / "2024-05-06"
    landing.mkdir(parents=True)
    (landing / "a.txt").write_text(" date 2024-05-06 The council met on Monday.\n", "utf-8")
    made = tmp_path / "made" / "news.duckdb"
    assert _cli("init", "-w", str(made))[0] == 0
    monkeypatch.setenv("NEWS_ETL_LOCK_TIMEOUT_S", "1")
    days = ["backfill", "--start", "2024-05-01", "--end", "2024-05-09"]
    where = ["-l", str(tmp_path / "landing"), "-w", str(made)]
    with FileLock(str(made.parent / "news.duckdb.lock")):  # a load holds it
        code, out, err = _cli(*days, "--dry-run", *where)
        assert code == 0, err
        assert "1 of 1 day with files or articles to rebuild, 1 file" in out
        code, _, err = _cli(*days, *where)
        assert code == 75 and "another process has been writing" in err, (code, err)


def _one_file_and_a_warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A landing zone of one new file and an empty warehouse whose writers wait 1 s."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_text(" date 2024-05-06 The council met on Monday.\n", "utf-8")
    made = tmp_path / "made" / "news.duckdb"
    assert _cli("init", "-w", str(made))[0] == 0
    monkeypatch.setenv("NEWS_ETL_LOCK_TIMEOUT_S", "1")
    return landing, made


def test_a_run_waiting_for_the_writer_lock_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A run behind another run's load waited for the writer lock without a word (probe), and
    behind a process holding the file it said "waiting up to 600s", then "599s"."""
    from filelock import FileLock

    from etl.warehouse import announce_wait

    landing, made = _one_file_and_a_warehouse(tmp_path, monkeypatch)
    with FileLock(str(made.parent / "news.duckdb.lock")):  # another run's load holds it
        code, _, err = _cli("run", "-l", str(landing), "-w", str(made), "--workers", "1")
    assert code == 75, err
    said = [r.getMessage() for r in caplog.records if "waiting up to" in r.getMessage()]
    assert said == [
        f"another process holds the writer lock of {made} (a run, backfill or replay writing "
        "it); waiting up to 1s"
    ]
    told: list[str] = []
    for wait in (600.0, 599.2, 598.0):
        announce_wait(f"{made} is held open by PID 1 (a test)", wait, told.append)
    announce_wait(f"{made} is held open by PID 2 (a test)", 597.0, told.append)
    for _ in range(2):  # a wait of no time is over at once: the next one is said again
        announce_wait(f"{made} is held open by PID 3 (a test)", 0.0, told.append)
    assert told == [
        f"{made} is held open by PID 1 (a test); waiting up to 600s",
        f"{made} is held open by PID 2 (a test); waiting up to 597s",
        f"{made} is held open by PID 3 (a test); waiting up to 0s",
        f"{made} is held open by PID 3 (a test); waiting up to 0s",
    ]


def test_a_run_that_gave_up_on_a_busy_warehouse_is_recorded_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run whose load waited in vain for a warehouse another process held open (exit 75) was
    recorded by the next run as "abandoned: its process ended before the run did (killed?)",
    and its exit-75 line never named it (probe, session 40). It names the run now, and the
    record keeps its error."""
    import re
    import sys

    landing, made = _one_file_and_a_warehouse(tmp_path, monkeypatch)
    where = ["-l", str(landing), "-w", str(made), "--workers", "1"]
    hold = (  # an analyst's long read: the plan reads beside it, the load cannot write
        "import duckdb, sys, time\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print('open', flush=True)\n"
        "time.sleep(120)\n"
    )
    reader = subprocess.Popen(
        [sys.executable, "-c", hold, str(made)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert reader.stdout is not None and reader.stdout.readline() == "open\n"
        code, _, err = _cli("run", *where)
    finally:
        reader.kill()
        reader.wait()
    assert code == 75, err
    named = re.search(r"run (\S+) loaded nothing; the next run records it in etl_run as "
                      r"abandoned, with this error", err)  # fmt: skip
    assert named is not None, err
    gave_up = named.group(1)
    code, _, err = _cli("run", *where)
    assert code == 0, err
    with duckdb.connect(str(made), read_only=True) as con:
        rows = con.execute(
            "SELECT status, error FROM etl_run WHERE run_id = ?", [gave_up]
        ).fetchall()
        loaded = con.execute("SELECT count(*) FROM fact_article").fetchone()
    assert len(rows) == 1 and rows[0][0] == "abandoned", rows
    error = rows[0][1]
    assert error.startswith("abandoned: nothing loaded; its last noted failure: load: "), error
    assert "is held open by PID" in error and "killed?" not in error, error
    assert loaded == (1,)  # the second run loaded the file


def test_pages_and_out_files_are_put_in_place_whole(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run report, latest.html, index.html, the quality pages and ``query --out`` in the
    table and parquet formats were written in place (``Path.write_text`` truncates first): a
    reader refreshing a page while ``news-etl report`` rewrote it read it empty (probe U,
    session 40). Each is now written beside itself and put in place: writing in place fails
    here."""
    from etl.quality import write_quality_page

    def in_place(self: Path, *args: object, **kwargs: object) -> int:
        raise AssertionError(f"{self} written in place")

    monkeypatch.setattr(Path, "write_text", in_place)
    monkeypatch.setattr(Path, "write_bytes", in_place)
    reports = warehouse.parent / "reports"
    for page in [reports / "latest.html", reports / "index.html"]:
        page.unlink(missing_ok=True)
    out = tmp_path / "out"
    out.mkdir()
    for args in (
        ["report", "-w", str(warehouse)],
        ["quality", "-w", str(warehouse), "--html", str(out / "quality.html")],
        ["query", "-w", str(warehouse), "SELECT 1 AS x", "--out", str(out / "t.txt")],
        ["query", "-w", str(warehouse), "EXPLAIN SELECT 1 AS x", "--out", str(out / "plan.txt")],
        ["query", "-w", str(warehouse), "SELECT 1 AS x", "--format", "parquet", "--out",
         str(out / "x.parquet")],
    ):  # fmt: skip
        code, _, err = _cli(*args)
        assert code == 0, (args, err)
    run_id = str(query(warehouse, "SELECT max(run_id) FROM etl_run")[0][0])
    write_quality_page(warehouse, run_id, reports)
    for page in [
        reports / "latest.html",
        reports / "index.html",
        reports / run_id / "quality.html",
        out / "quality.html",
    ]:
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
    table = (out / "t.txt").read_text(encoding="utf-8")
    assert " x " in table and " 1 " in table and table.endswith("1 row\n"), table
    plan = (out / "plan.txt").read_text(encoding="utf-8")
    assert plan.startswith("physical_plan\n") and "DUMMY_SCAN" in plan, plan
    assert pq.read_table(out / "x.parquet").to_pylist() == [{"x": 1}]
    assert sorted(p.name for p in out.iterdir()) == [
        "plan.txt",
        "quality.html",
        "t.txt",
        "x.parquet",
    ]


@pytest.mark.parametrize(
    ("fmt", "sql", "expected"),
    [
        ("table", "SELECT 1 AS x", b" x "),
        ("table", "EXPLAIN SELECT 1 AS x", b"physical_plan"),
        ("csv", "SELECT 1 AS x", b"x\r\n1\r\n"),
        ("parquet", "SELECT 1 AS x", b"PAR1"),
    ],
)
def test_out_dev_stdout_into_a_pipe_is_written_there(
    warehouse: Path, fmt: str, sql: str, expected: bytes
) -> None:
    """``--out /dev/stdout`` into a pipe failed: its path resolves to ``/proc/PID/fd/pipe:[N]``,
    which is no file, and the result was to be written beside it (review, session 40; csv and
    json since session 31)."""
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "etl.cli", "query", "-w", str(warehouse), sql,
         "--format", fmt, "--out", "/dev/stdout"],
        capture_output=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()
    assert expected in done.stdout, done.stdout[:200]


def test_out_dev_stdout_into_a_file_is_written_into_it_not_over_it(
    warehouse: Path, tmp_path: Path
) -> None:
    """``--out /dev/stdout >> f`` replaced ``f``, losing what it held and what standard error
    wrote into it (review, session 40): standard output is written to as it is."""
    import sys

    target = tmp_path / "app.csv"
    target.write_text("previous\n", encoding="utf-8")
    with target.open("ab") as sink:
        done = subprocess.run(
            [sys.executable, "-m", "etl.cli", "query", "-w", str(warehouse), "SELECT 1 AS a",
             "--format", "csv", "--out", "/dev/stdout"],
            stdout=sink,
            stderr=sink,
            timeout=300,
        )  # fmt: skip
    assert done.returncode == 0
    assert target.read_bytes() == b"previous\na\r\n1\r\n1 row written to /dev/stdout\n"


def test_a_landing_path_in_warnings_and_errors_is_shown_as_data(tmp_path: Path) -> None:
    # A run that fails names its landing zone in a warning (no warehouse to record it in) and in
    # etl_run.error, which status shows. The warning went out through Python's handler of last
    # resort as written: a raw ESC, and a line break that made a line of its own. Status split
    # the error at \x1c (splitlines) and textwrap turned its CR into a space.
    import sys

    warehouse = tmp_path / "wh" / "news.duckdb"

    def news_etl(*args: str) -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "etl.cli", *args, "-w", str(warehouse)],
            capture_output=True,
            timeout=300,
        )
        return done.returncode, done.stdout.decode(), done.stderr.decode()

    landing = f"{tmp_path}/no\x1b[2Jland\n\r\x1cerror: forged"
    code, _, err = news_etl("run", "--landing", landing)
    assert code == 2, err
    assert "\x1b" not in err and "\r" not in err and "\x1c" not in err
    assert not any(line.startswith("error: forged") for line in err.splitlines()), err
    warning = err.splitlines()[0]
    assert warning.startswith("run ") and warning.endswith(" to record it in"), err
    assert (
        f"(LandingZoneError: landing zone {tmp_path}/no\\x1b[2Jland\\x0a\\x0d\\x1cerror: forged "
        in warning
    )

    assert news_etl("init")[0] == 0
    landing = f"{tmp_path}/no\x1b[2Jland\r\x1cerror: forged"
    assert news_etl("run", "--landing", landing)[0] == 2
    code, out, err = news_etl("status")
    assert code == 0, err
    assert "\x1b" not in out and "\r" not in out and "\x1c" not in out
    assert f"landing zone {tmp_path}/no\\x1b[2Jland\\x0d\\x1cerror: forged does not exist" in (
        " ".join(out.split())
    )


def test_quality_by_partition_day_shows_bounds_and_whole_details(
    warehouse: Path, tmp_path: Path
) -> None:
    code, out, err = _cli("quality", "--date", "1987-03-01", "-w", str(warehouse))
    assert code == 0, err
    assert "no runs found" not in out
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (first,) = con.execute(
            "SELECT run_id FROM etl_run ORDER BY started_at LIMIT 1"
        ).fetchone() or ("",)
    finally:
        con.close()
    assert first in out
    assert "expects min_value=1" in out  # bounds of a passing check
    assert "pass raw_file.expect_column_values_to_be_in_set(outcome)" in out
    code, _, err = _cli(
        "quality", "--html", str(tmp_path / "missing" / "q.html"), "-w", str(warehouse)
    )
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_check_details_are_stored_and_shown_whole(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        details = con.execute(
            "SELECT run_id, detail FROM fact_check_result WHERE NOT success AND detail LIKE '[%'"
        ).fetchall()
    finally:
        con.close()
    assert any(len(detail) > 500 for _, detail in details)  # the long boilerplate record
    for run_id, detail in details:
        json.loads(detail)  # whole JSON: a value cut mid-way would not parse
        code, out, err = _cli("quality", "--run", run_id, "-w", str(warehouse))
        assert code == 0, err
        assert detail in out


def test_version() -> None:
    code, out, _ = _cli("--version")
    assert code == 0 and re.match(r"^news-etl \d+\.\d+", out)


# --- the shell --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        ".open {warehouse}\nDELETE FROM etl_run;\nCREATE TABLE stolen AS SELECT 1;\n",
        ".sh touch {marker}\n",
        ".output {marker}\nSELECT 1;\n",
        "SELECT * FROM read_text('/etc/passwd');\n",
        "COPY etl_run TO '{marker}';\n",
        "SET enable_external_access = true;\nCOPY etl_run TO '{marker}';\n",
        "ATTACH '{marker}' AS other;\n",
    ],
)
def test_shell_cannot_write_or_reach_out(warehouse: Path, tmp_path: Path, script: str) -> None:
    from etl.query import shell_command

    marker = tmp_path / "marker"
    before = checksums(warehouse, (*DATA_TABLES, "etl_run", "quarantine"))
    command = shell_command(warehouse)
    done = subprocess.run(
        command,
        input=script.format(warehouse=warehouse, marker=marker),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "root:" not in done.stdout
    assert not marker.exists()
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()
    assert "stolen" not in tables
    assert checksums(warehouse, (*DATA_TABLES, "etl_run", "quarantine")) == before


def test_shell_still_answers_queries(warehouse: Path) -> None:
    from etl.query import shell_command

    done = subprocess.run(
        [shell_command(warehouse)[0], "-csv", *shell_command(warehouse)[1:]],
        input="SELECT count(*) AS n FROM etl_run;\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["n", "3"]


@pytest.mark.parametrize(
    "args",
    [
        ["dictionary", "--out", "/nonexistent-folder/README.md"],
        ["init", "--warehouse", "/proc/news-etl-cannot/news.duckdb"],
        ["quality", "--html", "/nonexistent-folder/q.html", "-w", "{warehouse}"],
        ["quarantine", "list", "-f", "csv", "-o", "/nonexistent-folder/q.csv", "-w", "{warehouse}"],
        ["report", "--run", "no-such-run", "-w", "{warehouse}"],
    ],
)
def test_no_command_ends_in_a_traceback(warehouse: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, [a.format(warehouse=warehouse) for a in args])
    assert result.exit_code in (2, 75), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_a_reader_that_stops_early_is_not_an_error(warehouse: Path) -> None:
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "etl.cli", "query", "SELECT * FROM range(2000000)", "-f", "csv",
         "-w", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"range\r\n"
    process.stdout.close()  # as `| head -1` does
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, err
    assert "Traceback" not in err and "BrokenPipe" not in err


@pytest.mark.parametrize(
    "args", [["quarantine", "list"], ["status"], ["summary"], ["quality"]], ids=" ".join
)
def test_a_reader_gone_before_the_output_is_not_an_error(warehouse: Path, args: list[str]) -> None:
    """Every command, not only query: its output's reader closed before it wrote (``| head``
    that had enough) ends the command quietly with 0, not with "error: Broken pipe" and 75."""
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "etl.cli", *args, "-w", str(warehouse)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before the command has imported anything, let alone written
    err = process.stderr.read().decode()
    assert process.wait(timeout=120) == 0, err
    assert "Broken pipe" not in err and "Traceback" not in err


def test_a_query_creates_no_file_anywhere(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fts extension is loaded from its wheel, not INSTALLed into ~/.duckdb."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    code, out, err = _cli(
        "query", "SELECT stem('running', 'english') AS s", "-f", "csv", "-w", str(warehouse)
    )
    assert code == 0, err
    assert out.splitlines() == ["s", "run"]
    assert not home.exists()


def test_explain_shows_the_plan_as_duckdb_draws_it(warehouse: Path, tmp_path: Path) -> None:
    """The table format shows EXPLAIN's drawing line by line (in a table cell its line breaks
    would be escaped as \\x0a); its text is DuckDB's own, compared with what DuckDB returns."""
    sql = "EXPLAIN SELECT published_date, count(*) FROM fact_article GROUP BY 1"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ((key, plan),) = con.execute(sql).fetchall()
    finally:
        con.close()
    assert key == "physical_plan" and plan.count("\n") > 5
    code, out, err = _cli("query", sql, "-w", str(warehouse))
    assert code == 0, err
    assert out == f"physical_plan\n{plan}" + ("" if plan.endswith("\n") else "\n")
    assert "\\x0a" not in out and "┌" in out.splitlines()[1]
    code, _, err = _cli("query", sql, "-w", str(warehouse), "--out", str(tmp_path / "plan.txt"))
    assert code == 0, err
    assert (tmp_path / "plan.txt").read_text(encoding="utf-8") == out
    code, out, err = _cli("query", "EXPLAIN ANALYZE " + sql[8:], "-w", str(warehouse))
    assert code == 0, err
    assert out.startswith("analyzed_plan\n") and "Query Profiling Information" in out
    # a value with a line break in an ordinary result is still one escaped cell
    code, out, _ = _cli("query", "SELECT 'a' || chr(10) || 'b' AS v", "-w", str(warehouse))
    assert code == 0 and "a\\x0ab" in out


def test_a_select_with_explains_column_names_is_an_ordinary_table(warehouse: Path) -> None:
    """The plan drawing is for an EXPLAIN statement, not for any result whose columns are named
    as EXPLAIN's: such a SELECT was drawn as a plan, its line breaks raw, no row count, and
    10,001 rows cut to 10,000 without the note (probe)."""
    sql = "SELECT 'k' AS explain_key, 'line1' || chr(10) || '│ 2 rows' AS explain_value"
    columns, _, rows = _duck(warehouse, sql)
    assert columns == ["explain_key", "explain_value"] and rows == [("k", "line1\n│ 2 rows")]
    code, out, err = _cli("query", sql, "-w", str(warehouse))
    assert code == 0, err
    assert "line1\\x0a│ 2 rows" in out and out.endswith("\n1 row\n")
    many = "SELECT 'k' AS explain_key, i::VARCHAR AS explain_value FROM range(10001) t(i)"
    code, out, err = _cli("query", many, "-w", str(warehouse))
    assert code == 0, err
    assert out.splitlines()[-1].startswith("the first 10,000 rows shown; the result has more")


def test_out_never_names_the_warehouses_own_files(warehouse: Path, tmp_path: Path) -> None:
    """``--out`` (and ``quality --html``) naming the warehouse replaced it with the printed
    result, exit 0 (probe): the warehouse, a link to it, its WAL and its lock file are refused
    before anything is written, and the file is unchanged."""
    import hashlib

    copy = tmp_path / "copy.duckdb"
    shutil.copy(warehouse, copy)
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    (tmp_path / "link.duckdb").symlink_to(copy)
    w = ["-w", str(copy)]
    for target in ("copy.duckdb", "link.duckdb", "copy.duckdb.wal", "copy.duckdb.lock"):
        out = str(tmp_path / target)
        for args in (
            ["query", "SELECT 1", *w, "--out", out],
            ["quarantine", "list", *w, "--out", out],
            ["quality", *w, "--html", out],
        ):
            code, _, err = _cli(*args)
            assert code == 2, (args, err)
            assert "is the warehouse's own file (copy.duckdb); give another file name" in err
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.duckdb", "link.duckdb"]


def test_a_warehouse_path_with_control_characters_is_printed_escaped(tmp_path: Path) -> None:
    """`run`'s report line, `report` and `init` printed the warehouse's path raw: an OSC 52
    clipboard write and a C1 CSI in a folder name reached the terminal (probe)."""
    hostile = tmp_path / "evil\x1b]52;c;SGVsbG8=\x07dir\x9b"
    (hostile / "land").mkdir(parents=True)
    (hostile / "land" / "a.txt").write_text(
        " date 2024-03-04 Markets rallied on Monday in Europe.\n\nA second paragraph.\n"
    )
    w = ["-w", str(hostile / "wh.duckdb")]
    outputs = []
    for args in (["init", *w], ["run", *w, "-l", str(hostile / "land"), "--workers", "1"]):
        code, out, err = _cli(*args)
        assert code == 0, err
        outputs.append(out + err)
    code, out, err = _cli("report", *w)
    assert code == 0, err
    outputs.append(out + err)
    for text in outputs:
        assert not any(c in text for c in "\x1b\x07\x9b"), text
    assert "evil\\x1b]52;c;SGVsbG8=\\x07dir\\x9b" in outputs[0]
    assert any(line.startswith("report: ") and "\\x1b" in line for line in outputs[1].splitlines())
    assert "\\x9b" in outputs[2]


def test_a_query_beyond_its_memory_fails_in_one_line_and_spills_nothing_beside_the_warehouse(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large sort spilled into ``<warehouse>.tmp/``, a folder a killed query left behind and
    that could fill the disk a load commits to; DuckDB's advice named settings no query may set
    (probe)."""
    copy = tmp_path / "copy.duckdb"
    shutil.copy(warehouse, copy)
    monkeypatch.setenv("NEWS_ETL_READER_MEMORY_LIMIT", "60MB")
    sql = "SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) m FROM range(5000000) t(i) ORDER BY m)"
    code, _, err = _cli("query", sql, "-w", str(copy))
    assert code == 2
    assert err.startswith(
        "error: the query needed more memory than a reader may use (60MB, "
        "NEWS_ETL_READER_MEMORY_LIMIT): raise it, or narrow the query (Out of Memory Error"
    )
    assert len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.duckdb"]


def test_an_unknown_reason_or_both_a_day_and_a_run_are_refused_not_ignored(
    warehouse: Path,
) -> None:
    """`quarantine list --reason nope` listed nothing, exit 0, as if no record had that reason
    (replay refuses it); `quality --date D --run R` ignored the day (probe)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        reasons = [
            r
            for (r,) in con.execute("SELECT DISTINCT reason FROM quarantine ORDER BY 1").fetchall()
        ]
        (run_id,) = con.execute("SELECT max(run_id) FROM etl_run").fetchone() or (None,)
    finally:
        con.close()
    has = f"its reasons: {', '.join(reasons)}" if reasons else "it has none"
    code, out, err = _cli("quarantine", "list", "--reason", "nope", "-w", str(warehouse))
    assert (code, out) == (2, "")
    assert " ".join(err.split()) == (f"error: no quarantined record has the reason 'nope'; {has}")
    if reasons:
        code, _, err = _cli("quarantine", "list", "--reason", reasons[0], "-w", str(warehouse))
        assert code == 0, err
    code, out, err = _cli(
        "quality", "--date", "2024-01-01", "--run", str(run_id), "-w", str(warehouse)
    )
    assert (code, out) == (2, "")
    assert "give --date or --run, not both" in err


def test_out_through_a_link_into_a_missing_folder_is_refused_before_the_query(
    warehouse: Path, tmp_path: Path
) -> None:
    """Such an --out was refused only after the query had run ("No such file or directory";
    probe); a missing folder is an error before the query runs, as the README says."""
    link = tmp_path / "dang.txt"
    link.symlink_to(tmp_path / "missing" / "r.txt")
    code, out, err = _cli("query", "SELECT 1", "-w", str(warehouse), "--out", str(link))
    assert (code, out) == (2, "")
    assert " ".join(err.split()) == (
        f"error: cannot write {link}: the folder {tmp_path / 'missing'} does not exist"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dang.txt"]


def test_status_says_when_older_runs_are_not_shown(warehouse: Path) -> None:
    """Probe: "10 runs shown" of 13, with nothing saying there were more."""
    from etl.report.summary import format_status

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        (every,) = con.execute("SELECT count(*) FROM etl_run").fetchone() or (0,)
        assert every >= 3
        cut = format_status(con, min_files=20, runs=2)
        whole = format_status(con, min_files=20, runs=every)
    finally:
        con.close()
    assert f"Last runs, newest first (2 of {every} runs shown)" in cut.splitlines()
    assert f"Last runs, newest first ({every} runs shown)" in whole.splitlines()


@pytest.mark.parametrize("command", ["query", "quarantine"])
def test_a_newline_in_an_out_path_stays_on_the_status_line(
    warehouse: Path, tmp_path: Path, command: str
) -> None:
    """``--out 'a<newline>b.csv'`` wrote the file and then said so over two lines of standard
    error (an escape sequence in the name was escaped, the newline was not; probe X)."""
    import sys

    out = tmp_path / "out\nname.csv"
    args = ["query", "SELECT 1 AS one"] if command == "query" else ["quarantine", "list"]
    done = subprocess.run(
        [sys.executable, "-m", "etl.cli", *args, "-w", str(warehouse), "--format", "csv",
         "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].endswith(" written to " + str(tmp_path / "out\\x0aname.csv"))


@pytest.mark.parametrize(
    ("group", "command"), [("warehouse", "to-ducklake"), ("quarantine", "list"), ("", "replay")]
)
def test_a_command_group_alone_prints_its_help_and_no_empty_error(group: str, command: str) -> None:
    """Probe R3: `news-etl warehouse` alone printed its help, then `error: news-etl warehouse:
    (see --help)`, an error without a reason; now as `news-etl` alone: the help, exit 2."""
    code, out, err = _cli(*([group] if group else []))
    assert (code, err) == (2, "")
    assert command in out and "Usage:" in out
