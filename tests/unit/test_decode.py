"""Bytes to text: UTF-8, BOMs, Western legacy encodings, binary data."""

from __future__ import annotations

import codecs

import pytest

from etl.ingest.decode import Decoded, UndecodableError, decode, looks_binary

from ._corpora import corpus_path

# bbc/sport/199.txt
_MUTU = "Chelsea have decided to write off a possible transfer fee for Mutu, a £15.8m signing."


def test_utf8() -> None:
    assert decode("café £15.8m “quoted” नमस्ते".encode()) == Decoded(
        "café £15.8m “quoted” नमस्ते", "utf-8", None
    )


def test_empty() -> None:
    assert decode(b"") == Decoded("", "utf-8", None)


@pytest.mark.parametrize(
    ("bom", "codec", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    ],
)
def test_bom(bom: bytes, codec: str, encoding: str) -> None:
    text = " date 2021-04-07 Russia’s café £15.8m\n\nनमस्ते"
    decoded = decode(bom + text.encode(codec))
    assert decoded.text == text  # the BOM itself is not part of the text
    assert decoded.encoding == encoding
    assert decoded.note is not None


def test_bom_with_invalid_payload_is_undecodable() -> None:
    with pytest.raises(UndecodableError) as info:
        decode(codecs.BOM_UTF8 + b"caf\xe9")
    assert info.value.reason == "undecodable"


@pytest.mark.parametrize(
    "text",
    [
        _MUTU,
        "The café in Paris charged 3 € for a naïve crème brûlée.",
        "Profits jumped to $1.13bn (£600m) – said the café’s owner.",  # cp1252 dash and quote
    ],
)
def test_cp1252(text: str) -> None:
    decoded = decode(text.encode("cp1252"))
    assert decoded.text == text
    assert decoded.encoding == "cp1252"
    assert decoded.note is not None and "not UTF-8" in decoded.note


def test_cp1252_tiny_input() -> None:
    # charset-normalizer alone guesses BOM-less UTF-16-BE ('ꌱ㔮㡭') for these 6 bytes.
    assert decode("£15.8m".encode("cp1252")).text == "£15.8m"


def test_cp1252_short_word() -> None:
    decoded = decode("café".encode("cp1252"))
    assert (decoded.text, decoded.encoding) == ("café", "cp1252")


_MIXED_RU = (
    "The minister said today in Moscow: Правительство объявило о новых мерах поддержки "
    "экономики. The statement was published in English and Russian. Officials said more "
    "details would follow later this week, and markets reacted calmly to the news."
)


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r"])
def test_mostly_ascii_text_with_a_confident_non_western_guess_keeps_it(codec: str) -> None:
    # About a fifth of the bytes are high (Cyrillic): mostly ASCII, but the detector reads the
    # rest as Russian, so the cp1252 fallback for unrecognised short text must not apply
    # (cp1252 decodes these bytes too, as 'Ïðàâèòåëüñòâî...').
    raw = _MIXED_RU.encode(codec)
    decoded = decode(raw)
    assert (decoded.text, decoded.encoding) == (_MIXED_RU, codec)


def test_bbc_latin1_file() -> None:
    # The corpora README: bbc/sport/199.txt is Latin-1, not UTF-8.
    raw = corpus_path("bbc/sport/199.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    decoded = decode(raw)
    assert decoded.encoding.lower().replace("-", "_") in {
        "cp1252",
        "latin_1",
        "iso8859_1",
        "iso8859_15",
        "windows_1252",
    }
    assert "£15.8m" in decoded.text
    assert decoded.text.startswith("Chelsea sack Mutu\n\n")
    assert decoded.note is not None
    assert decoded.text == raw.decode("latin-1")


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",  # PNG header
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00",  # gzip
        bytes(range(256)) * 4,
        b"caf\xe9\x00\x00\x00",  # not UTF-8, and NUL bytes
    ],
)
def test_binary_is_refused(raw: bytes) -> None:
    with pytest.raises(UndecodableError) as info:
        decode(raw)
    assert info.value.reason == "binary"
    assert isinstance(info.value, ValueError)


def test_looks_binary() -> None:
    assert not looks_binary(b"")
    assert not looks_binary(b"plain text\twith tabs\r\nand lines\x0c")
    assert looks_binary(b"text\x00")
    assert looks_binary(b"\x01\x02\x03" + b"a" * 20)  # > 5 % control bytes
    assert not looks_binary(b"\x1b" + b"a" * 100)  # one stray escape in a long text


@pytest.mark.parametrize(
    "raw",
    [
        b"\x00\x01\x02binary\x00",  # valid UTF-8 (issue #17, item 9)
        b"text\x00with a NUL late in it",
        codecs.BOM_UTF16_LE + "\x01\x02\x03\x04bin\x05\x06".encode("utf-16-le"),
        codecs.BOM_UTF8 + b"\x01\x02\x03\x04\x05\x06\x07\x08 x",
    ],
)
def test_control_characters_are_binary_whatever_the_encoding(raw: bytes) -> None:
    with pytest.raises(UndecodableError) as caught:
        decode(raw)
    assert caught.value.reason == "binary"


def test_text_with_tabs_and_form_feeds_is_text() -> None:
    assert decode(b"a\tb\x0cc\r\nd").text == "a\tb\x0cc\r\nd"
