"""Property tests of the text stage: cleaning, tokens, sentences and analysis on arbitrary text."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from etl.text.clean import PARAGRAPH_SEPARATOR, clean
from etl.text.sentences import sentence_spans
from etl.text.terms import analyse, count_terms
from etl.text.tokenize import _TOKEN, TERM_KINDS, normal_form, token_kind, tokenize

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# st.text() alone rarely builds URLs, acronyms or abbreviations: mix in the characters and
# fragments that the tokenizer and the sentence splitter treat specially.
_FRAGMENTS = st.sampled_from(
    [
        "Mr.",
        "U.S.",
        "U.S.A",
        "Gen.",
        "3.5",
        "...",
        "…",
        "don't",
        "COVID-19",
        "$1.13bn",
        "155,221",
        "https://example.com/a?b=1.",
        "www.bbc.co.uk",
        "a.b@example.com",
        "@",
        "://",
        "“",
        "”",
        "’",
        "。",
        "！",
        "？",
        "」",
        "नमस्ते",
        "مرحبا",
        "İ",
        "Σ",
        "ﬁ",
        "１２",
        "\u00a0",
        "\u0301",
        "\u093f",
        "\x00",
        "\x85",
        "\u2028",
        "\r\n",
        "\r",
        "\n",
        "\n\n",
        " ",
        "\t",
        "\x0b",
        "\u1680",
        ".",
        "!",
        "?",
        "-",
        "'",
        "A",
        "b",
        "7",
    ]
)
_TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=3)), max_size=30).map("".join),
)


def _non_space(text: str) -> set[int]:
    return {i for i, ch in enumerate(text) if not ch.isspace()}


@SETTINGS
@given(_TEXTS)
@example("e\x00\u0301")  # a control char between a letter and its accent
@example("\u1100\x7f\u1161")  # ... or between two Hangul jamo that NFKC composes
def test_clean_is_idempotent_and_well_formed(text: str) -> None:
    cleaned = clean(text)
    assert clean(cleaned) == cleaned
    assert cleaned == cleaned.strip()
    for para in cleaned.split(PARAGRAPH_SEPARATOR) if cleaned else []:
        assert para and "\n" not in para
        assert para == " ".join(para.split())


@SETTINGS
@given(_TEXTS)
@example("ΟΔΟΣ.ΑΘΗΝΑ")  # str.lower() of the whole text makes Σ final or not by context
@example("Α.Σ ok")
def test_tokens_are_ordered_slices_covering_all_non_space(text: str) -> None:
    cleaned = clean(text)
    covered: set[int] = set()
    previous_end = 0
    for token in tokenize(cleaned):
        assert previous_end <= token.start < token.end <= len(cleaned)
        surface = cleaned[token.start : token.end]
        assert surface.strip() == surface
        assert token.kind == token_kind(surface)
        assert token.norm == normal_form(surface)
        covered.update(range(token.start, token.end))
        previous_end = token.end
    assert _non_space(cleaned) <= covered


def _kind_in_context(match: re.Match[str]) -> str:
    group = match.lastgroup
    if group in ("acronym", "cjk"):
        return "word"
    if group == "other":
        return "punct" if unicodedata.category(match.group()[0]).startswith("P") else "symbol"
    assert group is not None
    return group


@SETTINGS
@given(_TEXTS)
def test_tokenize_agrees_with_the_full_grouped_pattern(text: str) -> None:
    # The fast split patterns drop alternatives that cannot match; the kind looked up from the
    # surface alone must be the alternative that matched in context.
    cleaned = clean(text)
    expected = [(m.start(), m.end(), _kind_in_context(m)) for m in _TOKEN.finditer(cleaned)]
    assert [(t.start, t.end, t.kind) for t in tokenize(cleaned)] == expected


@SETTINGS
@given(_TEXTS)
def test_sentence_spans_are_disjoint_trimmed_and_cover_all_non_space(text: str) -> None:
    cleaned = clean(text)
    covered: set[int] = set()
    previous_end = 0
    for start, end in sentence_spans(cleaned):
        assert previous_end <= start < end <= len(cleaned)
        sentence = cleaned[start:end]
        assert sentence == sentence.strip()
        assert PARAGRAPH_SEPARATOR not in sentence
        covered.update(range(start, end))
        previous_end = end
    assert covered >= _non_space(cleaned)


@SETTINGS
@given(_TEXTS)
@example("¯")  # NFKC: " \u0304", a lone combining mark: a symbol since text-10, no term
def test_analyse_never_raises_and_is_consistent(text: str) -> None:
    figures = analyse(text)
    assert figures.clean_text == clean(text)
    assert figures.n_paragraphs <= figures.n_sentences
    tokens = tokenize(figures.clean_text)
    assert figures.n_tokens == len(tokens)
    expected = Counter(t.norm for t in tokens if t.kind in TERM_KINDS)
    terms = figures.terms
    assert dict(zip(terms.terms, terms.counts, strict=True)) == expected
    first = {}
    for token in tokens:
        first.setdefault(token.norm, token.start)
    assert terms.first_offsets == [first[t] for t in terms.terms]
    assert count_terms(figures.clean_text)[0] == len(tokens)


def test_full_pattern_groups() -> None:
    # Guard for the comparison above: the full pattern has one named group per alternative.
    assert set(_TOKEN.groupindex) == {"url", "email", "acronym", "number", "word", "cjk", "other"}


@SETTINGS
@given(_TEXTS)
def test_text_stage_never_raises_and_its_columns_line_up(text: str) -> None:
    import pyarrow as pa

    from etl.load.staging import SCHEMAS
    from etl.text.batch import process_batch

    row = dict.fromkeys(SCHEMAS["ingested"].names)
    row.update(article_id="0" * 64, path="p.txt", body=text, raw_text=text)
    out = process_batch(pa.Table.from_pylist([row], schema=SCHEMAS["ingested"]))
    assert len(out.articles) + len(out.quarantine) == 1
    assert out.terms.schema == SCHEMAS["terms"]
    for article in out.articles:
        assert 0.0 <= article["language_confidence"] <= 1.0
        assert (article["minhash"] is None) == (article["lsh_bands"] is None)
    # the staged tables accept every column as typed
    pa.Table.from_pylist(out.articles, schema=SCHEMAS["articles"])
    pa.table(out.terms.to_pydict(), schema=SCHEMAS["terms"])


@SETTINGS
@given(st.lists(_TEXTS, max_size=4))
def test_count_batch_equals_each_text_on_its_own(texts: list[str]) -> None:
    from etl.text.terms import count_batch

    cleaned = [clean(t) for t in texts]
    counted = count_batch(cleaned)
    assert counted.n_tokens == [len(tokenize(t)) for t in cleaned]
    rows = counted.terms.to_pylist()
    for i, text in enumerate(cleaned):
        tokens = tokenize(text)
        first: dict[str, int] = {}
        counts: Counter[str] = Counter()
        for token in tokens:
            if token.kind in TERM_KINDS:
                first.setdefault(token.norm, token.start)
                counts[token.norm] += 1
        mine = [r for r in rows if r["text"] == i]
        assert [(r["term"], r["count"], r["first_offset"]) for r in mine] == [
            (term, counts[term], offset) for term, offset in first.items()
        ]
        assert counted.words(i) == [t.norm for t in tokens if t.kind in TERM_KINDS]
        for r in mine:
            assert r["kind"] == token_kind(r["term"])


@SETTINGS
@given(_TEXTS)
def test_sentence_count_equals_the_spans(text: str) -> None:
    from etl.text.sentences import sentence_count

    cleaned = clean(text)
    assert sentence_count(cleaned) == len(sentence_spans(cleaned))


def _paragraphs_block_by_block(text: str) -> list[str]:
    """The first implementation of :func:`etl.text.clean.paragraphs`, kept as its reference."""
    from etl.text.clean import _CONTROL, _NEWLINES, _PARAGRAPH_BREAK

    text = _NEWLINES.sub("\n", text)
    # vertical tab, form feed and the information separators are spaces (text-6)
    text = text.translate(dict.fromkeys((0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x1F), " "))
    text = _CONTROL.sub("", text).replace("\u00ad", "")  # soft hyphens
    text = unicodedata.normalize("NFKC", text)
    blocks = (" ".join(block.split()) for block in _PARAGRAPH_BREAK.split(text))
    return [block for block in blocks if block]


@SETTINGS
@given(_TEXTS)
@example("a \n \n b\n\n\n\n c \x00 d\x01\n")
@example("\u00ad \n\n Bundes\u00adregierung")
@example("0\x1f0 a\x0cb\x0b")
def test_paragraphs_equal_the_block_by_block_reference(text: str) -> None:
    from etl.text.clean import paragraphs

    assert paragraphs(text) == _paragraphs_block_by_block(text)


@SETTINGS
@given(st.lists(_TEXTS, max_size=5))
def test_bulk_signatures_equal_one_by_one(texts: list[str]) -> None:
    from etl.text.minhash import signature, signatures, word_hashes
    from etl.text.terms import count_batch

    counted = count_batch([clean(t) for t in texts])
    vocabulary_hash = word_hashes(counted.vocabulary)
    bulk = signatures([vocabulary_hash[counted.word_ids(i)] for i in range(len(texts))])
    assert bulk == [signature(counted.words(i)) for i in range(len(texts))]
