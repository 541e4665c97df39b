"""An HTML page the extractor refuses is quarantined ``malformed_html`` with the parser's error.

etl.ingest.formats.html catches the ValueError, TypeError or AttributeError that lxml (inside
trafilatura) raises for some inputs, and the detail names the exception and its message. No
input found with trafilatura 2.3.1 makes it raise, so a stand-in extractor raises as lxml would.

A survivor of the seed-1204 mutation sample (issue #18): ``parse_html__mutmut_17`` dropped the
detail (None); no test reached the handler.
"""

from __future__ import annotations

import lxml.html
import pytest
import trafilatura

from etl.ingest.formats import Record, RecordError
from etl.ingest.formats.html import _crowded_tag, _may_be_too_deep, parse_html

from ._linear import finishes


@pytest.mark.parametrize(
    ("error", "detail"),
    [
        (
            ValueError("Unicode strings with encoding declaration are not supported."),
            "ValueError: Unicode strings with encoding declaration are not supported.",
        ),
        (TypeError("expected str"), "TypeError: expected str"),
        (AttributeError("no xpath"), "AttributeError: no xpath"),
    ],
)
def test_a_page_the_parser_refuses_is_malformed_html_naming_the_error(
    monkeypatch: pytest.MonkeyPatch, error: Exception, detail: str
) -> None:
    def refuses(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(trafilatura, "bare_extraction", refuses)
    assert parse_html("<html><body><p>x</p></body></html>", "canonical") == [
        RecordError(None, "malformed_html", detail)
    ]


def _page(attributes: str) -> str:
    body = "Cocoa prices rose in Bahia on Monday as dry weather cut the crop. Traders said so."
    return f"<html><body><article><p {attributes}>{body}</p></article></body></html>"


REFUSED = [
    RecordError(
        None,
        "malformed_html",
        "a <p> tag with more than 1,000 attributes: refused before parsing (the parser's time "
        "grows with their square)",
    )
]


@pytest.mark.parametrize(
    "attribute",
    ['a{i}="x"', "a{i}='x'", "a{i}=x", "a{i}", 'a{i}="x>y"', 'a{i} = "x"', 'a{i}="x\ny"'],
)
def test_a_tag_with_more_than_a_thousand_attributes_is_refused_before_parsing(
    attribute: str,
) -> None:
    # Every way HTML writes an attribute counts (a ">" inside a quoted value ends nothing);
    # 1,000 on one tag still parse (well under a second), 1,001 are refused.
    many = " ".join(attribute.format(i=i) for i in range(1_001))
    assert parse_html(_page(many), "canonical") == REFUSED
    kept = parse_html(_page(" ".join(attribute.format(i=i) for i in range(1_000))), "canonical")
    assert [type(r).__name__ for r in kept] == ["Record"]


@pytest.mark.parametrize(
    ("attribute", "refused"),
    [
        ('a{i}="x"', True),
        ("a{i}='x'", True),
        ("a{i}", True),
        ('a{i} = "x"', True),
        ("a{i}=x", False),  # "a0=x/a1=x/…" is one attribute: an unquoted value ends at a space
    ],
)
def test_attributes_apart_by_a_slash_count_as_the_parser_reads_them(
    attribute: str, refused: bool
) -> None:
    apart = "/".join(attribute.format(i=i) for i in range(1_001))
    (paragraph,) = lxml.html.document_fromstring(_page(apart)).iter("p")
    assert (len(paragraph.attrib) == 1_001) is refused  # the parser's own reading
    assert (parse_html(_page(apart), "canonical") == REFUSED) is refused


def test_many_attributes_of_one_name_are_no_crowd() -> None:
    """The parser keeps the first attribute of a name and drops the others at no cost
    (100,000 of one name: no time; 100,000 of different names: 12 s)."""
    (record,) = parse_html(_page(" x" * 5_000), "canonical")
    assert isinstance(record, Record)
    assert parse_html(_page(" x" * 5_000 + _distinct(1_000)), "canonical") == REFUSED


def _distinct(count: int) -> str:
    return "".join(f" a{i}" for i in range(count))


def test_a_thousand_attributes_over_many_tags_are_no_crowd() -> None:
    paragraphs = "".join(
        f'<p class="c{i}" id="p{i}">Paragraph {i} of a long page about cocoa prices.</p>'
        for i in range(1_000)
    )
    page = f"<html><body><article>{paragraphs}</article></body></html>"
    (record,) = parse_html(page, "canonical")
    assert not isinstance(record, RecordError)


def test_the_reason_table_names_the_limit_the_parser_uses() -> None:
    from etl.contracts import QUARANTINE_REASONS, QuarantineReason
    from etl.ingest.formats.html import MAX_ATTRIBUTES, MAX_ELEMENTS

    meaning = QUARANTINE_REASONS[QuarantineReason.MALFORMED_HTML].meaning
    assert f"more than {MAX_ATTRIBUTES:,} attributes" in meaning
    assert f"more than {MAX_ELEMENTS:,} elements" in meaning


def test_a_page_of_more_than_twenty_thousand_elements_is_refused_before_parsing() -> None:
    """trafilatura's time grows faster than the square of a page's elements (80,000 <p>: 48 s;
    probe): past 20,000 elements the page is refused before extraction; at 20,000 it is read."""
    refused = [
        RecordError(
            None,
            "malformed_html",
            "more than 20,000 elements: refused before extraction (the extractor's time grows "
            "faster than their square)",
        )
    ]

    def page(n: int) -> str:
        # n start tags in all: html, body, article and n - 3 paragraphs
        return "<html><body><article>" + "<p>w</p>" * (n - 3) + "</article></body></html>"

    assert parse_html(page(20_001), "canonical") == refused
    assert parse_html(page(25_000), "canonical") == refused
    assert parse_html(page(20_000), "canonical") != refused


def _nested(depth: int) -> str:
    """An article whose middle paragraph sits inside ``depth`` nested ``<div>``s."""
    inner = (
        "<div>" * depth + "<p>Deepland's central bank held its rates steady.</p>" + "</div>" * depth
    )
    return (
        "<html><body><article><h1>Headline</h1><p>The central bank of Shallowland raised "
        "interest rates on Tuesday, surprising analysts who had expected a pause.</p>"
        + inner
        + "<p>Closing paragraph: markets fell after the two decisions.</p></article></body></html>"
    )


def test_a_page_nested_to_the_parsers_depth_limit_is_refused_not_cut() -> None:
    """libxml2 drops what lies 255 elements deep, and everything after it: the article loaded
    with its middle and its end missing and nothing said (probe). At the limit the page is
    refused with the reason; below it the article is whole."""
    (whole,) = parse_html(_nested(251), "canonical")
    assert isinstance(whole, Record)
    assert "Deepland's central bank" in whole.body and "Closing paragraph" in whole.body
    refused = [
        RecordError(
            None,
            "malformed_html",
            "elements nested 255 deep, the HTML parser's limit: it drops what lies deeper and "
            "everything after it, so the text would be cut",
        )
    ]
    for depth in (253, 300, 5_000):
        assert parse_html(_nested(depth), "canonical") == refused


def _dated_page(head: str, body: str) -> str:
    return (
        f"<html><head><title>Treaty</title>{head}</head><body><article><h1>Treaty signed</h1>"
        f"<p>{body} The ministers reviewed it again this week in a long meeting.</p>"
        "<p>Officials said more talks would follow in the spring.</p></article></body></html>"
    )


def test_a_page_is_dated_by_its_markup_never_by_its_text_or_links() -> None:
    """A date the article mentions, or a dated link in it, is not the page's date (probe: they
    were taken as `metadata` dates); a page without one in its markup has none of its own."""
    from datetime import date

    for body in (
        "The treaty, signed on 12 March 1998 in Geneva, was reviewed.",
        "See <a href='/2003/05/17/story.html'>the earlier story</a> on the treaty.",
    ):
        (record,) = parse_html(_dated_page("", body), "canonical")
        assert isinstance(record, Record) and record.published is None
    meta = '<meta property="article:published_time" content="2021-04-07T10:00:00+00:00">'
    (record,) = parse_html(_dated_page(meta, "Signed on 12 March 1998."), "canonical")
    assert isinstance(record, Record) and record.published == date(2021, 4, 7)


def test_the_checks_before_parsing_take_linear_time() -> None:
    """Probe F5/F6: the attribute count read a page of unclosed ``<a`` from every ``<`` to its
    end (85 KB: 68 s), the depth count read one with an ``<a`` every 100 characters and no
    ``>`` to its end from every ``<a`` (200 KB: 19.5 s). At these sizes (1 MB, 4 MB) the old
    code would take hours; now both finish in about a second."""
    out = finishes(
        "from etl.ingest.formats.html import _crowded_tag, _may_be_too_deep\n"
        "print(_crowded_tag('<html><body><article><p>x' + '<a' * 500_000))\n"
        "print(_may_be_too_deep(('x' * 98 + '<a') * 40_000))\n"
    )
    assert out.split() == ["None", "False"]


@pytest.mark.parametrize(
    ("page", "name"),
    [
        ("<b<p" + _distinct(1_001) + ">", "b<p"),  # a "<" does not end a name
        ("<p" + "<a" * 5 + _distinct(1_001) + ">", "p<a<a<a<a<a"),
        ("<p" + _distinct(1_000) + "><i" + _distinct(1_001) + ">", "i"),
        ("<p" + _distinct(1_001), None),  # open to the end: the parser drops it (50,000: 0.01 s)
        ("<p" + _distinct(1_000) + " a0" * 5_000 + "><i", None),
        ('<p title="<b' + _distinct(1_001) + '">', None),  # no tag inside a quoted value
        ("<p title=<b" + _distinct(1_001) + ">", "p"),  # <b is the value, a0 … a1000 are p's
        ('<p title="<b' + _distinct(1_001), None),  # a quote left open to the end: one value
        ("<p x=a" + "/b" * 1_000, None),  # one attribute: x = "a/b/b/…"
        ("<p x" + "/b" * 1_000, None),  # x, then b, b, …: two names
        ("<p x" + "".join(f"/b{i}" for i in range(1_000)) + ">", "p"),
        ("<p" + _distinct(1_000) + "<a" * 3, None),  # "a999<a<a<a" is one name
        ('<a q="<a" ' * 999 + ">", None),
        ("<p" + _distinct(1_000) + " A0>", None),  # A0 is a0
        ("<p" + _distinct(999) + " É é>", "p"),  # only ASCII letters are lower-cased
    ],
)
def test_the_tag_named_for_too_many_attributes(page: str, name: str | None) -> None:
    assert _crowded_tag(page) == name


@pytest.mark.parametrize(
    ("page", "deep"),
    [
        ("<div>" * 252, True),
        ("<div>" * 251, False),
        ("<div>" * 251 + "<a", False),  # no ">": no tag
        ("<div>" * 251 + "<a/>" + "<br>", False),
        ("<div>" * 251 + "<a<b>", True),  # one tag, named a<b
        ("<div>" * 251 + "<a x='>'", True),  # it ends at the first ">"
        ("<div>" * 253 + "</div></div>", True),
        ("<div>" * 251 + "</p><div>", False),
    ],
)
def test_the_naive_depth_count(page: str, deep: bool) -> None:
    assert _may_be_too_deep(page) is deep


def test_a_tag_of_ambiguous_attributes_takes_linear_time() -> None:
    """Session 48's probe: a regex that could read ``a=m/n`` as one attribute or two tried every
    reading of a tag with too few (400 of them, 2.4 KB: over 100 s; 300: no time at all). Each
    attribute is now read once, as the parser reads it."""
    out = finishes(
        "from etl.ingest.formats.html import _crowded_tag\n"
        "print(_crowded_tag('<p' + ' a=m/n' * 400))\n"
        "print(_crowded_tag('<p' + ''.join(f' x{i}=a/b' for i in range(200_000)) + '>'))\n"
    )
    assert out.split() == ["None", "p"]


_ARTICLE = (
    "<p>Cocoa prices rose in Bahia on Monday as dry weather cut the crop, traders said.</p>"
    "<p>Exporters expect the harvest to fall by a tenth from last season's record.</p>"
)


@pytest.mark.parametrize(
    "hidden",
    [
        "<script>var page = '" + "<p>w</p>" * 25_000 + "';</script>",
        "<!-- " + "<p>w</p>" * 25_000 + " -->",
        '<div data-html="' + "<p>w</p>" * 25_000 + '"></div>',
        "<style>/* " + "<b>" * 25_000 + " */</style>",
    ],
    ids=["script", "comment", "attribute", "style"],
)
def test_tags_the_parser_reads_as_text_are_no_elements(hidden: str) -> None:
    """A page counts the elements of the parser's tree: 25,000 tags inside a script, a comment,
    an attribute value or a style sheet are text to it (they were counted and the page refused),
    and the article around them is read."""
    page = f"<html><head>{hidden}</head><body><article>{_ARTICLE}</article></body></html>"
    (record,) = parse_html(page, "canonical")
    assert isinstance(record, Record), record
    assert "Bahia" in record.body


def test_elements_after_a_comment_opener_in_an_attribute_still_count() -> None:
    """``<!--`` inside an attribute value opens no comment: the 20,001 paragraphs after it are
    elements, and the page is refused."""
    page = '<html><body><p title="<!--">a</p>' + "<p>w</p>" * 20_001 + "--></body></html>"
    (record,) = parse_html(page, "canonical")
    assert isinstance(record, RecordError) and record.reason == "malformed_html", record
    assert record.detail.startswith("more than 20,000 elements")
