"""What etl.ingest.decode does with charset-normalizer's candidates for legacy (non-UTF-8) text.

Legacy Western text is labelled cp1252 when the detector files it under a twin encoding:
charset-normalizer often names another single-byte code page (here cp1250) for cp1252 bytes
whose text both decode to identically, listing cp1252 among the encodings the text "could be
from". etl.ingest.decode then records cp1252, the common legacy encoding of news text, in
``article_text.encoding`` and in the note.

A survivor of the seed-1204 mutation sample (issue #18): ``_decode__mutmut_114`` never took
cp1252 there and recorded the detector's name (cp1250); the existing cp1252 tests only had texts
the detector already named cp1252, or short ones that take the "no confident detection" path.

A Russian article in cp1251 for which the detector has one candidate only is decoded with it.
A survivor of the same sample: ``_decode__mutmut_57`` read the second candidate as the best
one, an IndexError that would stop the ingest step for such a file; the existing Cyrillic test
has an English preamble and several candidates.
"""

from __future__ import annotations

from charset_normalizer import from_bytes

from etl.ingest.decode import Decoded, decode

# German news text saved as cp1252: ü, ß and the German quotes „ “ (0x84, 0x93: cp1252 only).
GERMAN = "Der Bürgermeister sagte am Montag, dass die Straße gesperrt bleibt. „Gut“."


def test_cp1252_bytes_the_detector_names_cp1250_are_recorded_as_cp1252() -> None:
    raw = GERMAN.encode("cp1252")
    # The case under test: the detector's own name for these bytes is not cp1252, but cp1252
    # gives the same text (and the text reads as a language, so the short-text fallback is out).
    named = [(m.encoding, m.coherence) for m in from_bytes(raw)]
    assert named[0][0] != "cp1252" and named[0][1] > 0.0, named
    assert "cp1252" in from_bytes(raw)[0].could_be_from_charset
    assert decode(raw) == Decoded(
        GERMAN, "cp1252", "not UTF-8 (byte 5); charset-normalizer chose cp1252"
    )


RUSSIAN = " ".join(["Правительство объявило о новых мерах поддержки экономики в понедельник"] * 3)


def test_cp1251_text_with_a_single_candidate_is_decoded_with_it() -> None:
    raw = RUSSIAN.encode("cp1251")
    candidates = [m.encoding for m in from_bytes(raw)]
    assert candidates == ["cp1251"], candidates  # the case under test: one candidate
    assert decode(raw) == Decoded(
        RUSSIAN, "cp1251", "not UTF-8 (byte 0); charset-normalizer chose cp1251"
    )
