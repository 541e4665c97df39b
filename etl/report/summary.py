"""Plain-text summaries of the warehouse for the terminal (CLI ``summary``, ``status``, the demo).

Every line fits 80 columns (long lists wrap at spaces; an id, path or error is never cut), and
counts say what they count: files or records.
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from rich.cells import cell_len

from etl import TEXT_VERSION
from etl.contracts import LedgerOutcome, LoadMode, RunStatus, TokenKind, plural
from etl.ingest.landing import folder_date_sql
from etl.leftovers import Liveness, Unfinished, files_planned
from etl.load.standing import STANDING_QUARANTINE
from etl.output import visible
from etl.settings import seconds
from etl.target import redact
from etl.warehouse import closing, reader

WIDTH = 80


@dataclass(frozen=True)
class WarehouseSummary:
    """Headline figures of a warehouse."""

    articles: int
    sources: int
    terms: int
    first_date: str | None
    last_date: str | None
    quarantined_files: int  # files whose latest ledger outcome is quarantined (refused whole)
    quarantine_reasons: list[tuple[str, int]]  # current quarantine records per reason
    runs: int
    last_run: tuple[str, str, int] | None  # (run_id, status, articles_loaded)
    top_terms: list[tuple[str, int]]
    quarantine_records: int = 0  # current quarantine records: whole files and single records
    quarantine_record_files: int = 0  # distinct files those records come from
    #: Why the top terms may still count boilerplate lines (None: the lines are current).
    boilerplate_note: str | None = None


def summarise(path: Path, *, top: int = 10, min_term_chars: int = 2) -> WarehouseSummary:
    """Read the headline figures of the warehouse at ``path`` (read-only)."""
    with closing(reader(path)) as con:
        return _summarise(con, top, min_term_chars)


def _one(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, ...]:
    row = con.execute(sql).fetchone()
    assert row is not None
    return tuple(row)


def _headline_terms(con: duckdb.DuckDBPyConnection, top: int, min_chars: int) -> list[Any]:
    """The terms the headline shows: the most frequent words of the whole warehouse that are not
    stopwords of their article's language, not single letters, and not inside a source's
    boilerplate lines (a sign-off ``REUTER`` ranked second in 40 Reuters articles, where
    ``top_terms`` leaves it out), from the per-day sums the loader keeps
    (``v_daily_content_terms``, what the rankings count), not the whole term fact table.

    Not ``distinctive_terms``: it ranks a period against the rest of the warehouse, and the
    headline's period is the whole warehouse, with nothing to compare it with (the run report
    ranks the run's days with it).
    """
    return con.execute(
        f"""
        SELECT t.term, sum(c.occurrences)::BIGINT AS n
        FROM v_daily_content_terms c JOIN dim_term t USING (term_id)
        WHERE t.term_kind = '{TokenKind.WORD}' AND t.n_chars >= ?
        GROUP BY t.term HAVING n > 0 ORDER BY n DESC, t.term LIMIT ?
        """,
        [min_chars, top],
    ).fetchall()


def _summarise(con: duckdb.DuckDBPyConnection, top: int, min_chars: int) -> WarehouseSummary:
    articles, first, last = _one(
        con,
        "SELECT count(*), min(published_date)::VARCHAR, max(published_date)::VARCHAR"
        " FROM fact_article",
    )
    # Sources some article has now (dim_source keeps the sources of articles a rebuild removed).
    (sources,) = _one(con, "SELECT count(DISTINCT source_id) FROM fact_article")
    # Terms some article holds now (dim_term keeps the terms of articles a rebuild removed).
    (terms,) = _one(con, "SELECT count(DISTINCT term_id) FROM agg_daily_term")
    # Files refused whole: those whose latest ledger row says so, and those refused before a
    # byte was read (a link out of the landing zone, an unreadable or badly named file, one over
    # the size limit): each once.
    quarantined, records, record_files = _one(
        con,
        f"WITH {STANDING_QUARANTINE} SELECT"
        " (SELECT count(*) FROM (SELECT landing, path FROM latest"
        f"  WHERE outcome = '{LedgerOutcome.QUARANTINED}'"
        "  UNION SELECT landing, path FROM standing WHERE sha256 IS NULL AND record IS NULL)),"
        " count(*), count(DISTINCT (landing, path)) FROM standing",
    )
    reasons = con.execute(
        f"WITH {STANDING_QUARANTINE} "
        "SELECT reason, count(*) FROM standing GROUP BY reason ORDER BY 2 DESC, 1"
    ).fetchall()
    (runs,) = _one(con, "SELECT count(*) FROM etl_run")
    last_run = con.execute(
        "SELECT run_id, status, articles_loaded FROM etl_run ORDER BY started_at DESC LIMIT 1"
    ).fetchone()
    top_terms = _headline_terms(con, top, min_chars)
    return WarehouseSummary(
        boilerplate_note=_boilerplate_note(con) if articles else None,
        articles=int(articles),
        sources=int(sources),
        terms=int(terms),
        first_date=first,
        last_date=last,
        quarantined_files=int(quarantined),
        quarantine_reasons=[(str(r), int(n)) for r, n in reasons],
        runs=int(runs),
        last_run=(str(last_run[0]), str(last_run[1]), int(last_run[2])) if last_run else None,
        top_terms=[(str(t), int(n)) for t, n in top_terms],
        quarantine_records=int(records),
        quarantine_record_files=int(record_files),
    )


def _boilerplate_note(con: duckdb.DuckDBPyConnection) -> str | None:
    """Whether the top terms can still count boilerplate lines: the lines are found only by a
    marts refresh (``news-etl marts``; the ``news_marts`` DAG after every Airflow load), which
    reads every text; a load applies the lines known then to its days. ``None`` when no run has
    loaded articles since the last refresh; else what the counts hold."""
    refreshed, loads_since = _one(
        con,
        "WITH m AS (SELECT max(refreshed_at) AS last_refresh FROM mart_daily_source) "
        "SELECT any_value(m.last_refresh), count(r.run_id) FROM m LEFT JOIN etl_run r "
        f"ON r.status = '{RunStatus.SUCCESS}' AND r.articles_loaded > 0 "
        "AND (m.last_refresh IS NULL OR r.ended_at > m.last_refresh)",
    )
    if not loads_since:
        return None
    if refreshed is None:
        return (
            "(boilerplate lines such as a sign-off are not looked for yet, so these counts "
            "include them: `news-etl marts` finds them)"
        )
    at = refreshed.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"(boilerplate lines as `news-etl marts` found them at {at}; "
        f"{plural(int(loads_since), 'run')} loaded articles since)"
    )


def _wrap(label: str, text: str, indent: int = 16) -> list[str]:
    """``label`` then ``text`` wrapped at spaces to :data:`WIDTH`; no word is ever split."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=f"  {label:<{indent - 2}}",
        subsequent_indent=" " * indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [f"  {label}"]


def _wrap_items(label: str, items: list[str], sep: str, indent: int = 16) -> list[str]:
    """``items`` joined by ``sep``, a line break only between items (``sep`` ends the line),
    measured in terminal cells (a CJK character takes two); an item wider than a whole line
    is folded over lines, whole, never cut."""
    lines: list[str] = []
    current = f"  {label:<{indent - 2}}"
    fresh = True
    for k, item in enumerate(items):
        piece = item + (sep.rstrip() if k + 1 < len(items) else "")
        if not fresh and cell_len(current) + 1 + cell_len(piece) > WIDTH:
            lines.append(current)
            current, fresh = " " * indent, True
        glue = "" if fresh else (" " if sep.endswith(" ") else "")
        current += glue
        for char in piece:  # fold only what does not fit on a line of its own
            if cell_len(current) + cell_len(char) > WIDTH and current.strip():
                lines.append(current)
                current = " " * indent
            current += char
        fresh = False
    lines.append(current)
    return lines


def format_summary(summary: WarehouseSummary, path: Path) -> str:
    """A short human-readable report of ``summary``, at most 80 columns wide where it can be."""
    quarantine = (
        f"{plural(summary.quarantine_records, 'record')} from "
        f"{plural(summary.quarantine_record_files, 'file')}"
        + (
            " (records by reason: "
            + ", ".join(f"{r} {n:,}" for r, n in summary.quarantine_reasons)
            + ")"
            if summary.quarantine_reasons
            else ""
        )
        + f"; {plural(summary.quarantined_files, 'file')} refused whole"
    )
    runs = str(summary.runs)
    if summary.last_run:
        run_id, status, loaded = summary.last_run
        runs += f", last {run_id} {status} ({plural(loaded, 'article')} loaded)"
    lines = [
        f"Warehouse {redact(str(path))}",
        *_wrap(
            "articles",
            f"{summary.articles:,} from {plural(summary.sources, 'source')}, published "
            f"{summary.first_date} .. {summary.last_date}"
            if summary.articles
            else "none",
        ),
        *_wrap("vocabulary", f"{summary.terms:,} distinct terms in the articles"),
        *_wrap("quarantine", quarantine),
        *_wrap("runs", runs),
        *_wrap_items("top terms", [f"{t} ({n:,})" for t, n in summary.top_terms], ", "),
    ]
    if summary.boilerplate_note and summary.top_terms:
        lines += _wrap("", summary.boilerplate_note)
    return "\n".join(lines)


def _day_ranges(days: list[date]) -> list[str]:
    """Consecutive days as ``a .. b`` ranges."""
    out: list[str] = []
    start = prev = None
    for day in days:
        if start is not None and prev is not None and day == prev + timedelta(days=1):
            prev = day
            continue
        if start is not None and prev is not None:
            out.append(str(start) if start == prev else f"{start} .. {prev}")
        start = prev = day
    if start is not None and prev is not None:
        out.append(str(start) if start == prev else f"{start} .. {prev}")
    return out


def _distinctive_line(con: duckdb.DuckDBPyConnection, day: date) -> list[str]:
    """What the newest day over-uses against every other day (``distinctive_terms``, Dunning's
    G² over articles, boilerplate lines left out), as wrapped lines; why there is nothing when
    nothing stands out or there is no other day to compare with."""
    if len(con.execute("SELECT 1 FROM duckdb_functions() WHERE function_name = "
                       "'distinctive_terms' LIMIT 1").fetchall()) == 0:  # fmt: skip
        return []  # a warehouse from before migration 0009: `news-etl init` adds the macro
    rows = con.execute("SELECT term, note FROM distinctive_terms(?, ?, 10)", [day, day]).fetchall()
    terms = [str(term) for term, _ in rows if term is not None]
    # "published": the partitions above are folder days, and this day need not be among them
    label = f"Distinctive words of the newest published day, {day}: "
    if terms:
        return _wrap(label, ", ".join(terms), indent=4)
    why = next((str(note) for term, note in rows if term is None and note), "none stands out")
    return _wrap(label, f"({why})", indent=4)


#: An article's partition: its file's folder date, else its published date (etl.backfill).
_PARTITION = f"coalesce({folder_date_sql('source_file')}, published_date)"


def _stopped_before_load(
    status: str, loaded: int | None, duplicate: int | None, quarantined: int | None
) -> bool:
    """Whether a run's row is of a run that stopped before its load settled any file (failed
    before it, or abandoned): not a success, and no file counted loaded, duplicate or
    quarantined (a run its load refused counts every file it read as one of them)."""
    return status != RunStatus.SUCCESS and not (loaded or duplicate or quarantined)


def _planned_line(planned: int) -> str:
    """The files line of a run that stopped before its load: what its plan had, and that it
    loaded none (``0 new = 0 would have loaded + …`` hid the plan's files: probe); a run that
    failed to plan, or whose plan had no new file, is not said to have planned files."""
    files = f"planned {planned:,} new, loaded none" if planned else "none new planned, none loaded"
    return f"files: {files} (the run ended before its load committed)"


def _started(plan: dict[str, Any]) -> str:
    """When a plan's run started, in UTC to the second (as written, if it is not a time)."""
    try:
        return (
            datetime.fromisoformat(str(plan["started_at"]))
            .astimezone(UTC)
            .strftime("%Y-%m-%d %H:%M:%S UTC")
        )
    except (KeyError, ValueError):
        return visible(str(plan.get("started_at")), keep="")


def _unfinished_line(item: Unfinished, idle_after_s: float) -> str:
    """What became of a run that has a staging folder and no ``etl_run`` row, in one line."""
    run = f"run {visible(item.run_id, keep='')}"
    if item.plan is None:  # killed (or still) before its plan: nothing to record
        if item.liveness == Liveness.RUNNING:
            return f"{run} is planning"
        if item.liveness == Liveness.STOPPED:
            return f"{run} stopped before its plan (killed?); the next run removes its folder"
        return (
            f"{run} left a staging folder without a plan; the next run removes it once "
            f"nothing in it has changed for {seconds(idle_after_s)} (NEWS_ETL_ABANDONED_AFTER_S)"
        )
    try:
        planned = files_planned(item.plan.get("batches") or [])
    except TypeError:
        planned = 0
    run += f" (started {_started(item.plan)}, {plural(planned, 'file')} planned)"
    if item.liveness == Liveness.RUNNING:
        return f"{run} is in progress"
    # a step that failed and noted why (a busy warehouse, exit 75) was not killed (review)
    failed = (
        ""
        if item.failure is None
        else f"; its last noted failure: {visible(item.failure, keep='')}"
    )
    if item.liveness == Liveness.STOPPED:
        how = "killed?" if item.failure is None else "its process ended after a step failed"
        return (
            f"{run} stopped before it finished ({how}); the next run records it as abandoned "
            f"and removes its files{failed}"
        )
    return (
        f"{run} has no row yet: a run split over processes (Airflow) still in progress, or "
        "one that stopped; the next run records it as abandoned once nothing in its staging "
        f"folder has changed for {seconds(idle_after_s)} (NEWS_ETL_ABANDONED_AFTER_S){failed}"
    )


def format_unfinished(
    con: duckdb.DuckDBPyConnection, unfinished: Sequence[Unfinished], idle_after_s: float
) -> list[str]:
    """The lines of the runs that have a staging folder (:func:`etl.leftovers.unfinished`) and
    no ``etl_run`` row yet: killed ones, which only the next run records, and those in
    progress; none when there are none. ``idle_after_s``: ``NEWS_ETL_ABANDONED_AFTER_S``."""
    if not unfinished:
        return []
    recorded = {
        row[0]
        for row in con.execute(
            "SELECT run_id FROM etl_run WHERE list_contains(?::VARCHAR[], run_id)",
            [[item.run_id for item in unfinished]],
        ).fetchall()
    }
    lines: list[str] = []
    for item in unfinished:
        if item.run_id not in recorded:
            lines += _wrap("", _unfinished_line(item, idle_after_s), indent=6)
    if not lines:
        return []
    return ["Runs not in etl_run yet (found by their staging folders)", *lines, ""]


def format_status(
    con: duckdb.DuckDBPyConnection,
    *,
    min_files: int,
    partitions: int = 15,
    runs: int = 10,
    unfinished: Sequence[Unfinished] = (),
    idle_after_s: float = 0.0,
) -> str:
    """The partitions (newest first, missing days flagged), the runs not recorded yet
    (``unfinished``: :func:`format_unfinished`) and the last runs (their errors and file and
    record counts), as text at most 80 columns wide; ids and errors are never cut."""
    # Partitions as backfill and --replace have them: the file's folder date, else the
    # published date (a folder 2021-04-07/ of articles published in 1987 is the day 2021-04-07;
    # up to session 29 status listed the 1987 days and flagged 12,000 days between as missing).
    days = con.execute(
        f"SELECT {_PARTITION} AS day, count(*), sum(n_tokens)::BIGINT, min(text_version),"
        " count(DISTINCT text_version) FROM fact_article GROUP BY ALL ORDER BY 1 DESC"
    ).fetchall()
    all_days = sorted(d[0] for d in days)
    missing: list[date] = []
    for before, after in itertools.pairwise(all_days):
        missing += [before + timedelta(days=i) for i in range(1, (after - before).days)]
    lines = [
        f"Partitions: {plural(len(days), 'day')} with articles, newest first"
        + (f" ({len(days) - partitions} older not shown)" if len(days) > partitions else ""),
    ]
    stale = con.execute(
        f"SELECT count(DISTINCT {_PARTITION}), count(*) FROM fact_article WHERE text_version <> ?",
        [TEXT_VERSION],
    ).fetchone()
    if stale and stale[0]:
        lines += _wrap(
            "STALE",
            f"{plural(stale[0], 'day')} ({plural(stale[1], 'article')}) built by another text "
            f"version than this code's ({TEXT_VERSION.split('+')[0]}): their terms, stems and "
            "stories may differ from a day built now; `news-etl backfill --mode stale` rebuilds "
            "them",
            indent=12,
        )
    if missing:
        lines += _wrap(
            "MISSING",
            f"{plural(len(missing), 'day')} without articles between {all_days[0]} and "
            f"{all_days[-1]}: " + ", ".join(_day_ranges(missing)),
            indent=12,
        )
    versions: dict[str, str] = {}
    lines.append(f"  {'day':<12}{'articles':>10}{'tokens':>14}  text version")
    shown = days[:partitions]
    for i, (day, n, tokens, version, n_versions) in enumerate(shown):
        label = versions.setdefault(str(version), f"v{len(versions) + 1}")
        more = f" (+{n_versions - 1} older)" if n_versions > 1 else ""
        lines.append(f"  {day!s:<12}{n:>10,}{tokens or 0:>14,}  {label}{more}")
        if i + 1 < len(shown):
            gap = (day - shown[i + 1][0]).days - 1
            if gap > 0:
                lines.append(f"  {'':<12}{'MISSING':>10}  {plural(gap, 'day')} without articles")
    for version, label in versions.items():
        lines += _wrap_items(f"{label} =", version.split("+"), "+", indent=8)
    newest = _one(con, "SELECT max(published_date) FROM fact_article")[0]
    if newest is not None:  # distinctive_terms compares published days
        lines += _distinctive_line(con, newest)
    lines.append("")
    rows = con.execute(
        "SELECT run_id, status, trigger, partition_date, mode,"
        " round(epoch(ended_at - started_at), 1), files_new, files_loaded, files_duplicate,"
        " files_quarantined, articles_loaded, duplicates, quarantined, error, articles_removed,"
        # the plan's new files (its batches'): a row recorded before the plan's count was kept
        # for a run that stopped before its load stored 0 new files
        " files_seen - files_unchanged - files_deferred"
        " FROM etl_run ORDER BY started_at DESC LIMIT ?",
        [runs],
    ).fetchall()
    (every,) = _one(con, "SELECT count(*) FROM etl_run")
    listed = plural(len(rows), "run") + " shown"
    if every > len(rows):  # said, as the partitions say theirs
        listed = f"{len(rows):,} of {plural(every, 'run')} shown"
    lines += format_unfinished(con, unfinished, idle_after_s)
    lines.append(f"Last runs, newest first ({listed})")
    for row in rows:
        run_id, status, trigger, day, mode, seconds = row[:6]
        new, loaded, dup_files, q_files, articles, duplicates, q_records, err, removed = row[6:15]
        planned = row[15]
        # replace and rebuild runs delete what no present file gives (NULL: before 0027)
        removing = (
            f", {removed:,} removed" if removed is not None and mode != LoadMode.MERGE else ""
        )
        scope = f"day {day}" if day else "all new files"
        took = [f"{seconds} s"] if seconds is not None else []
        if status == RunStatus.ABANDONED and took:
            # its row's end is when a later run found it: not how long it ran
            took = [f"recorded {seconds} s after its start"]
        # wrapped only after a comma: a backfill's header took 82 columns; "0.5" then "s"
        # on the next line was read as half a second of something else
        lines += _wrap_items(
            run_id, [f"{status.upper()}  {trigger}", mode, scope, *took], ", ", len(run_id) + 4
        )
        if _stopped_before_load(status, loaded, dup_files, q_files):
            lines += _wrap("", _planned_line(planned), indent=6)
        else:
            # a run that did not succeed loaded nothing: its files are read again as new
            verb = "loaded" if status == RunStatus.SUCCESS else "would have loaded"
            lines += _wrap(
                "",
                f"files: {new:,} new = {loaded or 0:,} {verb} + {dup_files or 0:,} duplicate + "
                f"{q_files or 0:,} quarantined; articles: {articles:,} loaded, {duplicates:,} "
                f"duplicate{removing}; quarantine rows (records): {q_records:,}",
                indent=6,
            )
        # only when something was refused: a run whose new files were all duplicates is fine
        if status == RunStatus.SUCCESS and articles == 0 and new and new < min_files and q_records:
            lines += _wrap(
                "",
                f"note: no article loaded, yet a success: with fewer than {min_files} new files "
                "(NEWS_ETL_QUARANTINE_CHECK_MIN_FILES) the run-level checks (quarantine share, "
                "zero articles) do not apply; see `news-etl quarantine list --run "
                f"{run_id}`",
                indent=6,
            )
        if err:
            # Line by line (at "\n" only), each escaped before it is wrapped: textwrap turns a
            # CR, tab or form feed into a space, and splitlines() also breaks at \x1c or U+2028.
            for k, part in enumerate(str(err).split("\n")):
                lines += _wrap("error:" if k == 0 else "", visible(part, keep=""), indent=13)
    return "\n".join(lines)
