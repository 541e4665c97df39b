"""The run report: one self-contained HTML page per run (inline CSS and SVG, no external assets).

It shows the run's counts per stage, quarantine reasons, data-quality results (failures first)
with links to the run's GX Data Docs, articles per day and source, the top terms of the days the
run wrote and their trend. Written to ``<reports dir>/<run_id>/report.html`` (next to the run's
``quality.html`` and ``data_docs/``) and ``<reports dir>/latest.html`` after every load; rebuilt
with ``news-etl report [--run ID]``.
"""

from __future__ import annotations

import html
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb

from etl.errors import PermanentError
from etl.report import charts
from etl.timing import STAGES

#: The folder of a run's GX Data Docs, next to its report (``etl.pipeline.write_data_docs``).
DOCS_DIR = "data_docs"

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:70rem;
color:#1d2733;padding:0 1rem}h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;
border-bottom:1px solid #d5dbe3;padding-bottom:.3rem}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #d5dbe3;padding:.25rem .6rem;text-align:left;font-size:.9rem}
th{background:#eef2f7}.ok{color:#1d7a3a}.bad{color:#b3261e;font-weight:600}
.cards{display:flex;gap:1rem;flex-wrap:wrap}.card{border:1px solid #d5dbe3;border-radius:6px;
padding:.6rem 1rem;min-width:8rem}.card b{display:block;font-size:1.4rem}
.chart svg{max-width:100%;height:auto}small{color:#5b6776}
"""

# Records the rendered size of every chart, so automated checks (headless Chromium) can tell that
# the charts really rendered; inline, so the page stays self-contained.
_SIZE_SCRIPT = """
window.addEventListener('load',function(){var s=[];document.querySelectorAll('.chart svg')
.forEach(function(e){var r=e.getBoundingClientRect();s.push(Math.round(r.width)+'x'+
Math.round(r.height));});document.body.setAttribute('data-chart-sizes',s.join(','));});
"""


def _table(headers: list[str], rows: list[tuple[Any, ...]]) -> str:
    if not rows:
        return "<p><small>none</small></p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row)
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _run_row(con: duckdb.DuckDBPyConnection, run_id: str | None) -> dict[str, Any]:
    sql = "SELECT * FROM etl_run " + (
        "WHERE run_id = ?" if run_id else "ORDER BY started_at DESC LIMIT 1"
    )
    rel = con.execute(sql, [run_id] if run_id else [])
    row = rel.fetchone()
    if row is None:
        raise PermanentError(f"no run {run_id!r} in the warehouse" if run_id else "no runs yet")
    return dict(zip([d[0] for d in rel.description], row, strict=True))


def _days(con: duckdb.DuckDBPyConnection, run: dict[str, Any]) -> list[date]:
    days: list[date] = list(run["partitions"] or [])
    if days:
        return sorted(days)
    latest = con.execute("SELECT max(published_date) FROM fact_article").fetchone()
    if not latest or latest[0] is None:
        return []
    end: date = latest[0]
    return [end - timedelta(days=i) for i in range(13, -1, -1)]


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


def render_run_report(
    con: duckdb.DuckDBPyConnection,
    run_id: str | None = None,
    docs: list[tuple[str, str]] | None = None,
) -> tuple[str, str]:
    """``(run_id, html)`` of the report of ``run_id`` (default: the latest run); ``docs`` are
    the links to its GX Data Docs (:func:`data_docs_links`)."""
    run = _run_row(con, run_id)
    rid = str(run["run_id"])
    days = _days(con, run)
    window_start = min(days) - timedelta(days=13) if days else None
    stages = con.execute(
        "SELECT stage, n_in, n_out, n_duplicate, n_quarantined, round(seconds, 2)"
        " FROM etl_run_stage WHERE run_id = ?"
        " ORDER BY coalesce(list_position(?::VARCHAR[], stage), 99), stage",
        [rid, list(STAGES)],
    ).fetchall()
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
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>news-etl run {html.escape(rid)}</title><style>{_CSS}</style>",
        f"<script>{_SIZE_SCRIPT}</script></head><body>",
        f"<h1>Run <code>{html.escape(rid)}</code></h1>",
        f"<p>{html.escape(str(run['trigger']))} run for "
        f"{html.escape(str(run['partition_date'] or 'every new file'))} · status "
        f"<span class='{'ok' if run['status'] == 'success' else 'bad'}'>"
        f"{html.escape(str(run['status']))}</span> · {html.escape(str(run['started_at']))} → "
        f"{html.escape(str(run['ended_at']))} · code {html.escape(str(run['code_version']))}, "
        f"text {html.escape(str(run['text_version']))}, schema {run['schema_version']}</p>",
    ]
    if run.get("error"):
        parts.append(f"<p class='bad'>{html.escape(str(run['error']))}</p>")
    cards = [
        ("files seen", run["files_seen"]),
        ("new", run["files_new"]),
        ("unchanged", run["files_unchanged"]),
        ("other days", run["files_deferred"]),
        ("articles loaded", run["articles_loaded"]),
        ("duplicates", run["duplicates"]),
        ("quarantined", run["quarantined"]),
    ]
    parts.append(
        "<div class='cards'>"
        + "".join(
            f"<div class='card'><b>{value}</b>{html.escape(label)}</div>" for label, value in cards
        )
        + "</div>"
    )
    parts.append(
        "<h2>Stages</h2>"
        + _table(["stage", "in", "out", "duplicates", "quarantined", "seconds"], stages)
    )
    parts.append(
        "<h2>Quarantine</h2>"
        + _table(["reason", "stage", "records", "example file", "example detail"], reasons)
    )
    failures = [c for c in checks if not c[0]]
    parts.append(
        f"<h2>Data quality</h2><p>{len(checks) - len(failures)} expectations passed, "
        f"<span class='{'bad' if failures else 'ok'}'>{len(failures)} failed</span>.</p>"
        + _table(
            ["success", "suite", "expectation", "column", "unexpected", "detail"],
            [("FAILED" if not c[0] else "ok", *c[1:]) for c in checks],
        )
        + _docs_section(docs or [])
    )
    parts.append(_charts(con, days, window_start))
    parts.append("</body></html>")
    return rid, "".join(parts)


def _charts(con: duckdb.DuckDBPyConnection, days: list[date], window_start: date | None) -> str:
    if not days or window_start is None:
        return "<h2>Articles</h2><p><small>the warehouse has no articles yet</small></p>"
    out: list[str] = []
    per_source = con.execute(
        "SELECT a.published_date, s.source_name, count(*) FROM fact_article a"
        " JOIN dim_source s USING (source_id) WHERE a.published_date BETWEEN ? AND ?"
        " GROUP BY ALL ORDER BY 1, 2",
        [window_start, max(days)],
    ).fetchall()
    span = sorted({d for d, _, _ in per_source})
    series: dict[str, list[float]] = {}
    for day, source, n in per_source:
        series.setdefault(source, [0.0] * len(span))[span.index(day)] = float(n)
    out.append(
        "<h2>Articles per day and source</h2><div class='chart'>"
        + charts.stacked_bars(span, series, "articles")
        + "</div>"
    )
    top = con.execute(
        "SELECT t.term, sum(a.occurrences - a.stopword_occurrences)::BIGINT AS n"
        " FROM agg_daily_term a JOIN dim_term t USING (term_id)"
        " WHERE a.published_date IN (SELECT unnest(?::DATE[]))"
        " AND t.term_kind = 'word' AND t.n_chars >= 2"
        " GROUP BY 1 HAVING n > 0 ORDER BY 2 DESC, 1 LIMIT 15",
        [days],
    ).fetchall()
    if top:
        out.append(
            "<h2>Top terms of the run's days</h2><div class='chart'>"
            + charts.bar_chart(
                [t for t, _ in top], [float(n) for _, n in top], "occurrences (stopwords excluded)"
            )
            + "</div>"
        )
        terms = [t for t, _ in top[:5]]
        trend = con.execute(
            "SELECT a.published_date, t.term, sum(a.occurrences)::BIGINT FROM agg_daily_term a"
            " JOIN dim_term t USING (term_id) WHERE t.term IN (SELECT unnest(?::VARCHAR[]))"
            " AND a.published_date BETWEEN ? AND ? GROUP BY ALL ORDER BY 1",
            [terms, window_start, max(days)],
        ).fetchall()
        lines = {t: [0.0] * len(span) for t in terms}
        for day, term, n in trend:
            if day in span:
                lines[term][span.index(day)] = float(n)
        out.append(
            "<h2>Trend of the top terms</h2><div class='chart'>"
            + charts.line_chart(span, lines, "occurrences per day")
            + "</div>"
        )
    return "".join(out)


def write_run_report(
    con: duckdb.DuckDBPyConnection, reports_dir: Path, run_id: str | None = None
) -> Path:
    """Render and write the report of ``run_id``; also refresh ``latest.html``."""
    rid = str(_run_row(con, run_id)["run_id"])
    docs = data_docs_links(reports_dir / rid)
    rid, page = render_run_report(con, rid, docs)
    target = reports_dir / rid / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8")
    (reports_dir / "latest.html").write_text(latest_page(page, rid), encoding="utf-8")
    return target


def latest_page(page: str, run_id: str) -> str:
    """The run's report as ``latest.html``, one folder up: the same page, its Data Docs links
    pointing into the run's folder."""
    return page.replace(f"href='{DOCS_DIR}/", f"href='{run_id}/{DOCS_DIR}/")
