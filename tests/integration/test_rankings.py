"""Rankings, every form of a word, phrases and honest time series (issue 15, sections 2-4).

Each macro is compared with a plain Python computation over the stored facts (or, for G², with
scipy's), on the Reuters warehouse with its boilerplate flagged, and on small hand-made zones.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from scipy.stats import chi2_contingency

from etl import pipeline
from etl.load.boilerplate import flag_days, refresh_boilerplate
from etl.marts import refresh_marts
from etl.settings import Settings

from .helpers import query, settings_for

QUERIES = Path(__file__).resolve().parents[2] / "warehouse" / "queries"


@pytest.fixture(scope="module")
def wh(corpora: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("rankings")
    settings = settings_for(corpora / "reuters", tmp, write_reports=False)
    pipeline.run(settings)
    con = duckdb.connect(str(settings.warehouse))
    try:
        refresh_boilerplate(con)
    finally:
        con.close()
    return settings.warehouse


def _facts(wh: Path) -> list[tuple[Any, ...]]:
    """(article_id, date, term, kind, count, is_stopword, boilerplate count, only boilerplate)."""
    return query(
        wh,
        "SELECT f.article_id, f.published_date, t.term, t.term_kind, f.count,"
        " coalesce(f.is_stopword, false), coalesce(b.count, 0), coalesce(b.only_boilerplate, false)"
        " FROM fact_article_term f JOIN dim_term t USING (term_id)"
        " LEFT JOIN boilerplate_term b USING (article_id, term_id)",
    )


def _content_articles(wh: Path) -> dict[date, dict[str, set[str]]]:
    """Per day and word: the articles in which it is neither a stopword nor only boilerplate."""
    out: dict[date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for aid, day, term, kind, _, stop, _, only in _facts(wh):
        if kind == "word" and not stop and not only:
            out[day][term].add(aid)
    return out


def _articles_per_day(wh: Path) -> Counter[date]:
    return Counter(dict(query(wh, "SELECT published_date, count(*) FROM fact_article GROUP BY 1")))


def test_top_terms_per_day_example_leaves_out_stopwords_and_boilerplate(wh: Path) -> None:
    # Per day, from the stored facts: a word's occurrences outside boilerplate lines in the
    # articles where it is not a stopword, and the articles where it is neither a stopword nor
    # only boilerplate (probe A: the example ranked Reuters' sign-off 'reuter' second).
    occurrences: Counter[tuple[date, str]] = Counter()
    articles: Counter[tuple[date, str]] = Counter()
    for _, day, term, kind, count, stop, boilerplate, only in _facts(wh):
        if kind == "word" and len(term) >= 4 and not stop:
            occurrences[(day, term)] += count - boilerplate
            articles[(day, term)] += not only
    per_day: defaultdict[date, list[tuple[str, int]]] = defaultdict(list)
    for (day, term), n in occurrences.items():
        if n > 0:
            per_day[day].append((term, n))
    expected = [
        (day, term, n, articles[(day, term)])
        for day in sorted(per_day)
        for term, n in sorted(per_day[day], key=lambda kv: (-kv[1], kv[0]))[:10]
    ]
    sql = (QUERIES / "top_terms_per_day.sql").read_text(encoding="utf-8")
    got = query(wh, sql)
    assert got == expected
    assert "reuter" not in {term for _, term, _, _ in got}


# ---------------------------------------------------------------- boilerplate
def test_reuters_sign_off_is_flagged_not_deleted(wh: Path) -> None:
    texts = query(wh, "SELECT article_id, clean_text FROM article_text")
    signed = {
        aid for aid, text in texts if "reuter" in [p.strip().lower() for p in text.split("\n")]
    }
    assert len(signed) > 400
    lines = query(wh, "SELECT line, articles FROM boilerplate_line")
    assert ("reuter", len(signed)) in lines
    # The facts keep every occurrence; the rankings do not see the sign-off.
    ((stored,),) = query(
        wh,
        "SELECT count(*) FROM fact_article_term JOIN dim_term USING (term_id)"
        " WHERE term = 'reuter'",
    )
    assert stored >= len(signed)
    days = query(wh, "SELECT min(published_date), max(published_date) FROM fact_article")
    top = {t for (t,) in query(wh, "SELECT term FROM top_terms(?, ?, 200)", list(days[0]))}
    assert "reuter" not in top and "mln" in top


def test_daily_content_terms_are_the_words_some_article_uses_as_content(wh: Path) -> None:
    """Each row of ``v_daily_content_terms`` (words) is a day and a word that at least one article
    of the day uses as neither a stopword nor only in boilerplate, with that many articles; no
    other row. Up to session 31 the view also had rows of 0 articles and 0 occurrences (a word
    only in the Reuters sign-off that day), one too many for every ``count(*)`` over it."""
    expected = {
        (day, term, len(articles))
        for day, words in _content_articles(wh).items()
        for term, articles in words.items()
    }
    got = query(
        wh,
        "SELECT c.published_date, t.term, c.articles FROM v_daily_content_terms c"
        " JOIN dim_term t USING (term_id) WHERE t.term_kind = 'word'",
    )
    assert len(got) == len(set(got))
    assert set(got) == expected


def _byline_zone(root: Path, bodies: list[str]) -> Path:
    zone = root / "landing"
    (zone / "chinadaily").mkdir(parents=True)
    for i, body in enumerate(bodies):
        furniture = "China Daily European Weekly\n\nFollow us on Twitter"
        text = f" date 2017-03-0{1 + i % 7} {body}\n\n{furniture}"
        (zone / "chinadaily" / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    return zone


def test_a_byline_does_not_lead_the_week(corpora: Path, tmp_path: Path) -> None:
    files = sorted((corpora / "reuters").glob("*.txt"))[:40]
    bodies = [f.read_text(encoding="utf-8").split(" ", 3)[3] for f in files]
    bodies = [b for b in bodies if "daily" not in b.lower() and "weekly" not in b.lower()][:20]
    zone = _byline_zone(tmp_path, bodies)
    settings = settings_for(zone, tmp_path, write_reports=False)
    pipeline.run(settings)
    con = duckdb.connect(str(settings.warehouse))
    try:
        n_lines, _ = refresh_boilerplate(con)
        lines = {line for (line,) in con.execute("SELECT line FROM boilerplate_line").fetchall()}
        top = [
            t
            for (t,) in con.execute(
                "SELECT term FROM top_terms('2017-03-01', '2017-03-07', 10)"
            ).fetchall()
        ]
        kept = con.execute(
            "SELECT count(*) FROM fact_article_term JOIN dim_term USING (term_id)"
            " WHERE term = 'weekly'"
        ).fetchone()
        loaded = con.execute("SELECT count(*) FROM fact_article").fetchone()
    finally:
        con.close()
    assert lines == {"china daily european weekly", "follow us on twitter"} and n_lines == 2
    assert not {"china", "daily", "european", "weekly", "follow", "twitter"} & set(top), top
    assert kept == loaded and loaded is not None and loaded[0] >= 15  # flagged, not deleted


def _bylines_then_a_late_day(corpora: Path, tmp_path: Path) -> Settings:
    """A byline zone loaded, its lines found by the marts, then one more article of a new day
    with the byline, loaded by a second run (which must load exactly that article)."""
    files = sorted((corpora / "reuters").glob("*.txt"))[40:80]
    bodies = [f.read_text(encoding="utf-8").split(" ", 3)[3] for f in files]
    bodies = [b for b in bodies if "daily" not in b.lower() and "weekly" not in b.lower()][:21]
    zone = _byline_zone(tmp_path, bodies[:20])
    settings = settings_for(zone, tmp_path, write_reports=False)
    pipeline.run(settings)
    assert refresh_marts(settings)["boilerplate_line"] == 2  # news_marts finds the lines
    late = f" date 2017-03-20 {bodies[20]}\n\nChina Daily European Weekly"
    (zone / "chinadaily" / "late.txt").write_text(late, encoding="utf-8")
    assert pipeline.run(settings).articles_loaded == 1
    return settings


def test_the_loaders_call_flags_a_new_days_byline_at_once(corpora: Path, tmp_path: Path) -> None:
    settings = _bylines_then_a_late_day(corpora, tmp_path)
    con = duckdb.connect(str(settings.warehouse))
    try:
        con.execute("CREATE TEMP TABLE days AS SELECT DATE '2017-03-20' AS published_date")
        assert flag_days(con, "days") == 4  # china, daily, european, weekly of the new article
        top = {
            t
            for (t,) in con.execute(
                "SELECT term FROM top_terms('2017-03-20', '2017-03-20', 500)"
            ).fetchall()
        }
    finally:
        con.close()
    assert top and not {"china", "daily", "european", "weekly"} & top


def test_the_loader_itself_flags_a_new_days_byline(corpora: Path, tmp_path: Path) -> None:
    # The test above calls flag_days itself, so it passed while no loader called it (a
    # no-tests survivor of the seed-1201 mutation sample, issue #18). Here only the loader runs.
    settings = _bylines_then_a_late_day(corpora, tmp_path)
    flagged = query(
        settings.warehouse,
        "SELECT t.term FROM boilerplate_term b JOIN dim_term t USING (term_id)"
        " JOIN fact_article a USING (article_id)"
        " WHERE a.source_file = 'chinadaily/late.txt' ORDER BY 1",
    )
    assert flagged == [("china",), ("daily",), ("european",), ("weekly",)]
    top = query(settings.warehouse, "SELECT term FROM top_terms('2017-03-20', '2017-03-20', 500)")
    assert top and not {"china", "daily", "european", "weekly"} & {t for (t,) in top}


# ---------------------------------------------------------------- trending
def test_trending_terms_by_articles_with_a_floor_and_smoothed_lift(wh: Path) -> None:
    per_day = _articles_per_day(wh)
    day = max(per_day, key=lambda d: (per_day[d], d))
    content = _content_articles(wh)
    n_day = per_day[day]
    base_days = [day - timedelta(days=i) for i in range(1, 8)]
    n_base = sum(per_day[d] for d in base_days)
    lift = {}
    for term, arts in content[day].items():
        if len(arts) >= 3:
            b = sum(len(content[d].get(term, ())) for d in base_days)
            lift[term] = ((len(arts) + 0.5) / (n_day + 1)) / ((b + 0.5) / (n_base + 1))
    expected = sorted(lift, key=lambda t: (-lift[t], -len(content[day][t]), t))[:15]
    got = query(wh, "SELECT term, articles, lift, note FROM trending_terms(?, 7, 15)", [day])
    assert [t for t, *_ in got] == expected
    assert all(a >= 3 and n is None for _, a, _, n in got)
    assert all(abs(lf - lift[t]) < 1e-9 for t, _, lf, _ in got)


def test_trending_terms_without_a_baseline_says_why(wh: Path) -> None:
    ((first,),) = query(wh, "SELECT min(published_date) FROM fact_article")
    got = query(wh, "SELECT term, lift, note FROM trending_terms(?, 7, 15)", [first])
    assert got == [(None, None, f"no baseline: no articles in the 7 days before {first}")]
    ((zero,),) = query(wh, "SELECT note FROM trending_terms(?, 0, 15)", [first])
    assert zero == "baseline_days must be at least 1"


# ---------------------------------------------------------------- distinctive
def test_distinctive_terms_rank_by_scipys_log_likelihood(wh: Path) -> None:
    per_day = _articles_per_day(wh)
    day = max(per_day, key=lambda d: (per_day[d], d))
    content = _content_articles(wh)
    c = per_day[day]
    d = sum(per_day.values()) - c
    outside: Counter[str] = Counter()
    for other, words in content.items():
        if other != day:
            for term, arts in words.items():
                outside[term] += len(arts)
    g2 = {}
    for term, arts in content[day].items():
        a, b = len(arts), outside[term]
        if a >= 3 and a / c > b / d:
            stat, *_ = chi2_contingency(
                [[a, c - a], [b, d - b]], correction=False, lambda_="log-likelihood"
            )
            g2[term] = float(stat)
    expected = sorted(g2, key=lambda t: (-g2[t], -len(content[day][t]), t))[:20]
    got = query(wh, "SELECT term, g2 FROM distinctive_terms(?, ?, 20)", [day, day])
    assert [t for t, _ in got] == expected
    assert all(abs(v - g2[t]) < 1e-6 for t, v in got)
    everything = query(
        wh, "SELECT term, note FROM distinctive_terms('1900-01-01', '2100-01-01', 5)"
    )
    assert everything == [(None, "nothing to compare with: every article is in the period")]


# ---------------------------------------------------------------- co-occurrence
def test_cooccurring_terms_rank_by_npmi_with_a_minimum_support(wh: Path) -> None:
    docs: dict[str, set[str]] = defaultdict(set)
    all_articles: set[str] = set()
    for aid, _, term, kind, _, stop, _, only in _facts(wh):
        all_articles.add(aid)
        if kind == "word" and not stop and not only:
            docs[term].add(aid)
    n = len(all_articles)
    target = docs["oil"]
    npmi = {}
    for term, arts in docs.items():
        both = len(arts & target)
        if term != "oil" and both >= 3:
            pmi = math.log(both * n / (len(target) * len(arts)))
            npmi[term] = pmi / -math.log(both / n)
    expected = sorted(npmi, key=lambda t: (-npmi[t], -len(docs[t] & target), t))[:15]
    got = query(wh, "SELECT term, articles, npmi FROM cooccurring_terms('oil', 15)")
    assert [t for t, _, _ in got] == expected
    assert all(a >= 3 and abs(v - npmi[t]) < 1e-9 for t, a, v in got)
    # By association, not by frequency: the corpus's commonest words are not the answer.
    assert not {"mln", "dlrs", "pct"} & {t for t, _, _ in got}


# ---------------------------------------------------------------- honest time series
def test_term_trend_is_null_on_days_without_articles_and_knows_unknown_terms(wh: Path) -> None:
    per_day = _articles_per_day(wh)
    first, last = min(per_day), max(per_day)
    oil: Counter[date] = Counter()
    for _, day, term, *_ in _facts(wh):
        if term == "oil":
            oil[day] += 1
    got = query(
        wh,
        "SELECT day, articles, day_articles, share, note FROM term_trend('oil', ?, ?)",
        [first, last],
    )
    assert len(got) == (last - first).days + 1
    for day, articles, day_articles, share, note in got:
        if per_day[day]:
            assert (articles, day_articles, note) == (oil[day], per_day[day], None)
            assert abs(share - oil[day] / per_day[day]) < 1e-12
        else:
            assert (articles, day_articles, share, note) == (None, 0, None, "no articles this day")
    assert any(per_day[d] == 0 for d, *_ in got)  # the corpus has empty days (weekends)
    unknown = query(wh, "SELECT DISTINCT note FROM term_trend('zzqxv', ?, ?)", [first, first])
    assert unknown == [("not in the vocabulary",)]


def test_calendar_has_every_day_and_week_helpers(wh: Path) -> None:
    per_day = _articles_per_day(wh)
    rows = query(wh, "SELECT date_key, articles, has_articles, week_start FROM v_calendar")
    first, last = min(per_day), max(per_day)
    assert [r[0] for r in rows] == [
        first + timedelta(days=i) for i in range((last - first).days + 1)
    ]
    assert all(a == per_day[d] and h == (d in per_day) for d, a, h, _ in rows)
    assert all(w == d - timedelta(days=d.weekday()) for d, _, _, w in rows)
    weekly = query(
        wh, "SELECT period, period_articles FROM term_trend_by('oil', ?, ?, 'week')", [first, last]
    )
    by_week: Counter[date] = Counter()
    for d, n in per_day.items():
        by_week[d - timedelta(days=d.weekday())] += n
    assert dict(weekly) == dict(by_week)


# ---------------------------------------------------------------- every form of a word
def _parts(term: str) -> list[str]:
    return [p for p in re.sub(r"['’]s$", "", term).split("-") if p]


def test_stem_variants_count_every_form(wh: Path) -> None:
    rows = query(
        wh,
        "SELECT f.article_id, f.published_date, t.term, f.stem_id, f.count"
        " FROM fact_article_term f JOIN dim_term t USING (term_id)",
    )
    stems = {s for _, _, term, s, _ in rows if term == "export"}
    forms = {term for _, _, term, s, _ in rows if s in stems}
    family = forms | {
        term for _, _, term, _, _ in rows if "-" in term and set(_parts(term)) & forms
    }
    assert {"exports", "exported", "export-led"} <= family
    per_day: dict[date, set[str]] = defaultdict(set)
    for aid, day, term, _, _ in rows:
        if term in family:
            per_day[day].add(aid)
    first, last = min(per_day), max(per_day)
    got = query(
        wh,
        "SELECT day, articles FROM term_trend_stem('export', ?, ?) WHERE articles > 0",
        [first, last],
    )
    assert dict(got) == {d: len(a) for d, a in per_day.items()}
    exact = dict(query(wh, "SELECT day, articles FROM term_trend('export', ?, ?)", [first, last]))
    assert sum(dict(got).values()) > sum(v or 0 for v in exact.values())
    kwic = query(wh, "SELECT article_id, keyword FROM kwic_stem('export', 20)")
    assert len(kwic) == len({a for arts in per_day.values() for a in arts})
    assert all(k.lower() in family for _, k in kwic)
    found = {a for (a,) in query(wh, "SELECT article_id FROM search_stem('exported', 10000)")}
    assert found == {a for arts in per_day.values() for a in arts}


def test_top_terms_stem_groups_forms(wh: Path) -> None:
    ((day,),) = query(
        wh, "SELECT published_date FROM fact_article GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    rows = query(
        wh,
        "SELECT f.article_id, s.stem, s.language_code, t.term, f.count - coalesce(b.count, 0)"
        " FROM fact_article_term f JOIN dim_term t USING (term_id) JOIN dim_stem s USING (stem_id)"
        " LEFT JOIN boilerplate_term b USING (article_id, term_id)"
        " WHERE f.published_date = ? AND t.term_kind = 'word' AND NOT f.is_stopword",
        [day],
    )
    occ: Counter[tuple[str, str]] = Counter()
    arts: dict[tuple[str, str], set[str]] = defaultdict(set)
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for aid, stem, lang, term, count in rows:
        if count > 0:
            occ[(stem, lang)] += count
            arts[(stem, lang)].add(aid)
            forms[(stem, lang)][term] += count
    expected = [
        (
            stem,
            lang,
            sorted(forms[(stem, lang)], key=lambda f: (-forms[(stem, lang)][f], f)),
            n,
            len(arts[(stem, lang)]),
        )
        for (stem, lang), n in sorted(occ.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    ]
    got = query(
        wh,
        "SELECT stem, language_code, forms, occurrences, articles FROM top_terms_stem(?, ?, 10)",
        [day, day],
    )
    assert got == expected
    company = next(g for g in got if g[0] == "compani")
    assert {"company", "companies"} <= set(company[2])


def test_search_reaches_the_parts_of_hyphenated_and_possessive_terms(wh: Path) -> None:
    rows = query(
        wh,
        "SELECT f.article_id, t.term FROM fact_article_term f JOIN dim_term t USING (term_id)",
    )
    exact = {a for a, t in rows if t == "export"}
    with_parts = {a for a, t in rows if t == "export" or "export" in _parts(t)}
    assert with_parts > exact
    got = {a for (a,) in query(wh, "SELECT article_id FROM search('export', 100000)")}
    assert got == with_parts
    possessive = {a for a, t in rows if t in ("japan", "japan's")}
    got = {a for (a,) in query(wh, "SELECT article_id FROM search('japan', 100000)")}
    assert got == possessive and len(possessive) > len({a for a, t in rows if t == "japan"})


# ---------------------------------------------------------------- phrases
PHRASE = re.compile(r"(?<![\w])(trade\s+deficit)(?![\w])", re.IGNORECASE)


def test_kwic_and_search_find_phrases(wh: Path) -> None:
    texts = dict(query(wh, "SELECT article_id, clean_text FROM article_text"))
    width = 30
    expected = {}
    for aid, text in texts.items():
        m = PHRASE.search(text)
        if m:
            expected[aid] = (
                text[max(m.start() - width, 0) : m.start()],
                m.group(1),
                text[m.end() : m.end() + width],
            )
    assert len(expected) > 10
    got = query(
        wh,
        "SELECT article_id, left_context, keyword, right_context FROM kwic('Trade  Deficit', ?)",
        [width],
    )
    assert {a: (left, k, r) for a, left, k, r in got} == expected
    found = {a for (a,) in query(wh, "SELECT article_id FROM search('\"trade deficit\"', 100000)")}
    assert found == set(expected)
    # Both words, but not as a phrase: a bag-of-words search finds more.
    loose = {a for (a,) in query(wh, "SELECT article_id FROM search('trade deficit', 100000)")}
    assert loose > found
