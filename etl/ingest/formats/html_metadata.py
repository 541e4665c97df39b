"""The work a page gives the extractor's metadata reading, counted before extraction.

trafilatura reads a page's authors one value at a time (each author ``<meta>`` tag, each
JSON-LD author), and each value is checked against every name kept so far and the names against
each other: its time grows with the cube of the number of names (1,000 JSON-LD authors of a
62 KB page: 17 s; 2,000: 148 s; 1,000 ``<meta name="author">`` tags: 37 s; probe J). Its
fallback reading of a JSON-LD script that is not JSON runs regexes from each ``"author"``,
``"@type":"``, ``"publisher"`` and ``"Person"`` to the next ``}``: thousands of them and no
``}`` cost their number times the script's length (300 KB: 80 s). Both are counted here, over
the page's ``<meta>`` and ``<script>`` tags read as the parser reads tags
(:mod:`etl.ingest.formats.html_tags`; those inside comments and scripts too, which only adds),
with the extractor's own lists of author names and its own splitting of a value into names.
"""

from __future__ import annotations

import contextlib
import html
import json
import re
from collections.abc import Iterator
from typing import Any

from etl.ingest.formats.html_tags import ascii_lower, attributes, raw_text_end, tags_named

#: The most comparisons of author names the extractor may make (see :func:`_comparisons`):
#: 250 different names given one by one are 15.6 million (0.37 s); 1,000 are a billion (17 s).
#: The most in the corpora's 258 pages is far below (the test of the real pages says how far).
MAX_AUTHOR_COMPARISONS = 30_000_000
#: A JSON-LD script that is not JSON and whose fallback reading would scan more characters
#: than this refuses its page (``malformed_html``): 26 million took 1.7 s; the most in the
#: corpora is 0.98 million (an 806 KB script, read in 1.1 s).
MAX_FALLBACK_SCAN = 10_000_000
#: The fallback reading also copies the script once per author it finds (it removes each
#: match and searches again from the start): more characters copied than this refuse the page
#: (20,000 authors in 520 KB, 10 billion: 1.6 s; the corpora's 806 KB script: 1.4 billion).
MAX_FALLBACK_COPIES = 5_000_000_000

#: The scripts the extractor reads as JSON-LD (its XPath compares the type exactly; any script
#: whose type mentions one is counted, which only counts more).
_JSON_SCRIPT = re.compile(r"application/(?:ld|settings)\+json", re.IGNORECASE)
#: Where a ``<meta>`` or ``<script>`` start tag may be (one inside a comment or a script is
#: read too: it only adds to the counts).
_META_OR_SCRIPT = re.compile(r"<(?:meta|script)(?=[\t\n\f\r /])", re.IGNORECASE)
#: Where the fallback's regexes start a scan that runs to the next ``}``.
_FALLBACK_START = re.compile(r'"author"|"@type":"|"publisher"|"[Pp]erson"')


def metadata_refusal(parsed: str) -> tuple[str, str] | None:
    """``(reason, detail)`` when the metadata of ``parsed`` (the text the parser reads) would
    cost the extractor too much (see the module), else ``None``."""
    from trafilatura.metadata import METANAME_AUTHOR, OG_AUTHOR, PROPERTY_AUTHOR

    values: list[str] = []  # every author value the extractor reads, in any order
    for element, start, end, body in tags_named(parsed, _META_OR_SCRIPT):
        written = attributes(parsed, start, end)
        if ascii_lower(element) == "meta":
            if _names_an_author(written, METANAME_AUTHOR, PROPERTY_AUTHOR | OG_AUTHOR):
                values.append(written["content"])
            continue
        if not _JSON_SCRIPT.search(written.get("type", "")):
            continue
        script = parsed[body : raw_text_end(parsed, body, "script")]
        found, scan = _json_ld_work(script)
        if scan > MAX_FALLBACK_SCAN:
            return "malformed_html", (
                f"a JSON-LD script of {len(script):,} characters that is not JSON, whose "
                f"fallback reading scans {scan:,} characters (more than "
                f"{MAX_FALLBACK_SCAN:,}): refused before extraction (that reading grows with "
                "the square of the script)"
            )
        if scan and len(found) * len(script) > MAX_FALLBACK_COPIES:
            return "malformed_html", (
                f"a JSON-LD script of {len(script):,} characters that is not JSON, whose "
                f"fallback reading copies it once for each of its {len(found):,} authors (more "
                f"than {MAX_FALLBACK_COPIES:,} characters): refused before extraction"
            )
        values += found
    comparisons, different = _comparisons(values)
    if comparisons > MAX_AUTHOR_COMPARISONS:
        return "metadata_too_long", (
            f"{len(values):,} author value{'s' * (len(values) != 1)} naming {different:,} "
            "different names in the page's "
            f"metadata (<meta> tags and JSON-LD): refused before extraction (the extractor "
            f"compares each value's names with the names kept, and those with each other: "
            f"{comparisons:,} comparisons, more than {MAX_AUTHOR_COMPARISONS:,})"
        )
    return None


def _comparisons(values: list[str]) -> tuple[int, int]:
    """``(comparisons, names)``: a bound of the name comparisons the extractor makes reading
    ``values`` one by one, and the number of different names in them. Each value's names are
    looked up among the names kept, then the names kept compared pairwise: with ``D`` different
    names, ``N`` names in all and ``V`` values, at most ``N * D + V * D * D``."""
    from trafilatura.json_metadata import AUTHOR_SPLIT

    pieces = [piece.strip() for value in values for piece in AUTHOR_SPLIT.split(_as_read(value))]
    different = len(set(pieces))
    return len(pieces) * different + len(values) * different * different, different


def _names_an_author(meta: dict[str, str], names: set[str], properties: set[str]) -> bool:
    """Whether the extractor reads this ``<meta>``'s content as authors."""
    if "content" not in meta:
        return False
    return (
        ascii_lower(meta.get("property", "")) in properties
        or ascii_lower(meta.get("name", "")) in names
        or ascii_lower(meta.get("itemprop", "")) == "author"
    )


def _as_read(value: str) -> str:
    """``value`` as trafilatura's ``normalize_authors`` has it when it splits it into names:
    ``\\u`` escapes decoded, character references replaced, tags removed (a value whose names
    were joined by ``\\u003b`` or `` a<b>nd `` was one name to the count, hundreds to the
    extractor; review R1, session 50)."""
    from trafilatura.utils import HTML_STRIP_TAGS

    if "\\u" in value:
        with contextlib.suppress(UnicodeDecodeError):
            value = value.encode().decode("unicode_escape")
    if "&#" in value or "&amp;" in value:
        value = html.unescape(value)
    return str(HTML_STRIP_TAGS.sub("", value))


def _json_ld_work(script: str) -> tuple[list[str], int]:
    """``(values, scan)`` of a JSON-LD script as the extractor reads it: the author values it
    reads, and, when it is not JSON, the characters its fallback reading scans (else 0; the
    values are then the fallback's, found only when the scan is within the limit)."""
    from trafilatura.json_metadata import normalize_json
    from trafilatura.metadata import JSON_MINIFY

    # no fallback reading of it can cost much (`<` for `<=` is an equivalent mutant: no length's
    # square equals 10,000,000, which is not a square)
    if len(script) ** 2 <= MAX_FALLBACK_SCAN:  # pragma: no mutate
        try:  # the script as written: most are JSON, with the same names
            return list(_author_strings(json.loads(script))), 0
        except (ValueError, RecursionError):
            pass
    text = normalize_json(JSON_MINIFY.sub(r"\1", script))
    try:
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        scan = _fallback_scan(text)
        return ([] if scan > MAX_FALLBACK_SCAN else _fallback_authors(text)), scan
    return list(_author_strings(data)), 0


def _fallback_authors(text: str) -> list[str]:
    """The author values the fallback reading of ``text`` (not JSON) gives the name
    comparisons: the matches of its first author pattern that finds one, up to the first
    without a space (where it stops)."""
    from trafilatura.json_metadata import JSON_AUTHOR_1, JSON_AUTHOR_2, JSON_AUTHOR_REMOVE

    text = JSON_AUTHOR_REMOVE.sub("", text)
    for pattern in (JSON_AUTHOR_1, JSON_AUTHOR_2):
        found = []
        for match in pattern.finditer(text):
            name = next(filter(None, match.groups()), None)
            if not name or " " not in name:
                break
            found.append(name)
        if found:
            return found
    return []


def _fallback_scan(text: str) -> int:
    """The characters the fallback's regexes scan over ``text``: from each place one starts to
    the next ``}`` (or the end)."""
    scan = 0
    for match in _FALLBACK_START.finditer(text):
        close = text.find("}", match.end())
        scan += (len(text) if close < 0 else close) - match.start()
    return scan


def _author_strings(data: Any) -> Iterator[str]:
    """Every author value anywhere in ``data``, as the extractor reads one (an ``author``'s
    strings and its objects' names, a ``Person``'s name): more than it reads, which is the
    authors of articles only."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and k.lower() == "person" for k in kinds):
                yield from _names(node)
            author = node.get("author")
            if isinstance(author, str):  # the extractor reads a string holding JSON as JSON
                author = _json_or(author)
            for item in author if isinstance(author, list) else [author]:
                if isinstance(item, str):
                    yield item
                elif isinstance(item, dict):
                    yield from _names(item)
            stack.extend(value for key, value in node.items() if key != "author")


def _json_or(text: str) -> Any:
    """``text`` read as JSON, or ``text`` itself when it is not JSON (a string author that
    holds a JSON list was one value to the count, one per name to the extractor; review R1)."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _names(person: dict[str, Any]) -> Iterator[str]:
    """The name of a JSON-LD person object as the extractor reads it: ``name`` (a string, a
    list of them, or an object's ``name``), else its given and family names."""
    name = person.get("name")
    if isinstance(name, dict):
        name = name.get("name")
    if isinstance(name, list):
        yield "; ".join(n for n in name if isinstance(n, str))
    elif isinstance(name, str):
        yield name
    elif "givenName" in person and "familyName" in person:
        parts = (person.get(k) for k in ("givenName", "additionalName", "familyName"))
        yield " ".join(part for part in parts if isinstance(part, str))
