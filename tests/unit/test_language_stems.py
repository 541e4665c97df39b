"""Language id, stems and stopwords on real sentences from ../shared/corpora."""

from __future__ import annotations

import pyarrow as pa
import pytest

from etl.load.staging import SCHEMAS
from etl.text.batch import normal_forms, process_batch
from etl.text.clean import clean
from etl.text.language import UNDETERMINED, detect_language, language_name
from etl.text.minhash import NUM_PERM, band_key_rows, band_keys, signature, similarity
from etl.text.stems import stem_terms, stopword_flags

from ._corpora import seed_body


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # seed/000_b778bd1770123a64.txt
        ("Russian Foreign Minister Sergei Lavrov on Wednesday met Pakistan's army chief.", "en"),
        # fundus/000_d0850ae99502154d.txt (DerStandard)
        ("Nach Kalifat-Rufen in Hamburg: Sind wir zu sanft zu Islamisten?", "de"),
        # fundus/144_809cc455abb05675.txt (AsahiShimbun)
        ("気象庁は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。", "ja"),
        # fundus/157_b55b8367caaf2c79.txt (LBCGroup)
        ("أثار ظهور دونالد ترامب بشعرٍ مائل إلى اللون الوردي خلال خطاب ألقاه في واشنطن", "ar"),
    ],
)
def test_detect_language_on_real_sentences(text: str, code: str) -> None:
    language = detect_language(clean(text))
    assert language.code == code
    assert 0.5 < language.confidence <= 1.0


def test_undetermined_without_letters() -> None:
    assert detect_language("12,5 % — 3/4") == (UNDETERMINED, 0.0)
    assert language_name("de") == "German"
    assert language_name(UNDETERMINED) == "Undetermined"


def test_language_names_name_languages_not_locales() -> None:
    """Babel parses ``tl`` as the locale ``fil_PH``: its name was "Filipino (Philippines)" (probe
    C). Every code the detector can say is named as a language, with no territory."""
    from etl.text.language import known_languages

    assert language_name("tl") == "Tagalog"
    assert [language_name(c) for c in ("nb", "zh", "pt")] == [
        "Norwegian Bokmål",
        "Chinese",
        "Portuguese",
    ]
    names = {code: language_name(code) for code in known_languages()}
    assert [code for code, name in names.items() if "(" in name or name == code] == []


def test_stems_count_troops_with_troop() -> None:
    # A stem per language, and only words are stemmed ("troops": reuters/0224_865c210f5acb2e91.txt).
    terms = ["troops", "troop", "talks", "1.13bn", "u.s."]
    kinds = ["word", "word", "word", "number", "word"]
    assert stem_terms("en", terms, kinds) == ["troop", "troop", "talk", "1.13bn", "u.s."]
    # fundus/000_d0850ae99502154d.txt: "Islamisten"
    assert stem_terms("de", ["islamisten", "islamist"], ["word", "word"]) == ["islamist"] * 2
    # no Snowball stemmer for Japanese: the term is its own stem
    assert stem_terms("ja", ["地震"], ["word"]) == ["地震"]


def test_every_snowball_stemmer_pystemmer_ships_is_used() -> None:
    """Czech and Polish terms were their own stems, Snowball's stemmers for them unused (probe):
    the map now names every algorithm but the two alternatives, each for a language the
    language detector can say."""
    import Stemmer

    from etl.text.language import known_languages
    from etl.text.stems import SNOWBALL

    assert set(SNOWBALL.values()) == set(Stemmer.algorithms()) - {"porter", "dutch_porter"}
    # nb: the stopword lists' name of Norwegian; yi: a stemmer the detector never asks for
    assert set(SNOWBALL) - {"nb", "yi"} <= set(known_languages())


@pytest.mark.parametrize(
    ("language", "words", "stem"),
    [
        ("cs", ["vláda", "vlády", "vládu", "vládě"], "vlád"),
        ("pl", ["rozmowy", "rozmowa", "rozmowach"], "rozmow"),
    ],
)
def test_czech_and_polish_forms_share_a_stem(language: str, words: list[str], stem: str) -> None:
    assert stem_terms(language, words, ["word"] * len(words)) == [stem] * len(words)


def test_stopwords_per_language() -> None:
    assert stopword_flags("en", ["the", "troops", "on"]) == [True, False, True]
    assert stopword_flags("de", ["sind", "wir", "hamburg"]) == [True, True, False]
    assert stopword_flags("no", ["og", "fjord"]) == [True, False]  # py3langid "no" → list "nb"
    assert stopword_flags("xx", ["the"]) == [False]


def test_normal_forms_depend_on_the_language() -> None:
    stems, stops = normal_forms(["die", "die"], ["word", "word"], ["en", "de"])
    assert stems == ["die", "die"]
    assert stops == [False, True]  # "die" is a German article, an English verb


def test_minhash_of_a_reworded_copy() -> None:
    words = clean(seed_body()).lower().split()
    original = signature(words)
    assert original is not None and len(original) == NUM_PERM
    reworded = signature([*words[:40], "entirely", "new", "words", "here", *words[48:]])
    assert reworded is not None
    assert similarity(original, reworded) > 0.8
    assert signature([]) is None and band_keys(None) is None
    keys = band_keys(original)
    assert keys is not None and all(k >= 0 for k in keys)


def _band_keys_by_hand(sig: list[int]) -> list[int]:
    """The LSH band keys as the module's docstring defines them, in plain Python integers: each
    band's ``ROWS`` positions folded with the FNV-1 64-bit prime modulo 2**64, halved."""
    keys = []
    for band in range(32):
        key = 0
        for row in range(4):
            key = (key * 0x100000001B3 + sig[band * 4 + row]) % 2**64
        keys.append(key >> 1)
    return keys


def test_band_keys_of_many_signatures_equal_the_definition() -> None:
    words = clean(seed_body()).lower().split()
    first, second = signature(words), signature(words[::-1])
    assert first is not None and second is not None
    assert band_keys(first) == _band_keys_by_hand(first)
    expected = [_band_keys_by_hand(first), None, _band_keys_by_hand(second), None]
    assert band_key_rows([first, None, second, None]) == expected
    assert band_key_rows([None]) == [None] and band_key_rows([]) == []
    top = [2**32 - 1] * NUM_PERM  # the largest positions wrap around 2**64 in the fold
    assert band_key_rows([top]) == [_band_keys_by_hand(top)]


def test_process_batch_columns() -> None:
    row = dict.fromkeys(SCHEMAS["ingested"].names)
    row.update(article_id="a" * 64, path="x.txt", body=seed_body(), raw_text=seed_body())
    out = process_batch(pa.Table.from_pylist([row], schema=SCHEMAS["ingested"]))
    (article,) = out.articles
    assert article["language_code"] == "en"
    assert article["language_name"] == "English"
    columns = out.terms.to_pydict()
    terms = dict(zip(columns["term"], columns["stem"], strict=True))
    assert terms["relations"] == "relat"
    stops = dict(zip(columns["term"], columns["is_stopword"], strict=True))
    assert stops["the"] and not stops["relations"]
    assert len(article["lsh_bands"]) == 32


def test_typographic_apostrophes_stem_and_stop_like_straight_ones() -> None:
    body = (
        "It’s the council’s plan, and it's Trump’s too. We don’t know what the council's "
        "members think of the plan, but they’re meeting on Monday to discuss the budget."
    )
    row = dict.fromkeys(SCHEMAS["ingested"].names)
    row.update(article_id="a" * 64, path="x.txt", body=body, raw_text=body)
    out = process_batch(pa.Table.from_pylist([row], schema=SCHEMAS["ingested"]))
    assert out.articles[0]["language_code"] == "en"
    columns = out.terms.to_pydict()
    rows = {
        t: (n, s, stop)
        for t, n, s, stop in zip(
            columns["term"], columns["count"], columns["stem"], columns["is_stopword"], strict=True
        )
    }
    # stopwords of the English list (spelled with ') and Snowball's possessive rule ('s)
    assert rows["it's"] == (2, "it", True)
    assert rows["don't"] == (1, "don't", True)
    assert rows["they're"] == (1, "they'r", True)
    assert rows["council's"] == (2, "council", False)
    assert rows["trump's"] == (1, "trump", False)
    assert not [t for t in rows if "’" in t]


def test_process_batch_stages_the_loaders_keys() -> None:
    from etl.load.keys import stable_id

    row = dict.fromkeys(SCHEMAS["ingested"].names)
    row.update(article_id="a" * 64, path="x.txt", body=seed_body(), raw_text=seed_body())
    out = process_batch(pa.Table.from_pylist([row], schema=SCHEMAS["ingested"]))
    columns = out.terms.to_pydict()
    assert columns["term_id"] == [stable_id(t) for t in columns["term"]]
    assert columns["stem_id"] == [stable_id(f"en:{s}") for s in columns["stem"]]


@pytest.mark.parametrize("chunk", [1, 7, 50])
def test_bulk_signatures_over_chunks_equal_one_by_one(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    import etl.text.minhash as minhash

    words = clean(seed_body()).lower().split()
    repeated = ["again", "and", "again", "and"] * 30  # the same shingles over and over
    texts = [words, [], words[:3], words[10:200], ["one"], words[::-1], repeated, words[:4]]
    expected = [minhash.signature(w) for w in texts]
    monkeypatch.setattr(minhash, "_CHUNK_SHINGLES", chunk)  # articles span chunks
    assert minhash.signatures([minhash.word_hashes(w) for w in texts]) == expected
