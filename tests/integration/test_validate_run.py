"""The validate stage checks a run's batches together, in chunks, and still rejects exactly the
bad records, in whichever batch they appear, with the expectation's name and the value."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl import pipeline

from .helpers import DATA_TABLES, checksums, query, settings_for

OLD = "An old story said the spokesman on Monday.\n\nA second paragraph follows here."


def _article(day: str, words: str, padding: str = "") -> bytes:
    body = f"{words} said the spokesman on Monday.\n\nA second paragraph follows here."
    return f" date {day} {body}{padding}".encode()


def _landing(root: Path) -> Path:
    """Batches of two files (sorted by name): [a-old, b0] [b1, b2] [b3, b4] [b5, c-dup] [d-old].

    ``c-dup`` and ``d-old`` differ from ``b0`` and ``a-old`` in their bytes only (trailing
    spaces): the same cleaned text, so the same article, met again in a later batch.
    """
    root.mkdir()
    (root / "a-old.txt").write_bytes(f" date 1850-06-01 {OLD}".encode())
    for i in range(6):
        (root / f"b{i}.txt").write_bytes(_article("2024-03-04", f"Story number {i}"))
    (root / "c-dup.txt").write_bytes(_article("2024-03-04", "Story number 0", "   "))
    (root / "d-old.txt").write_bytes(f" date 1850-06-01 {OLD}   ".encode())
    return root


def test_chunks_check_each_article_once_and_reject_every_copy(tmp_path: Path) -> None:
    root = _landing(tmp_path / "landing")
    chunked = settings_for(
        root, tmp_path / "chunked", batch_size=2, validate_chunk_articles=4, write_reports=False
    )
    summary = pipeline.run(chunked)
    assert summary.articles_loaded == 6

    rows = query(chunked.warehouse, "SELECT path, stage, reason, detail FROM quarantine")
    assert sorted((p, s, r) for p, s, r, _ in rows) == [
        ("a-old.txt", "validate", "expect_column_values_to_be_between"),
        ("d-old.txt", "validate", "expect_column_values_to_be_between"),
    ]
    assert all("published_date" in d and "1850-06-01" in d for *_, d in rows)
    loaded = {p for (p,) in query(chunked.warehouse, "SELECT source_file FROM fact_article")}
    assert loaded == {f"b{i}.txt" for i in range(6)}

    # Chunks [0, 1] and [2, 3] ran the suites; chunk [4] held only a copy of a checked article.
    # The copy of b0 in batch 3 was left out: article_id stays unique, terms too.
    failed = query(
        chunked.warehouse,
        "SELECT batch, suite, column_name, unexpected_count FROM fact_check_result"
        " WHERE NOT success ORDER BY ALL",
    )
    assert failed == [(0, "article", "published_date", 1)]
    batches = query(
        chunked.warehouse,
        "SELECT suite, list(DISTINCT batch ORDER BY batch) FROM fact_check_result"
        " WHERE batch >= 0 GROUP BY suite ORDER BY suite",
    )
    assert batches == [("article", [0, 2]), ("article_term", [0, 2]), ("raw_file", [0, 2])]
    stages = query(
        chunked.warehouse,
        "SELECT n_in, n_out, n_quarantined FROM etl_run_stage WHERE stage = 'validate'",
    )
    assert stages == [(9, 7, 2)]

    # One chunk for the whole run (the default) loads and rejects exactly the same.
    whole = settings_for(root, tmp_path / "whole", batch_size=2, write_reports=False)
    pipeline.run(whole)
    assert checksums(whole.warehouse) == checksums(chunked.warehouse, DATA_TABLES)
    assert sorted(query(whole.warehouse, "SELECT path, reason, detail FROM quarantine")) == sorted(
        (p, r, d) for p, _, r, d in rows
    )
    ((batch,),) = query(
        whole.warehouse, "SELECT list(DISTINCT batch) FROM fact_check_result WHERE batch >= 0"
    )
    assert batch == [0]


def test_post_load_partition_rows_are_keyed_by_the_day_as_text(tmp_path: Path) -> None:
    # The warehouse_partition suite names a failing partition by its key; the key is the day
    # as YYYY-MM-DD text, not a timestamp (a survivor of the seed-1201 mutation sample, #18).
    from datetime import date

    from etl.settings import load_settings
    from etl.validate.warehouse import warehouse_frames
    from etl.warehouse import writer

    with writer(load_settings(warehouse=tmp_path / "w.duckdb")) as con:
        frames = warehouse_frames(con, {date(2024, 3, 4): 2, date(2024, 2, 29): 0})
    rows = frames["wh_partitions"][["partition_date", "loaded_articles", "expected_articles"]]
    assert sorted(rows.itertuples(index=False, name=None)) == [
        ("2024-02-29", 0, 0),
        ("2024-03-04", 0, 2),
    ]


def test_a_run_of_several_batches_validates_in_a_child_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The chunks' frames must not stay in the run's process through the load (its memory peak):
    # a run of several batches validates in a forked child, and a failure there still fails
    # the run with its own type and message, recorded like any failed step.
    import os

    from etl.errors import StagingError
    from etl.validate import stage

    pids = tmp_path / "pids"
    real = stage.validate_staged

    def noting(*args: Any, **kwargs: Any) -> Any:
        with pids.open("a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(stage, "validate_staged", noting)
    settings = settings_for(_landing(tmp_path / "landing"), tmp_path / "out", batch_size=2)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 6
    (child,) = pids.read_text().split()
    assert int(child) != os.getpid()
    stages = query(settings.warehouse, "SELECT seconds FROM etl_run_stage WHERE stage = 'validate'")
    assert len(stages) == 1 and stages[0][0] > 0

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise StagingError("staged batch 3 is unreadable")

    monkeypatch.setattr(stage, "validate_staged", failing)
    (tmp_path / "landing" / "e-new.txt").write_bytes(_article("2024-03-05", "A new story"))
    (tmp_path / "landing" / "f-new.txt").write_bytes(_article("2024-03-05", "Another story"))
    (tmp_path / "landing" / "g-new.txt").write_bytes(_article("2024-03-05", "A third story"))
    with pytest.raises(StagingError, match="staged batch 3 is unreadable"):
        pipeline.run(settings)
    ((status, error),) = query(
        settings.warehouse,
        "SELECT status, error FROM etl_run ORDER BY started_at DESC LIMIT 1",
    )
    assert status == "failed"
    assert "staged batch 3 is unreadable" in error


def test_a_run_of_one_batch_validates_in_its_own_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One batch (a daily run of a few files): no child process, no second GX import.
    import os

    from etl.validate import stage

    pids: list[int] = []
    real = stage.validate_staged

    def noting(*args: Any, **kwargs: Any) -> Any:
        pids.append(os.getpid())
        return real(*args, **kwargs)

    monkeypatch.setattr(stage, "validate_staged", noting)
    settings = settings_for(_landing(tmp_path / "landing"), tmp_path / "out", batch_size=100)
    assert pipeline.run(settings).articles_loaded == 6
    assert pids == [os.getpid()]


def test_two_copies_of_an_article_in_one_batch_are_checked_once(tmp_path: Path) -> None:
    # One batch holds the same article twice, in files whose bytes differ (trailing spaces:
    # raw_bytes, a column the article suite checks, differs). The batch's article frame holds
    # it once: one row checked, and the article_id uniqueness check passes.
    root = tmp_path / "landing"
    root.mkdir()
    (root / "a.txt").write_bytes(_article("2024-03-04", "Story number 0"))
    (root / "b.txt").write_bytes(_article("2024-03-04", "Story number 0", "   "))
    (root / "c.txt").write_bytes(_article("2024-03-04", "Story number 1"))
    settings = settings_for(root, tmp_path / "wh", write_reports=False)
    summary = pipeline.run(settings)
    assert summary.articles_loaded == 2
    assert query(settings.warehouse, "SELECT count(*) FROM quarantine") == [(0,)]
    counts = query(
        settings.warehouse,
        "SELECT DISTINCT element_count FROM fact_check_result"
        " WHERE suite = 'article' AND batch = 0 AND element_count IS NOT NULL",
    )
    assert counts == [(2,)]


def test_the_loader_calls_its_post_load_check_only_for_written_days_and_loads_without_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # load_staged's post_load callback is optional: without one the run loads unchecked. With
    # one it gets the articles each written day must hold, and is not called by a run that
    # writes no day (a renamed copy of loaded bytes: a duplicate).
    from datetime import date

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_article("2024-03-04", "A story about tin"))
    (landing / "b.txt").write_bytes(_article("2024-03-04", "A story about lead"))
    monkeypatch.setattr(pipeline, "_post_load_check", lambda *args: None)
    unchecked = pipeline.run(settings_for(landing, tmp_path / "unchecked"))
    assert (unchecked.status, unchecked.articles_loaded) == ("success", 2)

    calls: list[dict[Any, int]] = []

    def recording(*args: Any) -> Any:
        def check(con: Any, expected: dict[Any, int]) -> list[dict[str, Any]]:
            calls.append(dict(expected))
            return []

        return check

    monkeypatch.setattr(pipeline, "_post_load_check", recording)
    settings = settings_for(landing, tmp_path / "checked")
    assert pipeline.run(settings).articles_loaded == 2
    assert calls == [{date(2024, 3, 4): 2}]
    (landing / "copy-of-a.txt").write_bytes((landing / "a.txt").read_bytes())
    again = pipeline.run(settings)
    assert (again.status, again.articles_loaded, again.files_duplicate) == ("success", 0, 1)
    assert calls == [{date(2024, 3, 4): 2}]


def test_a_failed_post_load_check_refuses_the_run_and_leaves_nothing_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loader's post-load callback reports one failed check: the run is refused (its error
    # names the check and its count), the written data is undone, and the failed check is kept
    # as evidence. A survivor of the seed-1204 mutation sample (issue #18):
    # loader._write_data__mutmut_21 ignored the refusal and committed the data; the test that
    # corrupts a warehouse to fail these checks (test_quality.py) is not a fast test.
    from etl.errors import BatchValidationError

    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a.txt").write_bytes(_article("2024-03-04", "A story about tin"))
    real = pipeline._post_load_check
    failed: list[dict[str, Any]] = []

    def one_check_fails(*args: Any) -> Any:
        check = real(*args)

        def failing(con: Any, expected: dict[Any, int]) -> list[dict[str, Any]]:
            rows = check(con, expected)
            rows[0] = {**rows[0], "success": False, "unexpected_count": 3}
            failed.append(rows[0])
            return rows

        return failing

    monkeypatch.setattr(pipeline, "_post_load_check", one_check_fails)
    settings = settings_for(landing, tmp_path)
    with pytest.raises(BatchValidationError, match="post-load warehouse checks failed"):
        pipeline.run(settings)
    (row,) = failed
    name = f"{row['suite']}.{row['expectation']}({row['column_name'] or ''})"
    ((status, error),) = query(settings.warehouse, "SELECT status, error FROM etl_run")
    assert status == "failed"
    assert error.endswith(f"{name} unexpected=3; nothing was loaded"), error
    for table in ("fact_article", "article_text", "fact_article_term"):
        assert query(settings.warehouse, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert query(
        settings.warehouse, "SELECT count(*) FROM ingest_ledger WHERE outcome = 'loaded'"
    ) == [(0,)]
    stored = query(
        settings.warehouse,
        "SELECT suite, column_name, unexpected_count FROM fact_check_result WHERE NOT success",
    )
    assert stored == [(row["suite"], row["column_name"], 3)]
