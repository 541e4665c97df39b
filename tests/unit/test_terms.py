"""Terms: counts over normal forms of term tokens, first offsets, and per-article figures."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from etl.text.clean import clean
from etl.text.sentences import sentence_spans
from etl.text.terms import TermColumns, analyse, count_terms, is_term
from etl.text.tokenize import TERM_KINDS, tokenize

from ._corpora import seed_body


def _expected_terms(text: str) -> tuple[Counter[str], dict[str, int]]:
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for token in tokenize(text):
        if token.kind in TERM_KINDS:
            counts[token.norm] += 1
            first.setdefault(token.norm, token.start)
    return counts, first


def _as_dicts(terms: TermColumns) -> tuple[dict[str, int], dict[str, int]]:
    assert len(terms.terms) == len(set(terms.terms)) == len(terms.counts)
    assert len(terms.first_offsets) == len(terms.terms)
    return (
        dict(zip(terms.terms, terms.counts, strict=True)),
        dict(zip(terms.terms, terms.first_offsets, strict=True)),
    )


_TEXTS = [
    # seed/000_b778bd1770123a64.txt
    "The United States signed an agreement with the Taliban last year allowing it to withdraw "
    "its forces in exchange for a Taliban guarantee to prevent international terrorism.",
    # bbc/business/069.txt
    "Profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three months.",
    "İstanbul'da ISTANBUL istanbul İSTANBUL — a@b.cd A@B.CD www.X.com www.x.com ... ... ! !",
    "Σ ς σ ΟΔΟΣ.ΟΔΟΣ οδος \u0301 _ 5 5 5.0",
    "",
]


@pytest.mark.parametrize("text", _TEXTS)
def test_count_terms_equals_counter_over_term_tokens(text: str) -> None:
    text = clean(text)
    n_tokens, terms = count_terms(text)
    assert n_tokens == len(tokenize(text))
    counts, first = _as_dicts(terms)
    expected_counts, expected_first = _expected_terms(text)
    assert counts == dict(expected_counts)
    assert first == expected_first
    # terms come in order of first occurrence
    assert terms.first_offsets == sorted(terms.first_offsets)


def test_typographic_apostrophe_is_written_straight_in_terms() -> None:
    # both spellings are one term, counted together from the first of either
    text = "Trump’s plan. TRUMP'S team. It’s over; it's late. L’État. www.x.com’s 'quoted’"
    n_tokens, terms = count_terms(text)
    counts, first = _as_dicts(terms)
    assert counts == {
        "trump's": 2,
        "plan": 1,
        "team": 1,
        "it's": 2,
        "over": 1,
        "late": 1,
        "l'état": 1,
        "www.x.com": 1,  # a URL stops before ’: the token boundaries do not move
        "s": 1,
        "quoted": 1,
    }
    where = {  # the first spelling of each term in the raw text
        "trump's": "Trump’s",
        "plan": "plan",
        "team": "team",
        "it's": "It’s",
        "over": "over",
        "late": "late",
        "l'état": "L’État",
        "www.x.com": "www",
        "s": "s '",
        "quoted": "quoted",
    }
    assert first == {term: text.index(spelling) for term, spelling in where.items()}
    # Trump’s plan . TRUMP'S team . It’s over ; it's late . L’État . www.x.com ’ s ' quoted ’
    assert n_tokens == 20
    # the one-text path (norm_parts, for texts whose lowercase may move offsets) folds too
    _, slow = count_terms("İT’S Σ")
    assert slow.terms == ["it's", "σ"]


def test_a_word_with_soft_hyphens_is_one_term() -> None:
    text = clean("Die Bundes\u00adregierung und die Bundesregierung.")
    _, terms = count_terms(text)
    counts, _ = _as_dicts(terms)
    assert counts == {"die": 2, "bundesregierung": 2, "und": 1}


def test_case_folding_and_first_offsets() -> None:
    text = "Taliban said. The TALIBAN, the taliban."
    _, terms = count_terms(text)
    counts, first = _as_dicts(terms)
    assert counts["taliban"] == 3
    assert first["taliban"] == 0
    assert counts["the"] == 2
    assert first["the"] == text.index("The")
    assert "." not in counts and "," not in counts


def test_punct_and_symbols_are_not_terms() -> None:
    text = "$ £ % + ... . , “ ” ( ) — !"
    n_tokens, terms = count_terms(text)
    assert n_tokens == 13
    assert terms.terms == []


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("taliban", True),
        ("covid-19", True),
        ("u.s.", True),
        ("a", True),
        ("5", True),
        ("1.13bn", True),
        ("_", True),
        ("www.bbc.co.uk", True),
        ("a@b.cd", True),
        # a combining mark with no letter before it is a symbol, and a symbol keeps the marks
        # after it (up to session 38 a lone mark was a word: U+FE0F after ❤ topped rankings)
        ("\u0301", False),
        ("\ufe0f", False),
        ("\u2764\ufe0f", False),
        ("e\u0301", True),
        ("-x@y.cd", True),
        ("i\u0307stanbul", True),
        ("..", True),
        ("...", False),
        (".", False),
        ("$", False),
        ("%", False),
        ("“", False),
        ("—", False),
        ("£", False),
        ("。", False),
    ],
)
def test_is_term(token: str, expected: bool) -> None:
    assert is_term(token) is expected


def test_is_term_agrees_with_token_kinds() -> None:
    text = clean("¯ x ´ 5 ... $ “a” ΟΔΟΣ")  # NFKC makes ¯ and ´ a space + a combining mark
    for token in tokenize(text):
        assert is_term(token.norm) is (token.kind in TERM_KINDS), token


# letters, digits, apostrophes and hyphens are word-internal
_TALIBAN = re.compile(r"(?<![\w'’\-])taliban(?![\w'’\-])", re.IGNORECASE)


def test_analyse_seed() -> None:
    # seed/000_b778bd1770123a64.txt
    figures = analyse(seed_body())
    text = figures.clean_text
    assert text == clean(seed_body())
    assert figures.n_paragraphs == 16
    assert figures.n_sentences == len(sentence_spans(text))
    assert figures.n_tokens >= figures.n_sentences >= figures.n_paragraphs
    assert figures.n_tokens == len(tokenize(text))
    counts, first = _as_dicts(figures.terms)
    expected_counts, expected_first = _expected_terms(text)
    assert counts == dict(expected_counts)
    assert first == expected_first
    assert counts["taliban"] == len(_TALIBAN.findall(text)) > 0
    assert first["taliban"] == _TALIBAN.search(text).start()  # type: ignore[union-attr]
    assert counts["covid-19"] == 1
    assert counts["1980s"] == 1
    assert counts["us-backed"] == 1
    # the typographic apostrophe is written ' in terms: one term for both spellings
    russias = re.compile(r"(?<![\w'’\-])russia['’]s(?![\w'’\-])", re.IGNORECASE)
    assert "’" in text and not any("’" in term for term in counts)
    assert counts["russia's"] == len(russias.findall(text)) >= 1
    assert first["russia's"] == russias.search(text).start()  # type: ignore[union-attr]


def test_analyse_empty() -> None:
    figures = analyse("")
    assert (figures.clean_text, figures.n_paragraphs, figures.n_sentences, figures.n_tokens) == (
        "",
        0,
        0,
        0,
    )
    assert figures.terms == TermColumns([], [], [])


#: Counted by hand from the text (README: words, numbers, URLs and e-mails are terms; money is a
#: symbol plus a number with its unit; punctuation and symbols count in n_tokens only).
_BY_HAND = [
    (
        _TEXTS[0],
        28,  # 27 words and the full stop
        {
            **dict.fromkeys(
                "united states signed an agreement with last year allowing it withdraw its forces"
                " in exchange for a guarantee prevent international terrorism".split(),
                1,
            ),
            "the": 2,
            "taliban": 2,
            "to": 2,
        },
    ),
    (
        _TEXTS[1],
        21,  # 12 words, 3 numbers (76, 1.13bn, 600m), 3 symbols (% $ £), 3 punctuation
        dict.fromkeys(
            (
                "profits at us media giant timewarner jumped 76 to 1.13bn 600m for the three months"
            ).split(),
            1,
        ),
    ),
]


@pytest.mark.parametrize(("text", "n_tokens", "counts"), _BY_HAND)
def test_term_counts_by_hand(text: str, n_tokens: int, counts: dict[str, int]) -> None:
    got_tokens, terms = count_terms(clean(text))
    got_counts, first = _as_dicts(terms)
    assert (got_tokens, got_counts) == (n_tokens, counts)
    lowered = clean(text).lower()
    whole_word = {t: re.search(rf"(?<!\w){re.escape(t)}(?!\w)", lowered) for t in counts}
    assert first == {t: m.start() for t, m in whole_word.items() if m}
