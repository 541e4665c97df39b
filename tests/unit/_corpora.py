"""The shared real corpora (``../shared/corpora`` beside the repository), for unit tests.

Tests only read short sentences or single files from them; a test that needs a file skips when
the corpora folder is missing (e.g. a checkout without the shared data).
"""

from __future__ import annotations

from pathlib import Path

import pytest

CORPORA = Path(__file__).parents[2].parent / "shared" / "corpora"


def corpus_path(relative: str) -> Path:
    """The path of ``relative`` inside the corpora; skips the test when it is absent."""
    path = CORPORA / relative
    if not path.is_file():
        pytest.skip(f"real corpora not found at {CORPORA}")
    return path


def seed_body() -> str:
    """The body of the seed article, after its `` date 2021-04-07 `` header."""
    text = corpus_path("seed/000_b778bd1770123a64.txt").read_text(encoding="utf-8")
    header = " date 2021-04-07 "
    assert text.startswith(header)
    return text[len(header) :]
