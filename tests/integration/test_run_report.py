"""The HTML run report: written after every load, self-contained, charts that really render."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl import pipeline
from etl.cli import app
from etl.report.run_report import latest_page
from etl.sample import generate_sample

from .helpers import query, settings_for

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("report")
    manifest = generate_sample(tmp / "landing")
    settings = settings_for(tmp / "landing", tmp)
    summary = None
    for day in manifest.dates:
        summary = pipeline.run(settings, partition_date=day)
    assert summary is not None and summary.report is not None
    return summary.report, summary.run_id


def test_a_report_is_written_after_every_load(report: tuple[Path, str]) -> None:
    path, run_id = report
    assert path.name == "report.html" and path.parent.name == run_id
    # latest.html is the same page one folder up: its links into the run's GX Data Docs say so.
    assert "href='data_docs/index.html'" in path.read_text()
    assert (path.parent.parent / "latest.html").read_text() == latest_page(path.read_text(), run_id)
    assert len(list(path.parent.parent.glob("*/report.html"))) == 3


def test_report_is_self_contained(report: tuple[Path, str]) -> None:
    page = report[0].read_text(encoding="utf-8")
    assert EXTERNAL.search(page) is None
    assert page.count("<svg") == 3
    for heading in (
        "Stages",
        "Quarantine",
        "Data quality",
        "Articles per day and source",
        "Distinctive words of the run's days",
        "Trend of these words",
    ):
        assert heading in page


def test_report_has_a_load_row_total_duration_and_links(report: tuple[Path, str]) -> None:
    path, run_id = report
    page = path.read_text(encoding="utf-8")
    warehouse = path.parent.parent.parent / "warehouse.duckdb"
    ((loaded, duplicates, seconds),) = query(
        warehouse,
        "SELECT articles_loaded, duplicates, epoch(ended_at - started_at) FROM etl_run"
        " WHERE run_id = ?",
        [run_id],
    )
    stages = re.findall(r"<tr><td>([a-z][^<]*)</td>", page.split("<h2>Stages</h2>")[1])
    assert stages[:4] == ["plan", "ingest", "text", "validate"] and stages[4] == "load"
    row = page.split(f"<td>{stages[4]}</td>")[1].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", row)
    assert [int(cells[1]), int(cells[2])] == [loaded, duplicates]
    assert f"Total duration: {seconds:.2f} s" in page
    assert "href='quality.html'" in page and (path.parent / "quality.html").is_file()
    assert "href='../index.html'" in page


def test_index_lists_every_run_with_charts_over_time(report: tuple[Path, str]) -> None:
    path, _ = report
    index = (path.parent.parent / "index.html").read_text(encoding="utf-8")
    warehouse = path.parent.parent.parent / "warehouse.duckdb"
    runs = [r for (r,) in query(warehouse, "SELECT run_id FROM etl_run ORDER BY started_at DESC")]
    assert len(runs) == 3
    positions = [index.index(f"<code>{r}</code>") for r in runs]
    assert positions == sorted(positions)  # newest first
    for run in runs:
        assert f"href='{run}/report.html'" in index and f"href='{run}/quality.html'" in index
    assert index.count("<svg") == 2 and EXTERNAL.search(index) is None
    assert "Articles per published day" in index and "quarantined" in index


def test_a_source_named_like_tex_math_does_not_stop_the_report(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    folder = landing / "$\\undefinedmacro{x}$"
    folder.mkdir(parents=True)
    body = "Cocoa prices rose in Bahia on Monday as dry weather cut the crop.\n\nTraders said."
    (folder / "a.txt").write_text(f" date 2024-03-04 {body}", encoding="utf-8")
    summary = pipeline.run(settings_for(landing, tmp_path))
    assert summary.report is not None, "the report was not written"
    assert "$\\undefinedmacro{x}$" in summary.report.read_text(encoding="utf-8")


def test_a_word_and_a_source_too_long_to_draw_are_shortened_in_charts_and_listed_whole(
    tmp_path: Path,
) -> None:
    # One run: a 5,000-letter "word" (the text stage keeps it: words are data) and a source
    # named with 200 letters. The charts draw both shortened; the page lists both whole.
    landing = tmp_path / "landing"
    source = "s" * 200
    folder = landing / source
    folder.mkdir(parents=True)
    word = "q" * 5_000
    body = f"Cocoa prices rose in Bahia on Monday as {word} cut the crop.\n\nTraders said."
    (folder / "a.txt").write_text(f" date 2024-03-04 {body}", encoding="utf-8")
    summary = pipeline.run(settings_for(landing, tmp_path))
    assert summary.report is not None, "the report was not written"
    page = summary.report.read_text(encoding="utf-8")
    assert "q" * 59 + "…" in page and "s" * 59 + "…" in page
    assert page.count(f"<li>{word}</li>") == 1 and page.count(f"<li>{source}</li>") == 1
    assert page.count("label(s) over 60 characters are shortened in the chart") == 2


def test_names_and_values_are_shown_as_data_on_every_page(tmp_path: Path) -> None:
    # A quarantined file named with a bidi override (the page showed "bidi\u202etxt.exe" as
    # "bidiexe.txt"), one with an ESC and a line break (a box and a space), a boilerplate record
    # whose text holds a U+202E, which cleaning removes (text-5), and a zero-width joiner beside
    # an ASCII letter, which it keeps and the pages escape (GX's unexpected values), a source
    # named "_wire" (matplotlib left it out of the legend) and one with a U+202E (drawn
    # backwards).
    landing = tmp_path / "landing"
    body = "prices rose in Bahia on Monday as dry weather cut the crop.\n\nTraders said."
    for source, word in (("_wire", "Cocoa"), ("desk\u202eled", "Coffee")):
        (landing / source).mkdir(parents=True)
        (landing / source / "a.txt").write_text(f" date 2024-03-04 {word} {body}")
    (landing / "bidi\u202etxt.exe").write_bytes(b"x")
    (landing / "empty\x1b[2J\nforged.txt").write_bytes(b"")
    boiler = {
        "date": "2024-03-04",
        "text": "Subscribe to our newsletter \u202e\u200devil\n\nAll rights reserved",
    }
    (landing / "dump.jsonl").write_text(json.dumps(boiler) + "\n")
    summary = pipeline.run(settings_for(landing, tmp_path))
    assert summary.report is not None
    page = summary.report.read_text(encoding="utf-8")
    assert "<td>bidi\\u202etxt.exe</td>" in page
    assert "<td>empty\\x1b[2J\\x0aforged.txt</td>" in page
    assert ">_wire</text>" in page and ">desk\\u202eled</text>" in page
    pages = sorted(summary.report.parent.parent.rglob("*.html"))
    docs = [p for p in pages if "data_docs" in p.parts and "evil" in p.read_text(encoding="utf-8")]
    assert docs and all("newsletter \\u200devil" in p.read_text(encoding="utf-8") for p in docs)
    raw = [p.name for p in pages if re.search("[\x1b\u202e\u200d]", p.read_text(encoding="utf-8"))]
    assert raw == []


def test_first_days_report_shows_its_quarantine_and_failures_first(tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "good.txt").write_bytes(b" date 2024-03-04 Markets rallied on Monday.\n\nMore.")
    (landing / "bad.txt").write_bytes((" date 2024-03-04 " + "Broken \ufffd text " * 20).encode())
    (landing / "empty.txt").write_bytes(b"")
    settings = settings_for(landing, tmp_path)
    summary = pipeline.run(settings)
    assert summary.report is not None
    page = summary.report.read_text(encoding="utf-8")
    assert "empty" in page and "expect_column_values_to_be_between" in page
    first_failed = page.index("FAILED")
    first_ok = page.index("<td>ok</td>")
    assert first_failed < first_ok


def test_cli_rebuilds_a_report(report: tuple[Path, str]) -> None:
    path, run_id = report
    path.unlink()
    warehouse = path.parent.parent.parent / "warehouse.duckdb"
    result = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--run", run_id])
    assert result.exit_code == 0, result.output
    assert path.exists()
    bad = CliRunner().invoke(app, ["report", "--warehouse", str(warehouse), "--run", "nope"])
    assert bad.exit_code == 2


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and os.environ.get("CI"):
        pytest.fail("CI must install Debian's chromium (see .ci/run)")
    return found


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


#: Both widths the pages must fit: a desktop window and a phone. Headless Chromium will not make
#: a window narrower than 500 px, so the phone width is an iframe of that width in a harness page.
WIDTHS = (1400, 420)

_HARNESS = """<!doctype html><html><body style='margin:0'>
<iframe id='f' src='{src}' style='border:0;width:{width}px;height:{height}px'></iframe>
<script>document.getElementById('f').addEventListener('load',function(){{
var f=this;setTimeout(function(){{var b=f.contentDocument.body;['data-chart-sizes',
'data-table-right','data-page-width','data-viewport'].forEach(function(k){{
document.body.setAttribute(k,b.getAttribute(k));}});}},500);}});</script></body></html>"""


def _measure(chromium: str, page: Path, width: int, out: Path) -> dict[str, str]:
    """Render ``page`` at ``width`` CSS px in headless Chromium; the sizes its script recorded,
    and a screenshot in ``out``."""
    harness = page.parent / f"harness-{width}-{page.stem}.html"
    harness.write_text(_HARNESS.format(src=page.name, width=width, height=6000), encoding="utf-8")
    common = [
        chromium,
        *CHROMIUM_FLAGS,
        "--allow-file-access-from-files",
        f"--user-data-dir={out / 'profile'}",
        f"--window-size={max(width, 500)},6000",
        "--virtual-time-budget=5000",
    ]
    url = harness.resolve().as_uri()
    dom = subprocess.run(
        [*common, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    shot = out / f"{page.stem}-{width}.png"
    subprocess.run(
        [*common, f"--screenshot={shot}", url], capture_output=True, timeout=120, check=True
    )
    harness.unlink()
    assert shot.stat().st_size > 20_000
    found = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', dom.split("<body", 1)[1].split(">")[0]))
    assert "data-viewport" in found, "the page's load handler did not run"
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_desktop_and_phone_in_headless_chromium(
    report: tuple[Path, str], tmp_path: Path, width: int
) -> None:
    chromium = _chromium()
    if chromium is None:
        pytest.skip("chromium is not installed (CI installs it)")
    run_page = report[0]
    for page, n_charts in ((run_page, 3), (run_page.parent.parent / "index.html", 2)):
        sizes = _measure(chromium, page, width, tmp_path)
        assert int(sizes["data-viewport"]) == width
        # Nothing is wider than the window: no sideways scrolling, every table inside it.
        assert int(sizes["data-page-width"]) <= width, (page.name, sizes)
        assert int(sizes["data-table-right"]) <= width, (page.name, sizes)
        boxes = [tuple(int(v) for v in b.split("x")) for b in sizes["data-chart-sizes"].split(",")]
        assert len(boxes) == n_charts
        assert all(min(width - 40, 300) <= w <= width and h >= 150 for w, h in boxes), boxes
    keep = os.environ.get("NEWS_ETL_TEST_SCREENSHOT")
    if keep:
        shutil.copy(tmp_path / f"report-{width}.png", keep.replace(".png", f"-{width}.png"))


def test_the_reports_trend_lines_are_term_trends_shares(tmp_path: Path) -> None:
    """The report draws its words' daily shares from one query; each equals ``term_trend``'s,
    on days with articles and on days without (NULL), and a word the warehouse lacks is left
    out."""
    import duckdb

    from etl.report.run_report import term_shares

    manifest = generate_sample(tmp_path / "landing")
    settings = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    pipeline.run(settings)
    first, last = min(manifest.dates), max(manifest.dates)
    start, end = first - timedelta(days=3), last + timedelta(days=1)  # days without articles
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        words = [
            str(t)
            for (t,) in con.execute(
                "SELECT t.term FROM fact_article_term f JOIN dim_term t USING (term_id)"
                " WHERE t.term_kind = 'word' GROUP BY t.term"
                " ORDER BY count(DISTINCT f.published_date), sum(f.count) DESC, t.term LIMIT 6"
            ).fetchall()
        ]
        words += ["no-such-word-anywhere"]
        shares = term_shares(con, words, start, end)
        assert set(shares) == set(words[:-1])
        for word in words[:-1]:
            trend = "SELECT day, share FROM term_trend(?, ?, ?)"
            expected = dict(con.execute(trend, [word, start, end]).fetchall())
            assert shares[word] == expected, word
            assert expected[start] is None and any(v == 0 for v in expected.values()), word
    finally:
        con.close()


def test_an_older_runs_report_rebuilt_leaves_latest_as_the_newest(tmp_path: Path) -> None:
    manifest = generate_sample(tmp_path / "landing")
    settings = settings_for(tmp_path / "landing", tmp_path)
    first = pipeline.run(settings, partition_date=manifest.dates[0])
    newest = pipeline.run(settings, partition_date=manifest.dates[1])
    latest = settings.reports_root / "latest.html"
    title = re.compile(r"<title>[^<]*</title>")
    shown = title.findall(latest.read_text(encoding="utf-8"))
    assert newest.run_id in shown[0]
    rebuilt = CliRunner().invoke(
        app, ["report", "--warehouse", str(settings.warehouse), "--run", first.run_id]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    assert title.findall(latest.read_text(encoding="utf-8")) == shown


def test_the_words_of_a_runs_days_apart_are_those_days_words_only(tmp_path: Path) -> None:
    """Probe: a run whose articles fell on two days a month apart charted the words of the
    whole period between them, another run's article included."""
    landing = tmp_path / "landing"
    (landing / "2024-05-01").mkdir(parents=True)
    (landing / "2024-05-02").mkdir(parents=True)
    body = "{w} {w} {w} said the minister on the day.\n\nA second paragraph follows here."
    (landing / "2024-05-01" / "middle.txt").write_text(
        " date 2024-05-01 " + body.format(w="Zeppelin"), encoding="utf-8"
    )
    for day, word in (("2024-04-01", "Harbour"), ("2024-06-01", "Orchard")):
        (landing / "2024-05-02" / f"{word}.txt").write_text(
            f" date {day} " + body.format(w=word), encoding="utf-8"
        )
    settings = settings_for(landing, tmp_path)
    pipeline.run(settings, partition_date=date(2024, 5, 1))
    run = pipeline.run(settings, partition_date=date(2024, 5, 2))
    assert run.report is not None
    page = run.report.read_text(encoding="utf-8")
    assert html.escape("Most frequent words of the run's days") in page
    assert html.escape("No distinctive words: the run's days are not one period.") in page
    assert "harbour" in page and "orchard" in page
    assert "zeppelin" not in page


def _links(page: Path) -> list[str]:
    """The targets of ``page``'s relative links and sources, resolved as a browser does (its
    ``<base>`` included), as paths."""
    from html.parser import HTMLParser
    from urllib.parse import unquote, urljoin, urlsplit

    found: list[str] = []
    base = [page.as_uri()]

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if value is None:
                    continue
                if tag == "base" and name == "href":
                    base[0] = urljoin(page.as_uri(), value)
                elif name in ("href", "src") and not urlsplit(value).scheme:
                    found.append(unquote(urlsplit(urljoin(base[0], value)).path))

    Links().feed(page.read_text(encoding="utf-8"))
    return found


def test_every_link_of_the_pages_leads_to_a_file(report: tuple[Path, str]) -> None:
    """latest.html linked "all runs" and "data quality of this run" to files one folder off
    (probe, session 41); every page's links are followed here."""
    path, _ = report
    reports = path.parent.parent
    pages = [path, path.parent / "quality.html", reports / "latest.html", reports / "index.html"]
    for page in pages:
        links = _links(page)
        assert links or page.name == "quality.html", page  # it names its Data Docs, unlinked
        missing = sorted({link for link in links if not Path(link).is_file()})
        assert not missing, (page.name, missing)
    latest = _links(reports / "latest.html")
    assert str(reports / "index.html") in latest
    assert str(path.parent / "quality.html") in latest
    assert any("/data_docs/" in link for link in latest)


def test_a_failed_runs_line_breaks_show_on_its_pages(tmp_path: Path) -> None:
    """A run failed on a landing path with a newline in it; its report and quality page showed
    the break as a space (no ``white-space`` rule), while ``status`` showed it (probe X)."""
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    missing = tmp_path / "no\nsuch"
    assert CliRunner().invoke(app, ["init", "-w", str(warehouse)]).exit_code == 0
    failed = CliRunner().invoke(app, ["run", "-l", str(missing), "-w", str(warehouse)])
    assert failed.exit_code == 2, failed.output
    ((run_id, error),) = query(warehouse, "SELECT run_id, error FROM etl_run")
    assert "no\nsuch" in error
    shown = CliRunner().invoke(app, ["report", "-w", str(warehouse), "--run", run_id])
    assert shown.exit_code == 0, shown.output
    page = (warehouse.parent / "reports" / run_id / "report.html").read_text(encoding="utf-8")
    out = tmp_path / "quality.html"
    quality = CliRunner().invoke(
        app, ["quality", "-w", str(warehouse), "--run", run_id, "--html", str(out)]
    )
    assert quality.exit_code == 0, quality.output
    for html_page, element in (
        (page, "<p class='bad error'>"),
        (out.read_text(), '<span class="error">'),
    ):
        assert ".error{white-space:pre-wrap}" in html_page
        start = html_page.index(element) + len(element)
        assert "no\nsuch" in html_page[start : html_page.index("<", start)]


def test_a_failed_run_is_on_the_index_and_its_pages_link_only_to_files(tmp_path: Path) -> None:
    """A run failed at plan: its page (``report --run``) and latest.html linked twice to a
    quality page never written, and the index, which lists every run, did not list it until
    the next load (probe V, session 46)."""
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    assert CliRunner().invoke(app, ["init", "-w", str(warehouse)]).exit_code == 0
    failed = CliRunner().invoke(app, ["run", "-l", str(tmp_path / "none"), "-w", str(warehouse)])
    assert failed.exit_code == 2, failed.output
    ((run_id,),) = query(warehouse, "SELECT run_id FROM etl_run WHERE status = 'failed'")
    reports = warehouse.parent / "reports"
    assert f"<code>{run_id}</code>" in (reports / "index.html").read_text(encoding="utf-8")
    shown = CliRunner().invoke(app, ["report", "-w", str(warehouse), "--run", run_id])
    assert shown.exit_code == 0, shown.output
    assert not (reports / run_id / "quality.html").exists()
    for page in (reports / run_id / "report.html", reports / "latest.html"):
        missing = sorted({link for link in _links(page) if not Path(link).is_file()})
        assert not missing, (page.name, missing)
        assert "No data-quality page was written for this run" in page.read_text(encoding="utf-8")


def test_the_pages_after_a_failed_run_do_not_wait_for_a_busy_warehouse(tmp_path: Path) -> None:
    """A run whose failure could not be recorded (another process held the warehouse past the
    lock's timeout) then waited the whole timeout again, silently, to rewrite the pages
    (review R1): they are written when the warehouse is free at once, else skipped."""
    from etl.errors import ConfigError

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "one.txt").write_text(" date 2024-05-01 Rain fell on the capital.\n")
    settings = settings_for(landing, tmp_path, lock_timeout_s=60)
    assert pipeline.run(settings).articles_loaded == 1  # a run to draw: free, pages are written
    index = settings.reports_root / "index.html"
    index.unlink()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]);"
         " print('held', flush=True); time.sleep(120)", str(settings.warehouse)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        pipeline._pages_after_failure(settings, ConfigError("the run's own error"))
        took = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert took < 30, took  # the lock's timeout is 60 s
    assert not index.exists()  # skipped
    pipeline._pages_after_failure(settings, ConfigError("the run's own error"))
    assert index.exists()  # the warehouse free, they are written


def test_a_run_that_loaded_nothing_charts_no_days(tmp_path: Path) -> None:
    """A run of nothing new charted the warehouse's last fourteen days as "the run's days",
    their words included ("every article is in the period"): days it never touched (probe V)."""
    landing = tmp_path / "landing" / "2024-05-01"
    landing.mkdir(parents=True)
    (landing / "one.txt").write_text(
        " date 2024-05-01 Zeppelin said the minister on the day.\n\nA second paragraph here.",
        encoding="utf-8",
    )
    settings = settings_for(tmp_path / "landing", tmp_path)
    first = pipeline.run(settings)
    again = pipeline.run(settings)
    assert first.articles_loaded == 1 and again.articles_loaded == 0
    assert again.report is not None
    page = again.report.read_text(encoding="utf-8")
    assert "This run loaded no articles: no days to chart." in page
    assert "<svg" not in page and "zeppelin" not in page
    assert first.report is not None and "zeppelin" in first.report.read_text(encoding="utf-8")


def test_a_replace_shows_what_it_removed_and_day_charts_say_when_they_were_drawn(
    tmp_path: Path,
) -> None:
    """A replace that removed a file's article showed only "0 articles loaded" on its page and
    the index; an older run's page rebuilt after it said "2 articles loaded" under a chart of
    one, without saying the chart is the warehouse as it is now (probe V)."""
    folder = tmp_path / "landing" / "2024-03-04"
    folder.mkdir(parents=True)
    for name, word in (("a", "Rain"), ("b", "Gold")):
        (folder / f"{name}.txt").write_text(
            f" date 2024-03-04 {word} fell on the capital for a third day.\n", encoding="utf-8"
        )
    settings = settings_for(tmp_path / "landing", tmp_path)
    first = pipeline.run(settings, partition_date=date(2024, 3, 4))
    (folder / "b.txt").unlink()
    replaced = pipeline.run(settings, partition_date=date(2024, 3, 4), mode="replace")
    assert (replaced.articles_loaded, replaced.articles_removed) == (0, 1)
    assert replaced.report is not None
    page = replaced.report.read_text(encoding="utf-8")
    assert "<div class='card'><b>1</b>articles removed</div>" in page
    index = (settings.reports_root / "index.html").read_text(encoding="utf-8")
    assert "<th>articles removed</th>" in index
    row = index[index.index(f"<code>{replaced.run_id}</code>") :]
    assert "<td class='num'>1</td></tr>" in row[: row.index("</tr>") + 5]
    rebuilt = CliRunner().invoke(
        app, ["report", "--warehouse", str(settings.warehouse), "--run", first.run_id]
    )
    assert rebuilt.exit_code == 0, rebuilt.output
    old = (settings.reports_root / first.run_id / "report.html").read_text(encoding="utf-8")
    assert "<div class='card'><b>2</b>articles loaded</div>" in old
    assert "as it stood when this page was written" in old
    assert "articles removed" not in old  # the first run removed none
