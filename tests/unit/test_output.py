"""The rendering layer: values as data (no markup, no control characters), exact text forms."""

from __future__ import annotations

import datetime
import decimal
import io
import json
from pathlib import Path

import duckdb
import pytest

from etl.output import (
    OutputFormat,
    SharedColumnNameError,
    fetch_text,
    iso_duration,
    render_table,
    to_csv,
    to_json_lines,
    visible,
    write_result,
)
from etl.query import QueryRefusedError, QueryTimeoutError, check_read_only, deadline


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("title\x07bell", "title\\x07bell"),
        ("a\x9bb", "a\\x9bb"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("[bold]stays[/bold]", "[bold]stays[/bold]"),
        # Characters that take no room and show nothing: a name holding one looked exactly like
        # another name (zero\u200bwidth.txt printed as zerowidth.txt).
        ("zero\u200bwidth\ufeff.txt", "zero\\u200bwidth\\ufeff.txt"),
        ("lo\u200daded", "lo\\u200daded"),
        ("a\u200eb\u200fc\u061cd\u2060e", "a\\u200eb\\u200fc\\u061cd\\u2060e"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),
        # Between two characters of a script (or emoji) that needs them, the joiners stay.
        (
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
        ),
        ("\U0001f468\u200d\U0001f469", "\U0001f468\u200d\U0001f469"),
        ("Bundes\u00adregierung", "Bundes\u00adregierung"),  # a soft hyphen is drawn
    ],
)
def test_visible_escapes_control_characters_only(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\rb.txt", "a\\x0db.txt"),
        ("a\\x0ab.txt", "a\\x5cx0ab.txt"),
        ("z\\u200bw", "z\\x5cu200bw"),
        ("t\\U000e0041", "t\\x5cU000e0041"),
        ("C:\\news\\x1 \\u20 \\uzzzz \\", "C:\\news\\x1 \\u20 \\uzzzz \\"),
        ("\\\x01", "\\\\x01"),  # a backslash, then a control character
        ("\\x41 \u0645\u200c\u0645", "\\x5cx41 \u0645\u200c\u0645"),  # the joiner joins
    ],
)
def test_a_backslash_that_reads_as_an_escape_is_one(raw: str, shown: str) -> None:
    """Probe, session 49: a file named with a line break and one named ``a\x0ab.txt`` (the four
    characters) looked alike in ``quarantine list``; any other backslash stays, and a value
    escaped already (a status line's) is escaped no further by default."""
    assert visible(raw, keep="", lookalikes=True) == shown
    assert visible(shown, keep="") == shown


def test_html_text_is_visible_then_escaped() -> None:
    from etl.output import html_text

    assert html_text("bidi\u202etxt.exe") == "bidi\\u202etxt.exe"
    assert html_text('a\x1b[2J\nb"><script>') == "a\\x1b[2J\\x0ab&quot;&gt;&lt;script&gt;"
    assert html_text("one\ntwo\u200b", keep="\n") == "one\ntwo\\u200b"


@pytest.mark.parametrize(
    ("months", "days", "nanos", "iso"),
    [
        (0, 0, 0, "PT0S"),
        (1, 2, 3_500_000_000, "P1M2DT3.5S"),
        (14, 0, 0, "P1Y2M"),
        (0, 0, 36_714_237_000_000, "PT10H11M54.237S"),
        (-1, 0, -60_000_000_000, "P-1MT-1M"),
        (0, 3, 0, "P3D"),
    ],
)
def test_iso_duration(months: int, days: int, nanos: int, iso: str) -> None:
    assert iso_duration(months, days, nanos) == iso


def test_text_forms_of_duckdb_types() -> None:
    con = duckdb.connect()
    result = fetch_text(
        con.sql(
            "SELECT 170141183460469231731687303715884105727::HUGEINT AS h, 0.10::DECIMAL(4, 2)"
            " AS d, [1.5, 'nan'::DOUBLE] AS l, INTERVAL '36714.237 seconds' AS i,"
            " 'x'::VARCHAR AS s, NULL::INTEGER AS n, '' AS e, 'inf'::DOUBLE AS f"
        )
    )
    assert result.rows == [
        (
            "170141183460469231731687303715884105727",
            "0.10",
            "[1.5,nan]",  # as DuckDB spells it; json alone writes null (below)
            "PT10H11M54.237S",
            "x",
            None,
            "",
            "inf",
        )
    ]
    line = to_json_lines(result)
    assert line == (
        '{"h":170141183460469231731687303715884105727,"d":0.10,"l":[1.5,null],'
        '"i":"PT10H11M54.237S","s":"x","n":null,"e":"","f":null}\n'
    )
    json.loads(line)  # strict JSON
    assert to_csv(result) == (
        "h,d,l,i,s,n,e,f\r\n"
        '170141183460469231731687303715884105727,0.10,"[1.5,nan]",PT10H11M54.237S,x,,"",inf\r\n'
    )


def test_decimals_inside_nested_values_keep_their_scale() -> None:
    """``to_json`` writes DECIMAL(4,2) 1.10 as 1.1: inside lists, structs, maps, arrays and
    unions each decimal is written with its type's scale, as the plain column is (probe)."""
    con = duckdb.connect()
    result = fetch_text(
        con.sql(
            "SELECT [1.10::DECIMAL(4, 2), NULL, 2::DECIMAL(4, 2)] AS l,"
            " {'a': 0.50::DECIMAL(3, 2), 'b': [2.5::DECIMAL(5, 3)], 'c': 1.5::DOUBLE} AS s,"
            " MAP {1.10::DECIMAL(4, 2): 2.20::DECIMAL(4, 2)} AS m,"
            " [7::DECIMAL(3, 0)]::DECIMAL(3, 0)[1] AS a,"
            " union_value(k := 1.5::DECIMAL(4, 2)) AS u,"
            " {'tiny': -0.000000000000000000000000000001::DECIMAL(38, 30),"
            " 'huge': 12345678901234567890123456.789::DECIMAL(38, 12)} AS big"
        )
    )
    assert result.rows == [
        (
            "[1.10,null,2.00]",
            '{"a":0.50,"b":[2.500],"c":1.5}',
            '{"1.10":2.20}',
            "[7]",
            '{"k":1.50}',
            '{"tiny":-0.000000000000000000000000000001,'
            '"huge":12345678901234567890123456.789000000000}',
        )
    ]
    json.loads(to_json_lines(result))  # still strict JSON


def test_csv_quotes_only_where_needed() -> None:
    con = duckdb.connect()
    result = fetch_text(
        con.sql("SELECT 'plain' AS \"a b\", 'a,b' AS \"c,d\", 'say \"hi\"' AS q, ' pad' AS p")
    )
    assert to_csv(result) == 'a b,"c,d",q,p\r\nplain,"a,b","say ""hi"""," pad"\r\n'


def test_table_cells_are_text_not_markup() -> None:
    buffer = io.StringIO()
    render_table(
        ["[bold]col[/bold]"],
        [["He said [laughter] and [bold]left"], ["[link=https://evil.example]x[/link]"], [None]],
        file=buffer,
    )
    text = buffer.getvalue()
    assert "[bold]col[/bold]" in text
    assert "He said [laughter] and [bold]left" in text
    assert "[link=https://evil.example]x[/link]" in text
    assert "\x1b" not in text and "NULL" in text


def test_a_piped_table_keeps_whole_values() -> None:
    value = "812d60514" + "ab" * 100
    buffer = io.StringIO()
    render_table(["id"], [[value]], file=buffer)
    assert value in buffer.getvalue() and "…" not in buffer.getvalue()


@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN ANALYZE CREATE TEMP TABLE t AS SELECT 1",
        "explain analyze delete from x",
        "/* c */ EXPLAIN (FORMAT json) CREATE TABLE t AS SELECT 1",
        "CALL enable_logging(storage='file', storage_path='/tmp/x')",
        "-- comment\nCALL checkpoint()",
        "SELECT * FROM truncate_duckdb_logs()",
        "SELECT 1 WHERE EXISTS (SELECT * FROM force_checkpoint())",
        "SELECT * FROM json_execute_serialized_sql('{}')",
    ],
)
def test_the_allow_list_looks_inside_explain_and_calls(sql: str) -> None:
    con = duckdb.connect()
    with pytest.raises(QueryRefusedError):
        check_read_only(con, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "EXPLAIN SELECT 1",
        "EXPLAIN ANALYZE SELECT 1",
        "CALL pragma_version()",
        "PRAGMA version",
        "SHOW TABLES",
        "WITH a AS (SELECT 1) SELECT * FROM a",
        "FROM range(3)",
    ],
)
def test_reads_are_allowed(sql: str) -> None:
    check_read_only(duckdb.connect(), sql)


def test_deadline_interrupts_the_connection() -> None:
    con = duckdb.connect()
    with pytest.raises(QueryTimeoutError), deadline(con, 0.3):
        con.execute("SELECT count(*) FROM range(100000000000000)").fetchall()
    with deadline(con, 5):
        assert con.execute("SELECT 42").fetchall() == [(42,)]


def test_a_terminal_table_fits_and_keeps_ids_whole() -> None:
    an_id = "0123456789abcdef" * 4
    text = "word " * 60
    buffer = io.StringIO()
    render_table(["id", "n", "text"], [[an_id, "7", text]], file=buffer, whole=False)
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)  # Rich's width for a non-terminal file
    assert any(an_id in line for line in lines)
    assert sum(line.count("word") for line in lines) == 60  # wrapped, nothing cut


def test_columns_that_share_a_name_keep_their_own_values() -> None:
    # Each column was re-selected by its quoted name, so every "a" showed the first a's values
    # (a self-join's b.run_id showed a.run_id); "A" matched "a" too (names are case-blind).
    con = duckdb.connect()
    relation = con.sql('SELECT 1 AS a, 2 AS a, 3 AS "A", INTERVAL 1 DAY AS a, [4] AS a')
    result = fetch_text(relation)
    assert result.columns == ["a", "a", "A", "a", "a"]
    assert result.rows == [("1", "2", "3", "P1D", "[4]")]
    assert to_csv(result) == "a,a,A,a,a\r\n1,2,3,P1D,[4]\r\n"


@pytest.mark.parametrize("fmt", ["json", "parquet"])
def test_formats_keyed_by_name_refuse_columns_that_share_one(
    fmt: OutputFormat, tmp_path: Path
) -> None:
    con = duckdb.connect()
    out = tmp_path / f"out.{fmt}"
    with pytest.raises(SharedColumnNameError) as refused:
        write_result(con.sql("SELECT 1 AS a, 2 AS b, 3 AS a"), fmt, out)
    assert str(refused.value).startswith(f"columns 1, 3 are all named 'a': {fmt} keys values")
    assert not out.exists()
    assert write_result(con.sql("SELECT 1 AS a, 3 AS a2"), fmt, out) == 1


def test_a_piped_table_of_wide_characters_keeps_every_column_whole() -> None:
    # Widths were counted in characters; a CJK character takes two terminal cells, so the table
    # came out too narrow and Rich cut the title and the id and dropped the n column.
    title = "東京の株価が上昇した。日本銀行は金利を据え置いた。"
    an_id = "0123456789abcdef" * 4
    buffer = io.StringIO()
    render_table(["title", "n", "article_id"], [[title, "1350", an_id]], file=buffer)
    text = buffer.getvalue()
    assert title in text and an_id in text and "1350" in text and "┃ n " in text
    assert "…" not in text


def test_a_terminal_table_too_wide_to_fit_shows_one_record_at_a_time() -> None:
    # Rich folded every column of a table whose narrowest columns did not fit: half of them
    # were drawn zero cells wide, their names and values gone, and nothing said so (probe).
    names = [f"c{i:02d}" for i in range(30)]
    values = [f"v{i:02d}" for i in range(30)]
    an_id = "0123456789abcdef" * 4
    buffer = io.StringIO()
    render_table([*names, "id", "gone"], [[*values, an_id, None]], file=buffer, whole=False)
    lines = buffer.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    for name, value in zip(names, values, strict=True):
        assert any(name in line and value in line for line in lines), name
    assert any(an_id in line for line in lines)  # an id of 64 characters stays whole
    assert any("gone" in line and "NULL" in line for line in lines)
    assert "32 columns do not fit side by side in 80 terminal columns" in " ".join(lines)
    two = io.StringIO()
    render_table(names, [values, values[::-1]], file=two, whole=False)
    assert sum(line.count("v00") for line in two.getvalue().splitlines()) == 2


def test_nan_and_infinities_in_lists_and_structs_keep_their_spelling_in_table_and_csv() -> None:
    # Every format wrote them null: a number read as a missing value (probe). JSON has no such
    # numbers, so json alone writes null. A FLOAT in a list was widened to 0.10000000149011612.
    con = duckdb.connect()
    result = fetch_text(
        con.sql(
            "SELECT ['nan'::DOUBLE, 'inf'::DOUBLE, '-inf'::DOUBLE, 1.5] AS l,"
            " {'x': 'nan'::FLOAT, 'y': 0.1::FLOAT} AS s, MAP {'a': 'inf'::DOUBLE} AS m,"
            " [0.1::FLOAT, 1e20::FLOAT, 3::FLOAT, 1.5e-7::FLOAT] AS f, [1.10::DECIMAL(5, 2)] AS d"
        )
    )
    row = ("[nan,inf,-inf,1.5]", '{"x":nan,"y":0.1}', '{"a":inf}', "[0.1,1e+20,3.0,1.5e-07]")
    assert result.rows == [(*row, "[1.10]")]
    assert to_csv(result).splitlines()[1] == (
        '"[nan,inf,-inf,1.5]","{""x"":nan,""y"":0.1}","{""a"":inf}","[0.1,1e+20,3.0,1.5e-07]",'
        "[1.10]"
    )
    assert json.loads(to_json_lines(result)) == {
        "l": [None, None, None, 1.5],
        "s": {"x": None, "y": 0.1},
        "m": {"a": None},
        "f": [0.1, 1e20, 3.0, 1.5e-07],
        "d": [1.1],
    }


def test_an_unnamed_struct_keeps_every_field_in_table_csv_and_json() -> None:
    # to_json writes row(1, 2) as {"":1,"":2}, and parsing kept the last field only: {"":2}
    # (probe). DuckDB's own value of each column, read on its own connection, is the list.
    sql = (
        "SELECT row(1, 2) AS r, (1, 'a') AS t, [row(1, 2), row(3, 4)] AS l,"
        " {'x': row(1.10::DECIMAL(4, 2), 'nan'::DOUBLE)} AS s, row(7) AS one"
    )
    result = fetch_text(duckdb.connect().sql(sql))
    assert result.rows == [("[1,2]", '[1,"a"]', "[[1,2],[3,4]]", '{"x":[1.10,nan]}', "[7]")]
    assert to_csv(result).splitlines()[1] == (
        '"[1,2]","[1,""a""]","[[1,2],[3,4]]","{""x"":[1.10,nan]}",[7]'
    )
    parsed = json.loads(to_json_lines(result))
    assert parsed == {
        "r": [1, 2], "t": [1, "a"], "l": [[1, 2], [3, 4]], "s": {"x": [1.1, None]}, "one": [7]
    }  # fmt: skip
    ((r, t, pairs, _, one),) = duckdb.connect().sql(sql).fetchall()
    assert [parsed["r"], parsed["t"], parsed["l"], parsed["one"]] == [
        list(r), list(t), [list(x) for x in pairs], list(one)
    ]  # fmt: skip


def test_json_writes_a_negative_nan_as_null() -> None:
    # DuckDB spells 'inf' - 'inf' as -nan, and json wrote it bare: {"x":-nan}, not JSON (probe).
    sql = (
        "SELECT 'inf'::DOUBLE - 'inf'::DOUBLE AS x, -('nan'::FLOAT) AS f,"
        " '-inf'::DOUBLE AS m, 1.5::DOUBLE AS y"
    )
    assert duckdb.connect().sql(f"SELECT x::VARCHAR FROM ({sql})").fetchall() == [("-nan",)]
    line = to_json_lines(fetch_text(duckdb.connect().sql(sql)))
    assert line == '{"x":null,"f":null,"m":null,"y":1.5}\n'
    json.loads(line, parse_constant=pytest.fail)  # strict JSON


def test_json_writes_a_bignum_as_an_exact_number_alone_and_nested() -> None:
    # alone it was a JSON string, in a list a number (review R1): an integer is a number
    digits = "-123456789012345678901234567890123456789012345"
    sql = f"SELECT '{digits}'::BIGNUM AS n, ['{digits}'::BIGNUM] AS l"
    line = to_json_lines(fetch_text(duckdb.connect().sql(sql)))
    assert line == f'{{"n":{digits},"l":[{digits}]}}\n'
    assert json.loads(line) == {"n": int(digits), "l": [int(digits)]}


def test_parquet_keeps_a_times_offset_as_text(tmp_path: Path) -> None:
    # Arrow's time64 has no offset: TIMETZ '12:00:00+02' was written as a naive 12:00 (probe).
    import pyarrow.parquet as pq

    con = duckdb.connect()
    out = tmp_path / "t.parquet"
    sql = "SELECT '12:00:00+02'::TIMETZ AS t, ['23:30:00-05:30'::TIMETZ] AS l, TIME '08:15' AS p"
    assert write_result(con.sql(sql), "parquet", out) == 1
    assert pq.read_table(out).to_pylist() == [
        {"t": "12:00:00+02", "l": '["23:30:00-05:30"]', "p": datetime.time(8, 15)}
    ]


def test_parquet_writes_uhugeint_bit_and_bignum_as_their_text(tmp_path: Path) -> None:
    # Arrow's export made a UHUGEINT a signed decimal128 (2^128 - 1 read back as -1,
    # md5_number('b') as a negative number, in a list too), and a BIT or BIGNUM opaque bytes.
    import pyarrow.parquet as pq

    sql = (
        "SELECT md5_number('b') AS h, 340282366920938463463374607431768211455::UHUGEINT AS top,"
        " [340282366920938463463374607431768211455::UHUGEINT, 5] AS l, '101'::BIT AS b,"
        " '12345678901234567890123456789012345678901'::BIGNUM AS v, {'orbit': 1} AS s"
    )
    out = tmp_path / "u.parquet"
    assert write_result(duckdb.connect().sql(sql), "parquet", out) == 1
    assert pq.read_table(out).to_pylist() == [
        {
            "h": "190532336368564675417118094528692087698",
            "top": "340282366920938463463374607431768211455",
            "l": "[340282366920938463463374607431768211455,5]",
            "b": "101",
            "v": "12345678901234567890123456789012345678901",
            "s": {"orbit": 1},  # a struct holding none of them stays a struct
        }
    ]
    # DuckDB's own text of them, read on its own connection
    assert duckdb.connect().sql(
        "SELECT md5_number('b')::VARCHAR, '101'::BIT::VARCHAR,"
        " '12345678901234567890123456789012345678901'::BIGNUM::VARCHAR"
    ).fetchall() == [
        (
            "190532336368564675417118094528692087698",
            "101",
            "12345678901234567890123456789012345678901",
        )
    ]


def test_parquet_names_an_unnamed_structs_fields_by_position(tmp_path: Path) -> None:
    # DuckDB exported row(1, 2) as a struct of two fields both named "", a file pyarrow's
    # to_pylist and pandas refused to read ("duplicate field names"); in a list, a map, an
    # array, a named struct and inside JSON text (a struct holding an interval) too.
    import pyarrow.parquet as pq

    sql = (
        "SELECT row(1, 2) AS r, [row(1, 'a')] AS l, map([1], [row(2, 3)]) AS m,"
        " array_value(row(4, 5)) AS a, {'x': row(1.50::DECIMAL(4, 2), 'q')} AS s,"
        " row(row(6, 7), INTERVAL 1 DAY) AS j, {'y': 8} AS named"
    )
    out = tmp_path / "s.parquet"
    assert write_result(duckdb.connect().sql(sql), "parquet", out) == 1
    table = pq.read_table(out)
    assert table.to_pylist() == [
        {
            "r": {"1": 1, "2": 2},
            "l": [{"1": 1, "2": "a"}],
            "m": [(1, {"1": 2, "2": 3})],
            "a": [{"1": 4, "2": 5}],
            "s": {"x": {"1": decimal.Decimal("1.50"), "2": "q"}},
            "j": '{"1":{"1":6,"2":7},"2":"1 day"}',
            "named": {"y": 8},
        }
    ]
    assert len(table.to_pandas()) == 1
    # read back by DuckDB, the positions are the fields struct_extract(s, 1) and (s, 2) read
    assert duckdb.connect().sql(f"SELECT r['1'], r['2'], l[1]['2'] FROM '{out}'").fetchall() == [
        (1, 2, "a")
    ]


def test_open_reader_names_a_lake_catalog_given_as_a_warehouse_file(tmp_path: Path) -> None:
    # Its own check (reports and summaries open it without the CLI's): the message named None
    # instead of the file under a mutant of the mutation run (issue #18).
    from etl.errors import ConfigError
    from etl.query import open_reader

    catalog = tmp_path / "catalog.ducklake"
    duckdb.connect(str(catalog)).execute("CREATE TABLE ducklake_metadata (key VARCHAR)").close()
    with pytest.raises(ConfigError) as refused:
        open_reader(catalog)
    assert str(refused.value) == (
        f"{catalog} is a DuckLake catalog, not a DuckDB warehouse: use --warehouse "
        f"'ducklake:{catalog}'"
    )


def test_open_reader_names_a_missing_lake_and_creates_nothing(tmp_path: Path) -> None:
    # Its own check (reports open it without the CLI's): a mutant that dropped the message
    # survived the first full mutation run of etl/query.py (issue #18).
    from etl.errors import PermanentError
    from etl.query import open_reader

    lake = f"ducklake:{tmp_path / 'none' / 'catalog.ducklake'}"
    with pytest.raises(PermanentError) as refused:
        open_reader(lake)  # type: ignore[arg-type]
    assert str(refused.value) == f"no warehouse at {lake}"
    assert list(tmp_path.iterdir()) == []


class _Terminal(io.StringIO):
    """A standard output that says it is a terminal, with the bytes written to it."""

    def __init__(self) -> None:
        super().__init__()
        self.buffer = io.BytesIO()

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_lone_carriage_return_is_escaped_on_a_terminal(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "Total: 100\rTotal: 999" showed as "Total: 999" (probe); CSV's CRLF still ends its lines.
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    con = duckdb.connect()
    sql = "SELECT 'Total: 100' || chr(13) || 'Total: 999' AS v, 'a' || chr(27) || 'b' AS w"
    assert write_result(con.sql(sql), fmt, None) == 1
    shown = terminal.buffer.getvalue().decode()
    if fmt == "csv":
        assert shown == 'v,w\r\n"Total: 100\\x0dTotal: 999",a\\x1bb\r\n'
    else:
        assert shown == '{"v":"Total: 100\\r' + 'Total: 999","w":"a\\u001bb"}\n'


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ("csv", "v,w\r\na\\x5cx0ab,a\\x1bb\r\n"),  # the four characters, then an ESC
        ("table", None),
        ("json", '{"v":"a\\\\x0ab","w":"a\\u001bb"}\n'),  # JSON's own escapes: as they are
    ],
)
def test_a_written_escape_never_shows_as_the_character_it_names(
    fmt: str, shown: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Probe, session 49: a value holding the four characters ``\x1b`` showed as one holding an
    ESC (and a file named ``a\x0ab.txt`` as one named with a line break)."""
    terminal = _Terminal()
    monkeypatch.setattr("sys.stdout", terminal)
    con = duckdb.connect()
    sql = "SELECT 'a\\x0ab' AS v, 'a' || chr(27) || 'b' AS w"
    if fmt == "table":
        buffer = io.StringIO()
        render_table(["v", "w"], [list(row) for row in con.sql(sql).fetchall()], file=buffer)
        assert "│ a\\x5cx0ab │ a\\x1bb │" in buffer.getvalue()
        return
    assert write_result(con.sql(sql), fmt, None) == 1
    text = terminal.buffer.getvalue().decode()
    assert text == shown
    if fmt == "json":
        assert json.loads(text) == {"v": "a\\x0ab", "w": "a\x1bb"}


@pytest.mark.parametrize("timeout_s", [1e10, float("inf")])
def test_a_timeout_beyond_what_a_timer_can_wait_is_no_limit(
    timeout_s: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its timer thread failed with a traceback ("timeout value is too large"), and the query
    # ran without a limit anyway (probe).
    import threading
    import time

    failures: list[object] = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    con = duckdb.connect()
    with deadline(con, timeout_s):
        assert con.execute("SELECT 42").fetchall() == [(42,)]
    time.sleep(0.2)  # the timer thread failed at once when it started
    assert failures == []


def test_the_table_format_shows_at_most_ten_thousand_rows_and_says_when_there_are_more(
    tmp_path: Path,
) -> None:
    # Three million rows took 6 GB and more than ten minutes, nothing shown (probe).
    con = duckdb.connect()
    out = tmp_path / "t.txt"
    assert write_result(
        con.sql("SELECT i FROM range(10001) t(i) ORDER BY i DESC"), "table", out
    ) == (10_000)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[-1] == (
        "the first 10,000 rows shown; the result has more: --format csv, json or parquet "
        "writes every row"
    )
    cells = [line.strip("│ ") for line in lines if line.startswith("│")]
    assert cells == [str(i) for i in range(10000, 0, -1)]  # in the query's order
    assert write_result(con.sql("SELECT i FROM range(10000) t(i)"), "table", out) == 10_000
    assert out.read_text(encoding="utf-8").splitlines()[-1] == "10,000 rows"
    csv = tmp_path / "t.csv"
    assert write_result(con.sql("SELECT i FROM range(10001) t(i)"), "csv", csv) == 10_001


def test_csv_and_json_are_written_piece_by_piece_whole(tmp_path: Path) -> None:
    # Ten million rows of csv took 1.6 GB, the whole result in memory (probe): now 50,000 rows
    # at a time; the file is the same as one written whole, with one header.
    from etl.output import iter_text

    con = duckdb.connect()
    pieces = iter_text(con.sql("SELECT i FROM range(120001) t(i) ORDER BY i DESC"))
    assert [len(p.rows) for p in pieces] == [50_000, 50_000, 20_001]
    sql = "SELECT i, 'a,' || i AS s FROM range(120001) t(i)"
    out = tmp_path / "r.csv"
    assert write_result(con.sql(sql), "csv", out) == 120_001
    expected = "i,s\r\n" + "".join(f'{i},"a,{i}"\r\n' for i in range(120_001))
    assert out.read_bytes() == expected.encode()
    lines = tmp_path / "r.json"
    assert write_result(con.sql(sql), "json", lines) == 120_001
    assert lines.read_text(encoding="utf-8") == "".join(
        f'{{"i":{i},"s":"a,{i}"}}\n' for i in range(120_001)
    )
    empty = tmp_path / "e.csv"
    assert write_result(con.sql("SELECT 1 AS x WHERE false"), "csv", empty) == 0
    assert empty.read_bytes() == b"x\r\n"


def test_an_error_part_way_leaves_the_out_file_as_it_was(tmp_path: Path) -> None:
    con = duckdb.connect()
    out = tmp_path / "r.csv"
    out.write_text("the earlier result\n", encoding="utf-8")
    with pytest.raises(duckdb.Error) as caught:
        write_result(con.sql(_FAILS_HALF_WAY), "csv", out)
    assert "row 100000" in str(caught.value)
    assert out.read_text(encoding="utf-8") == "the earlier result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]  # no piece left beside it


_FAILS_HALF_WAY = (
    "SELECT CASE WHEN i < 100000 THEN i ELSE error('row ' || i) END AS v FROM range(200000) t(i)"
)


def test_duckdbs_interrupted_stand_in_gives_way_to_the_querys_own_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Now and then DuckDB reports a query that fails half-way as "INTERRUPT Error:
    Interrupted!" (a race between its threads: 1 run in 60 on a busy core; the test above
    failed so in a full unit run on one core, session 50). The query is read again for its own
    error; a Ctrl-C, or another error, is left as it is."""
    from etl import interrupts, output

    con = duckdb.connect()
    raced = duckdb.Error("INTERRUPT Error: Interrupted!")
    now = interrupts.stops()
    found = output._own_error(con.sql(_FAILS_HALF_WAY), raced, 2048, now)
    assert "row 100000" in str(found)
    other = duckdb.Error("Invalid Input Error: something else")
    assert output._own_error(con.sql(_FAILS_HALF_WAY), other, 2048, now) is other
    succeeds = con.sql("SELECT 1 AS v")  # read again without failing: the first word stands
    assert output._own_error(succeeds, raced, 2048, now) is raced
    # a time limit or a Ctrl-C interrupted the query on purpose: it is not run again
    assert output._own_error(con.sql(_FAILS_HALF_WAY), raced, 2048, now - 1) is raced
    monkeypatch.setattr(interrupts, "raised", lambda: True)  # a Ctrl-C came
    assert output._own_error(con.sql(_FAILS_HALF_WAY), raced, 2048, now) is raced


def test_the_time_limit_stops_a_result_being_written(tmp_path: Path) -> None:
    # The limit stopped DuckDB only: writing ten million fetched rows ran on (probe).
    import time

    con = duckdb.connect()
    out = tmp_path / "r.csv"
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError), deadline(con, 0.5):
        write_result(con.sql("SELECT i FROM range(10000000000) t(i)"), "csv", out)
    assert time.monotonic() - started < 30
    assert list(tmp_path.iterdir()) == []


def test_json_lines_stay_one_line_for_every_reader() -> None:
    """A title with U+2028 came out raw: valid JSON, but ``splitlines()`` (and JavaScript before
    ES2019) cut its object in two (probe X). NEL, U+2028 and U+2029 are written as escapes."""
    con = duckdb.connect()
    title = "Line1\nLine2\r\nLine3\u2028sep\u2029par\x85nel"
    con.execute("CREATE TABLE t AS SELECT ? AS title", [title])
    result = fetch_text(con.sql("SELECT title, [title] AS titles, {'t': title} AS s FROM t"))
    text = to_json_lines(result)
    assert len(text.splitlines()) == 1
    assert "\\u2028" in text and "\\u2029" in text and "\\u0085" in text
    assert json.loads(text) == {"title": title, "titles": [title], "s": {"t": title}}
