"""A URL or an e-mail address ends where Chinese, Japanese or Korean text starts again (text-15).

Those scripts put no space around an address (请访问https://www.gov.cn了解详情), so a URL that ran
on to the next space took the rest of the paragraph: its words were no terms (search('首相')
found nothing), and an e-mail address (``\\w``) took the Han characters on both sides. A URL also
ends before a guillemet (French «…») and does not end with an opening bracket (a full-width （
after it is an ASCII ( after cleaning). Letters of other scripts in a URL's path or an address
stay inside it. The expected tokens are written out by hand; each text goes through the
reference (``re``) and the compiled (Polars) scanner, as in ``test_joined_words``.
"""

from __future__ import annotations

import pytest

from etl.text.clean import clean
from etl.text.compiled_scan import compiled_token_lists
from etl.text.tokenize import lowercase_form, lowercase_tokens, tokenize


def _han(chars: str) -> list[tuple[str, str]]:
    """Each Han ideograph or hiragana of ``chars`` as a word token of its own."""
    return [(c, "word") for c in chars]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "请访问https://www.gov.cn了解详情。更多信息见官网，欢迎市民咨询。",
            [
                *_han("请访问"),
                ("https://www.gov.cn", "url"),
                *_han("了解详情"),
                ("。", "punct"),
                *_han("更多信息见官网"),
                (",", "punct"),  # the full-width comma after cleaning (NFKC)
                *_han("欢迎市民咨询"),
                ("。", "punct"),
            ],
        ),
        (
            "詳しくはhttps://example.jp/newsをご覧ください。首相は記者会見で説明した。",
            [
                *_han("詳しくは"),
                ("https://example.jp/news", "url"),
                *_han("をご覧ください"),
                ("。", "punct"),
                *_han("首相は記者会見で説明した"),
                ("。", "punct"),
            ],
        ),
        (
            "见www.gov.cn「通知」",
            [
                ("见", "word"),
                ("www.gov.cn", "url"),
                ("「", "punct"),
                *_han("通知"),
                ("」", "punct"),
            ],
        ),
        # a katakana run and Hangul after the URL; the full-width （ is ( after cleaning
        ("https://example.jp/aニュース", [("https://example.jp/a", "url"), ("ニュース", "word")]),
        (
            "https://example.kr에서 봤다",
            [("https://example.kr", "url"), ("에서", "word"), ("봤다", "word")],
        ),
        (
            "请访问https://www.gov.cn（官网）",
            [
                *_han("请访问"),
                ("https://www.gov.cn", "url"),
                ("(", "punct"),
                *_han("官网"),
                (")", "punct"),
            ],
        ),
        (
            "请发邮件至info@example.com了解详情",
            [*_han("请发邮件至"), ("info@example.com", "email"), *_han("了解详情")],
        ),
        ("info@example.com으로", [("info@example.com", "email"), ("으로", "word")]),
        (
            "Voir «https://www.gouv.fr/plan» et ‹www.gouv.fr›.",
            [
                ("Voir", "word"),
                ("«", "punct"),
                ("https://www.gouv.fr/plan", "url"),
                ("»", "punct"),
                ("et", "word"),
                ("‹", "punct"),
                ("www.gouv.fr", "url"),
                ("›", "punct"),
                (".", "punct"),
            ],
        ),
        # letters of other scripts stay inside a URL or an address
        (
            "Siehe https://de.wikipedia.org/wiki/Köln und https://ru.wikipedia.org/wiki/Москва.",
            [
                ("Siehe", "word"),
                ("https://de.wikipedia.org/wiki/Köln", "url"),
                ("und", "word"),
                ("https://ru.wikipedia.org/wiki/Москва", "url"),
                (".", "punct"),
            ],
        ),
        (
            "Écrivez à élodie.müller@exemple.fr ou иван@пример.рф.",
            [
                ("Écrivez", "word"),
                ("à", "word"),
                ("élodie.müller@exemple.fr", "email"),
                ("ou", "word"),
                ("иван@пример.рф", "email"),
                (".", "punct"),
            ],
        ),
    ],
)
def test_an_address_ends_where_unspaced_text_starts(
    text: str, expected: list[tuple[str, str]]
) -> None:
    cleaned = clean(text)
    assert [(cleaned[t.start : t.end], t.kind) for t in tokenize(cleaned)] == expected
    lowered = lowercase_form(cleaned)
    assert lowered is not None
    assert lowercase_tokens(lowered) == [surface.lower() for surface, _ in expected]
    assert compiled_token_lists([lowered]).to_pylist() == [lowercase_tokens(lowered)]
