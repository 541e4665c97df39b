"""Tokens: surfaces, kinds, normal forms and offsets; the fast split patterns are exact."""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest

from etl.text._marks import MARKS
from etl.text.clean import clean
from etl.text.tokenize import (
    _TOKEN,
    TOKEN_KINDS,
    Token,
    _splitter,
    normal_form,
    split_pattern,
    token_columns,
    token_kind,
    tokenize,
)

from ._corpora import seed_body


def surfaces(text: str) -> list[tuple[str, str]]:
    """(surface, kind) pairs, after checking every token's offsets slice ``text``."""
    tokens = tokenize(text)
    _check_offsets(text, tokens)
    return [(text[t.start : t.end], t.kind) for t in tokens]


def _check_offsets(text: str, tokens: list[Token]) -> None:
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end <= len(text)
        assert text[previous_end : token.start].strip() == ""  # only whitespace between tokens
        assert token.kind in TOKEN_KINDS
        assert token.norm == normal_form(text[token.start : token.end])
        previous_end = token.end
    assert text[previous_end:].strip() == ""


def _full_pattern_tokens(text: str) -> list[tuple[int, int, str]]:
    """Tokens by the full, grouped pattern: (start, end, kind)."""
    out = []
    for match in _TOKEN.finditer(text):
        group = match.lastgroup
        kind = {"acronym": "word", "cjk": "word", "other": None}.get(group or "", group)
        if kind is None:
            ch = match.group()[0]
            kind = "punct" if unicodedata.category(ch).startswith("P") else "symbol"
        out.append((match.start(), match.end(), kind))
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("don't", [("don't", "word")]),
        ("Russia’s", [("Russia’s", "word")]),  # seed: typographic apostrophe
        ("COVID-19", [("COVID-19", "word")]),  # seed
        ("US-backed", [("US-backed", "word")]),  # seed
        ("U.S.", [("U.S.", "word")]),
        ("the U.S. Agriculture", [("the", "word"), ("U.S.", "word"), ("Agriculture", "word")]),
        # bbc/business/069.txt: "jumped 76% to $1.13bn (£600m)"
        (
            "jumped 76% to $1.13bn (£600m)",
            [
                ("jumped", "word"),
                ("76", "number"),
                ("%", "punct"),
                ("to", "word"),
                ("$", "symbol"),
                ("1.13bn", "number"),
                ("(", "punct"),
                ("£", "symbol"),
                ("600m", "number"),
                (")", "punct"),
            ],
        ),
        # reuters/2572_64af10de41644235.txt
        (
            "were 155,221 bags",
            [("were", "word"), ("155,221", "number"), ("bags", "word")],
        ),
        ("5.93 mln", [("5.93", "number"), ("mln", "word")]),
        ("In the 1980s,", [("In", "word"), ("the", "word"), ("1980s", "number"), (",", "punct")]),
        ("at 9:19", [("at", "word"), ("9:19", "number")]),
        ("a + b", [("a", "word"), ("+", "symbol"), ("b", "word")]),
        ("meeting...in", [("meeting", "word"), ("...", "punct"), ("in", "word")]),
        ("wait....", [("wait", "word"), ("...", "punct"), (".", "punct")]),
        (
            "“Now,” he",
            [("“", "punct"), ("Now", "word"), (",", "punct"), ("”", "punct"), ("he", "word")],
        ),
        ("snake_case", [("snake_case", "word")]),
    ],
)
def test_words_numbers_punct_symbols(text: str, expected: list[tuple[str, str]]) -> None:
    assert surfaces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # bbc/tech/027.txt-style: "official www.dec.org.uk"
        ("official www.dec.org.uk", [("official", "word"), ("www.dec.org.uk", "url")]),
        # fundus/077_22247fa7048b375e.txt
        (
            "https://x.com/POTUS/status/1810478997442101422?lang=de",
            [("https://x.com/POTUS/status/1810478997442101422?lang=de", "url")],
        ),
        # trailing sentence punctuation and closing brackets are not part of a URL
        (
            "see http://example.com/a.",
            [("see", "word"), ("http://example.com/a", "url"), (".", "punct")],
        ),
        (
            "(www.das-letzte-kleinod.de).",
            [("(", "punct"), ("www.das-letzte-kleinod.de", "url"), (")", "punct"), (".", "punct")],
        ),
        (
            "“https://example.com/x”",
            [("“", "punct"), ("https://example.com/x", "url"), ("”", "punct")],
        ),
        (
            "mail news.desk@example.co.uk.",
            [("mail", "word"), ("news.desk@example.co.uk", "email"), (".", "punct")],
        ),
        ("a@b", [("a", "word"), ("@", "punct"), ("b", "word")]),  # no domain: not an e-mail
    ],
)
def test_urls_and_emails(text: str, expected: list[tuple[str, str]]) -> None:
    assert surfaces(text) == expected


def test_devanagari_words_stay_whole() -> None:
    # Vowel signs (combining marks) must not cut a word: नमस्ते is one token.
    assert surfaces("नमस्ते दुनिया") == [("नमस्ते", "word"), ("दुनिया", "word")]
    # fundus/136_468309f9810e9b79.txt
    text = "पुलिस ने बुधवार को खुलासा कर लिया है।"
    assert surfaces(text) == [
        ("पुलिस", "word"),
        ("ने", "word"),
        ("बुधवार", "word"),
        ("को", "word"),
        ("खुलासा", "word"),
        ("कर", "word"),
        ("लिया", "word"),
        ("है", "word"),
        ("।", "punct"),
    ]


def test_arabic_words_stay_whole() -> None:
    # fundus/157_b55b8367caaf2c79.txt: shadda and tanween are combining marks.
    text = 'بعدما شبّه كثيرون لونه بـ"حلوى القطن"، بشعرٍ'
    assert surfaces(text) == [
        ("بعدما", "word"),
        ("شبّه", "word"),
        ("كثيرون", "word"),
        ("لونه", "word"),
        ("بـ", "word"),
        ('"', "punct"),
        ("حلوى", "word"),
        ("القطن", "word"),
        ('"', "punct"),
        ("،", "punct"),
        ("بشعرٍ", "word"),
    ]


def test_cjk_is_segmented_per_character() -> None:
    # fundus/144_809cc455abb05675.txt: CJK has no spaces. Each Han ideograph and hiragana is a
    # token, a katakana run stays whole, and a number stays a number (no CJK "unit" glued on).
    assert surfaces("は6.9と推定される。") == [
        ("は", "word"),
        ("6.9", "number"),
        ("と", "word"),
        ("推", "word"),
        ("定", "word"),
        ("さ", "word"),
        ("れ", "word"),
        ("る", "word"),
        ("。", "punct"),
    ]


def test_japanese_katakana_runs_and_numbers() -> None:
    # fundus/144_809cc455abb05675.txt (AsahiShimbun):
    # "気象庁は13日、午後9時19分ごろ、日向灘（北緯31.8度、..."
    text = clean("気象庁は13日、午後9時19分ごろ、日向灘（北緯31.8度")
    assert surfaces(text) == [
        ("気", "word"),
        ("象", "word"),
        ("庁", "word"),
        ("は", "word"),
        ("13", "number"),
        ("日", "word"),
        ("、", "punct"),
        ("午", "word"),
        ("後", "word"),
        ("9", "number"),
        ("時", "word"),
        ("19", "number"),
        ("分", "word"),
        ("ご", "word"),
        ("ろ", "word"),
        ("、", "punct"),
        ("日", "word"),
        ("向", "word"),
        ("灘", "word"),
        ("(", "punct"),
        ("北", "word"),
        ("緯", "word"),
        ("31.8", "number"),
        ("度", "word"),
    ]
    assert surfaces("マグニチュード6.8") == [("マグニチュード", "word"), ("6.8", "number")]


def test_chinese_and_korean() -> None:
    # fundus/027_a7f98947a4571cf3.txt (People): Chinese is segmented per character.
    assert surfaces("新华社北京4月24日电") == [
        ("新", "word"),
        ("华", "word"),
        ("社", "word"),
        ("北", "word"),
        ("京", "word"),
        ("4", "number"),
        ("月", "word"),
        ("24", "number"),
        ("日", "word"),
        ("电", "word"),
    ]
    # fundus/153_89ac5664d0d88d4f.txt (MBN): Korean is written with spaces and keeps its words;
    # a number with a Hangul counter stays one number token, like "1980s".
    assert surfaces("이재명 더불어민주당 대선 후보는 15일 텃밭") == [
        ("이재명", "word"),
        ("더불어민주당", "word"),
        ("대선", "word"),
        ("후보는", "word"),
        ("15일", "number"),
        ("텃밭", "word"),
    ]


def test_dotted_i_normal_form_keeps_offsets() -> None:
    # fundus/184_258e9b9a9a4c629f.txt: 'İ'.lower() is two code points ("i" + U+0307); terms
    # write it "i", its Turkish lowercase, one code point (text-8).
    text = "Ankara ve İstanbul'da, U.S. 5.93"
    tokens = tokenize(text)
    _check_offsets(text, tokens)
    by_surface = {text[t.start : t.end]: t for t in tokens}
    istanbul = by_surface["İstanbul'da"]
    assert istanbul.kind == "word"
    assert istanbul.norm == "istanbul'da"
    assert text[istanbul.start : istanbul.end] == "İstanbul'da"
    assert by_surface["U.S."].norm == "u.s."
    assert [t.start for t in tokens] == [0, 7, 10, 21, 23, 28]


def test_final_sigma_normal_form_is_per_token() -> None:
    # str.lower() on the whole text would make Σ final or not depending on the next token.
    text = "ΟΔΟΣ.ΑΘΗΝΑ Α.Σ"
    norms = [t.norm for t in tokenize(text)]
    assert norms == [normal_form(s) for s in ["ΟΔΟΣ", ".", "ΑΘΗΝΑ", "Α", ".", "Σ"]]
    assert norms[0] == "οδος"


def test_normal_form() -> None:
    assert normal_form("Taliban") == "taliban"
    assert normal_form("COVID-19") == "covid-19"
    assert normal_form("ﬁ") == "fi"
    # Turkish: İzmir, İZMİR, IZMIR and izmir are one term, not two (text-8; probe)
    assert normal_form("İ") == "i"
    assert {normal_form(w) for w in ("İzmir", "İZMİR", "IZMIR", "izmir")} == {"izmir"}
    assert normal_form("HELİKOPTER") == normal_form("helikopter") == "helikopter"


def test_token_columns_match_tokenize() -> None:
    text = clean(seed_body())
    cols = token_columns(text)
    tokens = tokenize(text)
    assert cols.surfaces == [text[t.start : t.end] for t in tokens]
    assert cols.norms == [t.norm for t in tokens]
    assert cols.starts == [t.start for t in tokens]


@pytest.mark.parametrize(
    ("surface", "kind"),
    [
        ("don't", "word"),
        ("U.S.", "word"),
        ("1.13bn", "number"),
        ("155,221", "number"),
        ("https://a.b/c", "url"),
        ("www.a.b", "url"),
        ("a@b.cd", "email"),
        ("...", "punct"),
        ("“", "punct"),
        ("%", "punct"),
        ("$", "symbol"),
        ("£", "symbol"),
        ("+", "symbol"),
        # a mark with no letter before it is not a word (it was, up to session 38: the emoji
        # presentation selector after a heart was an invisible "word" topping the rankings)
        ("\u0301", "symbol"),
        ("\ufe0f", "symbol"),
        ("\u2764\ufe0f", "symbol"),
        ("_", "word"),
        ("€", "symbol"),
    ],
)
def test_token_kind(surface: str, kind: str) -> None:
    assert token_kind(surface) == kind


_SPLIT_TEXTS = [
    "plain ASCII: don't, U.S. $1.13bn 155,221 5.93... (ok)",
    "ASCII with a mail: news.desk@example.co.uk, and a@b.",
    "ASCII with a URL https://x.com/POTUS/status/1?lang=de and www.bbc.co.uk.",
    "ASCII with both: a@b.cd http://x.y/z?q=a@b",
    "non-ASCII: İstanbul’da “nə” नमस्ते بشعرٍ 震度5弱。",
    "non-ASCII mail: ü@ä.de café",
    "non-ASCII URL: https://de.wikipedia.org/wiki/Köln…",
    "non-ASCII both: köln@bahn.de https://bahn.de/ä",
    "tricky: www., ://, @@, a.b.c., U.S.A, 3.5.6, ’’, --, e\u0301",
]


@pytest.mark.parametrize("text", _SPLIT_TEXTS)
def test_split_pattern_variants_equal_full_pattern(text: str) -> None:
    text = clean(text)
    expected = _full_pattern_tokens(text)
    assert [(t.start, t.end, t.kind) for t in tokenize(text)] == expected
    # Every variant that keeps the alternatives this text needs gives the same tokens.
    for has_at, has_url, ascii_only in itertools.product([False, True], repeat=3):
        if (not has_at and "@" in text) or (not has_url and ("://" in text or "www." in text)):
            continue
        if ascii_only and not text.isascii():
            continue
        parts = _splitter(has_at, has_url, ascii_only).split(text)
        starts, pos = [], 0
        for i, part in enumerate(parts):
            if i % 2:
                starts.append((pos, pos + len(part)))
            pos += len(part)
        assert starts == [(s, e) for s, e, _ in expected], (has_at, has_url, ascii_only)


def test_split_pattern_is_the_minimal_variant() -> None:
    assert split_pattern("abc") is _splitter(False, False, True)
    assert split_pattern("a@b") is _splitter(True, False, True)
    assert split_pattern("http://a") is _splitter(False, True, True)
    assert split_pattern("www.a") is _splitter(False, True, True)
    assert split_pattern("é") is _splitter(False, False, False)
    assert split_pattern("é@ https://x") is _splitter(True, True, False)


def test_token_kind_agrees_with_context_on_the_seed() -> None:
    text = clean(seed_body())
    assert [(t.start, t.end, t.kind) for t in tokenize(text)] == _full_pattern_tokens(text)


def test_empty() -> None:
    assert tokenize("") == []
    assert tokenize("   ") == []


def test_marks_table_covers_every_mark_of_this_pythons_unicode() -> None:
    # A stale table would cut words at marks added in a newer Unicode version. The table is
    # generated with the newest supported Python (3.12), whose Unicode is a superset of 3.11's.
    import re
    import sys

    from etl.text._marks import MARKS

    table = re.compile(f"[{MARKS}]")
    missing = [
        hex(cp)
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp))[0] == "M"
        and not chr(cp).isalnum()
        and not table.match(chr(cp))
    ]
    assert missing == [], "run scripts/gen_unicode_marks.py with the newest supported Python"


def test_lowercase_keeps_every_token_pattern_class() -> None:
    """The fast path splits the lowercased text: that is exact only if, for every character
    whose lowercase is one NFKC code point, both belong to the same classes of the pattern."""
    from etl.text.tokenize import _CJK

    classes = [
        re.compile(r"\w"),
        re.compile(r"\d"),
        re.compile(r"\s"),
        re.compile(r"[^\W\d_]"),
        re.compile(f"[{MARKS}]"),
        re.compile(f"[{_CJK}]"),
        re.compile(r"""[.,;:!?)\]'’“”‘<>"%+\-/@]"""),
    ]
    checked = 0
    for code in range(0x110000):
        char = chr(code)
        lower = char.lower()
        if lower == char or len(lower) != 1 or not unicodedata.is_normalized("NFKC", lower):
            continue
        if not unicodedata.is_normalized("NFKC", char):
            continue
        checked += 1
        for cls in classes:
            assert bool(cls.match(char)) == bool(cls.match(lower)), (hex(code), cls.pattern)
    assert checked > 1000


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see HTTP://EXAMPLE.COM/A now", "HTTP://EXAMPLE.COM/A"),
        ("see WWW.BBC.CO.UK.", "WWW.BBC.CO.UK"),
        ("see Https://x.y/Z", "Https://x.y/Z"),
    ],
)
def test_url_prefixes_in_any_case(text: str, url: str) -> None:
    tokens = tokenize(text)
    urls = [text[t.start : t.end] for t in tokens if t.kind == "url"]
    assert urls == [url]
    assert [t.norm for t in tokens if t.kind == "url"] == [url.lower()]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an emoji's presentation selector stays with the emoji (probe: it was a word of its own)
        ("I \u2764\ufe0f NY", [("i", "word"), ("\u2764\ufe0f", "symbol"), ("ny", "word")]),
        ("\u2b50\ufe0f\u2b50", [("\u2b50\ufe0f", "symbol"), ("\u2b50", "symbol")]),
        # a stray mark before a word is a symbol of its own; marks after letters stay in the word
        ("x \u0301abc", [("x", "word"), ("\u0301", "symbol"), ("abc", "word")]),
        ("cafe\u0301 ok", [("café", "word"), ("ok", "word")]),
        ("नमस्ते", [("नमस्ते", "word")]),
    ],
)
def test_marks_belong_to_the_character_before_them(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert [(t.norm, t.kind) for t in tokenize(text)] == expected
    cols = token_columns(text)
    assert cols.norms == [norm for norm, _ in expected]
