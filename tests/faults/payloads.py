"""Hostile inputs: HTML/JavaScript and terminal payloads in every field an analyst sees."""

from __future__ import annotations

import json
from pathlib import Path

#: What every payload runs if a browser executes it: a mark a test finds in the page's DOM.
MARK = "document.documentElement.setAttribute('data-pwned','1')"
#: Each of these would run script, or add a handler or a script link, if a page carried it as
#: markup instead of text.
HTML = (
    f'<script>{MARK}</script><img src=x onerror="{MARK}"><svg onload="{MARK}"></svg>'
    f'\'"><iframe srcdoc="<script>{MARK}</script>"></iframe>'
    f'<a href="javascript:{MARK}">x</a><details open ontoggle="{MARK}">'
)
#: A link target that runs script when followed.
JS_URL = f"javascript:{MARK}//https://example.org/a"
#: Terminal escapes and Rich markup: a title must reach a terminal as text.
TERMINAL = (
    "\x1b[31mred\x1b[0m \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ "
    "[link=https://evil]x[/link] [/nope]"
)
#: Terminal escapes a file name can hold (no "/"): ingest keeps paths as they are, so these reach
#: the warehouse (``source_file``), where titles lose their control characters like texts.
TERMINAL_NAME = "\x1b[31mred\x1b[0m\x07 [link=evil]x[-link]"
DAY = "2024-03-04"


def hostile_landing(root: Path) -> Path:
    """A landing zone whose folder and file names, titles, sources, URLs, authors and bodies
    carry :data:`HTML` and :data:`TERMINAL`; one record is quarantined as boilerplate (its text
    then shows among GX's unexpected values), one as mojibake, the rest load."""
    folder = root / f"feed<img src=x onerror={MARK}>"
    folder.mkdir(parents=True)
    records = [
        {
            "title": "Boiler " + HTML,
            "url": JS_URL,
            "source": "src " + HTML,
            "authors": ["author " + HTML],
            "date": DAY,
            "text": f"Subscribe to our newsletter <script>{MARK}</script>\n\n"
            f"All rights reserved <img src=x onerror={MARK}> <svg onload={MARK}>",
        },
        {
            "title": "Good " + HTML + TERMINAL,
            "url": JS_URL,
            "source": "source " + HTML,
            "authors": ["writer " + HTML],
            "date": DAY,
            "text": f"The minister said on Monday that the plan {HTML} would go ahead as agreed "
            f"{TERMINAL}.\n\nA second paragraph follows here with a few more words in it.",
        },
    ]
    name = f"dump<svg onload={MARK}>'\"<script>.jsonl"
    (folder / name).write_text("\n".join(json.dumps(r) for r in records) + "\n{broken " + HTML)
    mojibake = (
        f" date {DAY} Ã… Ã… ÃŽ The mayor {HTML} ÃŽ said Ã… ÃŽ that Ã… the plan Ã… was ÃŽ fine."
    )
    (folder / f"mojibake<img src=x onerror={MARK}>.txt").write_text(mojibake, encoding="utf-8")
    page = (
        f"<html><head><title>Page {HTML}</title>"
        f'<meta property="og:url" content="{JS_URL}"></head><body><article><h1>Headline</h1>'
        "<p>The council voted on Tuesday to approve the new budget for the coming year, "
        "officials said after a long debate.</p><p>&lt;script&gt;alert(9)&lt;/script&gt; "
        "The measure passed by a wide margin and takes effect in January.</p>"
        "</article></body></html>"
    )
    (folder / f"page<b onmouseover={MARK}>{TERMINAL_NAME}.html").write_text(page, encoding="utf-8")
    return root
