"""A warehouse that named tl "Filipino (Philippines)" (the locale Babel parses tl as) is told
Tagalog by migration 0042; the loader names it so from then on (probe C, session 47). Expected
names are literals."""

from __future__ import annotations

from pathlib import Path

from etl.load.migrations import migrate
from etl.warehouse import writer

from .helpers import query, schemas_up_to, settings_for


def test_tagalog_is_renamed_and_other_names_are_kept(tmp_path: Path) -> None:
    older = schemas_up_to(tmp_path, 41, "0042_tagalog_named.sql")
    old = settings_for(tmp_path / "landing", tmp_path, write_reports=False, schemas_dir=older)
    with writer(old) as con:
        con.execute(
            "INSERT INTO dim_language VALUES ('tl', 'Filipino (Philippines)'), ('de', 'German'),"
            " ('xx', 'Filipino (Philippines)')"
        )
    new = settings_for(tmp_path / "landing", tmp_path, write_reports=False)
    with writer(new) as con:
        migrate(con, new.migrations_dir)
    assert sorted(query(new.warehouse, "SELECT * FROM dim_language")) == [
        ("de", "German"),
        ("tl", "Tagalog"),
        ("xx", "Filipino (Philippines)"),
    ]
