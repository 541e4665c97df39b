"""The summary's headline figures describe the warehouse as it stands (session 20).

An analyst-answers audit found three figures counting history: "files refused whole" counted
every ledger row ever quarantined (a file fixed and loaded since still counted), "quarantine N
records" counted a record once per run that refused it (a file too large to read is refused by
every run), and "vocabulary" counted terms no article holds any more (``dim_term`` keeps the
terms of articles a replace removed). Expected figures are literals or plain SQL on the facts.
"""

from __future__ import annotations

from pathlib import Path

from etl import pipeline
from etl.report import summarise

from .helpers import query, settings_for

BODY = "{words} said the spokesman on Monday.\n\nA second paragraph follows here."


def _write(path: Path, day: str, words: str) -> None:
    path.write_bytes(f" date {day} {BODY.format(words=words)}".encode())


def test_figures_count_the_current_state_once(tmp_path: Path) -> None:
    zone = tmp_path / "zone"
    day = zone / "2024-03-04"
    day.mkdir(parents=True)
    _write(day / "a.txt", "2024-03-04", "Harbour cranes resumed work")
    _write(day / "b.txt", "2024-03-04", "Quokkas overran Zanzibar")
    (day / "empty.txt").write_bytes(b"")
    (day / "huge.txt").write_bytes(b"x" * 5000)  # over max_file_bytes: never read
    s = settings_for(zone, tmp_path, write_reports=False, max_file_bytes=4000)
    pipeline.run(s)
    pipeline.run(s)  # everything is unchanged: huge.txt's refusal is remembered
    first = summarise(s.warehouse)
    assert (first.quarantine_records, first.quarantine_record_files) == (2, 2)
    assert dict(first.quarantine_reasons) == {"empty": 1, "too_large": 1}
    # empty.txt, and huge.txt: refused unread, so never in the ledger, but refused whole all the
    # same (counted 0 before session 30, while the quarantine line named it)
    assert first.quarantined_files == 2
    ((rows,),) = query(s.warehouse, "SELECT count(*) FROM quarantine")
    assert rows == 2  # one row each: a refusal found again adds none (huge.txt's was twice)

    # empty.txt gets text and loads; b.txt changes, and a replace run removes its old article.
    _write(day / "empty.txt", "2024-03-04", "Ferries sailed again")
    _write(day / "b.txt", "2024-03-04", "Wombats voted")
    ((only_b,),) = query(
        s.warehouse,
        "SELECT count(*) FROM (SELECT term_id FROM fact_article_term GROUP BY term_id "
        "HAVING count(DISTINCT article_id) = 1 AND any_value(article_id) IN "
        "(SELECT article_id FROM fact_article WHERE source_file LIKE '%b.txt'))",
    )
    assert only_b >= 2  # "quokkas" and "zanzibar" at least
    terms_before = first.terms
    pipeline.run(s, mode="replace")
    after = summarise(s.warehouse)
    assert (after.quarantine_records, after.quarantine_record_files) == (1, 1)
    assert dict(after.quarantine_reasons) == {"too_large": 1}
    assert after.quarantined_files == 1  # huge.txt, still too large
    ((in_use,),) = query(s.warehouse, "SELECT count(DISTINCT term_id) FROM fact_article_term")
    ((in_dim,),) = query(s.warehouse, "SELECT count(*) FROM dim_term")
    assert after.terms == in_use < in_dim
    ((new_terms,),) = query(
        s.warehouse,
        "SELECT count(*) FROM (SELECT term_id FROM fact_article_term GROUP BY term_id "
        "HAVING count(DISTINCT article_id) = 1 AND any_value(article_id) IN (SELECT article_id "
        "FROM fact_article WHERE source_file LIKE '%b.txt' OR source_file LIKE '%empty.txt'))",
    )
    assert after.terms == terms_before - only_b + new_terms


def test_the_headline_terms_leave_boilerplate_out_as_the_rankings_do(tmp_path: Path) -> None:
    # 40 Reuters articles: the headline ranked the sign-off "reuter" second (27), top_terms left it
    # out. Six articles of one source end with the same line; each has one word of its own.
    from etl.marts import refresh_marts

    zone = tmp_path / "zone" / "2024-03-04"
    zone.mkdir(parents=True)
    words = ["harbour", "quokka", "zanzibar", "ferry", "wombat", "glacier"]
    for k, word in enumerate(words):
        text = f" date 2024-03-04 The {word} story, number {k}, was filed.\n\nREUTER\n"
        (zone / f"{k}.txt").write_text(text, encoding="utf-8")
    s = settings_for(tmp_path / "zone", tmp_path, write_reports=False)
    pipeline.run(s)
    assert ("reuter", 6) in summarise(s.warehouse).top_terms  # before the lines are known
    refresh_marts(s)
    assert query(s.warehouse, "SELECT line FROM boilerplate_line") == [("reuter",)]

    headline = summarise(s.warehouse, top=20).top_terms
    assert "reuter" not in [term for term, _ in headline]
    ranked = query(
        s.warehouse, "SELECT term, occurrences FROM top_terms('2024-03-04', '2024-03-04', 20)"
    )
    assert [tuple(row) for row in headline] == [r for r in ranked if len(r[0]) >= 2]
    assert ("story", 6) in headline
