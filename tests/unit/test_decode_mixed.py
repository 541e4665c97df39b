"""UTF-8 text with a few stray bytes is read as UTF-8, the stray bytes as cp1252 (session 20).

One cp1252 apostrophe (byte 0x92) in a UTF-8 file of accented text sent the whole file to the
charset detector, which chose HP Roman-8: 20,000 records loaded with every "é" as "ûˋ", nothing
quarantined. Expected texts are literals.
"""

from __future__ import annotations

import pytest

from etl.ingest.decode import decode


def test_a_stray_cp1252_byte_in_utf8_text() -> None:
    raw = "The naïve mayor — café — said the town".encode() + b"\x92s budget."
    decoded = decode(raw)
    assert decoded.text == "The naïve mayor — café — said the town’s budget."
    assert decoded.encoding == "utf-8"
    assert decoded.note == (
        "not UTF-8 at 1 byte (the first at byte 44): read as cp1252, the rest as UTF-8"
    )


def test_a_utf8_half_and_a_cp1252_half_are_both_read_right() -> None:
    raw = "Café au lait, naïve. ".encode() * 3 + "Après café. ".encode("cp1252") * 3
    decoded = decode(raw)
    assert decoded.text == "Café au lait, naïve. " * 3 + "Après café. " * 3
    assert decoded.note is not None and decoded.note.startswith("not UTF-8 at 6 bytes")


def test_a_byte_cp1252_lacks_is_the_replacement_character() -> None:
    assert decode("é, ".encode() * 2 + b"\x81.").text == "é, é, \ufffd."


@pytest.mark.parametrize(
    ("raw", "text", "encoding"),
    [
        # ASCII but for the stray byte: no UTF-8 to keep; the detector's (cp1252) reading.
        (b"Plain text with one quote \x92 here.", "Plain text with one quote ’ here.", "cp1252"),
        # Whole legacy texts: a stray byte for each letter beyond ASCII, no UTF-8 at all.
        (
            "Café prices – “sharply” après".encode("cp1252"),
            "Café prices – “sharply” après",
            "cp1252",
        ),
        (
            ("Известия сообщили, что правительство приняло решение. " * 3).encode("cp1251"),
            "Известия сообщили, что правительство приняло решение. " * 3,
            "cp1251",
        ),
    ],
)
def test_legacy_text_is_still_the_detectors(raw: bytes, text: str, encoding: str) -> None:
    decoded = decode(raw)
    assert (decoded.text, decoded.encoding) == (text, encoding)


GERMAN = "Die Bürger in München und Köln äußerten große Sorge über die Preise für Heizöl.\n"
FRENCH = "Le gouvernement a présenté un budget révisé; les élèves étaient déçus à Noël.\n"


def test_a_utf8_file_and_a_latin1_file_joined_are_each_read_right() -> None:
    """Two files joined: ten UTF-8 lines, then ten Latin-1 lines (more stray bytes than
    UTF-8 characters, so not a UTF-8 text with strays). Read whole, the detector chose cp1250
    and "München" loaded as "MĂĽnchen" (probe)."""
    raw = (GERMAN * 10).encode() + (FRENCH * 10).encode("latin-1")
    decoded = decode(raw)
    assert decoded.text == GERMAN * 10 + FRENCH * 10
    assert decoded.encoding == "utf-8"
    assert decoded.note == (
        "not UTF-8 (byte 910): two encodings, 10 lines read as UTF-8 and 10 as cp1252 "
        "(the detector's reading of those lines)"
    )


def test_lines_of_plain_ascii_do_not_end_the_search_for_utf8_lines() -> None:
    """An ASCII title line, a Latin-1 line, then the UTF-8 half and the rest in Latin-1: the
    UTF-8 lines after an ASCII or a legacy line are still found and read as UTF-8. Stopping at
    the first line of either found no UTF-8 line, and the detector's one encoding garbled the
    UTF-8 half (survivor ``decode._utf8_lines_and_legacy__mutmut_8`` of the seed-1208
    sample, #18)."""
    title = "Prices and people: a report from two cities\n"
    raw = (
        title.encode()
        + FRENCH.encode("latin-1")
        + (GERMAN * 10).encode()
        + (FRENCH * 9).encode("latin-1")
    )
    decoded = decode(raw)
    assert decoded.text == title + FRENCH + GERMAN * 10 + FRENCH * 9
    assert decoded.encoding == "utf-8"


def test_a_canonical_article_of_two_encodings_keeps_its_lines_and_breaks() -> None:
    raw = (
        b" date 2021-04-07 Caf\xc3\xa9 owners in M\xc3\xbcnchen said prices rose.\r\n\r\n"
        b"The na\xefve plan for cr\xe8me br\xfbl\xe9e failed, officials said.\r\n"
    )
    decoded = decode(raw)
    assert decoded.text == (
        " date 2021-04-07 Café owners in München said prices rose.\r\n\r\n"
        "The naïve plan for crème brûlée failed, officials said.\r\n"
    )
    assert decoded.note is not None
    assert "1 line read as UTF-8 and 1 as cp1252" in decoded.note


def test_one_accidental_utf8_line_in_legacy_text_stays_legacy() -> None:
    """cp1251 "Сі" (D1 B3) is well-formed UTF-8 by accident (U+0473): one such character is
    not enough to read the lines apart."""
    text = "Україна і Європа обговорили питання енергетики та торгівлі.\nСі\n"
    text += "Уряд підтримує ініціативу, сказав міністр.\n"
    decoded = decode(text.encode("cp1251"))
    assert (decoded.text, decoded.encoding) == (text, "cp1251")
