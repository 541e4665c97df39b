"""Text processing on the real corpora: language accuracy on fundus, stories on seed and reuters."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from pathlib import Path

import pytest

from etl import pipeline
from etl.load.stories import story_id_for
from etl.text.clean import clean
from etl.text.language import detect_language

from .helpers import query, settings_for

FIXTURE = Path(__file__).parents[1] / "fixtures" / "fundus_languages.tsv"
SEED_FILE = "000_b778bd1770123a64.txt"


def _expected_languages() -> list[dict[str, str]]:
    lines = [
        ln for ln in FIXTURE.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_language_id_on_fundus_is_right_for_95_percent(corpora: Path) -> None:
    rows = _expected_languages()
    assert len(rows) == 258
    confusions: Counter[tuple[str, str]] = Counter()
    right = 0
    for row in rows:
        text = (corpora / "fundus" / row["file"]).read_text(encoding="utf-8", errors="replace")
        got = detect_language(clean(text)).code
        if got == row["language"]:
            right += 1
        else:
            confusions[row["language"], got] += 1
    assert right / len(rows) >= 0.95, confusions
    # Germanic neighbours and the isiXhosa/isiZulu pair are where a model may slip; nothing else.
    assert sum(confusions.values()) <= 5, confusions


@pytest.fixture(scope="module")
def seed_and_rewrite(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("stories")
    landing = tmp / "landing"
    landing.mkdir()
    shutil.copy(corpora / "seed" / SEED_FILE, landing / SEED_FILE)
    text = (corpora / "seed" / SEED_FILE).read_text(encoding="utf-8")
    paragraphs = text.split("\n\n")
    # Reword one paragraph (the third) completely, as a second outlet would.
    paragraphs[2] = "A second outlet summarised the meeting in its own words, adding no new facts."
    (landing / "rewrite.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
    settings = settings_for(landing, tmp)
    assert pipeline.run(settings).articles_loaded == 2
    return settings.warehouse


def test_seed_and_its_rewrite_are_one_story(seed_and_rewrite: Path) -> None:
    rows = query(
        seed_and_rewrite,
        "SELECT a.source_file, a.story_id, m.matched_article_id IS NULL, m.similarity "
        "FROM fact_article a JOIN story_member m USING (article_id) ORDER BY a.published_date, "
        "a.article_id",
    )
    assert len({story for _, story, _, _ in rows}) == 1
    founder = [r for r in rows if r[2]]
    assert len(founder) == 1
    ((founding_id, story_id),) = query(
        seed_and_rewrite, "SELECT founding_article_id, story_id FROM dim_story"
    )
    assert story_id == story_id_for(founding_id) == rows[0][1]
    assert all(r[3] is None or r[3] >= 0.5 for r in rows)


def test_story_ids_survive_a_rebuild(seed_and_rewrite: Path, tmp_path: Path) -> None:
    before = query(seed_and_rewrite, "SELECT article_id, story_id FROM fact_article ORDER BY 1")
    landing = Path(query(seed_and_rewrite, "SELECT max(landing) FROM ingest_ledger")[0][0])
    # Rebuild the partition from a fresh listing (replace mode) into the same warehouse.
    settings = settings_for(landing, seed_and_rewrite.parent)
    con_rows_before = query(seed_and_rewrite, "SELECT count(*) FROM dim_story")
    for f in landing.iterdir():
        f.touch()  # new mtime: the ledger re-reads both files
    pipeline.run(settings, mode="replace")
    after = query(seed_and_rewrite, "SELECT article_id, story_id FROM fact_article ORDER BY 1")
    assert after == before
    assert query(seed_and_rewrite, "SELECT count(*) FROM dim_story") == con_rows_before


@pytest.fixture(scope="module")
def reuters_warehouse(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("reuters-stories")
    settings = settings_for(corpora / "reuters", tmp)
    pipeline.run(settings)
    return settings.warehouse


@pytest.mark.slow
def test_reuters_repeated_wire_items_are_grouped(reuters_warehouse: Path) -> None:
    ((stories, multi, articles, in_multi),) = query(
        reuters_warehouse,
        "SELECT count(*), count(*) FILTER (WHERE n > 1), sum(n), sum(n) FILTER (WHERE n > 1) "
        "FROM (SELECT story_id, count(*) AS n FROM fact_article GROUP BY 1)",
    )
    # Every article is in exactly one story; articles are distinct cleaned texts.
    ((distinct_texts,),) = query(
        reuters_warehouse, "SELECT count(DISTINCT clean_text) FROM article_text"
    )
    assert articles == distinct_texts > 2700
    # Measured with text-3: 2686 stories, 50 of them with more than one article (101 articles).
    assert 40 <= multi <= 80, (stories, multi, in_multi)
    assert stories == articles - in_multi + multi
    # every member of a multi-article story was matched at or above the threshold
    ((low,),) = query(
        reuters_warehouse,
        "SELECT count(*) FROM story_member"
        " WHERE matched_article_id IS NOT NULL AND similarity < 0.5",
    )
    assert low == 0
    # the stars: every fact row has a story and a language, every story a dimension row
    ((orphans,),) = query(
        reuters_warehouse,
        "SELECT count(*) FROM fact_article a LEFT JOIN dim_story s USING (story_id) "
        "LEFT JOIN dim_language l USING (language_code) "
        "WHERE s.story_id IS NULL OR l.language_code IS NULL",
    )
    assert orphans == 0


def test_bulk_language_id_equals_py3langid(corpora: Path) -> None:
    """detect_languages runs py3langid's byte automaton for a whole batch in numpy: the answers
    must be py3langid's own, text for text."""
    from etl.text.language import SAMPLE_CHARS, UNDETERMINED, _identifier, detect_languages

    files = (
        sorted((corpora / "fundus").rglob("*.txt"))
        + sorted((corpora / "reuters").rglob("*.txt"))[:300]
    )
    texts = [clean(f.read_text(encoding="utf-8", errors="replace")) for f in files]
    texts += ["", "123 456", "ΟΔΟΣ ΑΘΗΝΩΝ", "ALL CAPS HEADLINE HERE", "日本語のテキスト", "x"]
    identifier = _identifier()

    def reference(text: str) -> tuple[str, float]:
        sample = text[:SAMPLE_CHARS]
        if not any(ch.isalpha() for ch in sample):
            return UNDETERMINED, 0.0
        code, prob = identifier.classify(sample)
        return str(code), round(float(prob), 4)

    got = [tuple(language) for language in detect_languages(texts)]
    assert got == [reference(text) for text in texts]


def test_compiled_scan_equals_re_on_the_corpora(corpora: Path) -> None:
    """The compiled automaton gives ``re``'s tokens on every real text it is given (all of
    fundus's languages and all of reuters), and flags only a few texts for ``re``."""
    from etl.text.compiled_scan import compiled_token_lists, needs_re
    from etl.text.tokenize import lowercase_form, lowercase_tokens

    files = sorted((corpora / "fundus").rglob("*.txt")) + sorted((corpora / "reuters").glob("*"))
    cleaned = [clean(f.read_text(encoding="utf-8", errors="replace")) for f in files]
    lowered = [low for low in map(lowercase_form, cleaned) if low is not None]
    assert len(lowered) > 0.99 * len(cleaned)
    risky = needs_re(lowered)
    assert 0 < risky.sum() < 0.02 * len(lowered)
    taken = [low for low, flag in zip(lowered, risky, strict=True) if not flag]
    for start in range(0, len(taken), 500):
        batch = taken[start : start + 500]
        for group in ([t for t in batch if t.isascii()], [t for t in batch if not t.isascii()]):
            if group:
                got = compiled_token_lists(group).to_pylist()
                assert got == [lowercase_tokens(text) for text in group]
