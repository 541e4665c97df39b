"""Scraper dumps in JSON: one object per line (``.jsonl``), or one document (``.json``)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from etl.ingest.formats.base import (
    READ_FIELDS,
    TEXT_FIELDS,
    JsonNumber,
    Parsed,
    RecordError,
    first_with_content,
    has_content,
    record_from_mapping,
    same_content,
)

#: What ends a JSON line: LF, CRLF or a lone CR. Not U+2028, U+2029 or U+0085 (which
#: ``str.splitlines`` also breaks at): JSON allows them raw inside a string, and
#: ``json.dumps(..., ensure_ascii=False)`` writes them so.
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_jsonl(text: str, layout: str) -> list[Parsed]:
    """One record per non-blank line; a line that is not JSON is quarantined alone."""
    out: list[Parsed] = []
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        key = f"line {number}"
        try:
            # A byte-order mark opening a line: JSONL files joined with `cat` keep each one's.
            obj = _loads(line.removeprefix("\ufeff"))
        except json.JSONDecodeError as exc:
            out.append(RecordError(key, "malformed_json", f"{_what(exc)} at column {exc.colno}"))
            continue
        out.append(record_from_mapping(obj, key))
    return out


def _what(exc: json.JSONDecodeError) -> str:
    """What ``json`` found wrong, without the "at" some of its messages end with ("Invalid
    control character at"): the detail adds its own "at column N"."""
    return exc.msg.removesuffix(" at")


#: Fields under which a JSON document wraps its list of articles (``{"articles": [...]}``), in
#: order of preference.
LIST_FIELDS = ("articles", "data", "items", "results", "records")


def parse_json(text: str, layout: str) -> list[Parsed]:
    """An object (one article), a list of objects, or a list under one of :data:`LIST_FIELDS`
    (``{"articles": [...]}``)."""
    try:
        doc = _loads(text)
    except json.JSONDecodeError as exc:
        if "\n{" in text or text.lstrip().startswith("{"):
            # a JSON-lines file named .json (no mutate: parse_jsonl ignores layout, equivalent)
            lines = parse_jsonl(text, layout)  # pragma: no mutate
            if any(not isinstance(p, RecordError) for p in lines):
                return lines
        return [RecordError(None, "malformed_json", f"{_what(exc)} at line {exc.lineno}")]
    if isinstance(doc, Mapping):
        # "articles" always holds the list; another name only when the object is no article
        # itself (an article may well have a field "data" or "items").
        article = any(str(k).strip().lower() in TEXT_FIELDS for k in doc)
        names = LIST_FIELDS[:1] if article else LIST_FIELDS
        wrapped = next((doc[k] for k in names if isinstance(doc.get(k), list)), None)
        doc = doc if wrapped is None else wrapped
    if isinstance(doc, list):
        return [record_from_mapping(obj, f"item {i}") for i, obj in enumerate(doc)]
    return [record_from_mapping(doc, None)]


#: A JSON escape of a UTF-16 surrogate (``\\ud83d``): one half of a pair, or a lone one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


#: Why a JSON value nested past Python's recursion limit (~1,000 arrays or objects, one inside
#: the other) is not read: no article is shaped like that, and the decoder cannot hold it.
TOO_DEEP = "arrays or objects nested too deeply to read"


def _loads(text: str) -> Any:
    """``json.loads``, with each lone surrogate escape made U+FFFD; ``JSONDecodeError`` for a
    value nested too deeply to read (:data:`TOO_DEEP`).

    JSON may escape half of a UTF-16 pair alone (``"\\ud800"``); ``json`` then returns a string
    that no UTF-8 text can hold, and every later stage would fail on it. Like an undecodable byte,
    it becomes the replacement character (counted in ``replacement_ratio``); pairs that are
    whole are joined by ``json`` itself and stay as they are.
    """
    try:
        value = _json_value(text)
        # pragma: no mutate start (equivalent: the search only skips work, replacing surrogates
        # in a text without any changes nothing)
        return _replace_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value
        # pragma: no mutate end
    except RecursionError:  # json (in C) stops at Python's recursion limit
        raise json.JSONDecodeError(TOO_DEEP, text, 0) from None


def _json_value(text: str) -> Any:
    """``json.loads``; a number in a field news-etl reads is kept as the file writes it
    (:class:`JsonNumber`: ``1e5`` stays ``1e5``, not ``100000.0``): the text is read again with
    number hooks only when such a field holds a number (a hook is a Python call per number, of
    every field: 3.7 times as long for a line with 500 numbers in fields never read), and
    when the first reading fails (an integer of more digits than Python converts is read that
    way; a text that is not JSON raises the same ``JSONDecodeError`` again). A text that names a
    field news-etl reads more than once is read with :func:`_object`, which marks the objects
    that give one key two values (``json`` keeps the last and says nothing), once, with the
    number hooks: whether two values differ is judged as written (``"1.50"`` and ``1.50`` are
    the same title in either order; read first without them, the order decided)."""
    hook = _object if _may_repeat_a_field(text) else None
    if hook is None:  # a repeated field is judged on its values as written: no first reading
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        else:
            if not _reads_a_number(value):
                return value
    return json.loads(
        text,
        parse_int=_written_int,
        parse_float=_written_float,
        parse_constant=_written_float,
        object_pairs_hook=hook,
    )


def _reads_a_number(value: Any) -> bool:
    """Whether a number stands in a field news-etl reads of a record ``value`` could hold: an
    object's read fields (anything inside them), the items of a list, and the lists of
    :data:`LIST_FIELDS`; other fields are not walked (walked without recursion)."""
    pending: list[tuple[Any, bool]] = [(value, False)]
    while pending:
        item, read = pending.pop()
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            if read:
                return True
        elif isinstance(item, list):
            pending.extend((v, read) for v in item)
        elif isinstance(item, Mapping):
            for key, v in item.items():
                name = str(key).strip().lower()
                if read or name in READ_FIELDS:
                    pending.append((v, True))
                elif name in LIST_FIELDS:
                    pending.append((v, False))
    return False


def _written_int(text: str) -> JsonNumber:
    """A JSON integer as the file writes it."""
    return JsonNumber(text, "int")


def _written_float(text: str) -> JsonNumber:
    """A JSON number with a fraction or an exponent, or ``NaN``/``Infinity``, as written."""
    return JsonNumber(text, "float")


def _may_repeat_a_field(text: str) -> bool:
    """Whether some field name news-etl reads is written twice as a key in ``text`` (in one
    object or in two: only then can an object repeat it; ``json`` tells keys apart by their
    exact text). One regular-expression pass: about as long as ``json.loads`` of a news line."""
    seen: set[str] = set()
    for match in _READ_KEY.finditer(text):
        if match[1] in seen:  # the key as written: json tells keys apart by their exact text
            return True
        seen.add(match[1])
    return False


#: A key naming a field news-etl reads, in any case and with spaces inside its quotes, as
#: ``_with_plain_names`` reads it (``"Text"``, ``" text "``).
_READ_KEY = re.compile(r'("\s*(?:' + "|".join(map(re.escape, READ_FIELDS)) + r')\s*")\s*:', re.I)


class RepeatedKeys(dict[str, Any]):
    """A JSON object that gives a key two different values: :attr:`repeated` names them."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; of a key given twice, its first value with content (a blank one counts
    as none, as everywhere: ``{"text": "", "text": "Body"}`` is Body, where it was refused and
    ``{"text": "Body", "text": ""}`` no_text; review, session 40), and a
    :class:`RepeatedKeys` when a key has two values with different contents."""
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    obj = first_with_content(pairs)
    repeated = [k for k, v in pairs if has_content(v) and not same_content(obj[k], v)]
    if not repeated:
        return obj
    marked = RepeatedKeys(obj)
    marked.repeated = tuple(dict.fromkeys(repeated))
    return marked


def _replace_surrogates(value: object) -> object:
    """``value`` (as ``json`` returned it) with every surrogate in its strings made U+FFFD, in
    place, one level at a time (no recursion, so what ``json`` could read is never too deep
    here). Keys are left alone: they are only compared with field names, never kept."""
    pending = [value] if isinstance(value, (list, dict)) else []
    while pending:
        container: Any = pending.pop()
        slots = container.items() if isinstance(container, dict) else enumerate(container)
        for slot, item in list(slots):
            if isinstance(item, str):
                container[slot] = _SURROGATE.sub("\ufffd", item)
            elif isinstance(item, (list, dict)):
                pending.append(item)
    return value
