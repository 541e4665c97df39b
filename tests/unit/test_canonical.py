"""The canonical raw format: an optional `` date YYYY-MM-DD `` header, an optional title line."""

from __future__ import annotations

from datetime import date

import pytest

from etl.ingest.canonical import BadDateError, ParsedText, parse_iso_date, parse_txt

# seed/000_b778bd1770123a64.txt (opening words)
_SEED_START = " date 2021-04-07 Russian Foreign Minister Sergei Lavrov on Wednesday met"


def test_header() -> None:
    parsed = parse_txt(_SEED_START + "\n\n\n\nIt was the first time.")
    assert parsed == ParsedText(
        body=_SEED_START[len(" date 2021-04-07 ") :] + "\n\n\n\nIt was the first time.",
        header_date=date(2021, 4, 7),
        title=None,
    )


@pytest.mark.parametrize(
    ("text", "body"),
    [
        (" date 2021-04-07 body", "body"),
        ("date 2021-04-07 body", "body"),  # the leading space is optional
        (" DATE 2021-04-07 body", "body"),
        (" date\t2021-04-07\tbody", "body"),
        (" date 2021-04-07\nbody", "body"),
        (" date 2021-04-07\r\nbody", "body"),  # CRLF files
        (" date 2021-04-07\rbody", "body"),
        (" date 2021-04-07", ""),  # header only
        (" date 2021-04-07 ", ""),
        # other white space around the date, blank lines before the header: the header all the
        # same (they made the file undated, the header line the start of its body)
        (" date 2021-04-07\u00a0body", "body"),  # a no-break space
        (" date\u30002021-04-07\u3000body", "body"),  # ideographic spaces
        (" date 2021-04-07\x0cbody", "body"),
        ("\n date 2021-04-07 body", "body"),
        ("\r\n\r\n date 2021-04-07\r\nbody", "body"),
        ("\u00a0\n\tdate 2021-04-07 body", "body"),
    ],
)
def test_header_variants(text: str, body: str) -> None:
    assert parse_txt(text) == ParsedText(body, date(2021, 4, 7), None)


@pytest.mark.parametrize(
    "text",
    [
        "Russian Foreign Minister Sergei Lavrov on Wednesday met",
        "",
        " updated 2021-04-07 body",
        "dated 2021-04-07 body",
        "Date palms are grown here.",  # the word "Date" opens the body: not a header
        " date: 2021-04-07 body",
        "\n\nDate palms are grown here.",
        " date\n2021-04-07 body",  # the date on another line than the word
    ],
)
def test_no_header(text: str) -> None:
    assert parse_txt(text) == ParsedText(text, None, None)


@pytest.mark.parametrize(
    "text",
    [
        " date 2021-13-45 body",  # not a calendar date
        " date 2021-02-29 body",  # not a leap year
        " date 07/04/2021 body",  # not ISO
        " date 2021-4-7 body",
        " date 20210407 body",
        " date 2021-04-07T10:00 body",
        " date ٢٠٢١-٠٤-٠٧ body",
    ],
)
def test_bad_date(text: str) -> None:
    with pytest.raises(BadDateError):
        parse_txt(text)


def test_bad_date_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="2021-13-45"):
        parse_iso_date("2021-13-45")


def test_parse_iso_date() -> None:
    assert parse_iso_date("2020-02-29") == date(2020, 2, 29)
    for value in [
        "2021-04-07 ",
        " 2021-04-07",
        "2021-04-07\n",
        "21-04-07",
        "",
        "２０２１-04-07",
        "٢٠٢١-٠٤-٠٧",  # non-ASCII digits are not ISO 8601
    ]:
        with pytest.raises(BadDateError):
            parse_iso_date(value)


def test_titled() -> None:
    # bbc/sport/199.txt: title on the first line, blank-line paragraphs, no date header.
    text = "Chelsea sack Mutu\n\nChelsea have sacked Adrian Mutu after he failed a drugs test.\n"
    parsed = parse_txt(text, layout="titled")
    assert parsed.title == "Chelsea sack Mutu"
    assert parsed.header_date is None
    assert parsed.body.strip() == "Chelsea have sacked Adrian Mutu after he failed a drugs test."


def test_titled_with_header_and_crlf() -> None:
    text = " date 2005-01-12\r\n  Chelsea sack Mutu \r\n\r\nChelsea have sacked Adrian Mutu.\r\n"
    parsed = parse_txt(text, layout="titled")
    assert parsed.header_date == date(2005, 1, 12)
    assert parsed.title == "Chelsea sack Mutu"
    assert parsed.body.strip() == "Chelsea have sacked Adrian Mutu."


def test_titled_headline_starting_with_date() -> None:
    text = "Date set for Mutu appeal\n\nThe hearing is next week."
    parsed = parse_txt(text, layout="titled")
    assert (parsed.title, parsed.header_date) == ("Date set for Mutu appeal", None)


@pytest.mark.parametrize("blank", ["\u00a0", "\u3000", "\x0c", " \t\u2009"])
def test_titled_skips_a_first_line_of_any_white_space(blank: str) -> None:
    """A first line of a no-break space (or an ideographic one, a form feed) made the file
    untitled and its headline the body's first line (a mutation survivor, seed 1212)."""
    parsed = parse_txt(f"{blank}\nChelsea sack Mutu\n\nChelsea have sacked Mutu.", layout="titled")
    assert parsed.title == "Chelsea sack Mutu"
    assert parsed.body == "\nChelsea have sacked Mutu."


def test_titled_without_a_body_line_keeps_text_as_body() -> None:
    assert parse_txt("Only one line", layout="titled") == ParsedText("Only one line", None, None)


def test_canonical_layout_has_no_title() -> None:
    assert parse_txt("Chelsea sack Mutu\n\nBody").title is None
