"""Quality reports people read: a terminal summary and a self-contained HTML page per run.

Both read ``fact_check_result``, ``quarantine`` and ``etl_run`` through a read-only connection
and list failures first. The HTML page embeds its CSS and loads nothing from the network (GX's
own Data Docs, built next to it in ``data_docs/`` by :mod:`etl.validate.docs`, pull JS/CSS from
CDNs and render unstyled offline); it names the Data Docs' index as text, not as a link, so it
stays one file that references nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from etl.contracts import plural
from etl.load.standing import STANDING_QUARANTINE
from etl.output import NEWLINE, html_text, visible, write_whole
from etl.settings import PROJECT_ROOT
from etl.validate.docs import DOCS_DIR
from etl.validate.suites import expectation_column, expects_note, expects_text
from etl.warehouse import closing, reader


@dataclass
class QualityReport:
    """Check results and quarantine of the runs of one day (or one run), failures first."""

    title: str
    runs: list[tuple[str, str, str | None]] = field(default_factory=list)  # id, status, error
    failures: list[dict[str, Any]] = field(default_factory=list)
    passes: list[dict[str, Any]] = field(default_factory=list)
    quarantine: list[tuple[str, str, int]] = field(default_factory=list)  # stage, reason, n
    #: the quarantine rows behind ``quarantine``: more than its records when several runs of
    #: the day refused the same record (a rebuild refuses again what the first run refused)
    quarantine_rows: int = 0
    #: the runs those rows are of (a run of the day that refused nothing is not one of them)
    quarantine_runs: int = 0


#: Each check once per verdict: the runs whose batches all passed it, and the runs where a batch
#: failed it (a FAIL line of a day summed the passing rebuild's rows into its counts: probe O).
_CHECKS_SQL = """
WITH judged AS (
    SELECT *, bool_and(success) OVER (PARTITION BY run_id, suite, expectation, column_name)
                  AS run_success
    FROM fact_check_result WHERE run_id IN (SELECT unnest(?::VARCHAR[]))
)
SELECT suite, expectation, column_name, run_success AS success,
       count(DISTINCT run_id) AS runs,
       sum(element_count)::BIGINT AS elements, sum(unexpected_count)::BIGINT AS unexpected,
       coalesce(list(DISTINCT observed_value) FILTER (WHERE NOT success AND observed_value
           IS NOT NULL), list(DISTINCT observed_value) FILTER (WHERE observed_value IS NOT NULL))
           AS observed,
       coalesce(list(DISTINCT detail) FILTER (WHERE NOT success AND detail IS NOT NULL),
           list(DISTINCT detail) FILTER (WHERE detail IS NOT NULL)) AS detail,
       count(*) AS batches, {expected} AS expected
FROM judged
GROUP BY ALL ORDER BY success, suite, expectation, column_name
"""


def _runs(con: duckdb.DuckDBPyConnection, day: date | None, run_id: str | None) -> list[Any]:
    params: list[Any] = []
    if run_id:
        where, params = "run_id = ?", [run_id]
    elif day:
        # The runs that loaded the day's partition or were run for it, whatever day they ran
        # (else the UTC day they started): v_run_day, which v_quality_by_day reads too.
        where = "run_id IN (SELECT run_id FROM v_run_day WHERE day = ?)"
        params = [day]
    else:
        where = "run_id = (SELECT run_id FROM etl_run ORDER BY started_at DESC LIMIT 1)"
    return con.execute(
        f"SELECT run_id, status, error FROM etl_run WHERE {where} ORDER BY started_at", params
    ).fetchall()


def _by_number(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


def _joined(values: list[str] | None) -> tuple[str | None, bool]:
    """The distinct values the batches of a check observed (those of failing batches when one
    failed), numbers in numeric order, joined by `` | ``; and whether there were several (a
    count summed over batches is shown next to them: one batch's value alone misread it)."""
    if not values:
        return None, False
    return " | ".join(sorted(values, key=_by_number)), len(values) > 1


def expected_bounds(expectations_dir: Path) -> dict[tuple[str, str, str | None], str]:
    """What each expectation of the suites under ``expectations_dir`` expects, as text with
    parameter names (``min_value=1, max_value=$max_date``), by (suite, expectation, column):
    for check rows stored before ``fact_check_result.expected`` existed."""
    bounds: dict[tuple[str, str, str | None], str] = {}
    for path in sorted(expectations_dir.glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        for item in suite.get("expectations", []):
            key = (str(suite.get("name", path.stem)), str(item.get("type")))
            bounds[(*key, expectation_column(item))] = expects_text(item)
    return bounds


def quality_report(
    con: duckdb.DuckDBPyConnection,
    *,
    day: date | None = None,
    run_id: str | None = None,
    expectations_dir: Path | None = None,
) -> QualityReport:
    """The report of ``run_id``, else of every run that loaded ``day``'s partition, else of
    the latest run; each check names what it expects (from the suites in
    ``expectations_dir``, default the project's)."""
    runs = [(str(r), str(s), e) for r, s, e in _runs(con, day, run_id)]
    title = f"run {run_id}" if run_id else (f"runs of day {day}" if day else "latest run")
    report = QualityReport(title=f"Data quality: {title}", runs=runs)
    ids = [r[0] for r in runs]
    stored = con.execute(  # a warehouse from before migration 0018 has no stored bounds
        "SELECT count(*) > 0 FROM duckdb_columns()"
        " WHERE table_name = 'fact_check_result' AND column_name = 'expected'"
    ).fetchone()
    expected = (
        "string_agg(DISTINCT expected, ' | ' ORDER BY expected)"
        if stored and stored[0]
        else "NULL::VARCHAR"
    )
    cur = con.execute(_CHECKS_SQL.format(expected=expected), [ids])
    names = [d[0] for d in cur.description]
    bounds = expected_bounds(expectations_dir or PROJECT_ROOT / "schemas" / "expectations")
    for row in cur.fetchall():
        item = dict(zip(names, row, strict=True))
        item["observed"], item["observed_per_batch"] = _joined(item["observed"])
        item["detail"], _ = _joined(item["detail"])
        item["expects"] = item.pop("expected") or bounds.get(
            (item["suite"], item["expectation"], item["column_name"])
        )
        runs_of_verdict = item.pop("runs")
        item["runs"] = (
            f"in {runs_of_verdict} of {plural(len(runs), 'run')}"
            if len(runs) > 1 and runs_of_verdict < len(runs)
            else None
        )
        (report.passes if item["success"] else report.failures).append(item)
    # A day's records are those quarantine list --date lists (v_quarantine.day): a run that
    # counts on several days counts each of its records on its own day only. A record refused
    # by several runs of the day (a rebuild's and the first run's) is one record (up to session
    # 38 it counted once per run, as "records": probe).
    on_day = None if run_id else day
    counted = con.execute(
        "SELECT stage, reason, count(DISTINCT (landing, path, sha256, record)), count(*),"
        " list(DISTINCT run_id) FROM v_quarantine"
        " WHERE run_id IN (SELECT unnest(?::VARCHAR[])) AND (?::DATE IS NULL OR day = ?)"
        " GROUP BY stage, reason ORDER BY 3 DESC, 2",
        [ids, on_day, on_day],
    ).fetchall()
    report.quarantine = [(str(s), str(r), int(n)) for s, r, n, *_ in counted]
    report.quarantine_rows = sum(int(rows) for *_, rows, _ in counted)
    report.quarantine_runs = len({run for *_, of_runs in counted for run in of_runs})
    return report


def _quarantine_heading(report: QualityReport) -> str:
    """How many records the quarantine section counts, and the rows behind them when several
    runs refused the same records."""
    records = sum(n for _, _, n in report.quarantine)
    heading = plural(records, "record")
    if report.quarantine_rows > records:
        heading += (
            f"; {plural(report.quarantine_rows, 'quarantine row')} of "
            f"{plural(report.quarantine_runs, 'run')}: refused again by a later run"
        )
    return heading


def load_report(
    warehouse: Path,
    *,
    day: date | None = None,
    run_id: str | None = None,
    expectations_dir: Path | None = None,
) -> QualityReport:
    """:func:`quality_report` over a read-only connection to ``warehouse``."""
    with closing(reader(warehouse)) as con:
        return quality_report(con, day=day, run_id=run_id, expectations_dir=expectations_dir)


def _check_line(item: dict[str, Any]) -> str:
    column = f"({item['column_name']})" if item["column_name"] else ""
    return f"{item['suite']}.{item['expectation']}{column}"


def format_quality(report: QualityReport) -> str:
    """The report as terminal text: runs, failed checks with values, quarantine, pass count."""
    lines = [report.title]
    if not report.runs:
        return "\n".join([*lines, "  no runs found"])
    for run_id, status, error in report.runs:
        # Each line of an error on its own line under its run, as `status` shows it: a line
        # break in a value the error quotes (a landing path) cannot start a line of its own.
        first, *more = str(error or "").split("\n")
        lines.append(f"  run {run_id}: {status}" + (f" - {first}" if error else ""))
        lines += [f"      {line}" for line in more]
    lines.append(f"  failed checks ({len(report.failures)}):")
    lines += [_item_line("FAIL", item) for item in report.failures]
    lines.append(f"  quarantined ({_quarantine_heading(report)}):")
    lines += [f"    {stage:<9}{reason}: {n}" for stage, reason, n in report.quarantine]
    lines.append(f"  passed checks: {len(report.passes)}")
    lines += [_item_line("pass", item) for item in report.passes]
    return "\n".join(lines)


def _item_line(label: str, item: dict[str, Any]) -> str:
    """One check: counts, what it expects, what was observed, example values; never cut."""
    unexpected, elements = item["unexpected"], item["elements"]
    if unexpected is not None:
        counts = f"{unexpected} unexpected of {elements if elements is not None else '?'}"
    else:  # a check that counts no values (an article total): no "0 unexpected" made up
        counts = f"{elements} checked" if elements is not None else "no counts"
    line = (
        f"    {label} {_check_line(item)}"
        + (f" ({item['runs']})" if item.get("runs") else "")
        + f": {counts}"
        + expects_note(item.get("expects"))
        + (
            f"; observed {'per batch ' if item.get('observed_per_batch') else ''}{item['observed']}"
            if item["observed"]
            else ""
        )
        + (f"; e.g. {item['detail']}" if item["detail"] else "")
    )
    return visible(line, keep="")  # one line: a line break in an exception's message is \x0a


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top}th{background:#f3f3f3}
tr.fail td{background:#fde8e8}tr.pass td{background:#eef8ee}
.status-failed{color:#b00;font-weight:bold}.status-success{color:#070}
code{font-size:12px;word-break:break-all}
.error{white-space:pre-wrap}
"""


def _rows(items: list[dict[str, Any]], css: str) -> str:
    esc = html_text
    return "".join(
        f'<tr class="{css}"><td>{esc(str(i["suite"]))}</td><td>{esc(str(i["expectation"]))}'
        + (f" ({esc(i['runs'])})" if i.get("runs") else "")
        + "</td>"
        f"<td>{esc(str(i['column_name'] or ''))}</td><td>{i['elements'] or 0}</td>"
        f"<td>{i['unexpected'] or 0}</td><td><code>{esc(str(i.get('expects') or ''))}</code></td>"
        f"<td>{'per batch: ' if i.get('observed_per_batch') else ''}"
        f"<code>{esc(str(i['observed'] or ''))}</code></td>"
        f"<td><code>{esc(str(i['detail'] or ''))}</code></td></tr>"
        for i in items
    )


def render_html(report: QualityReport, data_docs: str | None = None) -> str:
    """The report as one self-contained HTML page (inline CSS, no external URL), failures first;
    ``data_docs`` is the path of the run's GX Data Docs index, relative to the page."""
    esc = html_text
    head = (
        "<tr><th>suite</th><th>expectation</th><th>column</th><th>rows</th>"
        "<th>unexpected</th><th>expects</th><th>observed</th><th>detail</th></tr>"
    )
    runs = "".join(
        f'<li>{esc(r)}: <span class="status-{esc(s)}">{esc(s)}</span>'
        + (f' &mdash; <span class="error">{html_text(e, keep=NEWLINE)}</span>' if e else "")
        + "</li>"
        for r, s, e in report.runs
    )
    quarantine = "".join(
        f"<tr><td>{esc(s)}</td><td>{esc(r)}</td><td>{n}</td></tr>" for s, r, n in report.quarantine
    )
    docs = (
        "<p>GX Data Docs of this run (Great Expectations' own pages, styled only online): "
        f"<code>{esc(data_docs)}</code> next to this page.</p>"
        if data_docs
        else ""
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(report.title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{esc(report.title)}</h1><ul>{runs}</ul>{docs}"
        f'<h2 id="failures">Failed checks ({len(report.failures)})</h2>'
        f"<table>{head}{_rows(report.failures, 'fail')}</table>"
        f"<h2>Quarantined records ({esc(_quarantine_heading(report))})</h2>"
        "<table><tr><th>stage</th><th>reason</th><th>records</th>"
        f"</tr>{quarantine}</table>"
        f'<h2 id="passes">Passed checks ({len(report.passes)})</h2>'
        f"<table>{head}{_rows(report.passes, 'pass')}</table></body></html>"
    )


def write_quality_page(warehouse: Path, run_id: str, reports_root: Path) -> Path:
    """Write ``<reports_root>/<run_id>/quality.html`` for one run and return its path; it names
    the run's GX Data Docs when they were built (``data_docs/index.html`` next to it)."""
    docs = reports_root / run_id / DOCS_DIR / "index.html"
    page = render_html(
        load_report(warehouse, run_id=run_id),
        docs.relative_to(reports_root / run_id).as_posix() if docs.is_file() else None,
    )
    target = reports_root / run_id / "quality.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_whole(target, page)
    return target


#: The quarantine rows of one reason, run or day (each ``NULL``: any), with their day
#: (``v_quarantine.day``: the run's partition, else the file's dated folder, else the UTC day).
_QUARANTINE_ROWS = """
    SELECT reason, stage, path, record, detail, run_id, day, quarantined_at
    FROM v_quarantine v
    WHERE ($reason IS NULL OR reason = $reason) AND ($run IS NULL OR run_id = $run)
      AND ($day IS NULL OR day = $day)
"""
#: :data:`_QUARANTINE_ROWS` of the refusals that stand, each once, by the newest run that made
#: it (the standing quarantine is worked out only when it is asked for).
_STANDING_ROWS = f"""
    WITH {STANDING_QUARANTINE}
    {_QUARANTINE_ROWS}
      AND EXISTS (
          SELECT 1 FROM standing s
          WHERE s.landing = v.landing AND s.path = v.path AND s.reason = v.reason
            AND s.sha256 IS NOT DISTINCT FROM v.sha256 AND s.record IS NOT DISTINCT FROM v.record)
    QUALIFY row_number() OVER (
        PARTITION BY landing, path, sha256, record, reason ORDER BY quarantined_at DESC) = 1
"""


def quarantine_relation(
    con: duckdb.DuckDBPyConnection,
    *,
    reason: str | None = None,
    run_id: str | None = None,
    day: date | None = None,
    standing: bool = False,
    limit: int = 200,
) -> duckdb.DuckDBPyRelation:
    """Quarantine rows, newest first, optionally of one reason, run or day (``v_quarantine.day``:
    the run's partition, else the file's dated folder, else the UTC day the row was
    quarantined); with ``standing``, only the refusals that stand now
    (:data:`etl.load.standing.STANDING_QUARANTINE`), each once, by the newest run that made it;
    at most ``limit``."""
    rows = _STANDING_ROWS if standing else _QUARANTINE_ROWS
    return con.sql(
        f"{rows} ORDER BY quarantined_at DESC, path, record LIMIT $limit",
        params={"reason": reason, "run": run_id, "day": day, "limit": limit},
    )


def quarantine_count(
    con: duckdb.DuckDBPyConnection,
    *,
    reason: str | None = None,
    run_id: str | None = None,
    day: date | None = None,
    standing: bool = False,
) -> int:
    """How many rows :func:`quarantine_relation` lists without its limit."""
    rows = _STANDING_ROWS if standing else _QUARANTINE_ROWS
    row = con.execute(
        f"SELECT count(*) FROM ({rows})", {"reason": reason, "run": run_id, "day": day}
    ).fetchone()
    return int(row[0]) if row else 0
