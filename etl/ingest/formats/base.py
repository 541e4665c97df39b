"""What every format adapter returns: article records, or per-record errors with a reason."""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol

from etl.contracts import quoted
from etl.ingest.canonical import BadDateError

_ISO_PREFIX = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})(?:[T ](\S.*))?\Z", re.ASCII | re.DOTALL)
#: A time of day after an ISO date (``15:26``, ``15:26:46.86``, ``152646``): hours, minutes and
#: seconds. Other text after the date (a zone name, a producer's note) is let be.
_CLOCK = re.compile(r"(\d{2}):?(\d{2})(?::?(\d{2}))?(?![\d:])", re.ASCII)
#: The year written after the month of an RFC 2822 date (``01 Jan 0001``).
#: A numeric UTC offset after the time of day (``+02:00``, ``-0500``, ``+09``), a fraction of a
#: second before it: its hours and minutes.
_OFFSET = re.compile(r"(?:[.,]\d+)?[+-](\d{2})(?::?(\d{2}))?(?!\d)", re.ASCII)
_RFC_YEAR = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+(\d+)\b",
    re.ASCII | re.IGNORECASE,
)

#: Scraper field names, in order of preference, for each record field.
TEXT_FIELDS = ("text", "maintext", "body", "content", "article")
DATE_FIELDS = ("published", "date_publish", "publishing_date", "date", "published_at")
TITLE_FIELDS = ("title", "headline")
URL_FIELDS = ("url", "link")
SOURCE_FIELDS = ("source", "source_domain", "publisher", "sitename")
AUTHOR_FIELDS = ("authors", "author", "byline")
#: Every field name a record is read from.
READ_FIELDS = (
    *TEXT_FIELDS,
    *DATE_FIELDS,
    *TITLE_FIELDS,
    *URL_FIELDS,
    *SOURCE_FIELDS,
    *AUTHOR_FIELDS,
)


@dataclass(frozen=True)
class Record:
    """One article found in a file, before text processing."""

    body: str
    key: str | None = None  # the record inside the file (e.g. ``line 3``); None: the whole file
    title: str | None = None
    url: str | None = None
    source: str | None = None  # from the record's metadata, when it names one
    authors: tuple[str, ...] = ()
    published: date | None = None  # from the date header or the record's metadata


@dataclass(frozen=True)
class RecordError:
    """A record (or the whole file, ``key=None``) that cannot become an article."""

    key: str | None
    reason: str
    detail: str


Parsed = Record | RecordError


class Adapter(Protocol):
    """Turns the decoded text of one file into records; never raises for bad content."""

    def __call__(self, text: str, layout: str) -> list[Parsed]:
        """Parse ``text`` (``layout`` is the landing zone's ``.txt`` layout setting)."""
        ...


@dataclass(frozen=True)
class JsonNumber:
    """A JSON number as the file writes it (``1e5``, ``1.50``, ``-0``, ``NaN``), which the JSON
    adapters keep instead of Python's reading of it (``100000.0``, ``1.5``): a text field given
    as a number is stored as the file has it. ``kind`` is the type Python reads it as."""

    text: str
    kind: Literal["int", "float"]

    def __bool__(self) -> bool:
        """False for a zero, as Python's number would be: a ``0`` among a text's paragraphs is
        skipped as it was before numbers were kept as written."""
        return float(self.text) != 0


def type_name(value: object) -> str:
    """The type of a JSON value, for messages: ``int``/``float`` for a :class:`JsonNumber`."""
    return value.kind if isinstance(value, JsonNumber) else type(value).__name__


def as_text(value: object) -> str:
    """A field's value as text: a string as it is; any other value as JSON writes it (a list or
    an object as JSON, ``true``/``false``, a number as the file writes it), never as Python's
    ``repr`` (``['a', 'b']``, ``True``), which is no notation of the input."""
    if isinstance(value, str):
        return value
    if isinstance(value, JsonNumber):
        return value.text
    if isinstance(value, (list, Mapping)) and _holds_a_number(value):
        return _json_with_numbers(value)
    return json.dumps(value, ensure_ascii=False)


def _holds_a_number(value: list[Any] | Mapping[Any, Any]) -> bool:
    """Whether a :class:`JsonNumber` is somewhere inside ``value`` (walked without recursion)."""
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, JsonNumber):
            return True
        if isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    # equivalent: without a number both writers give the same text; the walk only spares the
    # slower one (json.dumps writes it in C)
    return False  # pragma: no mutate


def _json_with_numbers(value: object) -> str:
    """``value`` as ``json.dumps`` writes it, each :class:`JsonNumber` as the file wrote it (one
    frame a level, as ``json.dumps`` takes: what it could write, this can)."""
    if isinstance(value, JsonNumber):
        return value.text
    if isinstance(value, list):
        items = []
        for item in value:
            items.append(_json_with_numbers(item))
        return "[" + ", ".join(items) + "]"
    if isinstance(value, Mapping):
        pairs = []
        for key, item in value.items():
            pairs.append(json.dumps(str(key), ensure_ascii=False) + ": " + _json_with_numbers(item))
        return "{" + ", ".join(pairs) + "}"
    return json.dumps(value, ensure_ascii=False)


def parse_published(value: object) -> date:
    """A publication date from metadata: ISO date or datetime, or RFC 2822; else BadDateError."""
    text = as_text(value).strip()
    match = _ISO_PREFIX.match(text)
    if match:
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise BadDateError(
                f"publication date {quoted(text)} is not a calendar date: {exc}"
            ) from exc
        clock = _CLOCK.match(match[4] or "")
        if clock and not _on_the_clock(*(int(part or 0) for part in clock.groups())):
            # 2021-04-07T25:00 loaded on 2021-04-07 while the same value in a .txt header was
            # bad_date (probe): a time that is no time casts doubt on the date
            raise BadDateError(f"publication date {quoted(text)} has an impossible time of day")
        offset = _OFFSET.match(match[4] or "", clock.end()) if clock else None
        if offset and (int(offset[1]) > 23 or int(offset[2] or 0) > 59):
            # +25:00 is no time zone: the day it gives is in doubt, as after 25:00 (probe V)
            raise BadDateError(f"publication date {quoted(text)} has an impossible UTC offset")
        return day
    try:
        return _rfc_2822_date(text)
    except (TypeError, ValueError, IndexError, OverflowError):  # Overflow: a 20-digit year
        pass
    try:
        return datetime.fromisoformat(text).date()
    except (ValueError, OverflowError) as exc:
        raise BadDateError(f"publication date {quoted(text)} is not a recognised date") from exc


def _on_the_clock(hours: int, minutes: int, seconds: int) -> bool:
    """Whether ``hours:minutes:seconds`` is a time of day (24:00:00 and a leap second too)."""
    if hours == 24:
        return minutes == seconds == 0
    return hours < 24 and minutes < 60 and seconds <= 60


def _rfc_2822_date(text: str) -> date:
    """The date of an RFC 2822 date-time, in its own time zone. A year written with four digits
    is that year: Python's parser reads every year below 100 with the obsolete two-digit rule,
    so ``01 Jan 0001`` was 2001-01-01 (then loaded on a day of another century instead of
    being judged by validation's 1900 bound); two digits keep the rule (``21`` is 2021)."""
    day = email.utils.parsedate_to_datetime(text).date()
    written = _RFC_YEAR.search(text)
    if written and len(written[1]) == 4 and int(written[1]) != day.year:
        return day.replace(year=int(written[1]))  # ValueError for year 0000
    return day


def _first(obj: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    """The value of the first of ``names`` that ``obj`` has with content: a missing, empty or
    blank (white space only) value gives way to the next name."""
    name = _first_name(obj, names)
    return None if name is None else obj[name]


def _first_name(obj: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that ``obj`` has with content (:func:`has_content`), or None."""
    return next((name for name in names if has_content(obj.get(name))), None)


def has_content(value: object) -> bool:
    """False for a missing, empty or blank (white space only) value."""
    return not (value in (None, [], {}) or (isinstance(value, str) and not value.strip()))


#: The fields of fundus's body object and of each of its sections: an object with other fields
#: is not that shape (real fundus bodies have exactly these).
FUNDUS_BODY_FIELDS = frozenset({"summary", "sections"})
FUNDUS_SECTION_FIELDS = frozenset({"headline", "paragraphs"})


class UnplacedTextError(ValueError):
    """An object among a record's text that is no shape news-etl reads, or that gives a key two
    values: a key of it would go unread. ``path`` gathers where it is (``[1]``,
    ``.sections[0]``) as the error rises out of :func:`_text_of`, innermost first; only a
    failing record pays for it."""

    def __init__(self, item: Mapping[Any, Any], why: str) -> None:
        super().__init__(why)
        self.keys = [str(key) for key in item]
        self.why = why
        self.path: list[str] = []

    def detail(self, field: str) -> str:
        """The quarantine detail: where the object is (from the record's field ``field``), its
        keys, why its text cannot be read, and what the producer can do."""
        where = field + "".join(reversed(self.path))
        shown = ", ".join(quoted(key, 60) for key in self.keys[:5])
        more = f" and {len(self.keys) - 5} more" if len(self.keys) > 5 else ""
        return (
            f"the text at {where} is an object with the keys {shown}{more}, {self.why}: "
            "give each paragraph as a string, or as an object with one text field "
            f"({', '.join(TEXT_FIELDS)})"
        )


#: Why an object among the text cannot be read (:class:`UnplacedTextError`).
_NO_TEXT_SHAPE = (
    "which is no shape news-etl reads as text (one text field, or fundus's summary and "
    "sections), so a key of it would go unread"
)


def _check_keys(value: Mapping[Any, Any], fields: frozenset[str]) -> None:
    """:class:`UnplacedTextError` unless ``value``'s keys are among ``fields`` and none of them
    is given twice with two values (the JSON reader marks those: one would be lost)."""
    repeated = getattr(value, "repeated", ())
    if repeated:
        why = f"which gives the key {quoted(str(repeated[0]), 60)} twice, with different values"
        raise UnplacedTextError(value, why)
    if not value.keys() <= fields:
        raise UnplacedTextError(value, _NO_TEXT_SHAPE)


def _text_of(value: Any) -> str:
    """Body text from a string, a list of paragraphs, fundus-style ``{summary, sections}``, or an
    object with one text field (``{"text": "..."}``); raises :class:`UnplacedTextError` for an
    object of another shape rather than lose its text."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "\n\n".join(_texts_of_items(value))
    if isinstance(value, Mapping):
        return _text_of_object(value)
    return "" if value is None else as_text(value)


def _texts_of_items(items: list[Any]) -> list[str]:
    """The text of each item of a list with content (a falsy item is skipped), an
    :class:`UnplacedTextError` told the item's index."""
    return [_within(item, f"[{index}]") for index, item in enumerate(items) if item]


def _text_of_object(value: Mapping[Any, Any]) -> str:
    """The text of an object: one text field's value, or fundus's ``{summary, sections}``;
    :class:`UnplacedTextError` for any other shape (``{"type": "quote", "content": ...}``)."""
    if len(value) == 1 and not getattr(value, "repeated", ()):
        ((name, inner),) = value.items()
        if isinstance(name, str) and name.strip().lower() in TEXT_FIELDS:
            return _within(inner, f".{name}")
    _check_keys(value, FUNDUS_BODY_FIELDS)
    parts = [_within(value.get("summary") or [], ".summary")]
    sections = value.get("sections") or []
    # A section is an object (a lone object is one section); a string or a number there is
    # read as a paragraph of its own, as in a list of paragraphs: it was skipped, its text lost.
    listed = sections if isinstance(sections, list) else [sections]
    for index, section in enumerate(listed):
        if not section:  # skipped, as a falsy item of a list of paragraphs is (0, false, "")
            continue
        at = f".sections[{index}]" if isinstance(sections, list) else ".sections"
        read = _section_text if isinstance(section, Mapping) else _text_of
        parts.append(_within(section, at, read))
    return "\n\n".join(p for p in parts if p)


def _section_text(section: Mapping[Any, Any]) -> str:
    """A fundus section's headline and paragraphs; :class:`UnplacedTextError` for a section
    with other fields, which would go unread."""
    _check_keys(section, FUNDUS_SECTION_FIELDS)
    parts = [_within(section.get("headline") or [], ".headline")]
    parts.append(_within(section.get("paragraphs") or [], ".paragraphs"))
    return "\n\n".join(p for p in parts if p)


def _within(value: Any, at: str, read: Callable[[Any], str] = _text_of) -> str:
    """``read(value)``, an :class:`UnplacedTextError` told that ``value`` is at ``at`` inside
    its parent."""
    try:
        return read(value)
    except UnplacedTextError as exc:
        exc.path.append(at)
        raise


def _authors(value: Any) -> tuple[str, ...]:
    """Author names from a string (``"A; B"``, ``"A | B"``), a list, or schema.org-style
    objects (``{"@type": "Person", "name": ...}``, whose name may itself be a list)."""
    if isinstance(value, str):
        return tuple(p for p in (p.strip() for p in re.split(r"\s*[;|]\s*", value)) if p)
    return tuple(_names(value))


def _names(value: Any) -> list[str]:
    """The names in ``value``: a string is one name, an object's ``name`` field its names, a
    list the names of its items, another value its JSON (a number its digits, ``true``);
    ``None`` and empty strings none."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    name = as_text(value).strip()
    return [name] if name else []


def record_from_mapping(obj: object, key: str | None) -> Parsed:
    """One record from a scraper's JSON object or CSV row (the usual field names); a field
    nested past Python's recursion limit (a list of lists of ... as the text) is a
    ``malformed_record``, not a crash of the run."""
    try:
        return _record_from_mapping(obj, key)
    except RecursionError:
        return RecordError(key, "malformed_record", "a field is nested too deeply to read")


def _with_plain_names(obj: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """``obj``, where a field is named with capitals or spaces around (``Title``, `` text``, a
    spreadsheet's header), also under its plain name (``title``, ``text``), unless a field
    already has that name exactly with content (:func:`has_content`): a blank ``"title": ""``
    gives way to ``"Title": "Real title"``, as the first of a field's names with content wins.
    Names folding alike with different contents never get here (:func:`repeated_read_field`)."""
    plain: dict[str, Any] = {}
    for name, value in obj.items():
        if not isinstance(name, str) or (folded := name.strip().lower()) == name:
            continue
        if has_content(obj.get(folded)) or has_content(plain.get(folded)):
            continue
        if folded not in plain or has_content(value):
            plain[folded] = value
    return {**obj, **plain} if plain else obj


def _stripped(value: object) -> str | None:
    """A metadata value as text without surrounding white space; a blank one is no value
    (``None``), as a missing one is: ``"title": "  "`` is not a title."""
    return None if value is None else (as_text(value).strip() or None)


def same_content(a: object, b: object) -> bool:
    """Whether two values of one field say the same: their text, spaces around dropped
    (``"T"`` and ``"T "``, ``1`` and ``"1"``), as a record stores it."""
    return as_text(a).strip() == as_text(b).strip()


def first_with_content(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A record's fields from its names and values; of a name given twice (a JSON key, a CSV
    column), its first value with content, else its first value: a blank value is no value."""
    fields: dict[str, Any] = {}
    for name, value in pairs:
        if name not in fields or not has_content(fields[name]):
            fields[name] = value
    return fields


def repeated_read_field(pairs: Iterable[tuple[object, object]]) -> str | None:
    """Why ``pairs`` (a record's names and values) are ambiguous: a field news-etl reads given
    under two names that fold alike (``text`` and ``Text``, `` text ``; a CSV header naming a
    column twice) with different contents; ``None`` when none is. The first name with content
    won and the other value was lost without a word (probe, session 40)."""
    seen: dict[str, tuple[str, object]] = {}
    for name, value in pairs:
        if not isinstance(name, str) or not has_content(value):
            continue
        folded = name.strip().lower()
        if folded not in READ_FIELDS:
            continue
        if folded in seen and not same_content(seen[folded][1], value):
            return (
                f"the field {folded!r} is given twice ({seen[folded][0]!r} and {name!r}), with "
                "different values: which is meant?"
            )
        seen.setdefault(folded, (name, value))
    return None


def _record_from_mapping(obj: object, key: str | None) -> Parsed:
    if not isinstance(obj, Mapping):
        return RecordError(key, "malformed_record", f"expected an object, got {type_name(obj)}")
    # a field given twice with two values: json kept the last, and the first was lost without
    # a word (probe: {"text": "A…", "text": "B…"} loaded B)
    read = [k for k in getattr(obj, "repeated", ()) if str(k).strip().lower() in READ_FIELDS]
    if read:
        detail = f"the field {read[0]!r} is given twice, with different values: which is meant?"
        return RecordError(key, "malformed_record", detail)
    twice = repeated_read_field(obj.items())
    if twice is not None:
        return RecordError(key, "malformed_record", twice)
    obj = _with_plain_names(obj)
    field = _first_name(obj, TEXT_FIELDS)
    try:
        body = _text_of(None if field is None else obj[field])
    except UnplacedTextError as exc:  # only a field with content holds an object
        return RecordError(key, "malformed_record", exc.detail(str(field)))
    if not body.strip():
        return RecordError(key, "no_text", f"no text in any of the fields {', '.join(TEXT_FIELDS)}")
    published = None
    raw_date = _first(obj, DATE_FIELDS)
    if raw_date is not None:
        try:
            published = parse_published(raw_date)
        except BadDateError as exc:
            return RecordError(key, "bad_date", str(exc))
    title, url, source = (_first(obj, names) for names in (TITLE_FIELDS, URL_FIELDS, SOURCE_FIELDS))
    return Record(
        body=body,
        key=key,
        title=_stripped(title),
        url=_stripped(url),
        source=_stripped(source),
        authors=_authors(_first(obj, AUTHOR_FIELDS)),
        published=published,
    )
