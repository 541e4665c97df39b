"""Print the per-module table of a `make mutation` run from mutmut's results in mutants/.

Modules are the scopes of the mutation run (etl/ingest, etl/load, etl/validate, etl/errors.py,
etl/query.py). Killed counts test failures and timeouts (the mutant was detected); "no tests"
are mutants in functions no selected test reaches (undetected, so they count as surviving);
the score is killed / (killed + survived + no tests), over the mutants that were run. Mutants
marked equivalent in the code (``# pragma: no mutate``, with the reason next to it) are not
generated; the table counts the marked places. Survivors are listed by name
(``mutmut show NAME``).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCOPES = ("etl/ingest", "etl/load", "etl/validate", "etl/errors.py", "etl/query.py")
KILLED = {1, 3, 24, 36, 152, 255, -24}  # test failure, pytest error, timeouts
SURVIVED = {0}


def scope_of(source: str) -> str | None:
    """The scope a source file (``etl/...py``) belongs to, or None when out of scope."""
    for scope in SCOPES:
        if source == scope or source.startswith(scope + "/"):
            return scope
    return None


def main() -> int:
    """Print the table; exit 1 when no results exist yet."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for meta in sorted((ROOT / "mutants" / "etl").rglob("*.py.meta")):
        source = str(meta.relative_to(ROOT / "mutants"))[: -len(".meta")]
        scope = scope_of(source)
        if scope is None:
            continue
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in codes.items():
            if code in KILLED:
                rows[scope]["killed"] += 1
            elif code in SURVIVED:
                rows[scope]["survived"] += 1
                survivors[scope].append(name)
            elif code is None:
                rows[scope]["not run"] += 1
            elif code in (5, 33):
                rows[scope]["no tests"] += 1
            else:
                rows[scope]["other"] += 1  # skipped, suspicious, segfault
            rows[scope]["mutants"] += 1
    for scope in SCOPES:
        files = [ROOT / scope] if scope.endswith(".py") else (ROOT / scope).rglob("*.py")
        rows[scope]["equivalent"] = sum(
            text.count("pragma: no mutate") - text.count("pragma: no mutate end")
            for text in (path.read_text(encoding="utf-8") for path in files)
        )
    if not any(rows[s]["mutants"] for s in SCOPES):
        print("no mutation results yet: run `make mutation` first", file=sys.stderr)
        return 1
    head = (
        "module",
        "mutants",
        "killed",
        "survived",
        "no tests",
        "not run",
        "other",
        "equivalent",
        "score",
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for scope in SCOPES:
        r = rows[scope]
        decided = r["killed"] + r["survived"] + r["no tests"]
        score = f"{100 * r['killed'] / decided:.1f} %" if decided else "-"
        cells = [scope, *(str(r[k]) for k in head[1:-1]), score]
        print("| " + " | ".join(cells) + " |")
    for scope in SCOPES:
        for name in survivors[scope]:
            print(f"survived: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
