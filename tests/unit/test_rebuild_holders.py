"""Which copies a rebuild reads to keep the articles it would remove (``rebuild_holders``).

The ledger is written out by hand: which files list which articles and which of them the
warehouse holds from each file. A copy is read when one of the articles it lists is held from a
file the rebuild takes; a multi-record file's known records (held by other files) do not count.
"""

from __future__ import annotations

from datetime import date

from etl.ingest.landing import LandingFile
from etl.ingest.ledger import LedgerEntry, LedgerView, rebuild_holders

DAY = date(2024, 3, 4)


def _file(path: str, day: date | None) -> LandingFile:
    return LandingFile(path=path, size=10, mtime_ns=1, path_date=day)


def _entry(outcome: str, *articles: str) -> LedgerEntry:
    first = min(articles) if articles else None
    return LedgerEntry("sha-" + "".join(articles), 10, 1, outcome, first, tuple(sorted(articles)))


FILES = [
    _file("2024-03-04/feed.jsonl", DAY),  # lists a (known, held by old.txt) and b (its own)
    _file("2024-03-03/old.txt", date(2024, 3, 3)),
    _file("2024-03-06/copy-of-b.jsonl", date(2024, 3, 6)),  # lists a9 (held elsewhere) and b
    _file("2024-03-06/copy-of-a.jsonl", date(2024, 3, 6)),  # lists a only, twice over
    _file("2024-03-06/copy-of-a9.txt", date(2024, 3, 6)),
]


def _ledger(held: dict[str, set[str]]) -> LedgerView:
    return LedgerView(
        by_path={
            "2024-03-04/feed.jsonl": [_entry("loaded", "a", "b")],
            "2024-03-03/old.txt": [_entry("loaded", "a")],
            "2024-03-06/copy-of-b.jsonl": [_entry("duplicate", "a9", "b")],
            "2024-03-06/copy-of-a.jsonl": [_entry("duplicate", "a", "a2")],
            "2024-03-06/copy-of-a9.txt": [_entry("duplicate", "a9")],
        },
        held=held,
    )


def test_a_copy_listing_a_held_article_in_a_later_record_is_read() -> None:
    """copy-of-b names a9 (its smallest article) but also lists b, which the rebuilt day's
    feed.jsonl holds: it is read. Naming only a9, it was not, and b was removed."""
    holders = rebuild_holders(FILES, _ledger({"2024-03-04/feed.jsonl": {"b"}}), DAY)
    assert holders == {"2024-03-06/copy-of-b.jsonl"}


def test_known_records_of_a_multi_record_file_do_not_make_copies_holders() -> None:
    """feed.jsonl also lists a, which old.txt holds: a rebuild of feed.jsonl's day cannot remove
    a, so copy-of-a is not read; once feed.jsonl holds a, it is."""
    assert "2024-03-06/copy-of-a.jsonl" not in rebuild_holders(
        FILES, _ledger({"2024-03-04/feed.jsonl": {"b"}}), DAY
    )
    assert "2024-03-06/copy-of-a.jsonl" in rebuild_holders(
        FILES, _ledger({"2024-03-04/feed.jsonl": {"a", "b"}}), DAY
    )


def test_a_file_listing_one_article_counts_it_without_a_held_set() -> None:
    """A single-article row (and every row written before migration 0022) counts its article:
    rebuilding old.txt's day reads the copies that list a: copy-of-a, and feed.jsonl, whose row
    is ``loaded`` (for b) but whose other record is a copy of a (up to session 33 only
    ``duplicate`` rows counted, and a was removed though feed.jsonl holds it)."""
    holders = rebuild_holders(FILES, _ledger({}), date(2024, 3, 3))
    assert holders == {"2024-03-06/copy-of-a.jsonl", "2024-03-04/feed.jsonl"}


def test_a_copy_changed_on_disk_since_its_row_is_still_read() -> None:
    """A copy touched since the ledger recorded it (another mtime) is read (the reader parses
    it only if its bytes are content the ledger knows); up to session 33 it was not, and the
    article it holds was removed."""
    touched = [
        f if f.path != "2024-03-06/copy-of-a9.txt" else LandingFile(f.path, 10, 2, f.path_date)
        for f in FILES
    ]
    ledger = _ledger({})
    ledger.by_path["2024-03-05/a9.txt"] = [_entry("loaded", "a9")]
    files = [*touched, _file("2024-03-05/a9.txt", date(2024, 3, 5))]
    holders = rebuild_holders(files, ledger, date(2024, 3, 5))
    assert holders == {"2024-03-06/copy-of-a9.txt", "2024-03-06/copy-of-b.jsonl"}


def test_a_changed_file_the_rebuild_takes_is_read_as_its_own_not_as_a_copy() -> None:
    """An undated file changed since its ledger row (a ``duplicate`` of a) is taken by the
    rebuild of a's day (its header may name that day now) and read as its own file. Made a copy,
    it would be parsed only if its bytes were content the ledger knows, and its new content would
    go unjudged."""
    files = [
        _file("2024-03-03/old.txt", date(2024, 3, 3)),
        LandingFile("flat.txt", 10, 2, None),  # another mtime than its row's
    ]
    ledger = LedgerView(
        by_path={
            "2024-03-03/old.txt": [_entry("loaded", "a")],
            "flat.txt": [_entry("duplicate", "a")],
        }
    )
    assert rebuild_holders(files, ledger, date(2024, 3, 3)) == set()
    # unchanged, it is a copy (it is not taken: its articles are on no day of the rebuild)
    unchanged = [files[0], _file("flat.txt", None)]
    assert rebuild_holders(unchanged, ledger, date(2024, 3, 3)) == {"flat.txt"}


def test_a_flat_files_copy_is_read_by_the_rebuild_of_the_day_its_article_is_on() -> None:
    """A file outside dated folders, unchanged, whose article z the warehouse holds on DAY: the
    rebuild of DAY takes it (it may remove z), so z's copy in another day's folder is read;
    the rebuild of another day does not take it, and the copy is left alone. With the test of
    the placed day inverted the copy was read by every other day's rebuild and by none of
    DAY's (survivor ``rebuild_holders__mutmut_10`` of the seed-1208 sample, #18)."""
    files = [_file("flat/f.txt", None), _file("2024-03-06/copy-of-z.txt", date(2024, 3, 6))]
    ledger = LedgerView(
        by_path={
            "flat/f.txt": [_entry("loaded", "z")],
            "2024-03-06/copy-of-z.txt": [_entry("duplicate", "z")],
        },
        placed={"flat/f.txt": {"": [DAY]}},
    )
    assert rebuild_holders(files, ledger, DAY) == {"2024-03-06/copy-of-z.txt"}
    assert rebuild_holders(files, ledger, date(2024, 3, 5)) == set()


def test_a_copy_the_reader_would_refuse_is_never_a_holder() -> None:
    """A survivor of mutation seed 1220 (``outside and bad_name`` for ``or``): a copy listed
    as a symlink leading outside the zone, or under a name that is not UTF-8, is refused by
    ingest without being opened, so it cannot keep an article; each alone is left out."""
    ledger = _ledger({"2024-03-04/feed.jsonl": {"b"}})
    path = "2024-03-06/copy-of-b.jsonl"
    for flags in ({"outside": True}, {"bad_name": True}):
        files = [
            LandingFile(path=path, size=10, mtime_ns=1, path_date=date(2024, 3, 6), **flags)
            if f.path == path
            else f
            for f in FILES
        ]
        assert rebuild_holders(files, ledger, DAY) == set(), flags
