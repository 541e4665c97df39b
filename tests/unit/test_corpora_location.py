"""Where the tests look for the real corpora, and what a missing corpus does in CI."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (the module reads the environment at import)."""
    base = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**base, **env},
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def test_news_etl_corpora_dir_is_honoured(tmp_path: Path) -> None:
    done = _run(
        "from tests.unit._corpora import CORPORA; print(CORPORA)",
        {"NEWS_ETL_CORPORA_DIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path)


def test_default_is_shared_corpora_beside_the_repository() -> None:
    done = _run("from tests.unit._corpora import CORPORA; print(CORPORA)", {})
    assert done.stdout.strip() == str(REPO.parent / "shared" / "corpora")


_NEEDS_A_FILE = """
import pytest
from tests.unit._corpora import corpus_path
try:
    corpus_path("seed/nothing-here.txt")
except pytest.fail.Exception:
    print("failed")
except pytest.skip.Exception:
    print("skipped")
"""


def test_a_missing_corpus_fails_in_ci_and_skips_elsewhere(tmp_path: Path) -> None:
    where = {"NEWS_ETL_CORPORA_DIR": str(tmp_path / "absent")}
    assert _run(_NEEDS_A_FILE, {**where, "CI": "true"}).stdout.strip() == "failed"
    assert _run(_NEEDS_A_FILE, where).stdout.strip() == "skipped"
    assert _run(_NEEDS_A_FILE, {**where, "CI": ""}).stdout.strip() == "skipped"
