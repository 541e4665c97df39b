"""The shared real corpora (``../shared/corpora`` beside the repository, or
``NEWS_ETL_CORPORA_DIR``), for tests.

Tests only read short sentences or single files from them. When the corpora are missing, a test
that needs them skips on a developer's machine (a checkout without the shared data) but FAILS
when ``CI`` is set: in CI a missing corpus is a broken set-up, not a reason to run a third fewer
integration tests.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

#: ``NEWS_ETL_CORPORA_DIR`` when set (e.g. by ``make mutation``, whose copy of the tests lives
#: in ``mutants/``), else ``shared/corpora`` next to the repository.
CORPORA = Path(
    os.environ.get("NEWS_ETL_CORPORA_DIR")
    or Path(__file__).parents[2].parent / "shared" / "corpora"
)


def in_ci() -> bool:
    """Whether the tests run in CI (``CI`` set to anything but empty, ``0`` or ``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def corpora_missing(detail: str = "") -> NoReturn:
    """Fail the test in CI, skip it elsewhere, saying where the corpora were looked for."""
    message = f"real corpora not found at {CORPORA}{detail} (set NEWS_ETL_CORPORA_DIR)"
    if in_ci():
        pytest.fail(message + ": CI must have them", pytrace=False)
    pytest.skip(message)


def corpus_path(relative: str) -> Path:
    """The path of ``relative`` inside the corpora; skips (fails in CI) when it is absent."""
    path = CORPORA / relative
    if not path.is_file():
        corpora_missing(f" ({relative})")
    return path


def seed_body() -> str:
    """The body of the seed article, after its `` date 2021-04-07 `` header."""
    text = corpus_path("seed/000_b778bd1770123a64.txt").read_text(encoding="utf-8")
    header = " date 2021-04-07 "
    assert text.startswith(header)
    return text[len(header) :]
