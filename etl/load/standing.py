"""What the warehouse says stands now of its landing zones' files: each file's latest verdict, and
the quarantine that stands. Said once here: ``news-etl summary`` counts it, ``news-etl replay``
reads again the files it names, and ``news-etl quarantine list --standing`` lists it.

Up to session 38 the summary and replay each had their own definition. Replay ordered runs by
their ids, which sort by start time only to the second (``YYYYMMDDTHHMMSSZ-<random>``): a
replay started in the same second as the run it followed could take that run's old quarantine
rows for its own verdict's; and it forgot the rows of a file's earlier contents, which the file
no longer holds.
"""

from __future__ import annotations

from etl.contracts import LedgerOutcome

#: Each file's latest ledger row (by when a run last saw it): what the warehouse says of the
#: file's content now. A SQL relation over ``ingest_ledger``.
LATEST_LEDGER = """
    SELECT landing, path, sha256, outcome, first_run_id FROM ingest_ledger
    QUALIFY row_number() OVER (PARTITION BY landing, path ORDER BY last_seen DESC, first_seen DESC)
            = 1
"""

#: Common table expressions ``latest`` (:data:`LATEST_LEDGER`) and ``standing``: the quarantine
#: as it stands, each ``(landing, path, sha256, record, reason)`` once however many runs refused
#: it (a file that cannot be read is refused by every run). A row stands when:
#:
#: * the file was refused unread (no hash) and its refusal is remembered (``ingest_refusal``)
#:   for the same reason; or, not remembered, while no run has read the file since;
#: * the file's content was read (a hash): the ledger has no row for the file (nothing has
#:   judged it since), or its latest row is of that same content and was written by the row's
#:   run or an earlier one (by start time: `replay` forgets a row and its run writes it again;
#:   the records refused before are then history), and the verdict refused the file whole or
#:   this row is about one record (a file that loaded keeps only its bad records' rows).
#:
#: Not standing: the rows of a file's earlier content (it changed since: the later content
#: loaded, or was refused for its own reasons), and those a later verdict replaced.
STANDING_QUARANTINE = f"""
    latest AS ({LATEST_LEDGER}),
    standing AS (
        SELECT DISTINCT q.landing, q.path, q.sha256, q.record, q.reason
        FROM quarantine q
        LEFT JOIN latest l ON l.landing = q.landing AND l.path = q.path
        LEFT JOIN ingest_refusal r ON r.landing = q.landing AND r.path = q.path
        LEFT JOIN etl_run judged ON judged.run_id = l.first_run_id
        LEFT JOIN etl_run wrote ON wrote.run_id = q.run_id
        WHERE CASE WHEN r.path IS NOT NULL THEN q.sha256 IS NULL AND q.reason = r.reason
                   WHEN q.sha256 IS NULL THEN l.path IS NULL
                   ELSE l.path IS NULL OR (l.sha256 = q.sha256
                        AND NOT coalesce(wrote.started_at < judged.started_at, false)
                        AND (l.outcome = '{LedgerOutcome.QUARANTINED}'
                             OR q.record IS NOT NULL)) END
    )
"""
