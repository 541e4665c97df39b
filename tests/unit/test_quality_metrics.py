"""The custom text-quality metrics: their vectorised prefilters never change a result.

``mojibake_ratio`` and ``boilerplate_ratio`` skip, with one RE2 pass over the column, the texts
that cannot contain a marker or a phrase; the exact per-text computation decides the rest. These
properties compare them with the exact computation applied to every text.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl.validate.expectations import (
    BOILERPLATE_PHRASES,
    MOJIBAKE_PATTERN,
    _boilerplate_share,
    boilerplate_ratio,
    mojibake_ratio,
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Phrases in every case, the characters whose lowercase differs between str.lower() and simple
# case folding (İ, K Kelvin sign, ſ long s), mojibake leads and markers, paragraph breaks.
_PIECES = st.one_of(
    st.sampled_from(list(BOILERPLATE_PHRASES)),
    st.sampled_from([p.upper() for p in BOILERPLATE_PHRASES]),
    st.sampled_from([p.title() for p in BOILERPLATE_PHRASES]),
    st.sampled_from(["ALL RİGHTS RESERVED", "cLİck here", "\u212aLICK", "ſubscribe now", "©  1"]),
    st.sampled_from(["Ã©", "â€™", "â€", "Â ", "Ã", "Â", "â", "Ã\u00a9", "caf\u00e9"]),
    st.sampled_from(["\n\n", "\n", " ", ".", ":"]),
    st.text(max_size=30),
)
_TEXTS = st.lists(
    st.one_of(st.none(), st.lists(_PIECES, max_size=12).map("".join)), min_size=1, max_size=8
)


def _exact_mojibake(text: object) -> float:
    if not isinstance(text, str):
        return 0.0
    return sum(len(m) for m in MOJIBAKE_PATTERN.findall(text)) / max(len(text), 1)


@SETTINGS
@given(_TEXTS)
@example(["Prices rose. CafÃ© owners said â€™no comment â€œ.", None, ""])
@example(["All rights reserved.\n\nSign up for our newsletter.\n\nPrices rose."])
def test_mojibake_ratio_equals_the_exact_ratio_of_every_text(texts: list[str | None]) -> None:
    series = pd.Series(texts, dtype="string")
    expected = [_exact_mojibake(t) for t in texts]
    assert mojibake_ratio(series).tolist() == expected


@SETTINGS
@given(_TEXTS)
@example(["ALL RİGHTS RESERVED\n\nCLICK HERE", "\u212aLICK HERE", None])
def test_boilerplate_ratio_equals_the_exact_share_of_every_text(texts: list[str | None]) -> None:
    series = pd.Series(texts, dtype="string")
    expected = [_boilerplate_share(t) for t in texts]
    assert boilerplate_ratio(series).tolist() == expected


#: text -> share of its characters in mojibake markers, counted by hand (markers: "Ã©" 2 chars,
#: "â€™" 3 chars, "Â" + no-break space 2 chars; "café", "Â" + a plain space and a lone "Ã" at the
#: end are not markers).
MOJIBAKE_BY_HAND = [
    ("CafÃ© ok", 2 / 8),
    ("itâ€™s", 3 / 6),
    ("plain café text", 0.0),
    ("Â\u00a010", 2 / 4),
    ("Â 10", 0.0),
    ("CafÃ© and NaÃ¯ve", 4 / 16),
    ("ends with Ã", 0.0),
    ("", 0.0),
]

#: text -> share of its paragraphs that are boilerplate, counted by hand.
BOILERPLATE_BY_HAND = [
    ("All rights reserved.\n\nPrices rose.", 1 / 2),
    ("All rights reserved.\n\nSign up for our newsletter.\n\nPrices rose.", 2 / 3),
    ("Prices rose.\n\nTraders were calm.", 0.0),
    ("CLICK HERE to read more", 1.0),
    ("Newsletters are a growing business for publishers.", 0.0),
    ("Advertisement\n\n" + "Reporting " * 40 + "advertisement", 1 / 2),  # the long one is news
    ("", 0.0),
]


def test_mojibake_ratio_by_hand() -> None:
    texts, expected = zip(*MOJIBAKE_BY_HAND, strict=True)
    got = mojibake_ratio(pd.Series(list(texts), dtype="string")).tolist()
    assert got == list(expected)


def test_boilerplate_ratio_by_hand() -> None:
    texts, expected = zip(*BOILERPLATE_BY_HAND, strict=True)
    got = boilerplate_ratio(pd.Series(list(texts), dtype="string")).tolist()
    assert got == list(expected)
