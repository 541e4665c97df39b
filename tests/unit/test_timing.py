"""The stage recorder and the stage table the CLI prints."""

from __future__ import annotations

import pytest

from etl.timing import Recorder, format_stage_table, recording, timed


def test_a_stage_recorded_twice_adds_up() -> None:
    recorder = Recorder()
    recorder.add("report", 1.5, 3, 3)
    recorder.add("report", 0.5, 1, 1)
    (only,) = recorder.take()
    assert (only.stage, only.seconds, only.n_in, only.n_out) == ("report", 2.0, 4, 4)
    assert recorder.take() == []


def test_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        Recorder().add("lunch", 1.0)


def test_timed_records_only_inside_recording() -> None:
    with timed("report"):
        pass  # no recorder: nothing to record, no error
    with recording() as recorder, recording() as inner, timed("data_docs"):
        assert inner is recorder
    assert [t.stage for t in recorder.times] == ["data_docs"]


def test_stage_table_totals_only_whole_stages_in_run_order() -> None:
    table = format_stage_table(
        [("load", 4.0), ("load.stories", 1.0), ("plan", 1.0), ("startup", 2.0)], 8.0
    )
    lines = table.splitlines()
    assert [line.split()[0] for line in lines[1:5]] == ["startup", "plan", "load", "load.stories"]
    assert lines[4].startswith("  load.stories")
    total = next(line for line in lines if line.startswith("stages total"))
    assert total.split()[2:4] == ["7.00", "87.5%"]
