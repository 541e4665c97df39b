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
