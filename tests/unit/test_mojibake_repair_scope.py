"""Mojibake repair (etl.ingest.mojibake.repair_mojibake) fixes the encoding and nothing else.

``article_text.raw_text`` is documented as "the decoded file as it arrived": ftfy's other
fixes (control characters, HTML entities, ligatures, full-width letters, curly quotes, line
breaks, Unicode normalisation) must not touch it. The text stage does its own cleaning.

A survivor of the seed-1204 mutation sample (issue #18): ``repair_mojibake__mutmut_25`` turned
on ftfy's ``remove_control_chars``, which silently dropped U+FFFC, U+FEFF, BEL and DEL from the
raw text of every file that needed a repair; no test had a control character in mojibake.
"""

from __future__ import annotations

from etl.ingest.mojibake import repair_mojibake

# What the writer meant, with one of each thing ftfy would change if asked to: a BEL and a DEL
# (control characters), U+FFFC and U+FEFF (dropped by remove_control_chars too), an HTML
# entity, the "fi" ligature, a full-width A, curly quotes, a CRLF and a decomposed é (e and
# U+0301, which NFC would compose).
MEANT = (
    "Caf\u00e9 \u201cquoted\u201d na\u00efve\x07 &amp; \ufb01ne \uff21 e\u0301\r\n"
    "line \ufffc \ufeffend\x7f"
)


def test_only_the_encoding_is_repaired() -> None:
    # The usual mojibake: the UTF-8 bytes read as Latin-1 (each character spelled out here, so
    # the expected value does not come from an encoder the code could share).
    broken = (
        "Caf\u00c3\u00a9 \u00e2\x80\x9cquoted\u00e2\x80\x9d na\u00c3\u00afve\x07 &amp; "
        "\u00ef\u00ac\x81ne \u00ef\u00bc\u00a1 e\u00cc\x81\r\n"
        "line \u00ef\u00bf\u00bc \u00ef\u00bb\u00bfend\x7f"
    )
    assert broken == MEANT.encode("utf-8").decode("latin-1")  # the literal is that mojibake
    fixed, note = repair_mojibake(broken)
    assert fixed == MEANT
    assert note == "mojibake repaired by ftfy (encode latin-1, decode utf-8)"


def test_text_that_needs_no_repair_keeps_its_control_characters() -> None:
    assert repair_mojibake(MEANT) == (MEANT, None)
