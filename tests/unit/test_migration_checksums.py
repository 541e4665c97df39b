"""No migration text changes once it is on main: ``schemas/migrations/checksums.json`` pins each
one. Sixteen were edited anyway (sessions 1-35) and warehouses of two released versions could no
longer be opened (probe, session 41): their earlier texts are listed as superseded instead."""

from __future__ import annotations

import hashlib
import json

from etl.load.migrations import CHECKSUMS_FILE, discover
from etl.settings import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "schemas" / "migrations"
REGISTRY = json.loads((MIGRATIONS / CHECKSUMS_FILE).read_text(encoding="utf-8"))


def test_every_migration_keeps_the_text_it_was_released_with() -> None:
    files = sorted(MIGRATIONS.glob("*.sql"))
    found = {
        f.name[:4]: hashlib.sha256(f.read_text(encoding="utf-8").encode()).hexdigest()
        for f in files
    }
    changed = sorted(
        v for v, s in found.items() if v in REGISTRY["applied"] and s != REGISTRY["applied"][v]
    )
    assert not changed, (
        f"migrations {changed} were edited: a warehouse that applied them can no longer be "
        "opened; put the change in a new migration and restore the old text"
    )
    unlisted = sorted(set(found) - set(REGISTRY["applied"]))
    assert not unlisted, f"add the checksums of the new migrations {unlisted} to {CHECKSUMS_FILE}"
    assert set(REGISTRY["applied"]) == set(found)


def test_the_registry_describes_the_migrations_the_code_reads() -> None:
    migrations = {f"{m.version:04d}": m.checksum for m in discover(MIGRATIONS)}
    assert migrations == REGISTRY["applied"]
    for version, earlier in REGISTRY["superseded"].items():
        assert version in migrations
        assert migrations[version] not in earlier  # the current text is not a superseded one
        assert all(len(s) == 64 and int(s, 16) >= 0 for s in earlier)
