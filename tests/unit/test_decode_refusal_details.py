"""The quarantine detail of bytes that are no text (etl.ingest.decode), word for word.

The detail is what ``news-etl quarantine list`` shows an operator for an ``undecodable`` or
``binary`` file. A survivor of the seed-1204 mutation sample (issue #18):
``_decode__mutmut_111`` changed the end of the ``undecodable`` detail; no test read it.
"""

from __future__ import annotations

import re

import pytest

from etl.ingest.decode import UndecodableError, decode


def test_bytes_no_encoding_explains_are_undecodable_with_the_utf8_error() -> None:
    # Every high byte, four times: not UTF-8 (0x80 cannot start a character), 100 % high bytes
    # (so not the mostly-ASCII cp1252 fallback), and the detector finds no encoding either.
    raw = bytes(range(0x80, 0x100)) * 4
    with pytest.raises(UndecodableError) as caught:
        decode(raw)
    assert caught.value.reason == "undecodable"
    assert caught.value.detail == (
        "not UTF-8 (invalid start byte at byte 0) and no other encoding fits"
    )


def test_non_utf8_bytes_with_a_nul_are_binary() -> None:
    raw = b"\x00\xff" + b"plain words " * 10  # not UTF-8 at byte 1, and a NUL byte
    with pytest.raises(UndecodableError) as caught:
        decode(raw)
    assert caught.value.reason == "binary"
    assert caught.value.detail == "contains NUL or control bytes: not a text file"


def test_json_lines_with_a_nul_in_one_line_and_a_stray_byte_in_another_keep_the_others() -> None:
    # NULs in at most half the lines are those lines' problem (the README); a stray cp1252 byte
    # elsewhere sent the bytes to the raw NUL check first, which refused the whole file
    line_break = re.compile(r"\r\n|\r|\n")
    raw = b'{"text": "one"}\n{"text": "t\x00wo"}\n{"text": "caf\xe9 three"}\n'
    decoded = decode(raw, line_break)
    assert decoded.text == '{"text": "one"}\n{"text": "t\x00wo"}\n{"text": "café three"}\n'
    # NULs in more than half the lines: binary, as before
    with pytest.raises(UndecodableError) as caught:
        decode(b'{"a\x00": 1}\n{"b\x00": 2}\n{"caf\xe9": 3}\n', line_break)
    assert caught.value.reason == "binary"
