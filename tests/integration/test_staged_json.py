"""A staged JSON file (the run's plan, its ledger snapshot) is parsed once per process while its
bytes stay the same, and anew as soon as they change."""

from __future__ import annotations

import json
from pathlib import Path

from etl.pipeline import _read_json
from etl.storage import location


def test_an_unchanged_file_is_parsed_once_and_a_rewritten_one_again(tmp_path: Path) -> None:
    target = location(tmp_path / "plan.json")
    target.write_text(json.dumps({"run_id": "r-1", "title": "Zürich café"}))
    first = _read_json(target)
    assert first == {"run_id": "r-1", "title": "Zürich café"}
    assert _read_json(target) is first  # the parsed value, not a second parse
    # The same length, another content: parsed anew.
    target.write_text(json.dumps({"run_id": "r-2", "title": "Zürich café"}))
    assert _read_json(target) == {"run_id": "r-2", "title": "Zürich café"}
    # Written in place (no rename), as a tool or a person might.
    Path(tmp_path / "plan.json").write_text('{"run_id": "r-3"}', encoding="utf-8")
    assert _read_json(target) == {"run_id": "r-3"}
