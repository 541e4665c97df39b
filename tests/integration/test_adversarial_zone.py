"""An adversarial landing zone: every file loaded, duplicate or quarantined with its reason."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app

from .helpers import query, settings_for

LIMIT = 1024 * 1024  # 1 MiB per file (compressed or not) in these tests


def _body(words: str) -> str:
    return f"{words} said the spokesman on Monday.\n\nA second paragraph follows here."


def _article(day: str | None, words: str) -> str:
    return f" date {day} {_body(words)}" if day else _body(words)


@pytest.fixture
def zone(tmp_path: Path) -> Path:
    root = tmp_path / "landing"
    wire = root / "wire"
    wire.mkdir(parents=True)
    good = _article("2024-03-04", "Markets rallied").encode()
    (wire / "a.txt").write_bytes(good)
    (wire / "same article, other name.txt").write_bytes(good)
    (wire / "empty.txt").write_bytes(b"")
    (wire / "blank.txt").write_bytes(b" \n\t\n ")
    (wire / "noise.txt").write_bytes(os.urandom(4096) + b"\x00")
    (wire / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(512))
    (wire / "utf16.txt").write_bytes(
        "\ufeff".encode("utf-16-le") + _article("2024-03-04", "Zürich bankers").encode("utf-16-le")
    )
    (wire / "cp1252.txt").write_bytes(
        _article("2024-03-04", "Café prices rose to £5 – “sharply”").encode("cp1252")
    )
    mojibake = _article("2024-03-04", "Señora Müller’s café reopened").encode().decode("cp1252")
    (wire / "mojibake.txt").write_bytes(mojibake.encode("utf-8"))
    with (wire / "huge.txt").open("wb") as f:
        f.truncate(200 * 1024 * 1024)  # 200 MB (sparse): refused by size, never read
    (wire / "baddate.txt").write_bytes(_article("2021-13-45", "Odd date").encode())
    future = (date.today() + timedelta(days=30)).isoformat()
    (wire / "future.txt").write_bytes(_article(future, "Tomorrow's news").encode())
    lines = [
        json.dumps({"title": "One", "url": "https://www.example.org/1", "text": _body("First")}),
        '{"title": "Broken", "text": "unterminated',
        json.dumps({"title": "Two", "source": "Wire Co", "maintext": _body("Second")}),
        json.dumps({"title": "Three", "date_publish": "2024-03-04 10:00:00", "body": _body("3")}),
        # half a UTF-16 pair, escaped alone: no UTF-8 text can hold it
        json.dumps({"title": "Four @", "text": _body("Fourth")}).replace("@", "\\ud800"),
    ]
    (wire / "dump.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (wire / "rows.csv").write_text(
        'title,url,authors,published,text\nCSV,https://news.example.com/x,"A; B",2024-03-04,'
        f'"{_body("From a CSV row")}"\n',
        encoding="utf-8",
    )
    (wire / "page.html.gz").write_bytes(
        gzip.compress(
            b"<html><head><title>Page</title></head><body><article><h1>Page</h1>"
            + b"".join(
                f"<p>{_body(f'Paragraph {i} of the HTML page')}</p>".encode() for i in range(6)
            )
            + b"</article></body></html>"
        )
    )
    (wire / "bomb.txt.gz").write_bytes(gzip.compress(b"a" * (LIMIT * 20)))
    (wire / "caf\u00e9 n\u00e4me\nwith newline.txt").write_bytes(
        _article("2024-03-04", "Unicode file names work").encode()
    )
    os.symlink("/etc/passwd", wire / "passwd.txt")
    # A line of 100,000 arrays, one inside the other (once a RecursionError that ended the whole
    # run), then a good line; a <p> with 60,000 attributes (the HTML parser's time grows with
    # their square: 100,000 took minutes).
    (wire / "deep.jsonl").write_text(
        '{"text": "Lost.", "x": ' + "[" * 100_000 + "]" * 100_000 + "}\n"
        + json.dumps({"title": "Five", "text": _body("After the deep line")}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    # Odd values in fields, each of which once ended the whole run (session 20): an integer of
    # 5,000 digits, an author whose name is a list, sections that are a number, a URL without a
    # readable host, a 20-digit year (the only one quarantined: bad_date).
    odd = [
        json.dumps({"title": "Six", "views": "@", "text": _body("Six")}).replace(
            '"@"', "1" + "0" * 5000
        ),
        json.dumps({"text": _body("Seven"), "author": [{"name": ["Ann Lee", "Bob Roy"]}]}),
        json.dumps({"text": {"summary": [_body("Eight")], "sections": 5}}),
        json.dumps({"text": _body("Nine"), "url": "http://[::1/news"}),
        json.dumps({"text": _body("Ten"), "date": "Mon, 1 Jan 99999999999999999999 00:00:00"}),
        # escaped control characters in the metadata, which reached fact_article.title as written
        json.dumps({"title": "Six\u0000teen\u0007", "text": _body("Sixteen")}),
        # a title that is a list, a source that is an object: once their Python repr
        json.dumps({"title": ["Seven", "teen"], "source": {"x": 1}, "text": _body("17")}),
        # a 300,000-character title: it loaded whole into fact_article.title
        json.dumps({"title": "T" * 300_000, "text": _body("Eighteen")}),
    ]
    (wire / "odd.jsonl").write_text("\n".join(odd) + "\n", encoding="utf-8")
    # One NUL byte inside one line of valid UTF-8 JSON lines: once the whole file was `binary`,
    # its good records lost; now only that line is refused (a raw NUL is not JSON).
    (wire / "nul.jsonl").write_bytes(
        json.dumps({"title": "Eleven", "text": _body("Eleven")}).encode()
        + b'\n{"title": "Lost", "text": "NUL \x00 inside"}\n'
        + json.dumps({"title": "Twelve", "text": _body("Twelve")}).encode()
        + b"\n"
    )
    attributes = " ".join(f'a{i}="x"' for i in range(60_000))
    (wire / "crowded.html").write_text(
        f"<html><body><p {attributes}>{_body('Crowded markup')}</p></body></html>", "utf-8"
    )
    return root


EXPECTED_QUARANTINE = {
    ("empty.txt", None): "empty",
    ("blank.txt", None): "empty",
    ("noise.txt", None): "binary",
    ("photo.txt", None): "binary",
    ("huge.txt", None): "too_large",
    ("baddate.txt", None): "bad_date",
    ("future.txt", None): "future_date",
    ("dump.jsonl", "line 2"): "malformed_json",
    ("bomb.txt.gz", None): "too_large",
    ("passwd.txt", None): "outside_landing",
    ("deep.jsonl", "line 1"): "malformed_json",
    ("crowded.html", None): "malformed_html",
    ("odd.jsonl", "line 5"): "bad_date",
    ("nul.jsonl", "line 2"): "malformed_json",
    ("odd.jsonl", "line 8"): "metadata_too_long",
}
LOADED_FILES = {
    "a.txt",
    "utf16.txt",
    "cp1252.txt",
    "mojibake.txt",
    "dump.jsonl",
    "rows.csv",
    "page.html.gz",
    "café näme\nwith newline.txt",
    "deep.jsonl",
    "odd.jsonl",
    "nul.jsonl",
}


def test_every_file_is_accounted_for(zone: Path, tmp_path: Path) -> None:
    settings = settings_for(zone, tmp_path, max_file_bytes=LIMIT)
    summary = pipeline.run(settings)
    files = sum(1 for _ in (zone / "wire").iterdir())
    assert summary.files_new == files == 22
    assert summary.files_loaded + summary.files_duplicate + summary.files_quarantined == files
    assert (summary.files_loaded, summary.files_duplicate, summary.files_quarantined) == (
        11, 1, 10
    )  # fmt: skip
    # 4 from the JSONL file, 1 after the deep line, 6 with odd fields, 2 around the NUL line
    assert summary.articles_loaded == 20
    assert summary.quarantined == len(EXPECTED_QUARANTINE)
    reasons = {
        (Path(path).name, record): reason
        for path, record, reason in query(
            settings.warehouse, "SELECT path, record, reason FROM quarantine"
        )
    }
    assert reasons == EXPECTED_QUARANTINE
    ((detail,),) = query(
        settings.warehouse, "SELECT detail FROM quarantine WHERE reason = 'metadata_too_long'"
    )
    assert detail == (
        "title of 300000 characters is over the limit of 2000: '"
        + "T" * 500
        + "'… [299500 more characters]"
    )
    outcomes = dict(query(settings.warehouse, "SELECT path, outcome FROM ingest_ledger"))
    assert {Path(p).name for p, o in outcomes.items() if o == "loaded"} == LOADED_FILES
    assert outcomes["wire/same article, other name.txt"] == "duplicate"
    articles = {
        (Path(path).name, record): (encoding, repair, source, fmt, title, text)
        for path, record, encoding, repair, source, fmt, title, text in query(
            settings.warehouse,
            "SELECT source_file, source_record, encoding, text_repair, source_name, source_format,"
            " title, clean_text FROM fact_article JOIN article_text USING (article_id)"
            " JOIN dim_source USING (source_id)",
        )
    }
    assert len(articles) == 20
    assert articles[("odd.jsonl", "line 7")][2] == '{"x": 1}'
    assert articles[("odd.jsonl", "line 7")][4] == '["Seven", "teen"]'
    assert articles[("odd.jsonl", "line 6")][1] == (
        "control characters removed from the metadata (U+0000, U+0007): 2 from the title"
    )
    assert articles[("odd.jsonl", "line 6")][4] == "Sixteen"
    assert articles[("nul.jsonl", "line 3")][4] == "Twelve"
    assert articles[("odd.jsonl", "line 1")][4] == "Six"
    assert articles[("odd.jsonl", "line 3")][5].startswith("Eight said")
    assert articles[("odd.jsonl", "line 4")][2] == "wire"  # no host: the landing subfolder
    assert articles[("deep.jsonl", "line 2")][4] == "Five"
    assert articles[("dump.jsonl", "line 5")][4] == "Four \ufffd"
    assert articles[("utf16.txt", None)][0] == "utf-16-le"
    assert "Zürich bankers" in articles[("utf16.txt", None)][5]
    assert articles[("cp1252.txt", None)][0] == "cp1252"
    assert "Café prices rose to £5 – “sharply”" in articles[("cp1252.txt", None)][5]
    _, repair, *_, text = articles[("mojibake.txt", None)]
    assert repair and "ftfy" in repair
    assert "Señora Müller’s café reopened" in text
    assert articles[("a.txt", None)][2] == "wire"  # the landing subfolder
    assert articles[("dump.jsonl", "line 1")][2] == "example.org"  # the URL's host
    assert articles[("dump.jsonl", "line 3")][2] == "Wire Co"  # the record's metadata
    assert articles[("rows.csv", "row 1")][3] == "csv"
    assert articles[("page.html.gz", None)][3] == "html.gz"
    ((authors,),) = query(
        settings.warehouse, "SELECT authors FROM fact_article WHERE source_format = 'csv'"
    )
    assert authors == ["A", "B"]
    ((authors,),) = query(
        settings.warehouse,
        "SELECT authors FROM fact_article WHERE source_record = 'line 2' "
        "AND source_file LIKE '%odd.jsonl'",
    )
    assert authors == ["Ann Lee", "Bob Roy"]
    # A second run reads nothing again; huge.txt and the symlink, never hashed, were refused
    # again as new files on every run up to session 31: their refusals are remembered now.
    again = pipeline.run(settings)
    assert again.articles_loaded == 0
    assert again.files_new == 0
    assert again.files_unchanged == files


def test_replay_loads_what_now_passes(zone: Path, tmp_path: Path) -> None:
    landing = tmp_path / "replay"
    landing.mkdir()
    text = _article("2024-03-04", "A long story") * 20_000  # ~1.5 MB decompressed
    (landing / "long.txt.gz").write_bytes(gzip.compress(text.encode()))
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path, max_file_bytes=LIMIT)
    first = pipeline.run(settings)
    assert (first.articles_loaded, first.files_quarantined) == (0, 2)
    env = {
        "NEWS_ETL_LANDING": str(landing),
        "NEWS_ETL_WAREHOUSE": str(settings.warehouse),
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
    }
    runner = CliRunner()
    listed = runner.invoke(app, ["quarantine", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert "too_large" in listed.output and "empty" in listed.output
    # The fix: a higher limit. Replay only the too_large files.
    env["NEWS_ETL_MAX_FILE_BYTES"] = str(4 * LIMIT)
    replayed = runner.invoke(app, ["replay", "--reason", "too_large"], env=env)
    assert replayed.exit_code == 0, replayed.output
    assert replayed.output.startswith(
        "replay: forgot the verdicts on 1 file (1 refused whole, 0 loaded with bad records); run "
    )
    assert (
        "read them again: 1 loaded, 0 duplicate, 0 refused whole again;"
        " 0 records of them quarantined again\n"
    ) in replayed.output
    rows = query(settings.warehouse, "SELECT source_file FROM fact_article")
    assert rows == [("long.txt.gz",)]
    ledger = dict(query(settings.warehouse, "SELECT path, outcome FROM ingest_ledger"))
    assert ledger == {"long.txt.gz": "loaded", "empty.txt": "quarantined"}
