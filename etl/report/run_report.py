"""The run report: one self-contained HTML page per run (inline CSS and SVG, no external assets).

It shows the run's counts per stage (``load`` included) and total duration, quarantine reasons,
data-quality results (failures first) with links to the run's ``quality.html`` and GX Data Docs,
articles per day and source on a real time axis, the words that distinguish the days the run
wrote (``distinctive_terms``) and their daily share. Written to
``<reports dir>/<run_id>/report.html`` (next to the run's ``quality.html`` and ``data_docs/``)
and ``<reports dir>/latest.html`` after every load, with ``<reports dir>/index.html``: every run,
and articles and quarantine over time. Rebuilt with ``news-etl report [--run ID]``. The pages
fit a phone (420 px) and a desktop (1,400 px): tables wrap long values instead of overflowing.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from etl.contracts import RunStatus, Stage, TokenKind
from etl.errors import PermanentError, UnknownRunError
from etl.output import NEWLINE, html_text, write_whole
from etl.report import charts
from etl.timing import STAGES
from etl.validate.docs import DOCS_DIR

#: The run's data-quality page, next to its report (``etl.quality.write_quality_page``).
QUALITY_PAGE = "quality.html"
#: a run's report (under ``<reports dir>/<run_id>/``)
REPORT_PAGE = "report.html"
#: The page listing every run, in the reports folder.
INDEX_PAGE = "index.html"

_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:70rem;color:#1d2733;padding:0 1rem}h1{font-size:1.5rem}h2{font-size:1.15rem;
margin-top:2rem;border-bottom:1px solid #d5dbe3;padding-bottom:.3rem}
code,.whole li{overflow-wrap:anywhere}
.tablewrap{max-width:100%;overflow-x:auto}
table{border-collapse:collapse;margin:.5rem 0;max-width:100%}
td,th{border:1px solid #d5dbe3;padding:.25rem .6rem;text-align:left;font-size:.9rem;
overflow-wrap:anywhere;vertical-align:top}td.num{text-align:right;white-space:nowrap}
th{background:#eef2f7}.ok{color:#1d7a3a}.bad{color:#b3261e;font-weight:600}.error{white-space:pre-wrap}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d5dbe3;border-radius:6px;
padding:.6rem 1rem;min-width:8rem}.card b{display:block;font-size:1.4rem}
.chart svg{max-width:100%;height:auto}small{color:#5b6776}
@media (max-width:600px){body{margin:1rem auto;padding:0 .5rem}td,th{padding:.2rem .3rem;
font-size:.8rem}.card{min-width:6rem;padding:.4rem .6rem}}
"""

# Records the rendered size of every chart and how wide the page and its tables are, so
# automated checks (headless Chromium) can tell that the charts rendered and nothing overflows
# the window; inline, so the page stays self-contained.
_SIZE_SCRIPT = """
window.addEventListener('load',function(){var s=[];document.querySelectorAll('.chart svg')
.forEach(function(e){var r=e.getBoundingClientRect();s.push(Math.round(r.width)+'x'+
Math.round(r.height));});var t=0;document.querySelectorAll('table').forEach(function(e){
t=Math.max(t,Math.ceil(e.getBoundingClientRect().right));});var b=document.body;
b.setAttribute('data-chart-sizes',s.join(','));b.setAttribute('data-table-right',t);
b.setAttribute('data-page-width',document.documentElement.scrollWidth);
b.setAttribute('data-viewport',window.innerWidth);});
"""


def _head(title: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{html.escape(title)}</title><style>{_CSS}</style>"
        f"<script>{_SIZE_SCRIPT}</script></head><body>"
    )


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"<td class='num'>{html.escape(str(value))}</td>"
    return f"<td>{html_text(value)}</td>"


def _table(headers: list[str], rows: list[tuple[Any, ...]]) -> str:
    if not rows:
        return "<p><small>none</small></p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return f"<div class='tablewrap'><table><tr>{head}</tr>{body}</table></div>"


def _run_row(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, Any]:
    sql = "SELECT * FROM etl_run " + (
        "WHERE run_id = ?" if run_id else "ORDER BY started_at DESC LIMIT 1"
    )
    rel = con.execute(sql, [run_id] if run_id else [])
    row = rel.fetchone()
    if row is None:
        raise UnknownRunError(run_id) if run_id else PermanentError("no runs yet")
    return dict(zip([d[0] for d in rel.description], row, strict=True))


def _days(run: dict[str, Any]) -> list[date]:
    """The days the run loaded; none for a run that loaded nothing (up to session 46 such a run
    charted the warehouse's last fourteen days as its own, words included: probe V)."""
    return sorted(run["partitions"] or [])


def data_docs_links(run_dir: Path) -> list[tuple[str, str]]:
    """``(label, href)`` of the run's GX Data Docs pages, relative to ``run_dir``: the index, then
    one page per validation result (the index lists those with JavaScript from a CDN, so offline
    these direct links are the way in). Empty when the run has no Data Docs."""
    docs = run_dir / DOCS_DIR
    if not (docs / "index.html").is_file():
        return []
    links = [("index: every suite and validation result", f"{DOCS_DIR}/index.html")]
    for page in sorted((docs / "validations").rglob("*.html")):
        parts = page.relative_to(docs / "validations").parts  # suite, run, time, batches.html
        label = f"{parts[0]}: {page.stem}"
        links.append((label, page.relative_to(run_dir).as_posix()))
    return links


def _docs_section(links: list[tuple[str, str]]) -> str:
    if not links:
        return ""
    items = "".join(
        f"<li><a href='{html.escape(href)}'>{html.escape(label)}</a></li>" for label, href in links
    )
    return (
        "<h3>GX Data Docs</h3><p><small>Great Expectations' own pages of this run's validation "
        "results (they load their styles from the internet and look plain offline).</small></p>"
        f"<ul>{items}</ul>"
    )


def _duration(run: dict[str, Any]) -> float | None:
    start, end = run.get("started_at"), run.get("ended_at")
    if start is None or end is None:
        return None
    return float((end - start).total_seconds())


def _stages(con: duckdb.DuckDBPyConnection, run: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The run's stage rows in pipeline order, ending with ``load``: the loader's own row when
    it wrote one, else one derived from the run (its seconds: the run's time not spent in the
    other stages, labelled as such)."""
    rows = con.execute(
        "SELECT stage, n_in, n_out, n_duplicate, n_quarantined, round(seconds, 2)"
        " FROM etl_run_stage WHERE run_id = ?"
        " ORDER BY coalesce(list_position(?::VARCHAR[], stage), 99), stage",
        [run["run_id"], list(STAGES)],
    ).fetchall()
    if any(r[0] == Stage.LOAD for r in rows) or run["status"] != RunStatus.SUCCESS:
        return rows
    total = _duration(run)
    before = next((r for r in reversed(rows) if r[0] != Stage.LOAD), None)
    rest = None if total is None else round(max(total - sum(float(r[5]) for r in rows), 0.0), 2)
    derived = (
        "load (rest of the run)",
        before[2] if before else run["files_new"],
        run["articles_loaded"],
        run["duplicates"],
        0,
        rest,
    )
    return [*rows, derived]


@dataclass(frozen=True)
class Charts:
    """The charts of a run's report and of the index of runs (HTML): the pages' slowest parts,
    drawn by a run while its GX Data Docs are built elsewhere (:func:`etl.pipeline.load_run`)."""

    run: str
    index: str


def report_charts(con: duckdb.DuckDBPyConnection, run_id: str) -> Charts:
    """The charts of the report of ``run_id`` and of the index (see :class:`Charts`)."""
    run = _run_row(con, run_id)
    days = _days(run)
    return Charts(
        _charts(con, days, min(days) - timedelta(days=13) if days else None),
        _index_charts(con, _runs(con)),
    )


def render_run_report(
    con: duckdb.DuckDBPyConnection,
    run_id: str | None = None,
    docs: list[tuple[str, str]] | None = None,
    drawn: str | None = None,
    quality: bool = True,
) -> tuple[str, str]:
    """``(run_id, html)`` of the report of ``run_id`` (default: the latest run); ``docs`` are
    the links to its GX Data Docs (:func:`data_docs_links`); ``drawn`` its charts when they
    were drawn already (:attr:`Charts.run`); ``quality``: whether its quality page exists (when
    not, the page says so instead of linking to it: a run that failed before validating has
    none, and its page linked to it twice, up to session 46)."""
    run = _run_row(con, run_id)
    rid = str(run["run_id"])
    if drawn is None:
        days = _days(run)
        drawn = _charts(con, days, min(days) - timedelta(days=13) if days else None)
    reasons = con.execute(
        "SELECT reason, stage, count(*), any_value(path), any_value(detail) FROM quarantine"
        " WHERE run_id = ? GROUP BY reason, stage ORDER BY 3 DESC",
        [rid],
    ).fetchall()
    checks = con.execute(
        "SELECT success, suite, expectation, column_name, sum(unexpected_count), any_value(detail)"
        " FROM fact_check_result WHERE run_id = ? GROUP BY ALL ORDER BY success, suite,"
        " expectation, column_name",
        [rid],
    ).fetchall()
    total = _duration(run)
    parts = [
        _head(f"news-etl run {rid}"),
        f"<p><a href='../{INDEX_PAGE}'>all runs</a> · "
        + (
            f"<a href='{QUALITY_PAGE}'>data quality of this run</a>"
            if quality
            else _no_quality(rid)
        )
        + "</p>",
        f"<h1>Run <code>{html.escape(rid)}</code></h1>",
        f"<p>{html.escape(str(run['trigger']))} run for "
        f"{html.escape(str(run['partition_date'] or 'every new file'))} · status "
        f"<span class='{'ok' if run['status'] == RunStatus.SUCCESS else 'bad'}'>"
        f"{html.escape(str(run['status']))}</span> · {html.escape(str(run['started_at']))} → "
        f"{html.escape(str(run['ended_at']))} · code {html.escape(str(run['code_version']))}, "
        f"text {html.escape(str(run['text_version']))}, schema {run['schema_version']}</p>",
    ]
    if run.get("error"):
        error = html_text(run["error"], keep=NEWLINE)  # a multi-line error keeps its breaks
        # pre-wrap: its line breaks show as breaks (as a space, a path's newline was invisible)
        parts.append(f"<p class='bad error'>{error}</p>")
    cards = [
        ("files seen", run["files_seen"]),
        ("new", run["files_new"]),
        ("unchanged", run["files_unchanged"]),
        ("other days", run["files_deferred"]),
        ("articles loaded", run["articles_loaded"]),
        # a replace's removals (its loaded count alone read "0 articles loaded": probe V)
        *([("articles removed", removed)] if (removed := run.get("articles_removed")) else []),
        ("duplicates", run["duplicates"]),
        ("quarantined", run["quarantined"]),
        ("seconds in all", "" if total is None else f"{total:.1f}"),
    ]
    parts.append(
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><b>{html.escape(str(value))}</b>{html.escape(label)}</div>"
            for label, value in cards
        )
        + "</div>"
    )
    parts.append(
        "<h2>Stages</h2>"
        + _table(["stage", "in", "out", "duplicates", "quarantined", "seconds"], _stages(con, run))
        + (
            f"<p>Total duration: {total:.2f} s (planning to commit).</p>"
            if total is not None
            else ""
        )
    )
    parts.append(
        "<h2>Quarantine</h2>"
        + _table(["reason", "stage", "records", "example file", "example detail"], reasons)
    )
    failures = [c for c in checks if not c[0]]
    parts.append(
        f"<h2>Data quality</h2><p>{len(checks) - len(failures)} expectations passed, "
        f"<span class='{'bad' if failures else 'ok'}'>{len(failures)} failed</span>. "
        + (
            f"Details: <a href='{QUALITY_PAGE}'>{QUALITY_PAGE}</a>."
            if quality
            else _no_quality(rid)
        )
        + "</p>"
        + _table(
            ["success", "suite", "expectation", "column", "unexpected", "detail"],
            [("FAILED" if not c[0] else "ok", *c[1:]) for c in checks],
        )
        + _docs_section(docs or [])
    )
    parts.append(drawn)
    parts.append("</body></html>")
    return rid, "".join(parts)


def _no_quality(run_id: str) -> str:
    """Said where the report would link to a run's quality page that was never written."""
    return (
        "No data-quality page was written for this run; "
        f"<code>news-etl quality --run {html.escape(run_id)}</code> prints its checks"
    )


#: The report's charts of a run that loaded no article.
NO_DAYS = "This run loaded no articles: no days to chart."


def _now() -> str:
    """When a page is written (UTC, to the second), as the page says it."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _calendar(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _charts(con: duckdb.DuckDBPyConnection, days: list[date], window_start: date | None) -> str:
    if not days or window_start is None:
        return f"<h2>Articles</h2><p><small>{NO_DAYS}</small></p>"
    out: list[str] = []
    span = _calendar(window_start, max(days))
    per_source = con.execute(
        "SELECT a.published_date, s.source_name, count(*) FROM fact_article a"
        " JOIN dim_source s USING (source_id) WHERE a.published_date BETWEEN ? AND ?"
        " GROUP BY ALL ORDER BY 1, 2",
        [window_start, max(days)],
    ).fetchall()
    series: dict[str, list[float]] = {}
    position = {day: i for i, day in enumerate(span)}
    for day, source, n in per_source:
        series.setdefault(source, [0.0] * len(span))[position[day]] = float(n)
    out.append(
        "<h2>Articles per day and source</h2><p><small>the warehouse's articles of these days "
        f"as it stood when this page was written ({_now()}), not only this run's: a later run "
        "or replace changes them; the run's own counts are above</small></p><div class='chart'>"
        + charts.stacked_bars(span, series, "articles")
        + "</div>"
        + _whole_labels(charts.shortened(charts.legend_names(series)))
    )
    terms, heading, note = _run_terms(con, days)
    if not terms:
        return "".join(out)
    out.append(
        f"<h2>{html.escape(heading)}</h2>"
        + (f"<p><small>{html_text(note)}</small></p>" if note else "")
        + "<div class='chart'>"
        + charts.bar_chart([t for t, _ in terms], [v for _, v in terms], heading)
        + "</div>"
        + _whole_labels(charts.shortened(t for t, _ in terms))
    )
    top = [t for t, _ in terms[:5]]
    trends = term_shares(con, top, window_start, max(days))
    lines: dict[str, list[float]] = {}
    for term in top:
        trend = trends.get(term, {})
        shares = [trend.get(d) for d in span]
        lines[term] = [math.nan if share is None else 100 * share for share in shares]
    out.append(
        "<h2>Trend of these words</h2><p><small>share of the day's articles that use the word; "
        "days without articles are gaps</small></p><div class='chart'>"
        + charts.line_chart(span, lines, "% of the day's articles")
        + "</div>"
    )
    return "".join(out)


#: ``term_trend``'s share (articles of the day that use the term / articles of the day, NULL on
#: a day without articles) of several stored terms in one query. ``term_trend`` reads typed
#: text first, and binding it compiles its tokenizer's patterns: ~75 ms a call whatever the
#: warehouse, 0.37 s of a one-file run's report for its five words, which are stored terms
#: already. A test checks the shares equal ``term_trend``'s.
_SHARES = """
SELECT t.term, c.date_key,
       CASE WHEN c.has_articles THEN coalesce(a.articles, 0) / c.articles END AS share
FROM calendar(?, ?) c
CROSS JOIN (SELECT term_id, term FROM dim_term WHERE list_contains(?::VARCHAR[], term)) t
LEFT JOIN agg_daily_term a ON a.term_id = t.term_id AND a.published_date = c.date_key
"""


def term_shares(
    con: duckdb.DuckDBPyConnection, terms: list[str], start: date, end: date
) -> dict[str, dict[date, float | None]]:
    """Each stored term's daily share from ``start`` to ``end``, as ``term_trend`` gives it
    (``None`` on a day without articles); a term not in ``dim_term`` is left out."""
    out: dict[str, dict[date, float | None]] = {}
    for term, day, share in con.execute(_SHARES, [start, end, terms]).fetchall():
        out.setdefault(str(term), {})[day] = None if share is None else float(share)
    return out


def _whole_labels(names: list[str]) -> str:
    """Under a chart: the labels it draws shortened (:func:`charts.label`), whole and escaped,
    folded away (a chart never drops a value without saying so); nothing when none is."""
    if not names:
        return ""
    items = "".join(f"<li>{html_text(name)}</li>" for name in names)
    return (
        f"<details><summary><small>{len(names)} label(s) over {charts.MAX_LABEL_CHARS} "
        "characters are shortened in the chart (ending in …); here they are whole</small>"
        f"</summary><ul class='whole'>{items}</ul></details>"
    )


def _run_terms(
    con: duckdb.DuckDBPyConnection, days: list[date]
) -> tuple[list[tuple[str, float]], str, str]:
    """The words of the run's days: ``distinctive_terms`` (G² against the rest of the
    warehouse) when the days are one period; else, or when there is nothing to compare with,
    the most frequent words of exactly those days, and why.

    Up to session 38 days apart (a run whose articles were published on 2024-04-23 and
    2024-11-18) were ranked as the whole period between them: the chart counted the words of
    other runs' articles in between (probe)."""
    start, end = min(days), max(days)
    one_period = (end - start).days + 1 == len(set(days))
    why = "the run's days are not one period"
    if one_period:
        rows = con.execute(
            "SELECT term, g2, note FROM distinctive_terms(?, ?, 15)", [start, end]
        ).fetchall()
        found = [(str(t), float(g)) for t, g, _ in rows if t is not None]
        if found:
            return found, "Distinctive words of the run's days (log-likelihood G²)", ""
        why = next((str(n) for t, _, n in rows if t is None and n), "")
    # top_terms over the run's days, not over the period between them
    top = con.execute(
        f"""
        SELECT t.term, sum(c.occurrences)::BIGINT AS n
        FROM v_daily_content_terms c JOIN dim_term t USING (term_id)
        WHERE c.published_date BETWEEN ?2 AND ?3  -- lets DuckDB skip the other days' rows
          AND list_contains(?1::DATE[], c.published_date) AND t.term_kind = '{TokenKind.WORD}'
        GROUP BY t.term HAVING n > 0 ORDER BY n DESC, t.term LIMIT 15
        """,
        [sorted(set(days)), start, end],
    ).fetchall()
    return (
        [(str(t), float(n)) for t, n in top],
        "Most frequent words of the run's days (occurrences)",
        f"No distinctive words: {why}." if why else "",
    )


def write_run_report(
    con: duckdb.DuckDBPyConnection,
    reports_dir: Path,
    run_id: str | None = None,
    charts: Charts | None = None,
) -> Path:
    """Render and write the report of ``run_id``; also refresh the index of every run
    (``index.html``) and, when ``run_id`` is the newest run, ``latest.html`` (a report rebuilt
    for an older run made latest.html show that run, up to session 38). ``charts``: the pages'
    charts drawn already (:func:`report_charts`), else they are drawn now."""
    rid = str(_run_row(con, run_id)["run_id"])
    docs = data_docs_links(reports_dir / rid)
    quality = (reports_dir / rid / QUALITY_PAGE).is_file()
    rid, page = render_run_report(con, rid, docs, charts.run if charts else None, quality)
    target = reports_dir / rid / REPORT_PAGE
    target.parent.mkdir(parents=True, exist_ok=True)
    write_whole(target, page)
    newest = con.execute(
        "SELECT run_id FROM etl_run ORDER BY started_at DESC, run_id DESC LIMIT 1"
    ).fetchone()
    if newest is not None and str(newest[0]) == rid:
        write_whole(reports_dir / "latest.html", latest_page(page, rid))
    write_whole(
        reports_dir / INDEX_PAGE, render_index(con, reports_dir, charts.index if charts else None)
    )
    return target


def _runs(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Every run of the index, newest first: id, trigger, partition, mode, status, start,
    seconds, new files, articles loaded, duplicates, quarantined, articles removed."""
    runs = con.execute(
        "SELECT run_id, trigger, partition_date, mode, status, started_at, ended_at, files_new,"
        " articles_loaded, duplicates, quarantined, articles_removed FROM etl_run"
        " ORDER BY started_at DESC, run_id"
    ).fetchall()
    rows = []
    for rid, trig, part, mode, status, start, end, new, loaded, dup, quar, removed in runs:
        seconds = None if end is None else round((end - start).total_seconds(), 1)
        rows.append(
            (rid, trig, part, mode, status, start, seconds, new, loaded, dup, quar, removed)
        )
    return rows


def render_index(
    con: duckdb.DuckDBPyConnection, reports_dir: Path, drawn: str | None = None
) -> str:
    """``index.html``: every run, newest first, with links to its pages, and charts of articles
    per published day and of articles loaded and quarantined per run over time (``drawn``: the
    charts drawn already, :attr:`Charts.index`)."""
    rows = _runs(con)
    removals = any(r[11] for r in rows)  # a column only once a replace removed articles
    shown = 12 if removals else 11
    body = "".join(
        "<tr>"
        + _link_cell(r[0], reports_dir)
        + "".join(_cell(v) for v in r[1:4])
        + f"<td class='{'ok' if r[4] == RunStatus.SUCCESS else 'bad'}'>"
        + f"{html.escape(str(r[4]))}</td>"
        + "".join(_cell(v) for v in r[5:shown])
        + "</tr>"
        for r in rows
    )
    headers = [
        "run",
        "trigger",
        "for",
        "mode",
        "status",
        "started",
        "seconds",
        "new files",
        "articles loaded",
        "duplicates",
        "quarantined",
        *(["articles removed"] if removals else []),
    ]
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    parts = [
        _head("news-etl runs"),
        "<h1>Runs</h1>",
        f"<p>{len(rows)} runs, newest first; <a href='latest.html'>latest report</a>.</p>",
        f"<div class='tablewrap'><table><tr>{head}</tr>{body}</table></div>"
        if rows
        else "<p><small>no runs yet</small></p>",
    ]
    parts.append(_index_charts(con, rows) if drawn is None else drawn)
    parts.append("</body></html>")
    return "".join(parts)


def _index_charts(con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]]) -> str:
    """The index's charts: articles per published day, and per run over time (``rows``:
    :func:`_runs`)."""
    parts: list[str] = []
    days = con.execute(
        "SELECT published_date, count(*) FROM fact_article GROUP BY 1 ORDER BY 1"
    ).fetchall()
    if days:
        counts = dict(days)
        span = _calendar(days[0][0], days[-1][0])
        parts.append(
            "<h2>Articles per published day</h2><div class='chart'>"
            + charts.stacked_bars(
                span, {"articles": [float(counts.get(d, 0)) for d in span]}, "articles"
            )
            + "</div>"
        )
    timed = [r for r in reversed(rows) if isinstance(r[5], datetime)]
    if timed:
        parts.append(
            "<h2>Articles loaded and quarantined per run</h2><div class='chart'>"
            + charts.events_chart(
                [r[5] for r in timed],
                {
                    "articles loaded": [float(r[8] or 0) for r in timed],
                    "quarantined": [float(r[10] or 0) for r in timed],
                },
                "per run, by start time",
            )
            + "</div>"
        )
    return "".join(parts)


def _link_cell(run_id: str, reports_dir: Path) -> str:
    links = [
        f"<a href='{html.escape(run_id)}/{name}'>{label}</a>"
        for name, label in ((REPORT_PAGE, "report"), (QUALITY_PAGE, "quality"))
        if (reports_dir / run_id / name).is_file()
    ]
    extra = f"<br><small>{' · '.join(links)}</small>" if links else ""
    return f"<td><code>{html.escape(run_id)}</code>{extra}</td>"


def latest_page(page: str, run_id: str) -> str:
    """The run's report as ``latest.html``, one folder up: the same page with a ``<base>`` in
    the run's folder, so that every relative link (the index, the quality page, the Data Docs)
    leads where it leads from the report itself. Only the Data Docs links were rewritten up to
    session 41: "all runs" and "data quality of this run" led to files that do not exist
    (probe)."""
    return page.replace("<head>", f"<head><base href='{html.escape(run_id)}/'>", 1)
