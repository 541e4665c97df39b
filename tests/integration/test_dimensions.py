"""Every dimension has one row per key and no join to it fans out; the post-load checks refuse
a load that would break that, for ``dim_stem``, ``dim_language`` and ``dim_story`` too."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from etl import pipeline
from etl.settings import Settings
from etl.validate.runner import suite_parameters
from etl.validate.warehouse import check_warehouse

from .helpers import query, settings_for

DAY = date(2024, 3, 4)

ENGLISH = (
    "The central bank raised interest rates on Tuesday for the third time this year, "
    "citing persistent inflation in services and a labour market that remains tight. "
    "Economists had expected the move, although several had argued for a pause. "
    "The governor said further increases were possible if wage growth did not slow.\n\n"
    "Markets reacted calmly, with the currency little changed against the dollar and "
    "government bond yields edging higher in afternoon trading across the region."
)
FRENCH = (
    "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui doit être "
    "présentée au conseil des ministres le mois prochain. Les syndicats et les partis de "
    "l'opposition ont vivement critiqué le projet.\n\nLa ministre du travail a défendu un "
    "texte qu'elle juge nécessaire pour l'équilibre des comptes publics."
)
GERMAN = (
    "Die Bundesregierung hat am Dienstag ein neues Gesetz zur Förderung erneuerbarer "
    "Energien beschlossen. Die Opposition und die Gewerkschaften kritisierten den Entwurf "
    "scharf.\n\nDer Minister verteidigte die Pläne und sprach von einem wichtigen Schritt "
    "für das ganze Land."
)

#: fact table, its key column, dimension, the dimension's key: every join that must not fan out
JOINS = [
    ("fact_article", "published_date", "dim_date", "date_key"),
    ("fact_article", "source_id", "dim_source", "source_id"),
    ("fact_article", "language_code", "dim_language", "language_code"),
    ("fact_article", "story_id", "dim_story", "story_id"),
    ("fact_article_term", "term_id", "dim_term", "term_id"),
    ("fact_article_term", "stem_id", "dim_stem", "stem_id"),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A warehouse holding English (an article and a near-copy: one story), French and German."""
    tmp = tmp_path_factory.mktemp("dimensions")
    landing = tmp / "landing"
    (landing / "wire").mkdir(parents=True)
    day = DAY.isoformat()
    (landing / "wire" / "en.txt").write_text(f" date {day} {ENGLISH}", encoding="utf-8")
    copy = ENGLISH.replace("afternoon trading", "late trading")
    (landing / "wire" / "en-copy.txt").write_text(f" date {day} {copy}", encoding="utf-8")
    (landing / "wire" / "fr.txt").write_text(f" date {day} {FRENCH}", encoding="utf-8")
    (landing / "wire" / "de.txt").write_text(f" date {day} {GERMAN}", encoding="utf-8")
    settings = settings_for(landing, tmp, write_reports=False)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 4
    return settings


@pytest.mark.parametrize(("fact", "column", "dim", "key"), JOINS, ids=[j[2] for j in JOINS])
def test_one_row_per_key_and_no_fan_out(
    loaded: Settings, fact: str, column: str, dim: str, key: str
) -> None:
    ((rows, keys),) = query(loaded.warehouse, f"SELECT count(*), count(DISTINCT {key}) FROM {dim}")
    assert rows == keys > 0
    ((facts,),) = query(loaded.warehouse, f"SELECT count(*) FROM {fact}")
    ((joined,),) = query(
        loaded.warehouse, f"SELECT count(*) FROM {fact} f JOIN {dim} d ON d.{key} = f.{column}"
    )
    assert joined == facts  # every fact row finds exactly one dimension row


def test_languages_stories_and_french_stopwords(loaded: Settings) -> None:
    languages = dict(
        query(
            loaded.warehouse,
            "SELECT regexp_extract(source_file, '([a-z-]+)\\.txt', 1), language_code"
            " FROM fact_article",
        )
    )
    assert languages == {"en": "en", "en-copy": "en", "fr": "fr", "de": "de"}
    ((stories,),) = query(loaded.warehouse, "SELECT count(DISTINCT story_id) FROM fact_article")
    assert stories == 3  # the near-copy joins the English article's story
    flags = dict(
        query(
            loaded.warehouse,
            "SELECT t.term, f.is_stopword FROM fact_article_term f JOIN dim_term t USING (term_id)"
            " JOIN fact_article a USING (article_id) WHERE a.language_code = 'fr'",
        )
    )
    # French stopwords (the stop-words list), and content words, by hand:
    assert {w: flags[w] for w in ("le", "la", "les", "et", "des", "une", "a")} == dict.fromkeys(
        ("le", "la", "les", "et", "des", "une", "a"), True
    )
    assert {w: flags[w] for w in ("gouvernement", "réforme", "syndicats")} == dict.fromkeys(
        ("gouvernement", "réforme", "syndicats"), False
    )


#: A duplicated row of each dimension, as a planted loader bug would write it.
DUPLICATES = {
    "dim_stem": "INSERT INTO dim_stem SELECT * FROM dim_stem WHERE stem_id IN"
    " (SELECT stem_id FROM fact_article_term LIMIT 1)",
    "dim_language": "INSERT INTO dim_language SELECT * FROM dim_language"
    " WHERE language_code = 'fr'",
    "dim_story": "INSERT INTO dim_story SELECT * FROM dim_story LIMIT 1",
    "dim_term": "INSERT INTO dim_term SELECT * FROM dim_term WHERE term_id IN"
    " (SELECT term_id FROM fact_article_term LIMIT 1)",
    "dim_source": "INSERT INTO dim_source SELECT * FROM dim_source LIMIT 1",
}


@pytest.mark.parametrize("dim", sorted(DUPLICATES))
def test_post_load_checks_refuse_a_duplicated_dimension_row(
    loaded: Settings, tmp_path: Path, dim: str
) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(loaded.warehouse.read_bytes())
    params = suite_parameters(DAY, DAY, loaded)
    con = duckdb.connect(str(copy))
    try:
        clean = check_warehouse(con, {DAY: 4}, loaded.schemas_dir / "expectations", params)
        assert all(row["success"] for row in clean.checks), [
            r for r in clean.checks if not r["success"]
        ]
        con.execute(DUPLICATES[dim])
        broken = check_warehouse(con, {DAY: 4}, loaded.schemas_dir / "expectations", params)
    finally:
        con.close()
    failed = {(r["suite"], r["column_name"]) for r in broken.checks if not r["success"]}
    assert ("warehouse_dimension", "dimension,key") in failed, failed
