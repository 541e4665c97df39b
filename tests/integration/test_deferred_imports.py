"""GX's start-up imports that no suite uses (``scipy.stats``, ``altair``: ~1 s of a one-file run)
stay unimported through a whole run, Data Docs and the run report included, and are imported
when a GX expectation that needs them is used; datasketch (and through it ``scipy.integrate``
and ``redis``) and the optional libraries GX would import for SQL and S3 (SQLAlchemy, boto3) are
never imported by a run; the pipeline's module imports neither the reader nor the loader (the
GX helper imports it for the functions the run sends it).

Each check runs in a fresh interpreter: the test process has imported much already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from etl.deferred import UNUSED_BY_VALIDATION

_RUN = """
import json, sys
from pathlib import Path
from etl import pipeline
from etl.deferred import HIDDEN_FROM_VALIDATION as HIDDEN, is_imported
from etl.settings import load_settings

NEVER = ("datasketch", "scipy.integrate", "redis")

tmp = Path(sys.argv[1])
settings = load_settings(
    landing=tmp / "landing", warehouse=tmp / "w.duckdb", staging_dir=tmp / "staging",
    write_reports=True, workers=1,
)
result = pipeline.run(settings)
names = sys.argv[2:]
before = {n: n in sys.modules and is_imported(sys.modules[n]) for n in names}
never = sorted(n for n in (*NEVER, *HIDDEN) if n in sys.modules)

# GX's KL-divergence expectation reads scipy.stats (``stats``) and altair (``alt``) when used
from great_expectations.expectations.core import expect_column_kl_divergence_to_be_less_than as kl
entropy = kl.stats.entropy([0.5, 0.5], base=2)
chart = type(kl.alt.Chart()).__name__
after = {n: is_imported(sys.modules[n]) for n in names}
print(json.dumps({"loaded": result.articles_loaded, "before": before, "after": after,
                  "never": never, "entropy": float(entropy), "chart": chart}))
"""


def test_a_run_never_imports_what_only_unused_expectations_need(tmp_path: Path) -> None:
    day = tmp_path / "landing" / "2021-04-07"
    day.mkdir(parents=True)
    body = "Ministers met in Kabul.\n\nThe talks went on for hours, officials said."
    (day / "a.txt").write_text(f" date 2021-04-07 {body}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, str(tmp_path), *UNUSED_BY_VALIDATION],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["loaded"] == 1
    assert list((tmp_path / "reports").glob("*/data_docs/index.html"))  # built in that run
    assert list((tmp_path / "reports").glob("*/report.html"))
    assert out["before"] == {"scipy.stats": False, "altair": False}
    # the text stage reproduces datasketch's MinHash scheme instead of importing the package,
    # which imports scipy.integrate and redis for indexes the project never builds (0.38 s);
    # GX goes on without SQLAlchemy and boto3, which it imports for SQL and S3 (0.22 s)
    assert out["never"] == []
    assert out["after"] == {"scipy.stats": True, "altair": True}
    assert out["entropy"] == 1.0  # two equal halves: one bit
    assert out["chart"] == "Chart"


def test_the_pipeline_module_leaves_the_reader_and_the_loader_to_the_steps_that_use_them() -> None:
    """The run's GX helper imports :mod:`etl.pipeline` (for the functions the run sends it) on
    its way to its first answer, the longest path of a one-file run: the ingest reader (ftfy)
    and the loader are ~0.1 s of it that the helper never uses."""
    code = (
        "import json, sys; import etl.pipeline; "
        "print(json.dumps(sorted(m for m in sys.modules if m in sys.argv[1:])))"
    )
    heavy = ["etl.ingest.reader", "etl.load.loader", "etl.load.write", "ftfy", "etl.text.terms"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *heavy],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
