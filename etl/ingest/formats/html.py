"""Raw HTML pages: main text and metadata extracted by trafilatura (a maintained extractor)."""

from __future__ import annotations

import copy
import functools
import html
import itertools
import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from etl.ingest.canonical import BadDateError
from etl.ingest.formats.base import Parsed, Record, RecordError, _authors, parse_published
from etl.ingest.formats.html_metadata import metadata_refusal
from etl.ingest.formats.html_tags import (
    ascii_lower,
    attribute_names,
    raw_text_bodies,
    script_bodies,
    tag_spans,
    walk,
)

# trafilatura logs every page it finds too short at WARNING; the quarantine row says it instead.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

#: A run of white space (read whole, once: ``\s*\n\s*`` tried every start inside a long run
#: without a line break, 0.1 MB of spaces kept from a ``<pre>`` 14 s; review, session 49).
_SPACES = re.compile(r"\s+")
#: A tag with more attributes than this is refused before parsing: the HTML parser (libxml2,
#: under trafilatura) checks each attribute against the tag's others, so its time grows with
#: their square (one ``<p>`` with 50,000 attributes: 4 s; 100,000: 33 s, and trafilatura's
#: justext fallback then took over ten minutes). Real tags carry a few dozen at most.
MAX_ATTRIBUTES = 1_000


def _distinct(names: list[str]) -> bool:
    """Whether ``names`` holds more than :data:`MAX_ATTRIBUTES` different names."""
    return len(set(map(ascii_lower, names))) > MAX_ATTRIBUTES


def _as_parsed(page: str) -> str:
    """The text libxml2 parses when trafilatura is given ``page``: trafilatura's repair of faulty
    HTML, as its ``load_html`` does it (the parses the checks make go through ``load_html`` too,
    so they read what the extractor reads)."""
    from trafilatura.utils import repair_faulty_html

    return str(repair_faulty_html(page, page[:50].lower()))


def _paragraphs(text: str) -> str:
    """``text`` with each run of white space that holds a line break made one blank line."""
    return _SPACES.sub(lambda run: "\n\n" if "\n" in run[0] else run[0], text)


def _crowded_page(parsed: str, page: str) -> str | None:
    """The name of the first start tag with more than :data:`MAX_ATTRIBUTES` attributes of
    different names (:func:`_crowded_tag`) in ``parsed``, or in a fragment trafilatura's
    fallback parses apart from the page (:func:`_crowded_fragment`); or None. One reading of the
    page finds both the tags and the JSON-LD scripts."""
    scripts: list[str] = []
    attributes = (0, 0)
    for name, start, end, body in walk(parsed):
        if not body:
            if end - start > MAX_ATTRIBUTES and _distinct(attribute_names(parsed, start, end)):
                return name
            attributes = (start, end)
        elif name == "script" and _JSON_LD_TYPE.search(parsed, *attributes):
            scripts.append(parsed[start:end])
    return _crowded_fragment(scripts, parsed, page)


def _crowded_fragment(scripts: list[str], parsed: str, page: str) -> str | None:
    """The crowded tag of a fragment trafilatura's fallback parses apart from the page: the
    text of the JSON-LD ``scripts``' strings and of a Discourse forum's ``data-preloaded``
    posts, unescaped as it unescapes them (review, session 49: 60,000 attributes written
    ``\\u003cp a0 …`` inside ``articleBody`` took 4.7 s). Every string of every JSON-LD script
    is read, a superset of those trafilatura renders."""
    from trafilatura.utils import remove_control_characters

    fragments: list[str] = []
    for body in scripts:
        try:
            fragments += _strings(json.loads(body, strict=False))
        except (ValueError, RecursionError):
            continue
    if "data-preloaded" in parsed:
        from trafilatura.baseline import _discourse_texts
        from trafilatura.utils import load_html

        tree = load_html(page)
        fragments += [] if tree is None else _discourse_texts(tree)
    for fragment in fragments:
        if "<" in fragment or "&" in fragment:
            name = _crowded_tag(remove_control_characters(html.unescape(fragment)))
            if name is not None:
                return name
    return None


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON value."""
    found: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return found


def _crowded_tag(text: str) -> str | None:
    """The name of the first start tag of ``text`` with more than :data:`MAX_ATTRIBUTES`
    attributes of different names (the parser keeps the first of a name and checks each
    attribute against those it kept: 100,000 of one name cost nothing), or None. The tags are
    read as the parser reads them (:func:`~etl.ingest.formats.html_tags.tag_spans`), in linear
    time: a regex counting attributes that could read ``m/n`` as one attribute or two
    backtracked over every reading of a tag with too few (a 4 KB tag: 74 s; session 48)."""
    for name, start, end in tag_spans(text):
        # each attribute takes a character at least: a shorter span holds too few
        if end - start > MAX_ATTRIBUTES and _distinct(attribute_names(text, start, end)):
            return name
    return None


#: A page with more elements than this is refused before extraction: trafilatura's time grows
#: faster than their square (a page of ``<p>`` elements each holding a sentence: 20,000 took
#: 3.3 s, 40,000 7.9 s, 80,000 48 s; probe), so a hostile page would stall a run. The time
#: depends on what the elements hold: short ones (``<p>a</p>``) cost far more, through
#: trafilatura's justext fallback (19,000 took 73 s), and are refused well under this limit by
#: :data:`MAX_PARAGRAPH_WALK`. The largest of the 258 real pages
#: in the corpora has 4,110 start tags, the median about 1,000.
MAX_ELEMENTS = 20_000
_START_TAG = re.compile(r"<[A-Za-z]")
#: More than the elements a parser adds that a page does not write (``html``, ``head``,
#: ``body``, the ``div`` trafilatura wraps a fragment in).
_IMPLIED = 8


def _too_many_elements(text: str, page: str) -> bool:
    """Whether the parser's tree of ``text`` (:func:`_as_parsed` of ``page``: the tree is built
    from ``page``, as the extractor builds it) has more than :data:`MAX_ELEMENTS` elements.

    Every ``<`` and letter is counted first (cheap, stopping at the limit): in the text the
    parser reads, that bounds the elements from above (in the page as written it did not:
    trafilatura deletes control characters, so ``<\x01p>`` is a paragraph; review, session 49),
    but counts what comments, scripts and attribute values hold (a page whose inline script
    carries its article's HTML as 20,000 tags was refused). Only a page over the limit by that
    count is parsed, once more, to count its elements: the parse is linear (400,000 ``<p>``:
    0.26 s); what grows faster is the extractor's work on the tree."""
    naive = itertools.islice(_START_TAG.finditer(text), MAX_ELEMENTS - _IMPLIED, None)
    if not any(True for _ in naive):
        return False
    from trafilatura.utils import load_html

    tree = load_html(page)
    return tree is not None and int(tree.xpath("count(//*)")) > MAX_ELEMENTS


#: A page whose paragraphs would make the extractor's justext fallback walk more steps than this
#: is refused before extraction. justext gives each short (under 50 characters) or near-good
#: paragraph the class of its nearest good or bad neighbours, walking to them one paragraph at a
#: time from every such paragraph, so a run of n of them costs n² steps: 19,000 ``<p>a</p>``
#: after an article (153 KB, under :data:`MAX_ELEMENTS`) took 73 s in parse_html, 5,000 took 6 s
#: (probe); 2,000 (4,040,100 steps) 0.9 s. The most of the 258 real pages in the corpora is
#: 47,005 steps.
MAX_PARAGRAPH_WALK = 4_000_000


@functools.cache
def _paragraph_start() -> re.Pattern[str]:
    """A start tag that can end a justext paragraph (its ``PARAGRAPH_TAGS`` and ``br``), in any
    case and followed by anything but a letter or digit (over-counted, never under-counted)."""
    from justext.core import PARAGRAPH_TAGS

    names = sorted(PARAGRAPH_TAGS | {"br"}, key=len, reverse=True)
    return re.compile(rf"<(?:{'|'.join(names)})(?![A-Za-z0-9])", re.IGNORECASE)


def _paragraph_walk(text: str, page: str) -> int:
    """The steps justext's classification of the paragraphs of ``page`` may walk (0 when the
    naive count of ``text``, :func:`_as_parsed` of ``page``, shows it cannot reach
    :data:`MAX_PARAGRAPH_WALK`).

    justext (``revise_paragraph_classification``) walks, from each short or near-good paragraph,
    to the nearest good or bad one before and after it. Counted here as trafilatura calls it
    (its thresholds and stoplists, on the tree after its ``basic_cleaning``, as both its calls
    do), but over each stretch between two good paragraphs: bad ones trafilatura's other
    cleaning may drop are walked over, not stopped at, so a page cannot hide a run from the count
    behind them. A stretch of n paragraphs of which w are short or near-good counts w × n.

    A paragraph ends at each start or end of one of justext's paragraph elements and at a
    ``<br>`` after a ``<br>``, so a page with e such start tags has at most 2e + 1 paragraphs and
    walks at most their square: a page under the limit by that count (all but 11 of the 258
    real pages) is not parsed again."""
    tags = sum(1 for _ in _paragraph_start().finditer(text)) + _IMPLIED
    if (2 * tags + 1) ** 2 <= MAX_PARAGRAPH_WALK:
        return 0
    from justext.core import ParagraphMaker, classify_paragraphs
    from trafilatura.baseline import basic_cleaning
    from trafilatura.external import JT_STOPLIST, jt_stoplist_init
    from trafilatura.htmlprocessing import tree_cleaning
    from trafilatura.settings import Extractor
    from trafilatura.utils import load_html

    tree = load_html(page)
    if tree is None:
        return 0
    # The two trees justext is given: the comparison's, after trafilatura's tree_cleaning with
    # parse_html's options (no tables, comments or images: a good paragraph inside a table is
    # gone from it, and the short ones around it make one run; review R1, session 50: 200 KB in
    # 20 s), and the rescue's, after basic_cleaning.
    options = Extractor(comments=False, tables=False, images=False, with_metadata=True)
    trees = (tree_cleaning(copy.copy(tree), options), basic_cleaning(tree))
    steps = 0
    for cleaned in trees:
        paragraphs = ParagraphMaker.make_paragraphs(cleaned)
        # trafilatura's try_justext: length_low 50, length_high 150, stopwords_low 0.1,
        # stopwords_high 0.2, max_link_density 0.25, no_headings; every language's stoplist
        classify_paragraphs(
            paragraphs, JT_STOPLIST or jt_stoplist_init(), 50, 150, 0.1, 0.2, 0.25, True
        )
        steps = max(steps, _walk_steps(paragraphs))
    return steps


def _walk_steps(paragraphs: list[Any]) -> int:
    """The steps of :func:`_paragraph_walk` over justext's classified ``paragraphs``."""
    steps = stretch = walkers = 0
    for paragraph in [*paragraphs, None]:
        if paragraph is None or paragraph.cf_class == "good":
            steps += walkers * stretch
            stretch = walkers = 0
        else:
            stretch += 1
            walkers += paragraph.cf_class in ("short", "neargood")
    return steps


#: How deep libxml2 (under trafilatura) nests elements: the content of a deeper element, and
#: everything after it in the page, is dropped without a word (probe: an article lost its
#: middle and its end at 253 nested ``<div>``; at 252 it was whole). Real pages nest ~30 deep.
PARSER_DEPTH = 255
_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]*)[^>]*?(/?)>")
#: Elements that never hold others (HTML's void elements): they add no depth.
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def _may_be_too_deep(text: str) -> bool:
    """Whether ``text`` may nest :data:`PARSER_DEPTH` elements: tags opened and not yet closed,
    counted naively, reach it (the parser closes some implicitly, so the real depth is at most
    this count: a page that stays under it is not parsed twice)."""
    depth = 0
    # Every tag ends at a ">": none starts after the last one. Without that bound, a page with
    # many "<a" and no ">" after them was read to its end from every one (probe F6: 200 KB took
    # 19.5 s); with it, each search stops at the next ">", where a tag ends.
    for match in _TAG.finditer(text, 0, text.rfind(">") + 1):
        closing, name, selfclosing = match.groups()
        if closing:
            depth = max(0, depth - 1)
        elif not selfclosing and name.lower() not in _VOID:
            depth += 1
            if depth >= PARSER_DEPTH - 3:  # html, body, and the text's own element
                return True
    return False


def _cut_by_depth(text: str, page: str) -> bool:
    """Whether the parser's tree of ``text`` (built from ``page``, as in
    :func:`_too_many_elements`) reaches :data:`PARSER_DEPTH` (then it dropped what lay deeper,
    and after it)."""
    if not _may_be_too_deep(text):
        return False
    from trafilatura.utils import load_html

    tree = load_html(page)
    return tree is not None and bool(
        tree.xpath(f"boolean(//*[count(ancestor::*) >= {PARSER_DEPTH}])")
    )


#: The longest text between two tags the HTML parser keeps, in UTF-8 bytes (libxml2's
#: ``XML_MAX_TEXT_LENGTH``; lxml lifts it only with ``huge_tree``, which trafilatura's parser does
#: not set): a longer one is dropped with everything after it. Up to session 38 a page whose
#: article came after a 12 MB inline ``<script>`` (a site's state as JSON) was ``no_text``
#: (probe).
PARSER_TEXT_BYTES = 10_000_000


def _over_text_limit(run: str) -> bool:
    """Whether the text ``run`` is longer than :data:`PARSER_TEXT_BYTES` in UTF-8."""
    # Only skips the encoding: a character is at most 4 bytes in UTF-8, so a shorter run is
    # within the limit. Equivalent for any bound up to a quarter of the limit
    # (`/ 4`, a survivor of seed 1215, is the same bound: the limit is a multiple of 4).
    if len(run) < PARSER_TEXT_BYTES // 4:  # pragma: no mutate
        return False
    return len(run.encode("utf-8", "replace")) > PARSER_TEXT_BYTES


def _without_huge_scripts(text: str) -> str:
    """``text`` with the body of each ``<script>`` or ``<style>`` over the parser's text limit
    left out: never article text, and the parser would drop the rest of the page with it (the
    JSON-LD date is read from the page as it was). The bodies are the parser's
    (:func:`~etl.ingest.formats.html_tags.raw_text_bodies`): a regex from each ``<script>`` to
    the next ``</script>`` read a page of unclosed ones from each to its end (2.6 MB: over a
    minute; review, session 49)."""
    if len(text) < PARSER_TEXT_BYTES // 4:
        return text
    kept, pos = [], 0
    for element, start, end in raw_text_bodies(text):
        if element in ("script", "style") and _over_text_limit(text[start:end]):
            kept.append(text[pos:start])
            pos = end
    return "".join(kept) + text[pos:] if kept else text


def _over_parser_text_limit(text: str) -> bool:
    """Whether some text between two tags of ``text`` is over :data:`PARSER_TEXT_BYTES`."""
    if len(text) < PARSER_TEXT_BYTES // 4:
        return False
    return any(_over_text_limit(piece.partition(">")[2]) for piece in text.split("<"))


def _date_params() -> dict[str, Any]:
    """htmldate's parameters as trafilatura's defaults, but without its extensive search: that
    reads dates out of the body text and its links when the markup has none, so a page whose
    article mentions "signed on 12 March 1998" (or links to ``/2003/05/17/story.html``) was
    dated 1998-03-12 with ``date_source`` ``metadata`` (probe). A page without a date in its
    markup now takes its folder's date or the run's, as the README says. None of the 258 real
    pages in the corpora changes date: each has one in its markup."""
    return {"original_date": True, "extensive_search": False, "max_date": _LATEST.isoformat()}


#: htmldate's latest acceptable date: none of its own. It dropped a date after today as if the
#: page had none, and the page took its folder's or the run's day without a word (probe,
#: session 40); ingest now judges every format's date alike (``future_date`` after the
#: allowance, NEWS_ETL_FUTURE_DATE_ALLOWANCE_DAYS).
_LATEST = date(9999, 12, 31)


#: schema.org's ``Article`` and its subtypes: the JSON-LD objects whose ``datePublished`` is the
#: page's own article's (not a video's, an image's or the web page's).
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "AdvertiserContentArticle",
        "NewsArticle",
        "AnalysisNewsArticle",
        "AskPublicNewsArticle",
        "BackgroundNewsArticle",
        "OpinionNewsArticle",
        "ReportageNewsArticle",
        "ReviewNewsArticle",
        "Report",
        "SatiricalArticle",
        "ScholarlyArticle",
        "MedicalScholarlyArticle",
        "SocialMediaPosting",
        "BlogPosting",
        "LiveBlogPosting",
        "DiscussionForumPosting",
        "TechArticle",
        "APIReference",
    }
)
#: A script's attributes that make it JSON-LD. The scripts are the parser's
#: (:func:`~etl.ingest.formats.html_tags.script_bodies`): a regex from each ``<script`` to the
#: next ``</script>`` read a page of unclosed ones from each to its end (350 KB: 37 s; session 49).
_JSON_LD_TYPE = re.compile(r"\btype[\t\n\f\r ]*+=[\t\n\f\r ]*+[\"']?application/ld\+json", re.I)


def _articles(data: Any) -> list[dict[str, Any]]:
    """The JSON-LD objects of a block typed as an article, in document order: the block's
    object or its list's, each followed by its ``@graph`` members (not objects nested in an
    article's fields, such as a live blog's updates). A type may be written as a URL or with a
    prefix (``https://schema.org/NewsArticle``, ``schema:NewsArticle``)."""
    found = []
    for node in data if isinstance(data, list) else [data]:
        if not isinstance(node, dict):
            continue
        graph = node.get("@graph")
        members = graph if isinstance(graph, list) else [graph]
        for item in [node, *members]:
            if isinstance(item, dict) and _types(item.get("@type")) & ARTICLE_TYPES:
                found.append(item)
    return found


def _types(kind: Any) -> set[str]:
    """The schema.org type names of an ``@type`` value (a name or a list of names)."""
    names = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if isinstance(n, str)}


def json_ld_published(text: str) -> date | None:
    """The ``datePublished`` of the page's first JSON-LD article (see :data:`ARTICLE_TYPES`),
    as written (its own time zone's day); ``None`` when no article gives one. A block that is
    not JSON is skipped; one this project cannot read as a date (``2024-02-30``,
    ``yesterday``, ``May 3, 2024``, ``2021-04-07T25:00``) raises :class:`UnreadDateError`: the
    page then takes its head's date if it has one, else is ``bad_date`` (it took the folder's or
    the run's day without a word: probe, session 40); a head's date that is the refused
    value's own leading day is that value read again by htmldate, and the page is
    ``bad_date``. A date after today is returned: ingest judges it, as any record's.

    It is preferred to the date htmldate finds first in the page's head, which is sometimes
    another one: a print edition's day (``<meta name="date">`` a day after the article went
    online) or the last update's time in ``article:published_time`` (probe: 4 of the 258
    pages in the corpora got a day their hand-checked extraction does not have; their JSON-LD
    gives the right one, and no page's right day changes)."""
    for attributes, body in script_bodies(text):
        if not _JSON_LD_TYPE.search(attributes):
            continue
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than json reads
            continue
        for article in _articles(data):
            value = article.get("datePublished")
            if not isinstance(value, str) or not value.strip():
                continue
            try:
                return parse_published(value)
            except BadDateError as exc:
                raise UnreadDateError(str(exc), _day_written(value)) from exc
    return None


class UnreadDateError(BadDateError):
    """A JSON-LD ``datePublished`` this project refused, with the calendar day written at its
    start (``2021-04-07`` of ``2021-04-07T25:00``), or ``None`` when it starts with none."""

    def __init__(self, message: str, day: date | None) -> None:
        super().__init__(message)
        self.day = day


_DAY_WRITTEN = re.compile(r"[\t\n\f\r ]*(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)


def _day_written(value: str) -> date | None:
    """The calendar day ``value`` starts with (``YYYY-MM-DD``, or ``YYYY-M-D`` as htmldate also
    reads it: review R1), or ``None``: htmldate reads a JSON-LD date by that prefix alone,
    whatever follows it."""
    match = _DAY_WRITTEN.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # 2024-02-30: htmldate cannot read it either
        return None


#: The ``no_text`` detail of a page without text, and of one whose only text is its links
#: (:func:`_only_links`).
NO_MAIN_TEXT = "no main text found in the HTML page"
ONLY_LINKS_DETAIL = (
    f"{NO_MAIN_TEXT}: its only text is its links (a site's menu or a list of links), not an article"
)


#: The longest link text, in words, that counts as a menu entry: a longer link is read as text
#: (it also bounds the work per word of :func:`_only_links`).
MENU_ENTRY_WORDS = 64
#: Between a link's last word and its end: spaces, punctuation and markup (``<span>``, an icon).
_TO_LINK_END = r"(?:[^\w<]|<[^<>]*>)*?</[aA]\s*>"


def _only_links(page: str, body: str) -> bool:
    """Whether ``body``, the text extracted from ``page``, is nothing but the texts of the
    page's links, whole words, with at most punctuation between them: trafilatura falls back
    to a page's menu when it finds no article in it. The page is parsed again only when the
    last word of ``body`` ends a link in its markup, its character references read (an
    article's last word rarely does). Linear in the words of ``body``: each position a run of
    link texts reaches walks a trie of the links' words at most :data:`MENU_ENTRY_WORDS` deep
    (trying every link that began with the word there was quadratic: an archive page of
    16,000 links "Story number …" took 79 s; probe, session 43)."""
    words = re.findall(r"\w+", body)
    if not words:
        return False
    last_word = rf"{re.escape(words[-1])}{_TO_LINK_END}"
    # A character reference in the word is read first (Caf&eacute;); one for an ASCII letter
    # (&#97;) is not looked for: reading every page's references cost as much as the look.
    if not re.search(last_word, page if words[-1].isascii() else html.unescape(page)):
        return False
    from trafilatura.utils import load_html

    tree = load_html(page)
    # No tree although the extractor read the page: a leading U+FEFF, a letter as its stand-in,
    # is a byte-order mark given back, which lxml drops; a page of head elements alone then has
    # too few for load_html (review R2 found it; seed 1215 had taken this for unreachable). Its
    # text is the extractor's: not only links.
    if tree is None:
        return False
    end = ""  # the trie's mark of a link's last word (no word is empty)
    trie: dict[str, Any] = {}
    for anchor in tree.iter("a"):
        link = re.findall(r"\w+", "".join(anchor.itertext()))
        if not link or len(link) > MENU_ENTRY_WORDS:
            continue
        entry = trie
        for word in link:
            entry = entry.setdefault(word, {})
        entry[end] = True
    reached = [True] + [False] * len(words)  # word positions a run of whole link texts reaches
    for start in range(len(words)):
        if not reached[start]:
            continue
        node: dict[str, Any] | None = trie
        for at in range(start, min(len(words), start + MENU_ENTRY_WORDS)):
            node = node.get(words[at]) if node is not None else None
            if node is None:
                break
            if end in node:
                reached[at + 1] = True
    return reached[-1] and not _written_outside_links(tree, words)


def _written_outside_links(tree: Any, words: list[str]) -> bool:
    """Whether at least half of ``words`` (the body's, counted with repeats) are in the page's
    text outside its links: the body is then the page's own text, which a list of links
    elsewhere repeats (a sidebar of the most read, whose first entry is this article's lede,
    had a real article refused; review, session 43). ``tree`` loses its links."""
    for anchor in list(tree.iter("a")):
        anchor.drop_tree()  # its text goes, the text after it stays
    outside = Counter(re.findall(r"\w+", " ".join(tree.itertext())))
    found = sum(min(n, outside[word]) for word, n in Counter(words).items())
    return 2 * found >= len(words)


#: A character reference in the markup (``&zwnj;``, ``&#8204;``, ``&#x200C;``).
_CHAR_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: Where the stand-ins of :func:`_kept_from_the_extractor` are taken from: CJK ideographs
#: (extension B), which the extractor keeps as the letters they are.
_STAND_INS = range(0x20000, 0x2A6E0)


def _dropped_by_the_extractor(char: str) -> bool:
    """Whether trafilatura drops ``char`` from the text (its ``remove_control_characters``
    keeps what is printable or white space) while the text stage keeps it or decides on it: a
    format character (the zero-width non-joiner and joiner of Persian, the Indic scripts and
    emoji: U+200C, U+200D) or a private-use one (an icon font's glyph)."""
    return not (char.isprintable() or char.isspace()) and unicodedata.category(char) in {
        "Cf",
        "Co",
    }


def _kept_from_the_extractor(page: str) -> tuple[str, dict[int, str]]:
    """``page`` with each character the extractor would drop (:func:`_dropped_by_the_extractor`),
    as written or as a character reference, replaced by a letter the page does not hold; and
    the way back (a translation table: stand-in → character). A Persian page lost every
    zero-width non-joiner (``می‌خواهم`` became ``میخواهم``: other terms, another article than the
    same text as JSONL or TXT); an emoji sequence lost its joiner (probe, session 43)."""

    held = set(page)
    found = {c for c in held if _dropped_by_the_extractor(c)}
    references: dict[str, str] = {}
    if "&" in page:
        for ref in set(_CHAR_REFERENCE.findall(page)):
            char = html.unescape(ref)
            if len(char) == 1 and _dropped_by_the_extractor(char):
                references[ref] = char
                found.add(char)
    if not found:
        return page, {}
    free = list(itertools.islice((chr(c) for c in _STAND_INS if chr(c) not in held), len(found)))
    if len(free) < len(found):  # (a next() past the last one raised StopIteration: review)
        raise TooManyDroppedError(len(found), len(free))
    stand_in = dict(zip(sorted(found), free, strict=True))
    page = page.translate({ord(c): s for c, s in stand_in.items()})
    if references:  # one pass (a replace per reference re-read the page each time: quadratic)
        page = _CHAR_REFERENCE.sub(
            lambda m: stand_in[references[m[0]]] if m[0] in references else m[0], page
        )
    return page, {ord(s): c for c, s in stand_in.items()}


class TooManyDroppedError(ValueError):
    """A page holds more different characters the extractor drops than there are stand-ins."""


def _given_back(value: Any, back: dict[int, str]) -> Any:
    """``value`` (a text, or a list of them) with the stand-ins turned back (``back``: the
    translation table :func:`_kept_from_the_extractor` gives)."""
    if not back:
        return value
    if isinstance(value, str):
        return value.translate(back)
    if isinstance(value, list):
        return [_given_back(v, back) for v in value]
    return value


def _crowded_detail(parsed: str, page: str) -> str | None:
    crowded = _crowded_page(parsed, page)
    if crowded is None:
        return None
    return (
        f"a <{crowded[:40]}> tag with more than {MAX_ATTRIBUTES:,} attributes: refused "
        "before parsing (the parser's time grows with their square)"
    )


def _elements_detail(parsed: str, page: str) -> str | None:
    if not _too_many_elements(parsed, page):
        return None
    return (
        f"more than {MAX_ELEMENTS:,} elements: refused before extraction (the extractor's time "
        "grows faster than their square)"
    )


def _depth_detail(parsed: str, page: str) -> str | None:
    if not _cut_by_depth(parsed, page):
        return None
    return (
        f"elements nested {PARSER_DEPTH} deep, the HTML parser's limit: it drops what lies "
        "deeper and everything after it, so the text would be cut"
    )


def _text_limit_detail(parsed: str, page: str) -> str | None:
    if not _over_parser_text_limit(parsed):
        return None
    return (
        f"a text of more than {PARSER_TEXT_BYTES:,} bytes between two tags, the HTML "
        "parser's limit: it drops that text and everything after it"
    )


def _paragraphs_detail(parsed: str, page: str) -> str | None:
    steps = _paragraph_walk(parsed, page)
    if steps <= MAX_PARAGRAPH_WALK:
        return None
    return (
        f"a run of short paragraphs the extractor would walk {steps:,} steps over, more than "
        f"{MAX_PARAGRAPH_WALK:,}: refused before extraction (the extractor's time grows with "
        "the square of the run's length)"
    )


#: The checks of a page before extraction, in order: each gives the ``malformed_html`` detail
#: of a page it refuses, else ``None``; they read ``parsed`` (the text the parser reads) and
#: parse ``page`` (what trafilatura is given) only when a cheap count says they may refuse.
_BEFORE_EXTRACTION: tuple[Callable[[str, str], str | None], ...] = (
    _crowded_detail,
    _elements_detail,
    _depth_detail,
    _text_limit_detail,
    _paragraphs_detail,
)


def parse_html(text: str, layout: str) -> list[Parsed]:
    """One article per page: trafilatura's main text, title, date and authors."""
    from trafilatura import bare_extraction

    # The checks read what libxml2 will parse: the page as the extractor gets it (huge scripts
    # cut, characters it drops stood in for), after trafilatura's own repair (control characters
    # deleted, a self-closed <html/> opened). On the page as written, "</scr\x01ipt>" kept a
    # crowded tag inside a script that the parser then read (review, session 49: 14 s a page).
    try:
        page, back = _kept_from_the_extractor(_without_huge_scripts(text))
    except TooManyDroppedError as exc:
        needed, left = exc.args
        detail = (
            f"{needed:,} different characters the extractor drops (format or private-use) and "
            f"{left:,} of the {len(_STAND_INS):,} stand-ins it can keep them as left free by the "
            "page's own characters"
        )
        return [RecordError(None, "malformed_html", detail)]
    parsed = _as_parsed(page)
    for check in _BEFORE_EXTRACTION:
        if (refusal := check(parsed, page)) is not None:
            return [RecordError(None, "malformed_html", refusal)]
    refused = metadata_refusal(parsed)
    if refused is not None:
        return [RecordError(None, *refused)]
    try:
        doc = bare_extraction(
            page,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            date_extraction_params=_date_params(),
        )
    except (ValueError, TypeError, AttributeError) as exc:  # lxml refuses some inputs
        return [RecordError(None, "malformed_html", f"{type(exc).__name__}: {exc}")]
    meta: dict[str, Any] = {}
    if isinstance(doc, dict):
        meta = doc
    elif doc is not None:
        meta = doc.as_dict()
    meta = {key: _given_back(value, back) for key, value in meta.items()}
    page = _given_back(page, back)
    body = meta.get("text")
    if not body or not body.strip():
        return [RecordError(None, "no_text", NO_MAIN_TEXT)]
    if _only_links(page, body):
        return [RecordError(None, "no_text", ONLY_LINKS_DETAIL)]
    unread: UnreadDateError | None = None
    try:
        published = json_ld_published(text)
    except UnreadDateError as exc:  # the head's date, if it has one, else this
        published, unread = None, exc
    try:
        if published is None and meta.get("date"):
            published = parse_published(meta["date"])
    except BadDateError as exc:
        return [RecordError(None, "bad_date", str(exc))]
    # htmldate reads JSON-LD too, by the day a value starts with: its date is the refused
    # value's own day when they agree (2021-04-07T25:00 loaded as 2021-04-07; probe J).
    if unread is not None and (published is None or published == unread.day):
        return [RecordError(None, "bad_date", str(unread))]
    return [
        Record(
            body=_paragraphs(body.strip()),
            title=meta.get("title") or None,
            url=meta.get("url") or None,
            source=None,  # the URL's host names the source (see etl.ingest.reader)
            authors=_authors(meta.get("author")),
            published=published,
        )
    ]
