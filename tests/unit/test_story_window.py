"""The story window (issue 12): an article matches only candidates published within W days of
its own date (|Δdays| ≤ W), inside a run, against stored members, on the heavy path too, and
whatever order the two articles are loaded in. Dates and expected stories are literals."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from pydantic import ValidationError

from etl.load import story_match
from etl.load.story_match import Stored, assign
from etl.settings import Settings

BANDS, PERM = 4, 16
SIG = np.arange(1, PERM + 1, dtype=np.uint32)  # every article below has this signature
KEYS = [1, 2, 3, 4]  # ... and these band keys: each pair is a candidate pair by its buckets


def _day(text: str) -> int:
    return date.fromisoformat(text).toordinal()


def _stored(members: list[tuple[str, int, str, str]]) -> Stored:
    """``(article_id, story_id, story's first date, member's own date)`` per stored member."""
    n = len(members)
    return Stored(
        ids=[m[0] for m in members],
        story=np.asarray([m[1] for m in members], dtype=np.int64),
        first=np.asarray([_day(m[2]) for m in members], dtype=np.int64),
        sig=np.tile(SIG, (n, 1)),
        keys=np.asarray([KEYS] * n, dtype=np.int64).reshape(n, BANDS),
        known=np.ones((n, BANDS), dtype=bool),
        published=np.asarray([_day(m[3]) for m in members], dtype=np.int64),
    )


NOTHING = _stored([])


def _assign(
    stored: Stored, run: list[tuple[str, str]], window: int | None
) -> list[tuple[int, str | None]]:
    """Stories ``(story_id, matched article)`` of the run's ``(article_id, date)`` articles
    (given in assignment order); article i founds story 100 + i."""
    n = len(run)
    out = assign(
        stored,
        [a for a, _ in run],
        [_day(d) for _, d in run],
        np.tile(SIG, (n, 1)),
        np.asarray([KEYS] * n, dtype=np.int64).reshape(n, BANDS),
        np.ones(n, dtype=bool),
        np.full(n, 0.5),
        [100 + i for i in range(n)],
        window,
    )
    return [(a.story_id, a.other) for a in out]


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        ("2024-03-31", [(100, None), (100, "a")]),  # 30 days apart: one story
        ("2024-04-01", [(100, None), (101, None)]),  # 31 days apart: two stories
    ],
)
def test_inside_one_run_the_window_is_30_days(
    later: str, expected: list[tuple[int, str | None]]
) -> None:
    assert _assign(NOTHING, [("a", "2024-03-01"), ("b", later)], 30) == expected


def test_without_a_window_any_dates_match() -> None:
    assert _assign(NOTHING, [("a", "2020-01-01"), ("b", "2024-04-01")], None) == [
        (100, None),
        (100, "a"),
    ]


@pytest.mark.parametrize(
    ("other", "expected"),
    [("2024-03-01", [(100, None), (100, "a")]), ("2024-03-02", [(100, None), (101, None)])],
)
def test_a_window_of_0_is_the_same_day_only(
    other: str, expected: list[tuple[int, str | None]]
) -> None:
    assert _assign(NOTHING, [("a", "2024-03-01"), ("b", other)], 0) == expected


@pytest.mark.parametrize(
    ("stored_on", "new_on", "joins"),
    [
        ("2024-03-01", "2024-03-31", True),  # stored 30 days before
        ("2024-03-01", "2024-04-01", False),  # 31 days before
        ("2024-04-01", "2024-03-02", True),  # a backfill: stored 30 days after
        ("2024-04-01", "2024-03-01", False),  # 31 days after
    ],
)
def test_against_stored_members_the_window_is_symmetric(
    stored_on: str, new_on: str, joins: bool
) -> None:
    stored = _stored([("s", 7, stored_on, stored_on)])
    expected = [(7, "s")] if joins else [(100, None)]
    assert _assign(stored, [("n", new_on)], 30) == expected


@pytest.mark.parametrize(
    ("early", "late", "together"),
    [("2024-05-01", "2024-05-31", True), ("2024-05-01", "2024-06-01", False)],
)
def test_loading_the_later_article_first_groups_the_same(
    early: str, late: str, together: bool
) -> None:
    """Two runs in date order, then the same two runs the other way round (a backfill)."""
    for first_run, second_run in ((("e", early), ("l", late)), (("l", late), ("e", early))):
        assert _assign(NOTHING, [first_run], 30) == [(100, None)]
        stored = _stored([(first_run[0], 7, first_run[1], first_run[1])])  # now story 7
        expected = (7, first_run[0]) if together else (100, None)
        assert _assign(stored, [second_run], 30) == [expected]


#: Stored members, all identical to the new article of 2024-06-10 (window 30: 2024-05-11 ..
#: 2024-07-10): ``(article_id, story, story's first date, own date)``.
AROUND = [
    ("s0", 10, "2024-04-01", "2024-04-01"),  # 70 days before: out
    ("s1", 11, "2024-05-10", "2024-05-10"),  # 31 days before: out
    ("s2", 12, "2024-05-11", "2024-05-11"),  # 30 days before: in
    ("s3", 13, "2023-01-01", "2024-07-11"),  # 31 days after, in the oldest story: out
    ("s4", 14, "2024-04-20", "2024-07-10"),  # 30 days after, its story began 2024-04-20: in
]


@pytest.mark.parametrize("heavy", [False, True])
def test_the_heavy_path_keeps_the_window_too(heavy: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if heavy:  # 5 stored candidates x 4 shared bands = 20 candidate rows: over 2
        monkeypatch.setattr(story_match, "_HEAVY", 2)
    # The oldest story among the candidates inside the window (14, begun 2024-04-20), not the
    # older stories 10 and 13 of members outside it.
    assert _assign(_stored(AROUND), [("n", "2024-06-10")], 30) == [(14, "s4")]


@pytest.mark.parametrize("heavy", [False, True])
def test_nothing_inside_the_window_founds_a_story(
    heavy: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if heavy:
        monkeypatch.setattr(story_match, "_HEAVY", 2)
    outside = [m for m in AROUND if m[0] in {"s0", "s1", "s3"}]
    assert _assign(_stored(outside), [("n", "2024-06-10")], 30) == [(100, None)]


def test_a_window_needs_the_stored_dates_and_is_not_negative() -> None:
    undated = Stored.empty(BANDS, PERM, dated=False)
    assert undated.published is None and undated.sig.shape == (0, PERM)
    with pytest.raises(ValueError, match="window"):
        _assign(undated, [("a", "2024-03-01")], 30)
    with pytest.raises(ValueError, match="window"):
        _assign(NOTHING, [("a", "2024-03-01")], -1)


def test_the_window_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().story_window_days == 30
    monkeypatch.setenv("NEWS_ETL_STORY_WINDOW_DAYS", "0")
    assert Settings().story_window_days == 0
    monkeypatch.setenv("NEWS_ETL_STORY_WINDOW_DAYS", "-1")
    with pytest.raises(ValidationError):
        Settings()
