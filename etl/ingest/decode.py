"""Bytes to text: UTF-8 first, BOMs honoured, then a maintained charset detector as the fallback."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from charset_normalizer import CharsetMatch

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


_HIGH_BYTES = bytes(range(0x80, 0x100))

#: The Windows code page in which legacy text of a language (as charset-normalizer names it) was
#: written, for the languages whose page is not cp1252, the Western one. Several legacy
#: encodings decode the same bytes into equally plausible text (Polish bytes read as cp1250,
#: cp1257 or ISO 8859-3 alike; Czech as cp1250 or cp1252, "včera" against "vèera"); once the
#: language is known, its own page decides.
_LEGACY_CODE_PAGE: dict[str, str] = {
    **dict.fromkeys(
        ("Croatian", "Czech", "Hungarian", "Polish", "Romanian", "Slovak", "Slovene"), "cp1250"
    ),
    **dict.fromkeys(("Bulgarian", "Kazakh", "Russian", "Serbian", "Ukrainian"), "cp1251"),
    "Greek": "cp1253",
    "Turkish": "cp1254",
    "Hebrew": "cp1255",
    **dict.fromkeys(("Arabic", "Farsi"), "cp1256"),
    **dict.fromkeys(("Estonian", "Latvian", "Lithuanian"), "cp1257"),
    "Vietnamese": "cp1258",
}
#: The letters beyond ASCII of the Latin-script languages above (lower case). A reading in a
#: language's own page counts only if it uses no other letter: cp1252 Icelandic read through
#: cp1250 ("stjórnin", "aðgerðir" as "ađgerđir") reads as Polish to the detector, but "đ" is not
#: a Polish letter.
_LETTERS: dict[str, str] = {
    "Croatian": "čćđšž",
    "Czech": "áčďéěíňóřšťúůýžäĺľôŕ",  # with Slovak's: the detector confuses the two
    "Estonian": "äõöüšž",
    "Hungarian": "áéíóöőúüű",
    "Latvian": "āčēģīķļņšūž",  # the detector knows no Latvian: read by its letters alone
    "Lithuanian": "ąčęėįšųūž",
    "Polish": "ąćęłńóśźż",
    "Romanian": "ăâîșțşţ",
    "Slovak": "áäčďéíĺľňóôŕšťúýžěřů",
    "Slovene": "čšžćđ",
    "Turkish": "çğıöşüâîû",
}
#: The letters beyond ASCII of the languages whose legacy text is cp1252 (charset-normalizer's
#: names; lower case). Czech read through cp1252 ("pøi", "konèí") is no such language's text;
#: Norwegian read through cp1250 ("pĺ", "atomvĺpen") is Czech letters, but through cp1252 it
#: is Norwegian, its own page.
_WESTERN_LETTERS: dict[str, str] = {
    "Danish": "æøåé",
    "Dutch": "éëïèöüáóú",
    "English": "é",
    "Finnish": "äöå",
    "French": "àâæçéèêëîïôœùûüÿ",
    "German": "äöüß",
    "Indonesian": "é",
    "Catalan": "àçèéíïòóúü",  # "països", "història" through cp1250 are Czech letters
    "Italian": "àèéìíîòóùú",
    "Norwegian": "æøåéèêóòô",
    "Portuguese": "ãáâàçéêíóôõú",
    "Spanish": "áéíñóúü",
    "Swedish": "åäöé",
}
#: Languages whose legacy text is cp1252.
_WESTERN = frozenset(_WESTERN_LETTERS)
#: Chaos margins over the least chaotic candidate (see _preference).
_NEAR, _NEAR_OWN, _NEAR_TYPOGRAPHY = 0.02, 0.1, 0.25
_MARKS = re.compile("[‚„…‘’“”–—]")
_QUOTE_IN_WORD = re.compile(r"(?<=[^\W\d_])[‚„‘“”](?=[^\W\d_])")
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f]")


@dataclass(frozen=True)
class Decoded:
    """Decoded text and how it was decoded."""

    text: str
    encoding: str
    note: str | None = None  # set when the encoding was not plain UTF-8


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can identify."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def looks_binary(raw: bytes) -> bool:
    """True for bytes that are not text: NUL bytes or many control bytes in the first 8 KiB."""
    head = raw[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls / len(head) > 0.05


def looks_binary_text(text: str) -> bool:
    """True for decoded text that is not text: a NUL anywhere, or many C0 control characters
    (other than tab, newlines, vertical tab, form feed) in the first 8192 characters."""
    if "\x00" in text:
        return True
    head = text[:8192]
    if not head:
        return False
    return len(_CONTROLS.findall(head)) / len(head) > 0.05


def decode(raw: bytes, line_break: re.Pattern[str] | None = None) -> Decoded:
    """Decode ``raw`` (see :func:`_decode`) and refuse binary content whatever the encoding.

    Raises :class:`UndecodableError` (reason ``binary`` or ``undecodable``) when no text encoding
    explains the bytes, or when the text holds NUL or many control characters (valid UTF-8, or
    UTF-16 with a BOM, can encode those as well as any binary file).

    ``line_break`` is given for a format whose records are lines (JSON lines): there a NUL or a
    run of control characters is the problem of the line holding it, which its format refuses
    alone, unless such lines outnumber the others (see :func:`looks_binary_lines`).
    """
    decoded = _decode(raw, lines=line_break is not None)
    if looks_binary_text(decoded.text) and (
        line_break is None or looks_binary_lines(decoded.text, line_break)
    ):
        raise UndecodableError(
            "binary", f"contains NUL or control characters ({decoded.encoding}): not a text file"
        )
    return decoded


def looks_binary_lines(text: str, line_break: re.Pattern[str]) -> bool:
    """:func:`looks_binary_text` for a text whose records are lines (apart by ``line_break``),
    judged line by line: it is binary when its non-blank lines that look binary (a NUL, or
    many control characters) are more than the others (UTF-16 without a BOM reads as UTF-8
    with a NUL in every line). One NUL in one line of a JSON lines file, or one line of control
    characters, loses that line only (neither is JSON), not the file's other records: a line
    of 1,000 ``\x01`` at the top of a file refused its 50 good records as ``binary`` (probe)."""
    lines = [line for line in line_break.split(text) if line.strip()]
    bad = sum(1 for line in lines if looks_binary_text(line))
    return bad > len(lines) - bad


def _decode(raw: bytes, lines: bool = False) -> Decoded:
    """Decode ``raw``: BOM → its encoding (a UTF-8 BOM with stray bytes: UTF-8 and cp1252, see
    :func:`_mostly_utf8`); else strict UTF-8; else charset-normalizer's guess. Bytes with a NUL
    are refused before the guess, unless ``lines``: then :func:`decode` judges the NULs line by
    line once the text is decoded (a NUL in one line of a JSON lines file, a stray byte in
    another, refused the whole file)."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(raw[len(bom) :].decode(encoding), encoding, f"{encoding} BOM")
            except UnicodeDecodeError as exc:
                if encoding == "utf-8":  # the BOM says UTF-8: stray bytes are cp1252's
                    text = raw[len(bom) :].decode("utf-8", "surrogateescape")
                    strays = _utf8_with_strays(text, len(bom) + exc.start)
                    return Decoded(strays.text, "utf-8", f"utf-8 BOM; {strays.note}")
                raise UndecodableError(
                    "undecodable", f"starts with a {encoding} BOM but is not {encoding}: {exc}"
                ) from exc
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if not lines and looks_binary(raw):
        raise UndecodableError("binary", "contains NUL or control bytes: not a text file")
    mixed = _mostly_utf8(raw, utf8_error.start) or _utf8_lines_and_legacy(raw, utf8_error)
    if mixed is not None:
        return mixed
    return _guess(raw, utf8_error)


def _guess(raw: bytes, utf8_error: UnicodeDecodeError) -> Decoded:
    """charset-normalizer's reading of ``raw`` (not UTF-8: ``utf8_error``), with the legacy
    code page preferred among near-equal candidates (see below)."""
    from charset_normalizer import from_bytes

    # charset-normalizer ranks by "chaos" alone, which lets one stray byte in English text pass
    # for Shift-JIS; prefer candidates whose text is also coherent in some language, and among
    # near-equal ones prefer the legacy code page of the language the best one reads as
    # (cp1250 for Polish), else cp1252, by far the most common legacy encoding of news text.
    # UTF-16/32 without a BOM is not a guess worth taking: such text from real feeds carries a
    # BOM, and the guess turns short Western text into CJK noise.
    candidates = sorted(
        (m for m in from_bytes(raw) if not m.encoding.startswith(("utf_16", "utf_32"))),
        key=lambda m: (m.coherence == 0.0, round(m.chaos, 2), -m.coherence),
    )
    page = "cp1252"
    if candidates:
        top = candidates[0]
        ranked = sorted(
            (rank, i, own)
            for i, m in enumerate(candidates)
            if (m.coherence > 0.0 or top.coherence == 0.0)
            for rank, own in [_preference(m, m.chaos - top.chaos)]
            if rank < 2
        )
        if ranked:
            _rank, i, page = ranked[0]
            candidates.insert(0, candidates[i])
    best = candidates[0] if candidates else None
    high_bytes = len(raw) - len(raw.translate(None, _HIGH_BYTES))
    mostly_ascii = high_bytes <= len(raw) * 0.3
    if (best is None or best.coherence == 0.0) and mostly_ascii:
        # No candidate reads as any language (typical of short inputs) and most bytes are ASCII:
        # the common Western legacy encoding is the best bet, if it fits.
        try:
            return Decoded(
                raw.decode("cp1252"),
                "cp1252",
                f"not UTF-8 (byte {utf8_error.start}); no confident detection, cp1252 fits",
            )
        except UnicodeDecodeError:
            pass
    if best is None:
        raise UndecodableError(
            "undecodable",
            f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) "
            "and no other encoding fits",
        )
    encoding = page if _fits(best, page) else best.encoding
    text = raw.decode(encoding) if encoding != best.encoding else str(best)
    return Decoded(
        text,
        encoding,
        f"not UTF-8 (byte {utf8_error.start}); charset-normalizer chose {encoding}",
    )


#: Multi-byte UTF-8 characters the well-formed lines of a file must hold together before its
#: lines are read apart (:func:`_utf8_lines_and_legacy`): legacy text forms a well-formed line
#: with a character beyond ASCII only by accident, and such a line holds one (cp1251 "Сі").
MIN_UTF8_CHARS_OF_LINES = 2


def _utf8_lines_and_legacy(raw: bytes, utf8_error: UnicodeDecodeError) -> Decoded | None:
    """Two files joined, one UTF-8 and one legacy (or a feed that changed its encoding): each
    line that is well-formed UTF-8 read as UTF-8, the other lines together as the detector
    reads them; ``None`` when the well-formed lines hold fewer than
    :data:`MIN_UTF8_CHARS_OF_LINES` multi-byte characters (then the bytes are legacy text).

    Read whole, such a file went to the detector, whose one encoding for all of it garbled the
    UTF-8 half ("München" as "MĂĽnchen" under cp1250, "Café" as "CafÃĐ" under ISO 8859-10) and
    loaded it without a word. A line break is one byte, ``\n`` or ``\r``, in UTF-8 and in
    every encoding the detector may choose (UTF-16 and UTF-32 are never its choice here), so
    lines can be read apart. Of 3,314 lines of the real corpora with a letter beyond ASCII,
    written in cp1252, none is well-formed UTF-8."""
    lines = raw.splitlines(keepends=True)
    utf8: dict[int, str] = {}
    multibyte = 0
    for i, line in enumerate(lines):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        utf8[i] = text
        multibyte += len(text) - len(text.encode("ascii", "ignore"))
    if multibyte < MIN_UTF8_CHARS_OF_LINES:
        return None
    rest = [i for i, line in enumerate(lines) if i not in utf8 and not line.isascii()]
    try:
        legacy = _guess(b"".join(lines[i] for i in rest), utf8_error)
        texts = [
            utf8[i] if i in utf8 else line.decode(legacy.encoding if i in rest else "ascii")
            for i, line in enumerate(lines)
        ]
    except (UndecodableError, UnicodeDecodeError, LookupError):
        # no encoding fits those lines alone, or one that keeps state across lines (ISO-2022):
        # the whole file's reading, as before
        return None
    return Decoded(
        "".join(texts),
        "utf-8",
        f"not UTF-8 (byte {utf8_error.start}): two encodings, {len(utf8)} "
        f"line{'s' if len(utf8) != 1 else ''} read as UTF-8 and {len(rest)} as "
        f"{legacy.encoding} (the detector's reading of those lines)",
    )


#: A byte that is not UTF-8, as ``surrogateescape`` keeps it (U+DC80..U+DCFF).
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def _mostly_utf8(raw: bytes, first: int) -> Decoded | None:
    """UTF-8 text with a few bytes that are not UTF-8 (a cp1252 apostrophe pasted into UTF-8,
    two files joined): the UTF-8 read as UTF-8 and each stray byte as cp1252 (U+FFFD where
    cp1252 has no character), or ``None`` when the bytes do not look like that.

    It looks like that when the text has at least as many well-formed multi-byte UTF-8
    characters as stray bytes: legacy text (cp1252, cp1251, …) forms a well-formed UTF-8
    sequence only by accident, and has a stray byte for nearly each letter beyond ASCII. Left
    to the detector, one stray byte made a 20 MB UTF-8 file of accented text read as HP Roman-8
    (every "é" became "ûˋ"); text that is ASCII but for stray bytes stays the detector's.
    """
    text = raw.decode("utf-8", "surrogateescape")
    stray = sum(1 for _ in _ESCAPED_BYTE.finditer(text))
    beyond_ascii = len(text) - len(text.encode("ascii", "ignore"))
    if beyond_ascii - stray < max(stray, 1):
        return None
    return _utf8_with_strays(text, first, stray)


def _utf8_with_strays(text: str, first: int, stray: int | None = None) -> Decoded:
    """``text`` (bytes read as UTF-8 with ``surrogateescape``) with each byte that is not UTF-8
    read as cp1252 (U+FFFD where cp1252 has no character); ``first`` is the file offset of the
    first such byte and ``stray`` their number (counted here when not given), for the note."""
    if stray is None:
        stray = sum(1 for _ in _ESCAPED_BYTE.finditer(text))
    repaired = _ESCAPED_BYTE.sub(
        lambda m: bytes([ord(m[0]) - 0xDC00]).decode("cp1252", "replace"), text
    )
    return Decoded(
        repaired,
        "utf-8",
        f"not UTF-8 at {stray} byte{'s' if stray != 1 else ''} (the first at byte {first}): "
        "read as cp1252, the rest as UTF-8",
    )


def _preference(match: CharsetMatch, extra_chaos: float) -> tuple[int, str]:
    """How strongly ``match`` is preferred (0 best, 2 not at all) and the page to decode it with.

    0: its text reads as a language whose own legacy page (:data:`_LEGACY_CODE_PAGE`) decodes
    the bytes so (Czech read through cp1250), within 0.1 of the least chaos; 1: cp1252 decodes
    it so, within 0.02 of the least chaos, or within 0.1 when its text reads as a Western
    language (Finnish "päätös", which charset-normalizer rates a little more chaotic than the
    Mac Roman reading "p‰‰tˆs"), or within 0.25 when it also sets its quotes and dashes as
    typography does (:func:`_typographic`); 2: none of these."""
    own = _LEGACY_CODE_PAGE.get(match.language)
    if own and _fits(match, own) and extra_chaos <= _NEAR_OWN and _own_letters(match):
        return 0, own
    own = _page_by_letters(match)
    if own and extra_chaos <= _NEAR_OWN:
        return 0, own
    if _fits(match, "cp1252") and (
        extra_chaos <= _NEAR
        or (
            match.language in _WESTERN
            and (
                extra_chaos <= _NEAR_OWN
                or (extra_chaos <= _NEAR_TYPOGRAPHY and _typographic(str(match)))
            )
        )
    ):
        return 1, "cp1252"
    return 2, match.encoding  # pragma: no mutate (equivalent: callers keep only ranks below 2)


def _typographic(text: str) -> bool:
    """Whether ``text`` uses cp1252's typographic marks (curly quotes, dashes, ellipsis: bytes
    0x82–0x97) as typography does: at least two of them, and no quote between two letters
    except the apostrophe ``’``. The same bytes read through a DOS or Mac code page are letters
    (“ as "ô", ’ as "Æ"), which the detector finds less chaotic than curly quotes."""
    marks = _MARKS.findall(text)
    return len(marks) >= 2 and not _QUOTE_IN_WORD.search(text)


def _own_letters(match: CharsetMatch) -> bool:
    """Whether ``match``'s text uses only letters of its language (checked for the languages
    of :data:`_LETTERS`; true for the others)."""
    letters = _LETTERS.get(match.language)
    if letters is None:
        return True
    return all(c in letters for c in set(str(match).lower()) if c.isalpha() and not c.isascii())


def _page_by_letters(match: CharsetMatch) -> str | None:
    """The legacy page that ``match`` decodes the bytes as, when its text reads as a language
    of :data:`_LETTERS` written in that page, whatever language the detector named; ``None``
    otherwise. It reads so when it has two or more letters of that language that cp1252 lacks
    ("ł", "ř", "ė") inside words, together at least :data:`_EVIDENCE_SHARE` of its letters, its
    other letters beyond ASCII are the language's but for a few that cp1252 also has (at most
    :data:`_FOREIGN_SHARE` of them: a name such as "Höcke" in Polish text), and the same bytes
    read through cp1252 are no Western language's text (:data:`_WESTERN_LETTERS`).

    The detector names one language per reading, and on real text often the wrong one:
    Lithuanian read through its own cp1257 as "Croatian" (whose page is cp1250), Czech as
    "Croatian" or "Polish", so the own page was never preferred and cp1252, within the
    margin, garbled the letters ("išdavystė" as "iðdavystë", Polish "piekła" as "piek³a";
    probe D, session 48)."""
    text = str(match).lower()
    found = Counter(c for c in text if c.isalpha() and not c.isascii())
    beyond_cp1252 = {c for c in found if c not in _CP1252_LETTERS}
    evidence = Counter(m[0] for m in _LETTER_IN_WORD.finditer(text) if m[0] in beyond_cp1252)
    if len(evidence) < 2 or evidence.total() < _EVIDENCE_SHARE * sum(map(str.isalpha, text)):
        return None
    for language, own in _LETTERS.items():
        page = _LEGACY_CODE_PAGE[language]
        if beyond_cp1252 <= set(own) and _reads_as(found, own) and _fits(match, page):
            own_text = str(match)
            western = own_text.encode(page).decode("cp1252", "replace")
            if _western_reading(own_text, western):
                return None  # cp1252 reads the bytes as Western text (Norwegian "på", "ø")
            return page
    return None


def _western_reading(own: str, western: str) -> bool:
    """Whether ``western`` (the bytes read through cp1252) reads as a Western
    language where it differs from ``own`` (the same bytes through the own page): at least
    :data:`_WESTERN_SHARE` of the characters it has there are one such language's letters
    (:data:`_WESTERN_LETTERS`). Only those characters tell the two readings apart: "García"
    or "Müller" reads the same through both pages, and Norwegian "på" with a Spanish name
    ("Tromsø", "García") is Norwegian where it differs ("ø", "å" against Czech "ř", "ĺ"),
    while Czech through cp1252 is "è", "ø", "ì", "ù" there, no one language's letters (review
    R1, session 48)."""
    # character by character, lower-cased one at a time: the text lower-cased whole can change
    # its length (Turkish "İ" is "i" and a combining dot, review R2: a ValueError failed the run)
    differing = Counter(w.lower() for o, w in zip(own, western, strict=True) if o != w)
    if not differing:
        return True
    return any(
        sum(n for c, n in differing.items() if c in letters) >= _WESTERN_SHARE * differing.total()
        for letters in _WESTERN_LETTERS.values()
    )


def _reads_as(found: Counter[str], letters: str) -> bool:
    """Whether the letters beyond ASCII ``found`` in a text (lower case, with their counts)
    are a language's ``letters``, but for a few (at most :data:`_FOREIGN_SHARE` of them) that
    cp1252 has, as in a foreign name."""
    foreign = {c: n for c, n in found.items() if c not in letters}
    # equivalent as < : a text holding every cp1252 letter fits no legacy page of _LETTERS (each
    # lacks some in either case), so _fits turns it down after this (tests/unit/test_decode.py)
    western = set(foreign) <= _CP1252_LETTERS  # pragma: no mutate
    return western and sum(foreign.values()) <= _FOREIGN_SHARE * found.total()


#: The share of a text's letters beyond ASCII that may be another language's, for
#: :func:`_page_by_letters`: names ("Höcke" in Polish text), not the letters of the text.
_FOREIGN_SHARE = 0.1
#: The share of the characters where cp1252 reads the bytes otherwise that must be one Western
#: language's letters for it to be its text (:func:`_western_reading`).
_WESTERN_SHARE = 0.9
#: A letter beyond ASCII between two letters ("piekła", "będzie", "būti"): the evidence of
#: :func:`_page_by_letters`, two different letters at least, together at least
#: :data:`_EVIDENCE_SHARE` of the text's letters. Italian read through cp1250 has its accents
#: at the ends of words ("è" as "č", "città" as "cittŕ"), French one letter inside them
#: ("après" as "apčs"), a cp1252 "£" is an "Ł" before digits ("Ł5m"), and a French name in
#: English text ("Michèle" as "Michčle") or an Irish one ("Fianna Fáil" as "Fianna Fįil"
#: through cp1257) is too little.
_LETTER_IN_WORD = re.compile(r"(?<=[^\W\d_])[^\W\d_\x00-\x7f](?=[^\W\d_])")
_EVIDENCE_SHARE = 0.005
#: The letters beyond ASCII that cp1252 has, lower case (é, ö, š, ž, œ, ...).
_CP1252_LETTERS = frozenset(
    c.lower() for c in bytes(range(0x80, 0x100)).decode("cp1252", "ignore") if c.isalpha()
)


def _fits(match: CharsetMatch, page: str) -> bool:
    """Whether decoding with ``page`` gives ``match``'s text (it is the match's encoding or one
    charset-normalizer found to decode the bytes identically)."""
    return match.encoding == page or page in match.could_be_from_charset
