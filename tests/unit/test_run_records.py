"""Small pieces of the run record and of quarantine replay, on hand-made tables: which row a
run's failure keeps, and which ledger rows `news-etl quarantine replay` forgets."""

from __future__ import annotations

from collections import Counter

import duckdb
import pytest

from etl.errors import UnknownReasonError
from etl.load.loader import LoadSummary
from etl.load.record import kept_record
from etl.load.replay import (
    NOT_READ,
    Forgotten,
    Replayed,
    forget_quarantined,
    replay_message,
    replayed_outcomes,
)


def test_a_failure_keeps_a_committed_or_settled_row_and_replaces_a_failure_recorded_before() -> (
    None
):
    """r1 committed, r2 refused by the loader (its run-level check rows), r3 recorded failed by
    a step before the load (no check rows): a new failure of r3 replaces its row (a run that
    failed again after a Clear was reported with its first error: probe, session 46)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE etl_run (run_id VARCHAR, status VARCHAR, error VARCHAR)")
    con.execute("CREATE TABLE fact_check_result (run_id VARCHAR)")
    con.execute(
        "INSERT INTO etl_run VALUES ('r1', 'success', NULL), ('r2', 'failed', 'over the limit'),"
        " ('r3', 'failed', 'validate: no suites')"
    )
    con.execute("INSERT INTO fact_check_result VALUES ('r1'), ('r2'), ('r2')")
    assert kept_record(con, "r1") == (True, "")
    assert kept_record(con, "r2") == (True, "over the limit")
    assert kept_record(con, "r3") == (False, "validate: no suites")
    assert kept_record(con, "r4") == (False, None)


@pytest.fixture
def ledger() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ingest_ledger (landing VARCHAR, path VARCHAR, sha256 VARCHAR,"
        " outcome VARCHAR DEFAULT 'quarantined', first_run_id VARCHAR DEFAULT 'r1',"
        " first_seen INTEGER DEFAULT 1, last_seen INTEGER DEFAULT 1)"
    )
    # Run ids sort by start time to the second only (then a random suffix): r4 started before
    # r3, in the same second.
    con.execute("CREATE TABLE etl_run (run_id VARCHAR, started_at INTEGER)")
    con.execute("INSERT INTO etl_run VALUES ('r1', 1), ('r2', 2), ('r4', 3), ('r3', 4)")
    con.execute(
        "CREATE TABLE quarantine (landing VARCHAR, path VARCHAR, sha256 VARCHAR, reason VARCHAR,"
        " run_id VARCHAR DEFAULT 'r1', record VARCHAR)"
    )
    con.execute("CREATE TABLE ingest_refusal (landing VARCHAR, path VARCHAR, reason VARCHAR)")
    con.execute(
        "INSERT INTO ingest_ledger (landing, path, sha256, outcome, first_run_id) VALUES"
        " ('/a', 'x.txt', 'h1', 'quarantined', 'r1'), ('/a', 'y.txt', 'h2', 'loaded', 'r1'),"
        " ('/a', 'z.txt', 'h3', 'loaded', 'r1'), ('/a', 'x.txt', 'h0', 'loaded', 'r1'),"
        " ('/b', 'x.txt', 'h1', 'quarantined', 'r1'),"
        # v.jsonl: refused whole by r1 (both records), loaded by a replay's run r2;
        # u.txt: refused by r1, loaded by r2; t.jsonl: loaded with a bad record by r2
        " ('/a', 'v.jsonl', 'h5', 'loaded', 'r2'), ('/a', 'u.txt', 'h6', 'loaded', 'r2'),"
        " ('/a', 't.jsonl', 'h7', 'loaded', 'r2')"
    )
    # x.txt holds h1 now (h0 was its earlier content); s.txt was refused as h10 and holds h11
    # now, loaded; k.jsonl had a bad record by r4 and was loaded whole by the later r3
    con.execute("UPDATE ingest_ledger SET last_seen = 2 WHERE path = 'x.txt' AND sha256 = 'h1'")
    con.execute(
        "INSERT INTO ingest_ledger VALUES ('/a', 's.txt', 'h10', 'quarantined', 'r1', 1, 1),"
        " ('/a', 's.txt', 'h11', 'loaded', 'r2', 2, 2),"
        " ('/a', 'k.jsonl', 'h12', 'loaded', 'r3', 4, 4)"
    )
    con.execute(
        "INSERT INTO quarantine (landing, path, sha256, reason, run_id, record) VALUES"
        " ('/a', 'x.txt', 'h1', 'empty', 'r1', NULL),"
        " ('/a', 'x.txt', 'h1', 'bad_date', 'r1', NULL),"  # two reasons, one ledger row
        " ('/a', 'y.txt', 'h2', 'bad_date', 'r1', 'line 2'),"
        " ('/a', 'z.txt', NULL, 'unreadable', 'r1', NULL),"
        " ('/b', 'w.txt', 'h9', 'empty', 'r1', NULL),"
        " ('/a', 'v.jsonl', 'h5', 'future_date', 'r1', 'line 1'),"
        " ('/a', 'v.jsonl', 'h5', 'future_date', 'r1', 'line 2'),"
        " ('/a', 'u.txt', 'h6', 'future_date', 'r1', NULL),"
        " ('/a', 't.jsonl', 'h7', 'future_date', 'r1', 'line 1'),"
        " ('/a', 't.jsonl', 'h7', 'malformed_json', 'r2', 'line 3'),"
        " ('/a', 's.txt', 'h10', 'empty', 'r1', NULL),"
        " ('/a', 'k.jsonl', 'h12', 'malformed_json', 'r4', 'line 2')"
    )
    return con


def _ledger(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    return con.execute("SELECT landing, path, sha256 FROM ingest_ledger ORDER BY ALL").fetchall()


def test_replay_forgets_the_quarantined_files_of_its_landing_zone(
    ledger: duckdb.DuckDBPyConnection,
) -> None:
    forgotten = forget_quarantined(ledger, "/a")
    assert forgotten.rows == (
        ("t.jsonl", "h7", "loaded"),
        ("x.txt", "h1", "quarantined"),
        ("y.txt", "h2", "loaded"),
    )
    assert (forgotten.paths, forgotten.refused_whole, forgotten.with_bad_records) == (
        ["t.jsonl", "x.txt", "y.txt"],
        1,  # x.txt was refused whole
        2,  # t.jsonl and y.txt loaded with a bad record, by the run of their verdict
    )
    # x.txt's other content (h0), z.txt (no hash recorded), the other landing zone, the files
    # a later run loaded (their quarantine rows are history: u.txt, v.jsonl, and k.jsonl, whose
    # run has the greater id but started first), and s.txt's earlier content stay
    assert _ledger(ledger) == [
        ("/a", "k.jsonl", "h12"),
        ("/a", "s.txt", "h10"),
        ("/a", "s.txt", "h11"),
        ("/a", "u.txt", "h6"),
        ("/a", "v.jsonl", "h5"),
        ("/a", "x.txt", "h0"),
        ("/a", "z.txt", "h3"),
        ("/b", "x.txt", "h1"),
    ]


def test_replay_of_one_reason(ledger: duckdb.DuckDBPyConnection) -> None:
    assert forget_quarantined(ledger, "/a", reason="empty").paths == ["x.txt"]
    assert ("/a", "x.txt", "h1") not in _ledger(ledger)
    assert ("/a", "y.txt", "h2") in _ledger(ledger)
    assert forget_quarantined(ledger, "/b", reason="empty").rows == ()  # w.txt: no ledger row
    # every future_date row is older than the verdict standing on its file: a replay of it
    # would read nothing again, and is refused (it forgot nothing and ran a whole run for
    # nothing: probe R3)
    with pytest.raises(UnknownReasonError) as caught:
        forget_quarantined(ledger, "/a", reason="future_date")
    assert str(caught.value) == (
        "no quarantined record of /a whose refusal stands has the reason 'future_date'; its "
        "reasons that stand: bad_date, malformed_json (news-etl quarantine list --standing)"
    )  # x.txt's empty was forgotten above
    assert forget_quarantined(ledger, "/a", reason="malformed_json").paths == ["t.jsonl"]


def test_replay_of_a_reason_no_row_has_is_refused(ledger: duckdb.DuckDBPyConnection) -> None:
    """A misspelt reason forgot nothing and ran a whole run anyway (up to session 31): now it is
    refused before anything is forgotten, with the reasons the landing zone's rows have."""
    before = _ledger(ledger)
    with pytest.raises(UnknownReasonError) as caught:
        forget_quarantined(ledger, "/a", reason="emty")
    # the reasons of the rows that stand (future_date's and unreadable's rows are older than
    # the verdicts standing on their files)
    assert str(caught.value) == (
        "no quarantined record of /a whose refusal stands has the reason 'emty'; its reasons "
        "that stand: bad_date, empty, malformed_json (news-etl quarantine list --standing)"
    )
    with pytest.raises(UnknownReasonError) as caught:
        forget_quarantined(ledger, "/b", reason="bad_date")  # a reason of another zone only
    assert str(caught.value).endswith("has the reason 'bad_date'; its reasons that stand: empty "
                                      "(news-etl quarantine list --standing)")  # fmt: skip
    with pytest.raises(UnknownReasonError) as caught:
        forget_quarantined(ledger, "/c", reason="empty")
    assert str(caught.value) == (
        "no quarantined record of /c whose refusal stands has the reason 'empty'; none stands"
    )
    assert _ledger(ledger) == before


def test_replay_says_what_became_of_exactly_the_forgotten_files() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ingest_ledger (landing VARCHAR, path VARCHAR, outcome VARCHAR,"
        " last_run_id VARCHAR)"
    )
    con.execute(
        "INSERT INTO ingest_ledger VALUES ('/a', 'x.txt', 'loaded', 'r2'),"
        " ('/a', 'y.txt', 'quarantined', 'r2'), ('/a', 'new.txt', 'quarantined', 'r2'),"
        " ('/a', 'old.txt', 'loaded', 'r1'), ('/b', 'z.txt', 'loaded', 'r2')"
    )
    con.execute(
        "CREATE TABLE quarantine (landing VARCHAR, run_id VARCHAR, path VARCHAR,"
        " sha256 VARCHAR DEFAULT 'h', stage VARCHAR DEFAULT 'ingest')"
    )
    con.execute(
        "INSERT INTO quarantine (landing, run_id, path) VALUES ('/a', 'r2', 'y.txt'),"
        " ('/a', 'r2', 'y.txt'),"
        " ('/a', 'r2', 'x.txt'), ('/a', 'r2', 'new.txt'), ('/a', 'r1', 'y.txt'),"
        " ('/b', 'r2', 'z.txt')"
    )
    forgotten = Forgotten(
        (
            ("x.txt", "h1", "quarantined"),
            ("x.txt", "h0", "quarantined"),  # an older content of the same file
            ("y.txt", "h2", "loaded"),
            ("z.txt", "h3", "quarantined"),  # gone from /a (the row of /b is another zone's)
        )
    )
    replayed = replayed_outcomes(con, "/a", forgotten, "r2")
    assert replayed.files == Counter({"loaded": 1, "quarantined": 1, NOT_READ: 1})
    assert replayed.not_read == ("z.txt",)  # whose verdict the replay puts back (probe E)
    assert replayed.records_quarantined == 3  # y.txt twice and x.txt, in run r2, zone /a
    run = LoadSummary(run_id="r2", articles_loaded=3, duplicates=2, quarantined=4)
    assert replay_message(forgotten, replayed, run) == (
        "replay: forgot the verdicts on 3 files (2 refused whole, 1 loaded with bad records);"
        " run r2 read them again: 1 loaded, 0 duplicate, 1 refused whole again, 1 not read"
        " (gone from the landing zone: the verdict stands); 3 records of them quarantined again\n"
        "the run as a whole (with any other new file): 3 articles loaded, 2 duplicate records,"
        " 4 records quarantined"
    )
    nothing = Replayed(Counter(), 0)
    assert replay_message(Forgotten(()), nothing, run).startswith(
        "replay: no quarantined file to read again\n"
    )


def test_replay_forgets_refusals_of_files_never_read(ledger: duckdb.DuckDBPyConnection) -> None:
    """A file refused unread has no ledger row, only its refusal (``ingest_refusal``): a replay
    forgets that, and the file refused again reads as "refused whole again", not "not read"."""
    ledger.execute(
        "INSERT INTO ingest_refusal VALUES ('/a', 'link.txt', 'outside_landing'),"
        " ('/a', 'big.txt', 'too_large'), ('/b', 'link.txt', 'outside_landing')"
    )
    ledger.execute(
        "INSERT INTO quarantine (landing, path, sha256, reason) VALUES"
        " ('/a', 'link.txt', NULL, 'outside_landing'), ('/a', 'big.txt', NULL, 'too_large')"
    )
    forgotten = forget_quarantined(ledger, "/a", reason="outside_landing")
    assert forgotten.rows == (("link.txt", "", "quarantined"),)
    assert (forgotten.refused_whole, forgotten.with_bad_records) == (1, 0)
    left = ledger.execute("SELECT landing, path FROM ingest_refusal ORDER BY ALL").fetchall()
    assert left == [("/a", "big.txt"), ("/b", "link.txt")]
    forgotten = forget_quarantined(ledger, "/a")
    assert [p for p, _, _ in forgotten.rows] == ["big.txt", "t.jsonl", "x.txt", "y.txt"]

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ingest_ledger (landing VARCHAR, path VARCHAR, outcome VARCHAR,"
        " last_run_id VARCHAR)"
    )
    con.execute(
        "CREATE TABLE quarantine (landing VARCHAR, run_id VARCHAR, path VARCHAR,"
        " sha256 VARCHAR, stage VARCHAR)"
    )
    con.execute(
        "INSERT INTO quarantine VALUES ('/a', 'r2', 'link.txt', NULL, 'ingest'),"
        " ('/a', 'r1', 'gone.txt', NULL, 'ingest')"
    )
    gone = Forgotten((("gone.txt", "", "quarantined"), ("link.txt", "", "quarantined")))
    replayed = replayed_outcomes(con, "/a", gone, "r2")
    assert replayed.files == Counter({"quarantined": 1, NOT_READ: 1})


def test_replay_says_one_record_in_the_singular() -> None:
    """The whole run's line said "1 records quarantined" (found by hand, session 32)."""
    run = LoadSummary(run_id="r2", articles_loaded=1, duplicates=1, quarantined=1)
    assert replay_message(Forgotten(()), Replayed(Counter(), 0), run).splitlines()[1] == (
        "the run as a whole (with any other new file): 1 article loaded, 1 duplicate record,"
        " 1 record quarantined"
    )
