"""Every page the project writes is safe for any input (issue #14, item 1).

A landing zone whose folder and file names, titles, sources, URLs, authors and bodies carry
script, handler attributes and ``javascript:`` links is loaded into a warehouse inside a folder
whose name does the same; then every page written (GX Data Docs, run report, quality page,
``news-etl quality --html``) is opened in headless Chromium. The DOM after the scripts ran must
show no sign that a payload ran, no handler attribute or script element of a payload's, no
``javascript:`` link, and the payload shown as text where the page shows the value.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .harness import cli, record
from .payloads import MARK, hostile_landing

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # offline at once: CDN scripts fail fast
]
_LINK_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}


class _Inspector(HTMLParser):
    """Collects what a payload would leave in a DOM if it had become markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if name == "data-pwned":
                self.problems.append("a payload ran (data-pwned set)")
            elif name.startswith("on") and "pwned" in value:
                self.problems.append(f"handler attribute {name} on <{tag}>")
            elif name in _LINK_ATTRS and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: link in <{tag} {name}>")
            elif name == "srcdoc":
                self.problems.append(f"srcdoc on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "pwned" in data:
            self.problems.append("a payload's <script> element")
        elif not self._in_script:
            self.text.append(data)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (see .ci/run)")
        pytest.skip("chromium is not installed (CI installs it)")
    return found


def _dom(chromium: str, page: Path, profile: Path) -> str:
    """The page's DOM after its scripts ran (offline: CDN scripts fail to load)."""
    return subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=2000",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def inspect(dom: str) -> tuple[list[str], str]:
    """Problems found in ``dom`` and its visible text."""
    parser = _Inspector()
    parser.feed(dom)
    return parser.problems, " ".join(" ".join(parser.text).split())


def test_inspector_sees_a_live_payload() -> None:
    """The check itself: a DOM where the payload became markup is caught."""
    problems, _ = inspect(
        f'<html data-pwned="1"><img src=x onerror="{MARK}"><a href=" JavaScript:{MARK}">x</a>'
        f"<script>{MARK}</script></html>"
    )
    assert len(problems) == 4, problems


@pytest.mark.slow
def test_every_page_is_safe_for_hostile_input(tmp_path: Path) -> None:
    chromium = _chromium()
    landing = hostile_landing(tmp_path / "landing")
    warehouse = tmp_path / f"wh<img src=x onerror={MARK}>" / "news.duckdb"
    done = cli(["run", "--landing", landing], warehouse)
    assert done.returncode == 0, done.stderr
    extra = tmp_path / "quality.html"
    quality = cli(["quality", "--html", extra], warehouse)
    assert quality.returncode == 0, quality.stderr
    reports = warehouse.parent / "reports"
    pages = [*sorted(reports.rglob("*.html")), extra]
    kinds = {p.name for p in pages}
    assert {"report.html", "quality.html", "index.html", "batches-0000-0000.html"} <= kinds
    found: dict[str, list[str]] = {}
    shown = False
    with ThreadPoolExecutor(2) as pool:
        doms = list(
            pool.map(lambda ip: _dom(chromium, ip[1], tmp_path / f"p{ip[0]}"), enumerate(pages))
        )
    for page, dom in zip(pages, doms, strict=True):
        problems, text = inspect(dom)
        if problems:
            found[str(page.relative_to(tmp_path))] = problems
        # The value is shown as it was, as text (escaped once, not twice).
        shown = shown or f"The mayor <script>{MARK}</script>" in text
        assert "&lt;script" not in text, page
    record(
        "hostile HTML in names, titles, sources, URLs, authors, bodies",
        1,
        "yes",
        "n/a",
        done.returncode,
        f"{len(pages)} pages in Chromium: "
        + ("no script ran, no handler, no javascript: link" if not found else str(found)),
    )
    assert not found, found
    assert shown, "no page showed the quarantined value as text"
