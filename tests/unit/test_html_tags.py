"""The page's start tags as the HTML parser reads them (etl.ingest.formats.html_tags), against
lxml's own tree: the parser under trafilatura is libxml2, through lxml."""

from __future__ import annotations

import lxml.etree
import lxml.html
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from etl.ingest.formats.html import _crowded_tag
from etl.ingest.formats.html_tags import ascii_lower, start_tags

from ._linear import finishes

#: Elements lxml keeps where they are written (no implied parent takes their attributes).
_CHECKED = ("p", "b", "i", "em")

# Pieces of markup where a reader could part from the parser: comments and their odd ends,
# declarations, raw-text elements (and a script's escapes), quotes left open, slashes, case.
_PIECES = [
    '<p a=1 b="2">',
    "<b c>",
    "</b>",
    "<i d='x' e>",
    "<em f=g/h>",
    "<EM F G>",
    "</p>",
    "words",
    " ",
    "<",
    "</",
    ">",
    '"',
    "'",
    "=",
    "/",
    "<!--",
    "-->",
    "--!>",
    "<!-->",
    "<!--->",
    "<?x ",
    "<!x ",
    "<![CDATA[",
    "]]>",
    "<script>",
    "<script/>",
    '<script a=">">',
    "<SCRIPT>",
    "</script>",
    "</SCRIPT >",
    "</scriptx>",
    "<style>",
    "</style>",
    "<title>",
    "</title>",
    "<textarea>",
    "</textarea>",
    "<xmp>",
    "</xmp>",
    "<iframe>",
    "</iframe>",
    "<noscript>",
    "</noscript>",
    '<b title="',
    "<i x=\u00a0'",
    "\u3000",
    "\t",
    "<p\n",
    "<plaintext>",
]


def _parsers(page: str) -> list[tuple[str, list[str]]]:
    """The elements named in :data:`_CHECKED` of lxml's tree of ``page``, each with its
    attribute names, in document order."""
    try:
        tree = lxml.html.document_fromstring(page)
    except lxml.etree.ParserError:  # "Document is empty"
        return []
    return [(e.tag, list(e.attrib.keys())) for e in tree.iter(*_CHECKED)]


def _ours(page: str) -> list[tuple[str, list[str]]]:
    return [
        (ascii_lower(name), list(dict.fromkeys(map(ascii_lower, names))))
        for name, names in start_tags(page)
        if ascii_lower(name) in _CHECKED
    ]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
@example(["<!--", '<b title="', "-->", '<p a=1 b="2">'])
@example(["<script>", "<!--", "<script>", "</script>", "<b c>", "</script>", "-->", "</script>"])
@example(["<title>", "<!--", "</title>", '<p a=1 b="2">', "-->"])
def test_the_tags_are_the_parsers(pieces: list[str]) -> None:
    """Each checked element lxml builds, with its attributes, is a tag read here, in order."""
    page = "".join(pieces)
    assert _ours(page) == _parsers(page)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=list("ab=\"'/ \n<`xY\t\f\r\xa0\u3000"), max_size=30))
def test_attribute_names_are_the_parsers(attributes: str) -> None:
    """Names, values, quotes, slashes, stray characters and spaces HTML does not count as such
    (U+00A0, U+3000) in any order inside one tag."""
    assume(">" not in attributes)
    page = f"<p {attributes}>t</p>"
    assume(_parsers(page))  # a quote left open runs to the end: no tag at all
    assert _ours(page)[0] == _parsers(page)[0]


_MANY = "".join(f" a{i}" for i in range(1_001))
_TEXT = ">Cocoa prices rose.</p></body></html>"


@pytest.mark.parametrize(
    "before",
    [
        '<!-- <b title=" -->',
        '<script>var s="<a href=\'";</script>',
        '<style>/*<a x="*/</style>',
        '<title><a x="</title>',
        '<textarea><a x="</textarea>',
        '<?php $a = "<b x=" ?>',
        '<![CDATA[<a x="]]>',
        '<script><!--<script>"</script>"--></script>',
    ],
)
def test_a_quote_left_open_where_the_parser_reads_no_tag_hides_nothing(before: str) -> None:
    """Review, session 49: a ``<b title="`` inside a comment (a script, a style sheet, …) was
    read as a tag whose quoted value ran to the next quote, over the crowded ``<p>`` after it
    (lxml keeps its 1,001 attributes)."""
    page = f"<html><body>{before}<p{_MANY}{_TEXT}"
    assert [len(names) for tag, names in _parsers(page) if tag == "p"] == [1_001]
    assert _crowded_tag(page) == "p"


def test_script_text_is_no_tag() -> None:
    """Review, session 49: minified JavaScript (``if(n<limit){cfg.k0 = 0; …``) was read as one
    tag with a name per word (750 on a real page): 1,001 made the page ``malformed_html``."""
    js = "if(n<limit){" + "".join(f"cfg.k{i} = {i}; " for i in range(1_001)) + "}"
    page = f"<html><body><script>{js}</script><p>Cocoa prices rose again.</p></body></html>"
    assert _crowded_tag(page) is None
    assert [name for name, _ in start_tags(page)] == ["html", "body", "script", "p"]


def test_reading_the_tags_takes_linear_time() -> None:
    """Comments, scripts and declarations left open, and script escapes, at 1-2 MB."""
    out = finishes(
        "from etl.ingest.formats.html_tags import start_tags\n"
        "for page in ['<!--<a' * 300_000, '<script>' + '<!--<script>' * 150_000,\n"
        "             '<!x <a' * 300_000, '<a x=\"' * 300_000, '</a ' * 500_000,\n"
        "             '<b>' + '<script>x</script>' * 100_000]:\n"
        "    print(sum(1 for _ in start_tags(page)))\n"
    )
    assert out.split() == ["0", "1", "0", "0", "0", "100001"]
