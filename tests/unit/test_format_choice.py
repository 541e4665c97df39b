"""Which adapter reads a file: by extension, else by sniffing its first characters (literal
tables, written from the README's list of formats)."""

from __future__ import annotations

import pytest

from etl.ingest import formats, reader
from etl.ingest.formats import FORMATS, choose_format, sniff

SNIFFED = [
    ("<!DOCTYPE html><html><body>x</body></html>", "html"),
    ("  \n<HTML lang='en'>", "html"),
    ("<html>", "html"),
    ("<?xml version='1.0'?><page/>", "html"),
    ("<p>a paragraph, then <html> later</p>", "html"),
    ("x" * 195 + "<html>", "html"),  # "<html" ends at the 200th character: still seen
    ("x" * 196 + "<html>", None),  # past the first 200 characters
    ('{"title": "a"}', "json"),
    ('{"title": "a"}\n', "json"),
    ('{"title": "a"}\n{"title": "b"}', "jsonl"),
    ('{"title": "a"}\r\n{"title": "b"}', "jsonl"),
    ('{"title": "a"}\n{"title": "b"}\n{"title": "c"}\n', "jsonl"),
    ('{"a": 1} {"b": 2}\n\n', "jsonl"),
    ('  [{"title": "a"}]', "json"),
    ("[1, 2]", "json"),
    (" date 2024-03-04 Markets rallied.", None),
    ("", None),
    ("   ", None),
]


@pytest.mark.parametrize(("head", "fmt"), SNIFFED, ids=[repr(h[:20]) for h, _ in SNIFFED])
def test_sniff(head: str, fmt: str | None) -> None:
    assert sniff(head) == fmt


CHOSEN = [
    ("wire/a.txt", "", "txt"),
    ("wire/a.TXT", "", "txt"),
    ("a.text", "", "txt"),
    ("a.jsonl", "", "jsonl"),
    ("a.NDJSON", "", "jsonl"),
    ("a.json", "", "json"),
    ("a.csv", "", "csv"),
    ("a.html", "", "html"),
    ("a.htm", "", "html"),
    ("a.xhtml", "", "html"),
    ("a.html.gz", "", "html"),
    ("a.jsonl.GZ", "", "jsonl"),
    ("a.txt.gz", '{"looks": "like json"}', "txt"),  # an extension wins over sniffing
    ("a.png", "", None),
    ("a.pdf", "<html>", None),
    ("README", "plain words", "txt"),
    ("README", '{"title": "a"}', "json"),
    ("page", "<!doctype html>", "html"),
    ("a.gz", "plain words", "txt"),  # gzip of a file without extension: sniffed
    ("a.gz", '{"a": 1}\n{"b": 2}', "jsonl"),
    (".hidden", "plain words", "txt"),  # a leading dot is not an extension
    (".hidden", "<html>", "html"),
    ("v1.2/notes", "plain words", "txt"),  # a dot in a folder name is not an extension
    ("v1.2/notes.csv", "", "csv"),
]


@pytest.mark.parametrize(("name", "head", "fmt"), CHOSEN, ids=[c[0] for c in CHOSEN])
def test_choose_format(name: str, head: str, fmt: str | None) -> None:
    assert choose_format(name, head) == fmt


#: The README's formats: each file suffix and the format it names (``""``: no extension).
BY_SUFFIX = {
    ".txt": "txt",
    ".text": "txt",
    "": "txt",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


def test_every_suffix_names_one_registered_format() -> None:
    claimed = [suffix for f in FORMATS for suffix in f.suffixes]
    assert sorted(claimed) == sorted(BY_SUFFIX)  # each suffix once
    assert {suffix: f.name for f in FORMATS for suffix in f.suffixes} == BY_SUFFIX
    assert set(formats.ADAPTERS) == {f.name for f in FORMATS} == set(BY_SUFFIX.values())
    for suffix, name in BY_SUFFIX.items():
        if suffix:
            assert choose_format(f"d/a{suffix.upper()}.gz", "") == name


def test_the_reader_takes_the_format_properties_from_the_registry() -> None:
    assert reader.MULTI_RECORD_FORMATS is formats.MULTI_RECORD_FORMATS
    assert frozenset({"jsonl", "json", "csv"}) == formats.MULTI_RECORD_FORMATS
    assert set(formats.LINE_RECORDS) == {"jsonl", "json"}
    assert formats.RECORD_DATE_SOURCE == {
        "txt": "header",
        "jsonl": "metadata",
        "json": "metadata",
        "csv": "metadata",
        "html": "metadata",
    }
