"""agg_daily_term stays equal to the sums of fact_article_term through every kind of load."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path

from etl import backfill, pipeline
from etl.sample import generate_sample

from .helpers import query, settings_for

Sums = dict[tuple[date, int], tuple[int, int, int, int]]


def _from_facts(wh: Path) -> Sums:
    """(day, term) → articles, occurrences and their stopword parts, summed in Python."""
    sums: defaultdict[tuple[date, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows = query(wh, "SELECT published_date, term_id, count, is_stopword FROM fact_article_term")
    for day, term_id, count, stop in rows:
        s = sums[(day, term_id)]
        s[0], s[1] = s[0] + 1, s[1] + count
        if stop:
            s[2], s[3] = s[2] + 1, s[3] + count
    return {key: (a, o, sa, so) for key, (a, o, sa, so) in sums.items()}


def _stored(wh: Path) -> Sums:
    rows = query(
        wh,
        "SELECT published_date, term_id, articles, occurrences, stopword_articles,"
        " stopword_occurrences FROM agg_daily_term",
    )
    return {(d, t): (a, o, sa, so) for d, t, a, o, sa, so in rows}


def _terms_on(wh: Path, day: date) -> set[str]:
    rows = query(
        wh,
        "SELECT t.term FROM agg_daily_term a JOIN dim_term t USING (term_id)"
        " WHERE a.published_date = ?",
        [day],
    )
    return {term for (term,) in rows}


def _write(folder: Path, name: str, day: date, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f" date {day.isoformat()} {text}\n", encoding="utf-8")


def test_daily_term_counts_follow_merge_replace_and_rebuild(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    days = generate_sample(landing).dates
    settings = settings_for(landing, tmp_path / "w", write_reports=False)

    pipeline.run(settings, partition_date=days[0])
    assert _stored(settings.warehouse) == _from_facts(settings.warehouse) != {}
    pipeline.run(settings)  # merge: the other days
    assert _stored(settings.warehouse) == _from_facts(settings.warehouse)
    assert {d for d, _ in _stored(settings.warehouse)} == set(days)

    # rebuild: a file of day 1 now says something else; its old article and terms go away
    day1 = landing / f"dt={days[1].isoformat()}"
    victim = sorted(day1.rglob("*.txt"))[0]
    _write(victim.parent, victim.name, days[1], "Quokkas overran the harbour of Zanzibar today.")
    backfill.rebuild_partition(settings, days[1])
    assert _stored(settings.warehouse) == _from_facts(settings.warehouse)
    assert {"quokkas", "zanzibar"} <= _terms_on(settings.warehouse, days[1])

    # replace: day 2 holds the articles of its files as they are now, the run's one new article
    # among them (until session 20 it held that one alone, and the ledger still called the other
    # files loaded); then, the other files gone, exactly the new one.
    # (Five distinct terms at least: a shorter text is a stub, quarantined by the article suite.)
    day2 = landing / f"dt={days[2].isoformat()}"
    before = _terms_on(settings.warehouse, days[2])
    text = "Wombats voted against koalas in Canberra."
    _write(day2 / "late", "x.txt", days[2], text)
    pipeline.run(settings, partition_date=days[2], mode="replace")
    assert _stored(settings.warehouse) == _from_facts(settings.warehouse)
    expected = {"wombats", "voted", "against", "koalas", "in", "canberra"}
    assert _terms_on(settings.warehouse, days[2]) == before | expected
    for f in day2.rglob("*"):
        if f.is_file() and f.name != "x.txt":
            f.unlink()
    _write(day2 / "late", "x.txt", days[2], text + " Again.")
    pipeline.run(settings, partition_date=days[2], mode="replace")
    assert _stored(settings.warehouse) == _from_facts(settings.warehouse)
    assert _terms_on(settings.warehouse, days[2]) == expected | {"again"}


def test_a_run_appends_its_facts_in_day_and_article_order(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    generate_sample(landing)
    settings = settings_for(landing, tmp_path / "w", write_reports=False)
    pipeline.run(settings)
    for table in ("fact_article_term", "article_text", "fact_article"):
        ((out_of_order, rows),) = query(
            settings.warehouse,
            f"""
            SELECT count(*) FILTER (WHERE prev_date IS NOT NULL
                                    AND (published_date, article_id) < (prev_date, prev_id)),
                   count(*)
            FROM (SELECT published_date, article_id,
                         lag(published_date) OVER (ORDER BY rowid) AS prev_date,
                         lag(article_id) OVER (ORDER BY rowid) AS prev_id
                  FROM {table})
            """,
        )
        assert rows > 30 and out_of_order == 0, table


def test_status_top_terms_equal_the_sums_of_the_facts(tmp_path: Path) -> None:
    """``news-etl status`` reads its top terms from agg_daily_term; they are the facts' sums of
    non-stopword occurrences of words, counted here in Python."""
    from etl.report.summary import summarise

    manifest = generate_sample(tmp_path / "landing")
    settings = settings_for(tmp_path / "landing", tmp_path)
    pipeline.run(settings)
    rows = query(
        settings.warehouse,
        "SELECT t.term, t.term_kind, t.n_chars, f.count, f.is_stopword"
        " FROM fact_article_term f JOIN dim_term t USING (term_id)",
    )
    assert len(set(manifest.dates)) > 1
    totals: defaultdict[str, int] = defaultdict(int)
    for term, kind, n_chars, count, stop in rows:
        if kind == "word" and n_chars >= 3 and not stop:
            totals[term] += count
    expected = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:12]
    assert summarise(settings.warehouse, top=12, min_term_chars=3).top_terms == expected


def test_refreshing_touched_days_returns_how_many_distinct_days(tmp_path: Path) -> None:
    # daily_terms.refresh_days: "return the days" it rewrote; a day touched twice counts once,
    # a day without facts still counts (its rows are cleared). Literal days, empty warehouse.
    from etl.load import daily_terms
    from etl.settings import load_settings
    from etl.warehouse import writer

    with writer(load_settings(warehouse=tmp_path / "w.duckdb")) as con:
        daily_terms.start(con)
        daily_terms.touch(con, "SELECT DATE '2024-03-04'")
        daily_terms.touch(con, "SELECT DATE '2024-03-04' UNION ALL SELECT DATE '2024-03-05'")
        assert daily_terms.refresh_days(con) == 2
        daily_terms.start(con)
        assert daily_terms.refresh_days(con) == 0
