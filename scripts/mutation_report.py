"""Print the per-module table of a mutation run from mutmut's results in mutants/.

Modules are the scopes of the mutation run (etl/ingest, etl/load, etl/validate, etl/errors.py,
etl/query.py). "killed" counts test failures, "timeout" mutants stopped by mutmut's time limit
(detected too, counted in the score as killed; listed apart because a limit set too tight
would inflate them); "no tests" are mutants in functions no selected test reaches (undetected,
so they count as surviving). The score is (killed + timeout) / (killed + timeout + survived +
no tests) over the mutants that were run, with its 95 % Wilson interval. Mutants marked
equivalent in the code (``# pragma: no mutate``, with the reason next to it) are not generated;
"equivalent" counts the marked places.

``--sample``: only the mutants drawn by ``scripts/mutation_sample.py`` (each module's row then
says "n of N"): the score of a random sample, an estimate of the full run's score.
Survivors are listed by name (``mutmut show NAME``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
SCOPES = ("etl/ingest", "etl/load", "etl/validate", "etl/errors.py", "etl/query.py")
KILLED = {1, 3}  # a test failed, or pytest errored
TIMEOUT = {24, 36, 152, 255, -24}
SURVIVED = {0}
NO_TESTS = {5, 33}


def scope_of(source: str) -> str | None:
    """The scope a source file (``etl/...py``) belongs to, or None when out of scope."""
    for scope in SCOPES:
        if source == scope or source.startswith(scope + "/"):
            return scope
    return None


def mutant_results() -> dict[str, tuple[str, int | None]]:
    """Every generated mutant's name -> (its source file, mutmut's exit code or None)."""
    results: dict[str, tuple[str, int | None]] = {}
    for meta in sorted((MUTANTS / "etl").rglob("*.py.meta")):
        source = str(meta.relative_to(MUTANTS))[: -len(".meta")]
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        for name, code in codes.items():
            results[name] = (source, code)
    return results


def outcome(code: int | None) -> str:
    """The table column of one exit code."""
    if code is None:
        return "not run"
    if code in KILLED:
        return "killed"
    if code in TIMEOUT:
        return "timeout"
    if code in SURVIVED:
        return "survived"
    if code in NO_TESTS:
        return "no tests"
    return "other"  # skipped, suspicious, segfault, caught by type check


def wilson(successes: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``successes / n`` (95 % by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


def equivalent_marks(scope: str) -> int:
    """The ``# pragma: no mutate`` places (equivalent mutants, with reasons) in a scope."""
    files = [ROOT / scope] if scope.endswith(".py") else sorted((ROOT / scope).rglob("*.py"))
    return sum(
        text.count("pragma: no mutate") - text.count("pragma: no mutate end")
        for text in (path.read_text(encoding="utf-8") for path in files)
    )


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 when no results exist yet."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", action="store_true", help="only the sampled mutants")
    args = parser.parse_args(argv)
    results = mutant_results()
    if not results:
        print("no mutation results yet: run `make mutation` first", file=sys.stderr)
        return 1
    population: Counter[str] = Counter()
    for source, _code in results.values():
        population[scope_of(source) or ""] += 1
    chosen: dict[str, set[str]] | None = None
    if args.sample:
        sample_file = MUTANTS / "mutation-sample.json"
        if not sample_file.is_file():
            print("no sample drawn yet: run `make mutation-sample` first", file=sys.stderr)
            return 1
        drawn = json.loads(sample_file.read_text(encoding="utf-8"))["sample"]
        chosen = {scope: set(names) for scope, names in drawn.items()}

    rows: dict[str, Counter[str]] = defaultdict(Counter)
    listed: dict[str, list[str]] = defaultdict(list)
    for name, (source, code) in sorted(results.items()):
        scope = scope_of(source)
        if scope is None or (chosen is not None and name not in chosen.get(scope, set())):
            continue
        column = outcome(code)
        rows[scope][column] += 1
        rows[scope]["considered"] += 1
        if column in ("survived", "no tests"):
            listed[scope].append(f"{column}: {name}")

    head = ["module", "mutants", "run", "killed", "timeout", "survived", "no tests"]
    head += ["not run", "other", "equivalent", "score", "95 % CI"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for scope in SCOPES:
        r = rows[scope]
        caught = r["killed"] + r["timeout"]
        decided = caught + r["survived"] + r["no tests"]
        mutants = str(population[scope])
        if chosen is not None:
            mutants = f"{r['considered']} of {population[scope]} (sample)"
        low, high = wilson(caught, decided)
        score = f"{100 * caught / decided:.1f} %" if decided else "-"
        interval = f"{100 * low:.0f}-{100 * high:.0f} %" if decided else "-"
        counts = [str(r[k]) for k in ("killed", "timeout", "survived", "no tests", "not run")]
        cells = [scope, mutants, str(decided + r["other"]), *counts, str(r["other"])]
        cells += [str(equivalent_marks(scope)), score, interval]
        print("| " + " | ".join(cells) + " |")
    for scope in SCOPES:
        for line in listed[scope]:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
