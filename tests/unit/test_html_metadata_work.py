"""A page whose metadata would cost the extractor super-linear time is refused before extraction.

Probe J (session 50), each on ``main`` before the check: a 62 KB page whose JSON-LD names 1,500
authors took 70 s of ingest (2,000: 148 s; trafilatura compares every author value's names with
all the names kept, and those with each other); 1,000 ``<meta name="author">`` tags (40 KB):
37 s; a JSON-LD script that is not JSON, ``"author":"x",`` repeated (300 KB): 80 s (the
extractor's fallback regexes scan from each ``"author"`` to the next ``}``). Expected reasons
are literals; the counts in the details are worked out from the pages by hand.
"""

from __future__ import annotations

import json
import string

import pytest

from etl.ingest.formats import Record, RecordError
from etl.ingest.formats.html import parse_html
from etl.ingest.formats.html_metadata import metadata_refusal

from ._article_page import article_page
from ._linear import finishes


def _name(i: int) -> str:
    """A distinct name without digits (the extractor removes digits): Ann Aaaa, Ann Baaa, …"""
    letters = ""
    for _ in range(4):
        letters += string.ascii_lowercase[i % 26]
        i //= 26
    return "Ann " + letters.capitalize()


def _page(head: str = "") -> str:
    return article_page(head=head)


def _json_ld(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return f'<script type="application/ld+json">{text}</script>'


def _authors(n: int) -> str:
    people = [{"@type": "Person", "name": _name(i)} for i in range(n)]
    article = {"@context": "https://schema.org", "@type": "ScholarlyArticle", "author": people}
    return _json_ld({**article, "datePublished": "2024-01-02"})


def _meta_authors(n: int) -> str:
    return "".join(f'<meta name="author" content="{_name(i)}">' for i in range(n))


def _refusal(page: str) -> RecordError:
    (record,) = parse_html(page, "html")
    assert isinstance(record, RecordError), record
    return record


def test_many_json_ld_authors_are_refused_as_metadata_too_long() -> None:
    refused = _refusal(_page(_authors(1_500)))
    # 1,500 values of one name each, all different: 1,500 * 1,500 + 1,500 * 1,500 ** 2
    assert refused.reason == "metadata_too_long"
    assert refused.detail.startswith(
        "1,500 author values naming 1,500 different names in the page's metadata"
    ), refused.detail
    assert "3,377,250,000 comparisons, more than 30,000,000" in refused.detail


def test_many_author_meta_tags_are_refused() -> None:
    refused = _refusal(_page(_meta_authors(1_000)))
    assert refused.reason == "metadata_too_long"
    assert refused.detail.startswith("1,000 author values naming 1,000 different names")


def test_one_author_value_of_many_names_is_refused() -> None:
    """One ``<meta>`` naming 4,000 people (the extractor splits it at ``;``): one value."""
    names = "; ".join(_name(i) for i in range(4_000))
    refused = _refusal(_page(f'<meta property="article:author" content="{names}">'))
    assert refused.detail.startswith("1 author value naming 4,000 different names")


def _joined(n: int, joiner: str) -> str:
    return joiner.join(_name(i) for i in range(n))


@pytest.mark.parametrize(
    "head",
    [
        # names joined by an escaped ";" or by " and " inside a tag: the extractor decodes and
        # strips before it splits (one name to the first count, 1,000 to the extractor)
        '<meta name="author" content="' + _joined(1_000, "\\u003b") + '">',
        '<meta name="author" content="' + _joined(1_000, " a<b>nd ") + '">',
        # OpenGraph's author, read by the extractor before the other tags
        '<meta property="og:author" content="' + _joined(1_000, ", ") + '">',
    ],
)
def test_names_the_extractor_reads_in_a_value_are_counted(head: str) -> None:
    """Review R1 (session 50): each of these, with 100 more author tags of one name, took 5-13 s
    and loaded; the count saw one or two names."""
    refused = _refusal(_page(head + '<meta name="author" content="Xx Yy">' * 100))
    assert refused.reason == "metadata_too_long"
    assert refused.detail.startswith("101 author values naming 1,00"), refused.detail


def test_a_json_ld_author_string_holding_json_is_read_as_the_extractor_reads_it() -> None:
    """The extractor reads a string author that holds a JSON list as that list: 1,000 authors
    in 51 KB took 16.9 s (review R1); the count saw one value."""
    people = json.dumps([{"@type": "Person", "name": _name(i)} for i in range(1_000)])
    article = {"@context": "https://schema.org", "@type": "NewsArticle", "author": people}
    refused = _refusal(_page(_json_ld(article)))
    assert refused.reason == "metadata_too_long"
    assert refused.detail.startswith("1,000 author values naming 1,000 different names")


@pytest.mark.parametrize("n", [150, 200])
def test_a_page_of_some_hundred_authors_is_read(n: int) -> None:
    """200 different names given one by one: 200 * 200 + 200 * 200 ** 2 = 8,040,000
    comparisons, within the limit; the authors are read as before."""
    (record,) = parse_html(_page(_authors(n)), "html")
    assert isinstance(record, Record), record
    assert metadata_refusal(_page(_authors(n))) is None


def test_the_same_author_many_times_is_read() -> None:
    """2,000 values of one name: 2,000 * 1 + 2,000 * 1 comparisons (the extractor keeps one)."""
    head = '<meta name="author" content="Ann Smith">' * 2_000
    (record,) = parse_html(_page(head), "html")
    assert isinstance(record, Record) and record.authors == ("Ann Smith",), record


@pytest.mark.parametrize(
    ("repeated", "copies"),
    [('"author":"x",', 23_000), ('"@type":"ImageObject",', 9_000), ('"publisher":1,', 14_000)],
)
def test_a_long_json_ld_script_that_is_not_json_is_refused(repeated: str, copies: int) -> None:
    refused = _refusal(_page(_json_ld('{"@type":"NewsArticle",' + repeated * copies)))
    assert refused.reason == "malformed_html"
    assert "that is not JSON, whose fallback reading scans" in refused.detail
    assert "(more than 10,000,000)" in refused.detail


def test_a_json_ld_script_that_is_not_json_copied_once_per_author_is_refused() -> None:
    """Each author has its ``}`` at once (short scans), but the fallback removes each match and
    searches again: 20,000 authors in 520 KB copied 10 billion characters (1.6 s); 100,000
    would take 40 s."""
    script = '{"@type":"NewsArticle",' + '"author":{"name":"Ann X"},' * 100_000
    refused = _refusal(_page(_json_ld(script)))
    assert refused.reason == "malformed_html"
    assert "copies it once for each of its 100,000 authors" in refused.detail


def test_a_small_json_ld_script_that_is_not_json_is_read_as_before() -> None:
    script = '{"@type":"NewsArticle","author":{"name":"Ann Smith"},"datePublished":"2024-01-02",'
    (record,) = parse_html(_page(_json_ld(script)), "html")
    assert isinstance(record, Record) and record.authors == ("Ann Smith",), record


def test_a_meta_tag_inside_a_comment_or_a_script_only_adds_to_the_count() -> None:
    """Tags are found by their name, not by a walk of every tag: a ``<meta>`` the parser does not
    read (inside a comment) is counted too, which can only refuse more."""
    refusal = metadata_refusal(_page("<!--" + _meta_authors(1_000) + "-->"))
    assert refusal is not None and refusal[0] == "metadata_too_long"


def test_the_refusals_take_linear_time() -> None:
    """On ``main`` before the check these pages took 148 s (2,000 JSON-LD authors, 83 KB),
    over 150 s (2,000 meta tags, 80 KB) and hours (1.2 MB of a script that is not JSON); now
    each is refused in well under a second."""
    out = finishes(
        "from tests.unit.test_html_metadata_work import _authors, _json_ld, _meta_authors, _page\n"
        "from etl.ingest.formats.html import parse_html\n"
        "pages = [\n"
        "    _page(_authors(2_000)),\n"
        "    _page(_meta_authors(2_000)),\n"
        '    _page(_json_ld(\'{"@type":"NewsArticle",\' + \'"author":"x",\' * 90_000)),\n'
        "]\n"
        "print(' '.join(parse_html(page, 'html')[0].reason for page in pages))\n"
    )
    assert out.split() == ["metadata_too_long", "metadata_too_long", "malformed_html"]


def test_json_ld_authors_named_by_given_and_family_name_are_counted() -> None:
    """Survivors of mutation seed 1220: a Person without ``name`` is read by its given and
    family names; 1,000 of them with one given name and their own family names are 1,000
    different names to the extractor (the count saw one name, or failed, without the family
    name)."""
    people = [
        {"@type": "Person", "givenName": "Ann", "familyName": _name(i).split()[1]}
        for i in range(1_000)
    ]
    article = {"@context": "https://schema.org", "@type": "NewsArticle", "author": people}
    refused = _refusal(_page(_json_ld({**article, "datePublished": "2024-01-02"})))
    assert refused.reason == "metadata_too_long"
    assert refused.detail.startswith("1,000 author values naming 1,000 different names")


def test_json_ld_authors_that_differ_in_their_middle_name_only_are_different_names() -> None:
    """Survivor of mutation seed 1224: the extractor joins ``givenName``, ``additionalName``
    and ``familyName`` (trafilatura's ``AUTHOR_ATTRS``), so 1,000 people who share their given
    and family names but not their middle names are 1,000 different names to it (the count,
    reading another key, saw one name and let the page through)."""
    people = [
        {
            "@type": "Person",
            "givenName": "Ann",
            "additionalName": _name(i).split()[1],
            "familyName": "Smith",
        }
        for i in range(1_000)
    ]
    article = {"@context": "https://schema.org", "@type": "NewsArticle", "author": people}
    refused = _refusal(_page(_json_ld({**article, "datePublished": "2024-01-02"})))
    assert refused.reason == "metadata_too_long"
    assert refused.detail.startswith("1,000 author values naming 1,000 different names")
