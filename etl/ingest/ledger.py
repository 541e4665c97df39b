"""The ledger: what the warehouse already knows about raw files, read once per run."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb


@dataclass(frozen=True)
class LedgerEntry:
    """What the ledger recorded for one (path, content) of a landing zone."""

    sha256: str
    size_bytes: int
    mtime_ns: int | None
    outcome: str
    article_id: str | None


@dataclass
class LedgerView:
    """The ledger of one landing zone (what the plan and ingest need to know of earlier runs;
    nothing proportional to the rest of the warehouse)."""

    by_path: dict[str, list[LedgerEntry]] = field(default_factory=dict)
    #: raw-file hash → article id, for files already loaded (or duplicates) under any path
    file_articles: dict[str, str] = field(default_factory=dict)

    def unchanged(self, path: str, size: int, mtime_ns: int) -> LedgerEntry | None:
        """The entry of a file that has not changed since it was last read, if any."""
        for entry in self.by_path.get(path, ()):
            if entry.size_bytes == size and entry.mtime_ns == mtime_ns:
                return entry
        return None

    def entry(self, path: str, sha256: str) -> LedgerEntry | None:
        """The entry for this exact path and content, if the ledger has one."""
        for entry in self.by_path.get(path, ()):
            if entry.sha256 == sha256:
                return entry
        return None


def read_ledger(con: duckdb.DuckDBPyConnection | None, landing: str) -> LedgerView:
    """Load the ledger of ``landing`` (empty if no warehouse yet)."""
    view = LedgerView()
    if con is None:
        return view
    rows = con.execute(
        "SELECT path, sha256, size_bytes, mtime_ns, outcome, article_id "
        "FROM ingest_ledger WHERE landing = ?",
        [landing],
    ).fetchall()
    for path, sha, size, mtime, outcome, article_id in rows:
        view.by_path.setdefault(path, []).append(LedgerEntry(sha, size, mtime, outcome, article_id))
        if outcome in ("loaded", "duplicate") and article_id is not None:
            view.file_articles[sha] = article_id
    return view
