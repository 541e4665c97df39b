"""A page's start tags and their attribute names, read as the HTML parser reads them, in linear
time and without building a tree.

The parser under trafilatura is libxml2 2.14, whose tokenizer is HTML5's: a ``<`` opens a tag
only in text, not inside a comment, a ``<!…>`` or ``<?…>`` declaration, an attribute value, or
the body of a raw-text element (``script``, ``style``, ``title``, ``textarea``, ``xmp``,
``iframe``, ``noembed``, ``noframes``; ``plaintext`` runs to the end of the page), and a
script's body holds ``<!-- <script> … </script> -->`` without ending. Reading every ``<`` and
letter as a tag took the attributes of JavaScript such as ``if(n<limit){cfg.k0 = 0; …`` for a
tag's (750 names on a real page), and a quote left open inside a comment swallowed the real
tags after it (review, session 49). Tests compare what this module reads with lxml's tree on
random pages.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator

#: HTML's white space: ASCII only (``\\s`` in a ``str`` pattern also takes U+00A0, U+3000, …,
#: which the parser reads as part of a name or a value).
SPACE = "\t\n\f\r "
#: Where markup may start: a comment or declaration, an end tag, a start tag.
_MARKUP = re.compile(r"<[!?/A-Za-z]")
#: One attribute: spaces and ``/`` before it, a name up to a space, ``/``, ``>`` or ``=`` (its
#: first character may be ``=``; a ``<`` or a quote is part of it), then maybe ``=`` and a
#: value: quoted (to the closing quote, or the end of the text) or unquoted (to a space or
#: ``>``: ``x=a/b`` is one attribute, valued ``a/b``). Every part possessive, so each attribute
#: is read once, one way.
_VALUE = f"""("[^"]*+"?|'[^']*+'?|[^{SPACE}>]*+)"""
_ONE_ATTRIBUTE_AND_VALUE = (
    f"[{SPACE}/]*+([^{SPACE}/>][^{SPACE}/>=]*+)(?:[{SPACE}]*+=[{SPACE}]*+{_VALUE})?+"
)
_ONE_ATTRIBUTE = _ONE_ATTRIBUTE_AND_VALUE.replace(_VALUE, "(?:" + _VALUE[1:], 1)
_ATTRIBUTE = re.compile(_ONE_ATTRIBUTE)
_ATTRIBUTE_AND_VALUE = re.compile(_ONE_ATTRIBUTE_AND_VALUE)
#: A start or end tag: ``/`` or not, its name, its attributes, the spaces and ``/`` after them
#: (``/>`` closes the element at once), and its ``>`` (none: the tag runs to the end).
_TAG = re.compile(
    f"<(/?+)([A-Za-z][^{SPACE}/>]*+)"
    f"((?:{_ONE_ATTRIBUTE.replace('(', '(?:', 1)})*+)([{SPACE}/]*+)(>)?+"
)
_COMMENT_END = re.compile(r"--!?>")
#: Elements whose body is text up to their end tag (the parser reads no tag inside them).
RAW_TEXT = frozenset("script style title textarea xmp iframe noembed noframes".split())
_LONGEST_RAW = max(map(len, RAW_TEXT | {"plaintext"}))
#: HTML lower-cases the ASCII letters of a name only (``A0`` is ``a0``, ``É`` not ``é``).
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def ascii_lower(name: str) -> str:
    """``name`` with its ASCII capitals in lower case, as HTML compares names."""
    return name.translate(_ASCII_LOWER)


def start_tags(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each start tag of ``text`` the parser reads (one the page leaves unclosed at its end is
    none), in order: its name and its attributes' names, as written."""
    for name, start, end in tag_spans(text):
        yield name, attribute_names(text, start, end)


def attribute_names(text: str, start: int, end: int) -> list[str]:
    """The names of the attributes written from ``start`` to ``end`` (a span of
    :func:`tag_spans`)."""
    return _ATTRIBUTE.findall(text, start, end)


def attributes(text: str, start: int, end: int) -> dict[str, str]:
    """The attributes written from ``start`` to ``end`` (a span of :func:`tag_spans`), names
    in lower case, values as the parser reads them (quotes removed, character references
    replaced); the first of two attributes of one name counts, as in HTML."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE_AND_VALUE.finditer(text, start, end):
        name, value = ascii_lower(match[1]), match[2] or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1] if len(value) > 1 and value[-1] == value[0] else value[1:]
        found.setdefault(name, html.unescape(value))
    return found


def tag_spans(text: str) -> Iterator[tuple[str, int, int]]:
    """Each start tag of ``text`` the parser reads (one the page leaves unclosed at its end is
    none), in order: its name and where its attributes start and end."""
    return ((name, start, end) for name, start, end, body in walk(text) if not body)


def raw_text_bodies(text: str) -> Iterator[tuple[str, int, int]]:
    """The body of each raw-text element of ``text`` (:data:`RAW_TEXT`) the parser reads, in
    order: the element's name (lower case) and where its body starts and ends."""
    return ((name, start, end) for name, start, end, body in walk(text) if body)


def script_bodies(text: str) -> Iterator[tuple[str, str]]:
    """Each ``<script>`` of ``text`` the parser reads, in order: its start tag's attributes as
    written, and its body."""
    attributes = ""
    for name, start, end, body in walk(text):
        if not body:
            attributes = text[start:end]
        elif name == "script":
            yield attributes, text[start:end]


def tags_named(text: str, names: re.Pattern[str]) -> Iterator[tuple[str, int, int, int]]:
    """Each start tag of ``text`` whose name ``names`` matches at its ``<`` (``<`` and the name),
    found by that pattern instead of a walk of every tag: its name, where its attributes start
    and end, and where its body starts. It also finds such tags inside comments and raw text,
    which the parser does not read: a count of them is at least the parser's."""
    for found in names.finditer(text):
        tag = _TAG.match(text, found.start())
        if tag is not None and tag[5] is not None and not tag[1]:
            yield tag[2], tag.end(2), tag.end(3), tag.end()


def raw_text_end(text: str, pos: int, element: str) -> int:
    """Where the body of raw-text ``element`` (:data:`RAW_TEXT`) starting at ``pos`` ends."""
    return _raw_text_end(text, pos, element)


def walk(text: str) -> Iterator[tuple[str, int, int, bool]]:
    """Each start tag (its name, where its attributes start and end, False) and each raw-text
    body (its element, where it starts and ends, True) of ``text``, in order."""
    pos = 0
    while found := _MARKUP.search(text, pos):
        start = found.start()
        tag = _TAG.match(text, start)
        if tag is None:  # a comment or declaration, or "</" and no letter
            pos = _after_declaration(text, start)
            continue
        closing, name, gap = tag[1], tag[2], tag[4]
        if tag[5] is None:
            return  # the tag runs to the end of the page: the parser drops it
        pos = tag.end()
        if closing:
            continue
        yield name, tag.end(2), tag.end(3), False
        if gap.endswith("/"):  # "/>": libxml2 honours it, "<script/>" is an empty script
            continue
        element = ascii_lower(name) if len(name) <= _LONGEST_RAW else ""
        if element == "plaintext":
            return
        if element in RAW_TEXT:
            body, pos = pos, _raw_text_end(text, pos, element)
            yield element, body, pos, True


def _after_gt(text: str, pos: int) -> int:
    """Just after the first ``>`` from ``pos``, or the end of the text."""
    end = text.find(">", pos)
    return len(text) if end < 0 else end + 1


def _after_declaration(text: str, start: int) -> int:
    """Just after the comment (``<!--``, to ``-->`` or ``--!>``; ``<!-->`` and ``<!--->`` are
    empty) or the other declaration (``<!…>``, ``<?…>``, ``</`` and no letter: to the first
    ``>``, so ``</>`` is dropped) at ``start``."""
    if not text.startswith("<!--", start):
        return _after_gt(text, start + 2)
    for empty in ("<!-->", "<!--->"):
        if text.startswith(empty, start):
            return start + len(empty)
    end = _COMMENT_END.search(text, start + 4)
    return len(text) if end is None else end.end()


def _raw_text_end(text: str, pos: int, element: str) -> int:
    """Where the body of ``element`` (a raw-text element) starting at ``pos`` ends: at its end
    tag (``</name`` and a space, ``/`` or ``>``), or the end of the text. A script's body may
    hold ``<!--``, after which ``<script …>`` starts a part that ``</script>`` only ends, and
    ``-->`` goes back to plain script text (HTML5's script-data escape states)."""
    end_tag = re.compile(f"</{element}(?=[{SPACE}/>])", re.IGNORECASE)
    if element != "script":
        found = end_tag.search(text, pos)
        return len(text) if found is None else found.start()
    plain = re.compile(f"</script(?=[{SPACE}/>])|<!--", re.IGNORECASE)
    escaped = re.compile(f"</script(?=[{SPACE}/>])|<script(?=[{SPACE}/>])|-->", re.IGNORECASE)
    double = re.compile(f"</script(?=[{SPACE}/>])|-->", re.IGNORECASE)
    state = plain
    while found := state.search(text, pos):
        mark = found[0].lower()
        if state is plain:
            if mark != "<!--":
                return found.start()
            state, pos = escaped, found.end() - 2  # "<!-->" ends the escape at once
        elif state is escaped:
            if mark == "-->":
                state, pos = plain, found.end()
            elif mark == "<script":
                state, pos = double, found.end()
            else:
                return found.start()
        else:
            state, pos = (plain if mark == "-->" else escaped), found.end()
    return len(text)
