"""The cross-process cache of derived arrays (etl.cache) and the language model kept in it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from etl.cache import cached_arrays
from etl.settings import load_settings


def test_built_once_then_loaded(tmp_path: Path) -> None:
    settings = load_settings().model_copy(update={"cache_dir": tmp_path})
    calls: list[int] = []

    def build() -> dict[str, np.ndarray]:
        calls.append(1)
        return {"a": np.arange(5, dtype=np.int64), "names": np.asarray(["en", "de"])}

    first = cached_arrays("thing", {"v": 1}, build, settings)
    again = cached_arrays("thing", {"v": 1}, build, settings)
    other = cached_arrays("thing", {"v": 2}, build, settings)  # other inputs: another entry
    assert len(calls) == 2
    assert again["a"].tolist() == first["a"].tolist() == [0, 1, 2, 3, 4]
    assert again["names"].tolist() == ["en", "de"] and other["a"].tolist() == [0, 1, 2, 3, 4]
    assert not again["a"].flags.writeable  # memory-mapped read-only
    assert len([p for p in tmp_path.iterdir() if not p.name.startswith(".")]) == 2


def test_a_broken_entry_is_rebuilt_and_an_unwritable_cache_still_answers(tmp_path: Path) -> None:
    settings = load_settings().model_copy(update={"cache_dir": tmp_path / "cache"})
    cached_arrays("thing", 1, lambda: {"a": np.ones(3)}, settings)
    (entry,) = (tmp_path / "cache").iterdir()
    (entry / "a.npy").write_bytes(b"garbage")
    assert cached_arrays("thing", 1, lambda: {"a": np.zeros(3)}, settings)["a"].tolist() == [0] * 3
    assert cached_arrays("thing", 1, lambda: {"a": np.ones(3)}, settings)["a"].tolist() == [0] * 3
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    unwritable = load_settings().model_copy(update={"cache_dir": blocked / "cache"})
    assert cached_arrays("thing", 1, lambda: {"a": np.ones(2)}, unwritable)["a"].tolist() == [1, 1]


def test_language_model_from_the_cache_equals_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process that finds the model in the cache scores exactly as one that built it."""
    from etl.text import language

    monkeypatch.setenv("NEWS_ETL_CACHE_DIR", str(tmp_path))
    built = language._model_arrays()
    texts = ["The cat sat on the mat.", "Der Hund schläft im Garten.", "日本語の文章です。", "123"]
    answers = []
    for _ in range(2):  # the first call builds and stores the entry, the second loads it
        language._model.cache_clear()
        model = language._model()
        for key, value in built.items():
            assert np.array_equal(getattr(model, key), value), key
        answers.append(language.detect_languages(texts))
    language._model.cache_clear()
    assert answers[0] == answers[1]
    assert [a.code for a in answers[0]] == ["en", "de", "ja", "und"]
    assert any(tmp_path.iterdir())
