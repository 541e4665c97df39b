"""Pins of the behaviours a user would feel, each at its exact boundary, through public runs.

Every test builds a small landing zone in ``tmp_path``, runs the whole pipeline
(:func:`etl.pipeline.run`, the CLI's path) and reads the warehouse tables; none calls a private
loader function, so the pins survive a rewrite of ``etl/load``. Expected values come from the
test's own inputs (literal dates and bounds, the text written, a second aggregation in Python),
never from the code under test. Each test names the planted bug (mutant) it was seen to catch.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.errors import BatchValidationError
from etl.settings import Settings

from .helpers import query, settings_for

BODY = "{words} said the spokesman on Monday.\n\nA second paragraph follows here."


def _article(day: str | None, words: str) -> bytes:
    body = BODY.format(words=words)
    return (f" date {day} {body}" if day else body).encode()


def _settings(landing: Path, tmp: Path, **overrides: object) -> Settings:
    return settings_for(landing, tmp / "wh", write_reports=False, **overrides)


def _cli_env(zone: Path, s: Settings, tmp_path: Path) -> dict[str, str]:
    """The environment of a ``news-etl`` command over ``zone`` into ``s``' warehouse."""
    return {
        "NEWS_ETL_LANDING": str(zone),
        "NEWS_ETL_WAREHOUSE": str(s.warehouse),
        "NEWS_ETL_STAGING_DIR": str(tmp_path / "staging"),
        "NEWS_ETL_WRITE_REPORTS": "false",
    }


def _ledger(s: Settings) -> dict[str, tuple[str, str | None]]:
    rows = query(s.warehouse, "SELECT path, outcome, article_id FROM ingest_ledger")
    return {path: (outcome, article_id) for path, outcome, article_id in rows}


def _quarantine(s: Settings) -> dict[str, tuple[str, str, str]]:
    rows = query(s.warehouse, "SELECT path, stage, reason, detail FROM quarantine")
    return {Path(p).name: (stage, reason, detail) for p, stage, reason, detail in rows}


def _loaded_files(s: Settings) -> dict[str, str]:
    rows = query(s.warehouse, "SELECT source_file, published_date::VARCHAR FROM fact_article")
    return {Path(p).name: d for p, d in rows}


# --------------------------------------------------------------------------- validation bounds


def _ratio_text(bad: int, length: int = 10_000) -> str:
    """A clean text of exactly ``length`` characters with ``bad`` U+FFFD among its letters."""
    unit = "Prices rose again today. "
    text = (unit * (length // len(unit) + 1))[:length].rstrip()
    text += "s" * (length - len(text))
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    step = len(letters) // bad
    chars = list(text)
    for i in letters[::step][:bad]:
        chars[i] = "\ufffd"
    out = "".join(chars)
    assert len(out) == length and out.count("\ufffd") == bad
    return out


def test_replacement_ratio_bound_is_exactly_one_percent(tmp_path: Path) -> None:
    """0.0100 passes, 0.0101 is quarantined (mutant: bound loosened from 0.01 to 0.05)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    at_bound, over = _ratio_text(100), _ratio_text(101)  # 100/10000 and 101/10000
    (landing / "at-bound.txt").write_text(f" date 2024-03-04 {at_bound}", encoding="utf-8")
    (landing / "over.txt").write_text(f" date 2024-03-04 {over}", encoding="utf-8")
    s = _settings(landing, tmp_path)
    summary = pipeline.run(s)
    assert (summary.articles_loaded, summary.quarantined) == (1, 1)
    ((clean, n_chars),) = query(
        s.warehouse,
        "SELECT clean_text, n_chars FROM article_text JOIN fact_article USING (article_id)",
    )
    assert (clean, n_chars) == (at_bound, 10_000)  # the ratio's denominator is this text
    stage, reason, detail = _quarantine(s)["over.txt"]
    assert (stage, reason) == ("validate", "expect_column_values_to_be_between")
    assert "replacement_ratio" in detail and "0.0101" in detail


def test_published_date_lower_bound_is_1900_01_01(tmp_path: Path) -> None:
    """1900-01-01 loads, 1899-12-31 is quarantined by the article suite."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "first-day.txt").write_bytes(_article("1900-01-01", "The century begins"))
    (landing / "day-before.txt").write_bytes(_article("1899-12-31", "The century ends"))
    s = _settings(landing, tmp_path)
    pipeline.run(s)
    assert _loaded_files(s) == {"first-day.txt": "1900-01-01"}
    stage, reason, detail = _quarantine(s)["day-before.txt"]
    assert (stage, reason) == ("validate", "expect_column_values_to_be_between")
    assert "published_date" in detail and "1899-12-31" in detail


def test_dates_before_1677_are_quarantined_and_the_rest_loads(tmp_path: Path) -> None:
    """A date pandas cannot hold in nanoseconds (before 1677-09-22) crashed the validate step:
    nothing loaded, and every later run failed the same way while the file stayed."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "good.txt").write_bytes(_article("2021-04-07", "The harbour reopened"))
    (landing / "year-one.txt").write_bytes(_article("0001-01-01", "The first year"))
    (landing / "plague.txt").write_bytes(_article("1665-06-01", "The plague came"))
    feed = [
        {"title": "fine", "date": "2021-04-06", "text": BODY.format(words="Exports rose")},
        {"title": "old", "date": "1600-06-01", "text": BODY.format(words="A charter")},
    ]
    (landing / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in feed))
    s = _settings(landing, tmp_path)
    pipeline.run(s)
    assert _loaded_files(s) == {"good.txt": "2021-04-07", "feed.jsonl": "2021-04-06"}
    rows = query(
        s.warehouse,
        "SELECT path, coalesce(record, ''), stage, reason, detail FROM quarantine "
        "ORDER BY path, record",
    )
    assert [(Path(p).name, st, rs) for p, _, st, rs, _ in rows] == [
        ("feed.jsonl", "validate", "expect_column_values_to_be_between"),
        ("plague.txt", "validate", "expect_column_values_to_be_between"),
        ("year-one.txt", "validate", "expect_column_values_to_be_between"),
    ]
    assert rows[0][1] == "line 2"
    details = [d for *_, d in rows]
    for day, detail in zip(("1600-06-01", "1665-06-01", "0001-01-01"), details, strict=True):
        assert "published_date" in detail and day in detail
    # and the next run, with the files still there, runs
    (landing / "next.txt").write_bytes(_article("2021-04-08", "The ferry sailed"))
    pipeline.run(s)
    assert _loaded_files(s)["next.txt"] == "2021-04-08"


def test_tomorrow_loads_and_the_day_after_is_future_date_at_ingest(tmp_path: Path) -> None:
    """Mutant: the ingest cut-off moved by a day (then GX, not ``future_date``, refuses it)."""
    today = datetime.now(UTC).date()
    tomorrow, after = today + timedelta(days=1), today + timedelta(days=2)
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "tomorrow.txt").write_bytes(_article(tomorrow.isoformat(), "Early edition"))
    (landing / "after.txt").write_bytes(_article(after.isoformat(), "Far too early"))
    s = _settings(landing, tmp_path)
    pipeline.run(s)
    assert _loaded_files(s) == {"tomorrow.txt": tomorrow.isoformat()}
    stage, reason, detail = _quarantine(s)["after.txt"]
    assert (stage, reason) == ("ingest", "future_date")
    assert after.isoformat() in detail
    assert _ledger(s)["after.txt"] == ("quarantined", None)


def test_every_failing_row_of_an_expectation_is_quarantined(tmp_path: Path) -> None:
    """25 articles dated 1850: all 25 quarantined, none loaded (mutant: only the first 5, or
    GX's partial list of 20, named as rejected)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    for i in range(25):
        (landing / f"old{i:02}.txt").write_bytes(_article("1850-06-01", f"Old story {i} of {i}"))
    for i in range(3):
        (landing / f"new{i}.txt").write_bytes(_article("2024-03-04", f"New story {i} of {i}"))
    s = _settings(landing, tmp_path, quarantine_check_min_files=1000)
    summary = pipeline.run(s)
    assert (summary.articles_loaded, summary.quarantined) == (3, 25)
    assert set(_loaded_files(s)) == {"new0.txt", "new1.txt", "new2.txt"}
    reasons = _quarantine(s)
    assert {name for name in reasons if name.startswith("old")} == {
        f"old{i:02}.txt" for i in range(25)
    }
    assert all(r[1] == "expect_column_values_to_be_between" for r in reasons.values())
    ((unexpected,),) = query(
        s.warehouse,
        "SELECT unexpected_count FROM fact_check_result"
        " WHERE NOT success AND column_name = 'published_date'",
    )
    assert unexpected == 25


# --------------------------------------------------------------------------- run-level rules


def _share_zone(root: Path, good: int, empty: int) -> Path:
    root.mkdir(parents=True)
    for i in range(good):
        (root / f"good{i:02}.txt").write_bytes(_article("2024-03-04", f"Story {i} and {i}"))
    for i in range(empty):
        (root / f"empty{i:02}.txt").write_bytes(b"")
    return root


def test_exactly_half_quarantined_still_loads(tmp_path: Path) -> None:
    """Defaults (share 0.5 from 20 new files): 10 of 20 quarantined loads (mutant: ``>=``)."""
    s = _settings(_share_zone(tmp_path / "landing", 10, 10), tmp_path)
    summary = pipeline.run(s)
    assert (summary.status, summary.articles_loaded, summary.files_quarantined) == (
        "success",
        10,
        10,
    )
    ((ok, observed),) = query(
        s.warehouse,
        "SELECT success, observed_value FROM fact_check_result"
        " WHERE expectation = 'max_quarantine_share'",
    )
    assert (ok, observed) == (True, "0.5000")
    # run-level and post-load results are stored as batch -1 (README)
    assert query(
        s.warehouse,
        "SELECT DISTINCT batch FROM fact_check_result"
        " WHERE suite = 'run' OR suite LIKE 'warehouse_%'",
    ) == [(-1,)]


def test_just_over_half_quarantined_is_refused(tmp_path: Path) -> None:
    """11 of 21 new files quarantined (0.52 > 0.5): nothing loads, the run is failed."""
    s = _settings(_share_zone(tmp_path / "landing", 10, 11), tmp_path)
    with pytest.raises(BatchValidationError, match="11 of 21"):
        pipeline.run(s)
    assert query(s.warehouse, "SELECT count(*) FROM fact_article") == [(0,)]
    assert query(s.warehouse, "SELECT status FROM etl_run") == [("failed",)]


def test_the_share_rule_needs_twenty_new_files(tmp_path: Path) -> None:
    """10 of 19 quarantined (0.53) still loads: the rule applies from 20 new files."""
    s = _settings(_share_zone(tmp_path / "landing", 9, 10), tmp_path)
    summary = pipeline.run(s)
    assert (summary.status, summary.articles_loaded) == ("success", 9)


def test_one_article_among_twenty_files_is_a_day_with_articles(tmp_path: Path) -> None:
    """With the share rule relaxed, 1 article from 20 new files passes the run-level check."""
    s = _settings(_share_zone(tmp_path / "landing", 1, 19), tmp_path, max_quarantine_share=1.0)
    summary = pipeline.run(s)
    assert (summary.status, summary.articles_loaded) == ("success", 1)
    ((ok, observed),) = query(
        s.warehouse,
        "SELECT success, observed_value FROM fact_check_result"
        " WHERE expectation = 'articles_on_a_day_with_files'",
    )
    assert (ok, observed) == (True, "1")


def test_file_size_limit_is_inclusive(tmp_path: Path) -> None:
    """A file of exactly ``max_file_bytes`` is read; one byte more is ``too_large`` unread."""
    landing = tmp_path / "landing"
    landing.mkdir()
    exact = _article("2024-03-04", "Exactly at the limit")
    (landing / "exact.txt").write_bytes(exact)
    (landing / "over.txt").write_bytes(_article("2024-03-04", "Exactly at the limit!"))
    assert len((landing / "over.txt").read_bytes()) == len(exact) + 1
    s = _settings(landing, tmp_path, max_file_bytes=len(exact))
    summary = pipeline.run(s)
    # the refused file was never read (no hash), yet it is a new, quarantined file
    assert (summary.files_new, summary.files_loaded, summary.files_quarantined) == (2, 1, 1)
    assert set(_loaded_files(s)) == {"exact.txt"}
    stage, reason, detail = _quarantine(s)["over.txt"]
    assert (stage, reason) == ("ingest", "too_large")
    assert str(len(exact)) in detail


def test_a_size_limit_of_a_hundred_gigabytes_reads_every_file(tmp_path: Path) -> None:
    """``NEWS_ETL_MAX_FILE_BYTES=107374182400`` (100 GB, as "no limit") failed every file
    with a MemoryError: each read asked for the limit's size at once (probe, session 40). A
    flat file's date header (read when a day's run plans), a plain file and a gzip file."""
    import gzip

    landing = tmp_path / "landing"
    (landing / "2024-03-04").mkdir(parents=True)
    (landing / "flat.txt").write_bytes(_article("2024-03-04", "A flat file of the day"))
    (landing / "2024-03-04" / "plain.txt").write_bytes(_article(None, "A plain file of the day"))
    (landing / "2024-03-04" / "packed.txt.gz").write_bytes(
        gzip.compress(_article(None, "A packed file of the day"))
    )
    s = _settings(landing, tmp_path, max_file_bytes=100 * 1024**3)
    summary = pipeline.run(s, partition_date=date(2024, 3, 4))
    assert (summary.files_new, summary.files_loaded, summary.articles_loaded) == (3, 3, 3)
    assert set(_loaded_files(s)) == {"flat.txt", "plain.txt", "packed.txt.gz"}


def test_an_html_pages_own_date_is_judged_as_any_records(tmp_path: Path) -> None:
    """A page whose JSON-LD or head gave a date after today took the run's day without a word,
    and one whose JSON-LD date was none (2024-02-30) took its head's (probe, session 40). Now
    a date after the allowance is ``future_date``, one within it is kept, one that is none
    (and no head date beside it) is ``bad_date``, as in a JSON or CSV record."""
    today = datetime.now(UTC).date()
    later, tomorrow = today + timedelta(days=40), today + timedelta(days=1)
    body = "<p>The council approved the new budget for the harbour and the schools.</p>" * 4

    def page(head: str) -> str:
        head = f"<head><title>Budget</title>{head}</head>"
        return f"<html>{head}<body><article>{body}</article></body></html>"

    def json_ld(value: str) -> str:
        block = json.dumps({"@type": "NewsArticle", "datePublished": value})
        return f'<script type="application/ld+json">{block}</script>'

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "later-ld.html").write_text(page(json_ld(f"{later}T10:00:00Z")), "utf-8")
    meta = f'<meta property="article:published_time" content="{later}T10:00:00Z">'
    (landing / "later-meta.html").write_text(page(meta), "utf-8")
    (landing / "tomorrow.html").write_text(page(json_ld(f"{tomorrow}T08:00:00+09:00")), "utf-8")
    (landing / "none.html").write_text(page(json_ld("2024-02-30")), "utf-8")
    s = _settings(landing, tmp_path, quarantine_check_min_files=100)
    pipeline.run(s)
    refused = {name: reason for name, (_, reason, _) in _quarantine(s).items()}
    assert refused == {
        "later-ld.html": "future_date",
        "later-meta.html": "future_date",
        "none.html": "bad_date",
    }
    assert _loaded_files(s) == {"tomorrow.html": tomorrow.isoformat()}


# --------------------------------------------------------------------------- file outcomes


def test_a_renamed_copy_of_loaded_bytes_is_a_duplicate(tmp_path: Path) -> None:
    """Bytes an earlier run loaded, arriving under another name in another day's folder, are
    ``duplicate``; rebuilding the copy's day leaves the article on its own day."""
    landing = tmp_path / "landing"
    (landing / "wire").mkdir(parents=True)
    original = _article("2024-03-04", "Markets rallied on the news")
    (landing / "wire" / "a.txt").write_bytes(original)
    s = _settings(landing, tmp_path)
    first = pipeline.run(s)
    assert first.articles_loaded == 1
    ((article_id,),) = query(s.warehouse, "SELECT article_id FROM fact_article")

    (landing / "2024-03-06").mkdir()
    (landing / "2024-03-06" / "copy.txt").write_bytes(original)
    second = pipeline.run(s, partition_date=date(2024, 3, 6))
    assert (second.articles_loaded, second.files_duplicate, second.files_loaded) == (0, 1, 0)
    assert _ledger(s)["2024-03-06/copy.txt"] == ("duplicate", article_id)

    pipeline.run(s, partition_date=date(2024, 3, 6), mode="rebuild")
    assert query(s.warehouse, "SELECT source_file, published_date::VARCHAR FROM fact_article") == [
        ("wire/a.txt", "2024-03-04")
    ]
    assert _ledger(s)["2024-03-06/copy.txt"] == ("duplicate", article_id)
    assert _ledger(s)["wire/a.txt"] == ("loaded", article_id)


def test_a_rebuild_keeps_an_article_a_copy_in_another_day_still_holds(tmp_path: Path) -> None:
    """A file and its copy in two day folders; the file is edited and its day rebuilt. The
    rebuild removed the article although the copy still held it (it came back only when a later
    run read the copy). Now the copy becomes the article's file (path, ledger ``loaded``), and a
    rebuild while the file still holds it leaves the copy a ``duplicate``."""
    from etl import backfill

    landing = tmp_path / "landing"
    for day in ("2024-03-04", "2024-03-06"):
        (landing / day).mkdir(parents=True)
    original = _article("2024-03-04", "Markets rallied on the news")
    (landing / "2024-03-04" / "a.txt").write_bytes(original)
    (landing / "2024-03-06" / "copy.txt").write_bytes(original)
    (landing / "2024-03-04" / "b.txt").write_bytes(_article("2024-03-04", "Copper fell"))
    s = _settings(landing, tmp_path)
    assert pipeline.run(s).articles_loaded == 2
    ((held,),) = query(
        s.warehouse, "SELECT article_id FROM fact_article WHERE source_file = '2024-03-04/a.txt'"
    )
    assert _ledger(s)["2024-03-06/copy.txt"] == ("duplicate", held)

    backfill.rebuild_partition(s, date(2024, 3, 4))  # nothing changed: the copy stays a copy
    assert _loaded_files(s) == {"a.txt": "2024-03-04", "b.txt": "2024-03-04"}
    assert _ledger(s)["2024-03-06/copy.txt"] == ("duplicate", held)

    (landing / "2024-03-04" / "a.txt").write_bytes(_article("2024-03-04", "Markets slumped"))
    backfill.rebuild_partition(s, date(2024, 3, 4))
    assert _openings(s) == ["Copper fell", "Markets rallied on the news", "Markets slumped"]
    rows = query(
        s.warehouse,
        "SELECT source_file, published_date::VARCHAR FROM fact_article WHERE article_id = ?",
        [held],
    )
    assert rows == [("2024-03-06/copy.txt", "2024-03-04")]  # the copy's header date
    assert _ledger(s)["2024-03-06/copy.txt"] == ("loaded", held)
    _assert_daily_sums_follow_the_facts(s)
    dangling = query(
        s.warehouse,
        "SELECT path FROM ingest_ledger WHERE outcome IN ('loaded', 'duplicate') "
        "AND article_id NOT IN (SELECT article_id FROM fact_article)",
    )
    assert dangling == []
    # Rebuilding either day again changes nothing: the copy is the article's file now.
    before = query(s.warehouse, "SELECT * EXCLUDE (story_id) FROM fact_article ORDER BY 1")
    backfill.rebuild_partition(s, date(2024, 3, 6))
    backfill.rebuild_partition(s, date(2024, 3, 4))
    assert query(s.warehouse, "SELECT * EXCLUDE (story_id) FROM fact_article ORDER BY 1") == before


def test_a_file_whose_records_all_failed_validation_is_quarantined(tmp_path: Path) -> None:
    """Not ``loaded`` with a NULL article: a .txt and a JSONL file whose every record fails the
    article suite are ``quarantined``; a JSONL file with one good record is ``loaded``."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "old.txt").write_bytes(_article("1850-06-01", "An old story"))

    def line(day: str, words: str) -> str:
        return json.dumps({"published": day, "text": BODY.format(words=words)})

    (landing / "all-old.jsonl").write_text(
        line("1850-06-02", "First old") + "\n" + line("1850-06-03", "Second old") + "\n"
    )
    (landing / "mixed.jsonl").write_text(
        line("1850-06-04", "Third old") + "\n" + line("2024-03-04", "A fresh one") + "\n"
    )
    s = _settings(landing, tmp_path)
    summary = pipeline.run(s)
    assert (summary.files_loaded, summary.files_quarantined) == (1, 2)
    ledger = _ledger(s)
    assert ledger["old.txt"] == ("quarantined", None)
    assert ledger["all-old.jsonl"] == ("quarantined", None)
    outcome, article_id = ledger["mixed.jsonl"]
    assert outcome == "loaded"
    assert query(s.warehouse, "SELECT article_id FROM fact_article") == [(article_id,)]
    assert query(s.warehouse, "SELECT files_loaded, files_quarantined FROM etl_run") == [(1, 2)]


# --------------------------------------------------------------------------- daily sums


def _assert_daily_sums_follow_the_facts(s: Settings) -> None:
    """``agg_daily_term`` holds exactly the per-day sums of ``fact_article_term``."""
    stored = {
        (d, t): o
        for d, t, o in query(
            s.warehouse, "SELECT published_date, term_id, occurrences FROM agg_daily_term"
        )
    }
    assert stored == dict(_sums_from_facts(s))


def _sums_from_facts(s: Settings) -> Counter[tuple[date, int]]:
    """(day, term) → occurrences, summed in Python from ``fact_article_term``."""
    sums: Counter[tuple[date, int]] = Counter()
    for day, term_id, count in query(
        s.warehouse, "SELECT published_date, term_id, count FROM fact_article_term"
    ):
        sums[(day, term_id)] += count
    return sums


def test_a_rebuild_that_moves_an_article_leaves_no_stale_daily_terms(tmp_path: Path) -> None:
    """An article whose header date changes moves to its new day on a rebuild of that day; the
    old day's ``agg_daily_term`` rows lose its terms (mutant: the old day not refreshed)."""
    landing = tmp_path / "landing"
    (landing / "flat").mkdir(parents=True)
    moving = BODY.format(words="Zanzibar cloves shipped")
    (landing / "flat" / "moving.txt").write_text(f" date 2024-03-04 {moving}")
    (landing / "flat" / "staying.txt").write_bytes(_article("2024-03-04", "Copper fell"))
    s = _settings(landing, tmp_path)
    pipeline.run(s, partition_date=date(2024, 3, 4))
    (landing / "flat" / "moving.txt").write_text(f" date 2024-03-05 {moving}")
    pipeline.run(s, partition_date=date(2024, 3, 5), mode="rebuild")

    assert _loaded_files(s) == {"moving.txt": "2024-03-05", "staying.txt": "2024-03-04"}
    _assert_daily_sums_follow_the_facts(s)
    old_day = {
        term
        for (term,) in query(
            s.warehouse,
            "SELECT term FROM agg_daily_term JOIN dim_term USING (term_id)"
            " WHERE published_date = DATE '2024-03-04'",
        )
    }
    assert "zanzibar" not in old_day and "copper" in old_day


def _edited_dates(tmp_path: Path) -> tuple[Path, Settings]:
    """A flat file, a file in a day folder and a flat JSONL record, all dated 2024-03-04 and
    loaded by the run for that day; then their dates are edited (the text stays): the flat file
    to 03-05, the day folder's to 03-03, the JSONL record to 03-06."""
    landing = tmp_path / "landing"
    (landing / "flat").mkdir(parents=True)
    (landing / "2024-03-04").mkdir()
    moving = BODY.format(words="Zanzibar cloves shipped")
    late = BODY.format(words="Copper fell")
    record = BODY.format(words="Tin rose gently")
    (landing / "flat" / "f.txt").write_text(f" date 2024-03-04 {moving}")
    (landing / "2024-03-04" / "g.txt").write_text(f" date 2024-03-04 {late}")
    feed = landing / "flat" / "feed.jsonl"
    feed.write_text(json.dumps({"published": "2024-03-04", "text": record}) + "\n")
    s = _settings(landing, tmp_path)
    assert pipeline.run(s, partition_date=date(2024, 3, 4)).articles_loaded == 3
    (landing / "flat" / "f.txt").write_text(f" date 2024-03-05 {moving}")
    (landing / "2024-03-04" / "g.txt").write_text(f" date 2024-03-03 {late}")
    feed.write_text(json.dumps({"published": "2024-03-06", "text": record}) + "\n")
    return landing, s


@pytest.mark.parametrize("how", ["run", "rebuild of the old day"])
def test_an_edited_date_moves_the_article_and_its_daily_sums(tmp_path: Path, how: str) -> None:
    """Files whose date was edited after they were loaded: the warehouse follows their current
    date, whether a run reads them (the new content gives the same article: it was counted a
    duplicate of itself and kept its old date) or the old day is rebuilt (the flat file, whose
    header no longer names that day, was left out and its article stayed there); no row of them
    is left on 2024-03-04, in the facts or in ``agg_daily_term``."""
    from etl import backfill

    landing, s = _edited_dates(tmp_path)
    if how == "run":
        summary = pipeline.run(s)
        assert (summary.articles_loaded, summary.duplicates) == (3, 0)
    else:
        backfill.rebuild_partition(s, date(2024, 3, 4))
    assert _loaded_files(s) == {
        "f.txt": "2024-03-05",
        "g.txt": "2024-03-03",
        "feed.jsonl": "2024-03-06",
    }
    term_days = query(s.warehouse, "SELECT DISTINCT published_date::VARCHAR FROM fact_article_term")
    assert sorted(term_days) == [("2024-03-03",), ("2024-03-05",), ("2024-03-06",)]
    _assert_daily_sums_follow_the_facts(s)
    old_day = "SELECT count(*) FROM agg_daily_term WHERE published_date = DATE '2024-03-04'"
    assert query(s.warehouse, old_day) == [(0,)]
    days = query(s.warehouse, "SELECT date_key::VARCHAR FROM dim_date ORDER BY 1")
    assert days == [("2024-03-03",), ("2024-03-05",), ("2024-03-06",)]
    # The ledger's verdict on each file's current content (by its SHA-256): loaded, not a
    # duplicate of itself.
    for path in ("flat/f.txt", "2024-03-04/g.txt", "flat/feed.jsonl"):
        sha = hashlib.sha256((landing / path).read_bytes()).hexdigest()
        verdict = query(
            s.warehouse,
            "SELECT outcome FROM ingest_ledger WHERE path = ? AND sha256 = ?",
            [path, sha],
        )
        assert verdict == [("loaded",)], path


def test_an_undated_file_read_again_keeps_its_article_on_its_day(tmp_path: Path) -> None:
    """An undated flat file loaded by the run for 03-04, then edited without changing its
    article (a trailing blank line) and read by the run for 03-06: the article is written
    again from the new content (the file is ``loaded``) but keeps its day, 2024-03-04; an
    undated article gets the date of the run that first loads it."""
    landing = tmp_path / "landing"
    (landing / "flat").mkdir(parents=True)
    text = BODY.format(words="Cloves shipped without a date")
    (landing / "flat" / "u.txt").write_text(text)
    s = _settings(landing, tmp_path)
    pipeline.run(s, partition_date=date(2024, 3, 4))
    (landing / "flat" / "u.txt").write_text(text + "\n\n")
    summary = pipeline.run(s, partition_date=date(2024, 3, 6))
    assert (summary.files_loaded, summary.articles_loaded) == (1, 1)
    assert _loaded_files(s) == {"u.txt": "2024-03-04"}
    _assert_daily_sums_follow_the_facts(s)


@pytest.mark.parametrize("restored", ["rewritten", "with its old size and time"])
def test_a_date_edited_then_put_back_moves_the_article_back(tmp_path: Path, restored: str) -> None:
    """A flat file loaded on 03-04, its header edited to 03-06 (a run moves the article there),
    then put back as it was: the next run reads it again and moves the article back to 03-04.
    The ledger's row of the first content made the file look unchanged ("same content, only
    the mtime changed"), or, restored with its old time, unread: the article stayed on 03-06
    while the file says 03-04 (probe O, session 39)."""
    import os

    landing = tmp_path / "landing"
    (landing / "flat").mkdir(parents=True)
    path = landing / "flat" / "f.txt"
    body = BODY.format(words="Zanzibar cloves shipped")
    path.write_text(f" date 2024-03-04 {body}")
    first = path.stat()
    s = _settings(landing, tmp_path)
    pipeline.run(s)
    assert _loaded_files(s) == {"f.txt": "2024-03-04"}
    path.write_text(f" date 2024-03-06 {body}")
    os.utime(path, ns=(first.st_atime_ns, first.st_mtime_ns + 5_000_000_000))
    pipeline.run(s)
    assert _loaded_files(s) == {"f.txt": "2024-03-06"}
    path.write_text(f" date 2024-03-04 {body}")
    if restored == "with its old size and time":
        os.utime(path, ns=(first.st_atime_ns, first.st_mtime_ns))
    else:
        os.utime(path, ns=(first.st_atime_ns, first.st_mtime_ns + 9_000_000_000))
    summary = pipeline.run(s)
    assert (summary.articles_loaded, summary.duplicates, summary.files_unchanged) == (1, 0, 0)
    assert _loaded_files(s) == {"f.txt": "2024-03-04"}
    _assert_daily_sums_follow_the_facts(s)
    assert query(s.warehouse, "SELECT DISTINCT published_date::VARCHAR FROM agg_daily_term") == [
        ("2024-03-04",)
    ]
    # Read as it is now, the file is unchanged: the next run reads nothing.
    again = pipeline.run(s)
    assert (again.articles_loaded, again.files_unchanged) == (0, 1)
    assert _loaded_files(s) == {"f.txt": "2024-03-04"}


def test_a_backfill_of_the_day_a_header_now_names_reads_the_file(tmp_path: Path) -> None:
    """``news-etl backfill`` of the day a flat file's edited header names: the plan counted the
    file on the day the warehouse holds it on only, so that day was not selected and nothing
    moved. Now a flat file changed since it was read counts on its header's day too."""
    from etl import backfill

    landing, s = _edited_dates(tmp_path)
    plan = backfill.plan_backfill(s, date(2024, 3, 5), date(2024, 3, 5), "all")
    assert [(p.day, p.files) for p in plan.selected] == [(date(2024, 3, 5), 1)]
    runner = CliRunner()
    args = ["backfill", "--landing", str(landing), "--warehouse", str(s.warehouse)]
    args += ["--start", "2024-03-05", "--end", "2024-03-05"]
    env = {"NEWS_ETL_STAGING_DIR": str(s.staging_root), "NEWS_ETL_WRITE_REPORTS": "false"}
    done = runner.invoke(app, args, env=env)
    assert done.exit_code == 0, done.output
    assert _loaded_files(s)["f.txt"] == "2024-03-05"
    _assert_daily_sums_follow_the_facts(s)


# --------------------------------------------------------------------------- replace mode


def test_replace_rewrites_existing_rows_of_its_partitions(tmp_path: Path) -> None:
    """A replace run over a partition holding other (stale) articles leaves exactly the run's
    articles, and its daily sums follow."""
    first = tmp_path / "one" / "zone"
    first.mkdir(parents=True)
    (first / "stale.txt").write_bytes(_article("2024-03-04", "Stale story"))
    (first / "kept.txt").write_bytes(_article("2024-03-04", "Kept story"))
    (first / "other-day.txt").write_bytes(_article("2024-03-05", "Other day"))
    s = _settings(first, tmp_path)
    pipeline.run(s)
    second = tmp_path / "two" / "zone"
    second.mkdir(parents=True)
    shutil.copy2(first / "kept.txt", second / "kept.txt")
    (second / "fresh.txt").write_bytes(_article("2024-03-04", "Fresh story"))
    summary = pipeline.run(s.model_copy(update={"landing": second}), mode="replace")
    assert summary.partitions == [date(2024, 3, 4)]
    assert summary.articles_removed == 1  # stale.txt's; kept.txt's article is written again
    assert _loaded_files(s) == {
        "kept.txt": "2024-03-04",
        "fresh.txt": "2024-03-04",
        "other-day.txt": "2024-03-05",  # another partition: untouched
    }
    _assert_daily_sums_follow_the_facts(s)


def test_replace_keeps_the_articles_of_files_it_skipped_as_unchanged(tmp_path: Path) -> None:
    """Editing one file of a day, then ``run --replace --date D`` on the same landing zone: the
    day holds the articles of its files as they are now. It held the edited file's article
    alone, while the ledger still called the other files loaded (no later run read them)."""
    zone = tmp_path / "zone"
    day = zone / "2024-03-04"
    day.mkdir(parents=True)
    for name in ("a", "b", "c", "gone"):
        (day / f"{name}.txt").write_bytes(_article("2024-03-04", f"Story {name}"))
    (day / "dump.jsonl").write_text(
        "\n".join(json.dumps({"text": BODY.format(words=f"Record {i}")}) for i in range(3)),
        encoding="utf-8",
    )
    (zone / "2024-03-05").mkdir()
    (zone / "2024-03-05" / "d.txt").write_bytes(_article("2024-03-05", "Other day"))
    s = _settings(zone, tmp_path)
    assert pipeline.run(s).articles_loaded == 8
    (day / "b.txt").write_bytes(_article("2024-03-04", "Story b, corrected"))
    (day / "gone.txt").unlink()
    summary = pipeline.run(s, mode="replace", partition_date=date(2024, 3, 4))
    assert summary.articles_loaded == 1 and summary.partitions == [date(2024, 3, 4)]
    stored = {
        (Path(path).name, record): opening
        for path, record, opening in query(
            s.warehouse,
            "SELECT source_file, source_record, split_part(clean_text, ' said', 1) "
            "FROM fact_article JOIN article_text USING (article_id)",
        )
    }
    assert stored == {
        ("a.txt", None): "Story a",
        ("b.txt", None): "Story b, corrected",
        ("c.txt", None): "Story c",
        ("dump.jsonl", "line 1"): "Record 0",
        ("dump.jsonl", "line 2"): "Record 1",
        ("dump.jsonl", "line 3"): "Record 2",
        ("d.txt", None): "Other day",  # another partition: untouched
    }
    # Every file there now that the ledger calls loaded (its latest content) has its article.
    missing = query(
        s.warehouse,
        "SELECT path FROM ingest_ledger "
        "QUALIFY row_number() OVER (PARTITION BY path ORDER BY last_seen DESC) = 1 "
        "AND outcome = 'loaded' AND article_id NOT IN (SELECT article_id FROM fact_article) "
        "AND path <> '2024-03-04/gone.txt'",
    )
    assert missing == []
    _assert_daily_sums_follow_the_facts(s)


def test_replace_of_a_day_leaves_other_folders_alone(tmp_path: Path) -> None:
    """``run --date D --replace`` reads the folder D. A file there whose article was published
    the day before (filed late) made the run remove every article of that day, from files in
    other folders it never read; the partitions are folder dates (else published dates)."""
    zone = tmp_path / "zone"
    for folder in ("2024-03-04", "2024-03-05"):
        (zone / folder).mkdir(parents=True)
    (zone / "2024-03-04" / "a.txt").write_bytes(_article("2024-03-04", "Story a"))
    (zone / "2024-03-04" / "b.txt").write_bytes(_article("2024-03-04", "Story b"))
    (zone / "2024-03-05" / "c.txt").write_bytes(_article("2024-03-05", "Story c"))
    (zone / "2024-03-05" / "late.txt").write_bytes(_article("2024-03-04", "Late story"))
    s = _settings(zone, tmp_path)
    assert pipeline.run(s).articles_loaded == 4
    (zone / "2024-03-05" / "late.txt").write_bytes(_article("2024-03-04", "Late story, fixed"))
    summary = pipeline.run(s, partition_date=date(2024, 3, 5), mode="replace")
    assert (summary.articles_loaded, summary.articles_removed) == (1, 1)  # late.txt's old text
    assert _loaded_files(s) == {
        "a.txt": "2024-03-04",
        "b.txt": "2024-03-04",
        "c.txt": "2024-03-05",
        "late.txt": "2024-03-04",
    }
    assert _openings(s) == sorted(["Story a", "Story b", "Story c", "Late story, fixed"])
    _assert_daily_sums_follow_the_facts(s)
    # The CLI says what the replace removed: the old text of late.txt again, nothing else.
    (zone / "2024-03-05" / "late.txt").write_bytes(_article("2024-03-04", "Late story, final"))
    env = _cli_env(zone, s, tmp_path)
    out = CliRunner().invoke(app, ["run", "--date", "2024-03-05", "--replace"], env=env)
    assert out.exit_code == 0, out.output
    assert "1 unchanged, 2 left for other days, 1 removed\n" in out.output


def test_a_day_a_replace_empties_leaves_dim_date(tmp_path: Path) -> None:
    """dim_date holds the days that have articles: when the only article of a day moves to
    another day (its file's header date corrected), the emptied day goes too."""
    zone = tmp_path / "zone" / "2024-03-05"
    zone.mkdir(parents=True)
    (zone / "late.txt").write_bytes(_article("2024-03-04", "Late story"))
    (zone / "b.txt").write_bytes(_article("2024-03-05", "Story b"))
    s = _settings(zone.parent, tmp_path)
    pipeline.run(s)
    days = "SELECT date_key::VARCHAR FROM dim_date ORDER BY 1"
    assert query(s.warehouse, days) == [("2024-03-04",), ("2024-03-05",)]
    (zone / "late.txt").write_bytes(_article("2024-03-06", "Late story"))
    pipeline.run(s, partition_date=date(2024, 3, 5), mode="replace")
    assert query(s.warehouse, days) == [("2024-03-05",), ("2024-03-06",)]
    assert _loaded_files(s) == {"late.txt": "2024-03-06", "b.txt": "2024-03-05"}


def test_quarantined_counts_every_record_of_a_file_refused_whole(tmp_path: Path) -> None:
    """A JSON lines file of three broken lines is one file refused whole and three quarantined
    records; the run counted it once (and a file that loaded with one bad line once more)."""
    zone = tmp_path / "zone"
    zone.mkdir()
    (zone / "broken.jsonl").write_text("{bad 1\n{bad 2\n{bad 3\n", encoding="utf-8")
    good = json.dumps({"text": BODY.format(words="Good record"), "date": "2024-03-04"})
    (zone / "mixed.jsonl").write_text(f"{good}\n{{bad 4\n", encoding="utf-8")
    s = _settings(zone, tmp_path)
    summary = pipeline.run(s)
    assert (summary.files_quarantined, summary.quarantined) == (1, 4)
    assert summary.quarantine_reasons == {"malformed_json": 4}
    stored = query(s.warehouse, "SELECT quarantined, files_quarantined FROM etl_run")
    assert stored == [(4, 1)]
    assert query(s.warehouse, "SELECT count(*) FROM quarantine") == [(4,)]


def test_replay_counts_the_records_it_quarantined_again(tmp_path: Path) -> None:
    """A file that loaded with one bad line, replayed without a fix: the file is a duplicate
    (its good record is known) and its bad line is quarantined again; replay says both."""
    zone = tmp_path / "zone"
    zone.mkdir()
    good = json.dumps({"text": BODY.format(words="Good record"), "date": "2024-03-04"})
    (zone / "mixed.jsonl").write_text(f"{good}\n{{bad\n", encoding="utf-8")
    s = _settings(zone, tmp_path)
    pipeline.run(s)
    env = _cli_env(zone, s, tmp_path)
    out = CliRunner().invoke(app, ["replay"], env=env)
    assert out.exit_code == 0, out.output
    first = out.output.splitlines()[0]
    assert first.startswith(
        "replay: forgot the verdicts on 1 file (0 refused whole, 1 loaded with bad records); run "
    )
    assert first.endswith(
        "read them again: 0 loaded, 1 duplicate, 0 refused whole again;"
        " 1 record of them quarantined again"
    )


def _an_empty_file_loaded(tmp_path: Path) -> tuple[Path, Settings, dict[str, str]]:
    """A landing zone of one empty file, run once (the file quarantined ``empty``): the zone,
    the settings and the CLI's environment for them."""
    zone = tmp_path / "zone"
    zone.mkdir()
    (zone / "empty.txt").write_bytes(b"")
    s = _settings(zone, tmp_path)
    pipeline.run(s)
    return zone, s, _cli_env(zone, s, tmp_path)


def test_replay_of_a_reason_no_row_has_runs_nothing(tmp_path: Path) -> None:
    """``replay --reason emty`` (misspelt) forgot nothing and then made a whole run: now one
    line, exit 2, and no run."""
    zone, s, env = _an_empty_file_loaded(tmp_path)
    out = CliRunner().invoke(app, ["replay", "--reason", "emty"], env=env)
    assert (out.exit_code, out.output.splitlines()) == (
        2,
        [
            f"error: no quarantined record of {zone} whose refusal stands has the reason "
            "'emty'; its reasons that stand: empty (news-etl quarantine list --standing)"
        ],
    )
    assert query(s.warehouse, "SELECT count(*) FROM etl_run") == [(1,)]


def test_replay_of_a_reason_that_no_longer_stands_runs_nothing(tmp_path: Path) -> None:
    """Probe R3: once the empty file was fixed and replayed, ``replay --reason empty`` was still
    accepted, said "no quarantined file to read again" and made a whole run; the quarantine
    keeps the old row (history), but no refusal stands for the reason any more."""
    zone, s, env = _an_empty_file_loaded(tmp_path)
    (zone / "empty.txt").write_bytes(_article("2021-04-07", "A harbour story fixed in place"))
    fixed = CliRunner().invoke(app, ["replay", "--reason", "empty"], env=env)
    assert fixed.exit_code == 0, fixed.output
    assert query(s.warehouse, "SELECT count(*) FROM fact_article") == [(1,)]
    again = CliRunner().invoke(app, ["replay", "--reason", "empty"], env=env)
    assert (again.exit_code, again.output.splitlines()) == (
        2,
        [
            f"error: no quarantined record of {zone} whose refusal stands has the reason "
            "'empty'; none stands"
        ],
    )
    assert query(s.warehouse, "SELECT count(*) FROM etl_run") == [(2,)]
    assert query(s.warehouse, "SELECT reason FROM quarantine") == [("empty",)]  # history kept
    history = CliRunner().invoke(app, ["quarantine", "list", "--reason", "empty"], env=env)
    assert history.exit_code == 0 and "empty.txt" in history.output
    standing = ["quarantine", "list", "--standing", "--reason", "empty"]
    listed = CliRunner().invoke(app, standing, env=env)
    assert (listed.exit_code, listed.output.splitlines()) == (
        2,
        ["error: no quarantined record whose refusal stands has the reason 'empty'; none stands"],
    )


def _one_day(tmp_path: Path, **files: str) -> tuple[Path, Settings]:
    """A landing zone of one day's folder holding ``name.txt`` for each ``name=words``, loaded
    once; the folder and the settings."""
    day = tmp_path / "zone" / "2024-03-04"
    day.mkdir(parents=True)
    for name, words in files.items():
        (day / f"{name}.txt").write_bytes(_article("2024-03-04", words))
    s = _settings(tmp_path / "zone", tmp_path)
    pipeline.run(s)
    return day, s


def _openings(s: Settings) -> list[str]:
    """Every stored article's words before " said", sorted."""
    rows = query(s.warehouse, "SELECT split_part(clean_text, ' said', 1) FROM article_text")
    return sorted(opening for (opening,) in rows)


def test_replace_removes_the_old_version_of_a_file_edited_under_merge(tmp_path: Path) -> None:
    """a.txt edited (merge keeps both versions), then a replace of the day: the day holds a.txt
    as it is now. Keeping every article whose source_file is an unchanged path kept the old
    version too (found by the operator-flows audit, session 20)."""
    day, s = _one_day(tmp_path, a="Apple story", b="Banana story")
    (day / "a.txt").write_bytes(_article("2024-03-04", "Avocado story"))
    pipeline.run(s)  # merge: Apple stays beside Avocado
    (day / "b.txt").write_bytes(_article("2024-03-04", "Blueberry story"))
    pipeline.run(s, mode="replace")
    assert _openings(s) == ["Avocado story", "Blueberry story"]


@pytest.mark.parametrize("how", ["replace", "rebuild"])
def test_a_file_that_turns_back_to_removed_content_loads_it_again(tmp_path: Path, how: str) -> None:
    """A file A -> B, loaded by a replace run or a rebuild (which remove A's article), then back
    to A: A's ledger row still said loaded, so A counted as unchanged and its article stayed
    missing for ever (session 20). The verdict goes with the article."""
    from etl import backfill

    day, s = _one_day(tmp_path, f="Alpha story", g="Other story")
    (day / "f.txt").write_bytes(_article("2024-03-04", "Beta story"))
    if how == "replace":
        pipeline.run(s, mode="replace")
    else:
        backfill.rebuild_partition(s, date(2024, 3, 4))
    (day / "f.txt").write_bytes(_article("2024-03-04", "Alpha story"))
    assert pipeline.run(s).articles_loaded == 1
    # merge keeps Beta: it never removes; Alpha is back
    assert _openings(s) == ["Alpha story", "Beta story", "Other story"]
    dangling = query(
        s.warehouse,
        "SELECT path FROM ingest_ledger WHERE outcome IN ('loaded', 'duplicate') "
        "AND article_id NOT IN (SELECT article_id FROM fact_article)",
    )
    assert dangling == []


# Survivors of the seed-1206 mutation sample of etl/load, each pinned here.


def test_staged_columns_read_are_only_those_asked_for(tmp_path: Path) -> None:
    """RunStaging.read with columns (and dictionary columns) gives exactly those columns."""
    import pyarrow as pa

    landing = tmp_path / "landing"
    (landing / "wire").mkdir(parents=True)
    (landing / "wire" / "a.txt").write_bytes(_article("2024-03-04", "Ports reopened today."))
    plan = pipeline.plan_run(_settings(landing, tmp_path))
    pipeline.process_batch(plan.staging_dir, 0)
    staging = plan.staging()
    whole = staging.read("articles", 0)
    assert {"article_id", "source_name", "clean_text"} <= set(whole.column_names)
    two = staging.read(
        "articles", 0, columns=["source_name", "article_id"], dictionary=["source_name"]
    )
    assert sorted(two.column_names) == ["article_id", "source_name"]
    assert pa.types.is_dictionary(two.schema.field("source_name").type)
    assert two.column("article_id").to_pylist() == whole.column("article_id").to_pylist()
    assert staging.read("articles", 0, columns=["clean_text"]).column_names == ["clean_text"]
    pipeline.release(plan.run_id)


def test_a_failed_replay_rolls_back_and_raises_its_own_error(tmp_path: Path) -> None:
    """forget_quarantined: an error inside its transaction is raised as it is (not an error of
    the ROLLBACK), and the connection is left with no open transaction."""
    import duckdb

    from etl.load.replay import forget_quarantined

    con = duckdb.connect()
    con.execute("CREATE TABLE quarantine (landing VARCHAR, path VARCHAR, sha256 VARCHAR,"
                " reason VARCHAR)")  # fmt: skip
    con.execute("INSERT INTO quarantine VALUES ('/z', 'a.txt', 'ab', 'empty')")
    with pytest.raises(duckdb.CatalogException, match="ingest_ledger"):
        forget_quarantined(con, "/z")  # no ledger table: the DELETE fails
    con.execute("BEGIN TRANSACTION")  # would fail if the failed one were still open
    con.execute("ROLLBACK")


def _one_article_staged_for_a_lake(tmp_path: Path) -> tuple[Settings, pipeline.RunPlan]:
    """A run of one article into a DuckLake in ``tmp_path``, planned, processed and validated:
    its load comes next."""
    from etl.settings import load_settings

    landing = tmp_path / "landing"
    (landing / "wire").mkdir(parents=True)
    (landing / "wire" / "a.txt").write_bytes(_article("2024-03-04", "Ports reopened today."))
    settings = load_settings(
        landing=landing, warehouse=f"ducklake:{tmp_path / 'c.ducklake'}",
        staging_dir=tmp_path / "staging", write_reports=False, workers=1,
    )  # fmt: skip
    plan = pipeline.plan_run(settings)
    pipeline.process_batch(plan.staging_dir, 0)
    pipeline.validate_run(plan.staging_dir)
    return settings, plan


def _lake_articles(settings: Settings) -> int:
    """How many articles the DuckLake of ``settings`` holds, read back as an analyst would."""
    from etl.warehouse import reader

    con = reader(str(settings.target.location))
    try:
        (n,) = con.execute("SELECT count(*) FROM fact_article").fetchone() or (0,)
    finally:
        con.close()
    return int(n)


def test_the_lake_commit_token_names_the_last_run_that_committed(tmp_path: Path) -> None:
    """``etl_commit_token`` (one row, rewritten by every DuckLake load so that overlapping
    loads conflict) names the run whose load committed last, as its column says. (A survivor
    of the seed-1231 mutation sample: the token claimed with no run id passed every test.)"""
    from etl.warehouse import reader

    settings, plan = _one_article_staged_for_a_lake(tmp_path)
    assert pipeline.load_run(plan.staging_dir).articles_loaded == 1
    con = reader(str(settings.target.location))
    try:
        token = con.execute("SELECT run_id, claimed_at IS NOT NULL FROM etl_commit_token")
        assert token.fetchall() == [(plan.run_id, True)]
    finally:
        con.close()


def test_a_lake_commit_that_lost_the_settled_snapshot_says_so_and_retries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a DuckLake, a load whose snapshot moved between settling and BEGIN is a retryable
    conflict with its reason; once the snapshot holds still, the same staging loads."""
    from etl import lake
    from etl.errors import LakeCommitConflictError
    from etl.load import loader

    settings, plan = _one_article_staged_for_a_lake(tmp_path)

    real = lake.current_snapshot
    moved = iter(range(10**6))

    def moving(con: object) -> int:  # another run commits after every look
        real(con)  # type: ignore[arg-type]
        return next(moved)

    monkeypatch.setattr(lake, "current_snapshot", moving)
    monkeypatch.setattr(loader, "LAKE_COMMIT_ATTEMPTS", 2)
    monkeypatch.setattr(loader.time, "sleep", lambda s: None)
    with pytest.raises(LakeCommitConflictError) as info:
        pipeline.load_run(plan.staging_dir)
    assert str(info.value) == "another run committed while this one settled"
    monkeypatch.setattr(lake, "current_snapshot", real)
    assert pipeline.load_run(plan.staging_dir).articles_loaded == 1
    assert _lake_articles(settings) == 1


def test_a_lake_commit_conflict_raised_by_duckdb_is_retried_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A DuckLake COMMIT that conflicts (DuckDB's TransactionException) is the retryable
    LakeCommitConflictError, quoting DuckDB; the loader settles and tries again, and once the
    conflict is gone the same staging loads. (A survivor of the seed-1207 mutation sample:
    ``loader._load_once`` asked ``conflict_error(None)`` and let DuckDB's error through, never
    retried; the only test that met a real conflict runs on Postgres, outside mutmut's tests.)"""
    import duckdb

    from etl.errors import LakeCommitConflictError
    from etl.load import faults, loader

    settings, plan = _one_article_staged_for_a_lake(tmp_path)

    tries: list[int] = []

    def conflicts() -> None:
        tries.append(1)
        raise duckdb.TransactionException("Transaction conflict: another commit won")

    slept: list[float] = []
    monkeypatch.setattr(loader, "LAKE_COMMIT_ATTEMPTS", 3)
    monkeypatch.setattr(loader.time, "sleep", slept.append)
    monkeypatch.setattr(loader.random, "random", lambda: 0.5)  # the jitter's middle: x1.0
    with (
        faults.inject(faults.FaultPoint.BEFORE_COMMIT, conflicts),
        pytest.raises(LakeCommitConflictError) as info,
        caplog.at_level("WARNING", logger=loader.log.name),
    ):
        pipeline.load_run(plan.staging_dir)
    assert str(info.value) == ("DuckLake commit conflict: Transaction conflict: another commit won")
    assert len(tries) == 3  # settled and written again each time
    # The operator reads which attempt comes next, of how many, after how long: 0.1 s doubled
    # per attempt (seed 1226: "attempt 3 of 3" before the second try passed every test).
    assert slept == [0.2, 0.4]
    said = [r.getMessage() for r in caplog.records if r.name == loader.log.name]
    assert said == [
        f"run {plan.run_id}: DuckLake commit conflict: Transaction conflict: another commit won;"
        f" settling again in {delay}s (attempt {attempt} of 3)"
        for delay, attempt in (("0.2", 2), ("0.4", 3))
    ]
    assert pipeline.load_run(plan.staging_dir).articles_loaded == 1
    assert _lake_articles(settings) == 1


def test_a_run_planned_before_the_ledger_knew_the_newest_content_still_ingests(
    tmp_path: Path,
) -> None:
    """A run whose plan wrote the ledger snapshot in the form before session 39 (four fields an
    entry, no `latest`), ingested after an upgrade (an Airflow run cleared from `ingest`): its
    batches read as they did. They stopped on "not enough values to unpack" (review)."""
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_article("2024-03-04", "Cloves shipped"))
    s = _settings(landing, tmp_path)
    pipeline.run(s)
    (landing / "a.txt").write_bytes(_article("2024-03-04", "Cloves shipped twice"))
    (landing / "b.txt").write_bytes(_article("2024-03-04", "Pepper rose"))
    plan = pipeline.plan_run(s, trigger="test")
    known = Path(plan.staging_dir) / "known.json"
    data = json.loads(known.read_text())
    assert data["entries"] and all(len(e) == 5 for e in data["entries"])
    data["entries"] = [e[:4] for e in data["entries"]]
    known.write_text(json.dumps(data))
    counts = pipeline.ingest_batch(plan.staging_dir, 0)
    assert (counts["files"], counts["articles"], counts["quarantined"]) == (2, 2, 0), counts


def test_a_long_failing_value_is_quoted_to_500_characters_in_the_details(tmp_path: Path) -> None:
    """A record's 150 KB text failed the boilerplate bound: its quarantine detail and its check's
    detail held the whole text (150,131 characters), where every detail quotes at most 500
    characters of a value and counts the rest (README, Quarantine reasons; probe, session 41)."""
    landing = tmp_path / "landing" / "2024-03-04"
    landing.mkdir(parents=True)
    boilerplate = (
        "Click here to read more.\n\nSubscribe to our newsletter for updates.\n\n"
        "Follow us on social media.\n\n"
    )
    tail = "<script>alert(1)</script>word " * 5000
    (landing / "big.txt").write_text(f" date 2024-03-04 {boilerplate}{tail}", encoding="utf-8")
    settings = settings_for(landing.parent, tmp_path)
    summary = pipeline.run(settings)
    assert summary.quarantined == 1
    ((reason, detail),) = query(settings.warehouse, "SELECT reason, detail FROM quarantine")
    assert reason == "expect_column_values_to_have_boilerplate_ratio_below"
    value, _, expects = detail.removeprefix("clean_text: ").rpartition("; expects ")
    assert expects == "max_ratio=0.5 ($max_boilerplate_ratio)"
    quoted = json.loads(value)["clean_text"]
    head, more = quoted.split("… [")
    assert head == (boilerplate + tail)[:500]
    assert more.endswith(" more characters]")
    assert int(more.split()[0]) > 140_000
    ((check,),) = query(
        settings.warehouse, "SELECT detail FROM fact_check_result WHERE NOT success"
    )
    ((row,),) = [json.loads(check)]
    assert row["clean_text"] == quoted
    assert set(row) == {"clean_text", "article_id"} and len(row["article_id"]) == 64  # whole


def test_a_rebuild_keeps_each_undated_record_on_the_day_the_warehouse_holds_it(
    tmp_path: Path,
) -> None:
    """Undated records (no header, no date field, no dated folder) take the date of the run that
    first loads them; a rebuild reads their files again, writes what they say now and keeps
    each record on the day the warehouse holds it on (``LedgerView.placed_day``: a mutation
    survivor, seed 1212, had no test in the fast selection; with it broken a rebuild read
    nothing and the edited text never reached the warehouse). A record whose file also holds a
    dated one keeps its own day; an undated file that only failed validation and changed since
    is read by the rebuild and left to the next run that is not one (a rebuild places no
    undated record for the first time): its refusal stands."""
    from etl import backfill

    landing = tmp_path / "landing"
    (landing / "flat").mkdir(parents=True)

    def write(first: str, second: str) -> None:
        (landing / "flat" / "u.txt").write_bytes(_article(None, first))
        lines = [
            {"text": BODY.format(words=second)},
            {"published": "2024-03-05", "text": BODY.format(words="Nutmeg was scarce")},
        ]
        (landing / "flat" / "feed.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))

    write("Cloves shipped without a date", "Pepper prices doubled")
    (landing / "flat" / "short.txt").write_text("Too short.")  # n_terms below the bound
    s = _settings(landing, tmp_path)
    pipeline.run(s, partition_date=date(2024, 3, 4))
    write("Ginger shipped without a date", "Vanilla prices doubled")  # edited, still undated
    (landing / "flat" / "short.txt").write_text("Still short.")  # changed: a rebuild reads it
    facts = (
        "SELECT f.source_file, f.source_record, f.published_date::VARCHAR, f.date_source,"
        " split_part(t.clean_text, ' ', 1) FROM fact_article f JOIN article_text t USING"
        " (article_id) ORDER BY 1, 2 NULLS FIRST"
    )
    expected = [
        ("flat/feed.jsonl", "line 1", "2024-03-04", "run", "Vanilla"),
        ("flat/feed.jsonl", "line 2", "2024-03-05", "metadata", "Nutmeg"),
        ("flat/u.txt", None, "2024-03-04", "run", "Ginger"),
    ]
    backfill.rebuild_partition(s, date(2024, 3, 4))
    assert query(s.warehouse, facts) == expected
    # 03-05 holds feed.jsonl's dated record: its rebuild reads the file again, and the undated
    # record stays on 03-04 (it is not given 03-05, the rebuild's date)
    backfill.rebuild_partition(s, date(2024, 3, 5))
    assert query(s.warehouse, facts) == expected
    refused = "SELECT DISTINCT path, reason FROM quarantine WHERE path = 'flat/short.txt'"
    assert query(s.warehouse, refused) == [("flat/short.txt", "expect_column_values_to_be_between")]


def test_a_replay_whose_run_failed_puts_back_every_verdict_it_forgot(tmp_path: Path) -> None:
    """``remember_again`` puts back the ledger rows and refusals a replay forgot, as they were
    (its run was refused: it wrote nothing), and only those a later run has not written anew;
    it says how many it put back. Pinned here with the fast tests (a mutation survivor of seed
    1213 that only test_known_refusals, too slow for the mutation selection, reached)."""
    from etl.load.replay import forget_quarantined, remember_again
    from etl.warehouse import writer

    day = tmp_path / "landing" / "2024-03-04"
    day.mkdir(parents=True)
    (day / "good.txt").write_bytes(_article("2024-03-04", "Copper rose in Lusaka"))
    (day / "empty.txt").write_bytes(b"")  # quarantined whole, with a hash: a ledger verdict
    (day / "link.txt").symlink_to(tmp_path / "elsewhere.txt")  # refused unread: a refusal
    s = _settings(day.parent, tmp_path)
    pipeline.run(s)
    ledger = "SELECT path, sha256, outcome, last_run_id FROM ingest_ledger ORDER BY ALL"
    refusals = "SELECT path, reason, detail FROM ingest_refusal ORDER BY ALL"
    before = (query(s.warehouse, ledger), query(s.warehouse, refusals))
    assert [row[0] for row in before[0]] == ["2024-03-04/empty.txt", "2024-03-04/good.txt"]
    assert [row[:2] for row in before[1]] == [("2024-03-04/link.txt", "outside_landing")]
    with writer(s) as con:
        forgotten = forget_quarantined(con, str(s.landing), None)
    assert sorted(forgotten.paths) == ["2024-03-04/empty.txt", "2024-03-04/link.txt"]
    assert [row[0] for row in query(s.warehouse, ledger)] == ["2024-03-04/good.txt"]
    assert query(s.warehouse, refusals) == []
    with writer(s) as con:
        assert remember_again(con, forgotten) == 2  # one ledger row, one refusal
        assert remember_again(con, forgotten) == 0  # there already: nothing put back twice
    assert (query(s.warehouse, ledger), query(s.warehouse, refusals)) == before
