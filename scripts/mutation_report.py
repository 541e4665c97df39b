"""Print the per-module table of a mutation run from mutmut's results in mutants/.

Modules are the scopes of the mutation run (etl/ingest, etl/load, etl/validate, etl/errors.py,
etl/query.py). "killed" counts test failures, "timeout" mutants stopped by mutmut's time limit
(detected too, counted in the score as killed; listed apart because a limit set too tight
would inflate them); "no tests" are mutants in functions no selected test reaches (undetected,
so they count as surviving). The score is (killed + timeout) / (killed + timeout + survived +
no tests) over the mutants that were run, with its 95 % Wilson interval. Mutants marked
equivalent in the code (``# pragma: no mutate``, with the reason next to it) are not generated;
"equivalent" counts the marked places.

``--sample``: only the mutants drawn by ``scripts/mutation_sample.py``. Each module's row then
gives the mutants drawn (of the module's N), their outcomes, the drawn mutants judged
equivalent (recorded in ``mutants/mutation-sample.json`` with the reason, then marked in the code;
left out of the score), the score of the sample and its 95 % Wilson interval. That score is an
ESTIMATE of the full run's score (the interval is where the full score lies with 95 %
confidence), unless the module's whole population was drawn ("all": then it is exact).
Survivors are listed by name (``mutmut show NAME``).

A draw run in a shuffled order (``mutation_sample.py --shuffled-chunks K``, the order recorded
under ``order``) counts only its decided prefix: the mutants of the order up to the first one not
yet decided. They are a uniformly random subset of the draw; a mutant decided after that point
(in an invocation stopped mid-way, where mutmut runs the fastest first) counts as not run.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

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


def load_sample() -> dict[str, Any] | None:
    """The recorded draw (``mutants/mutation-sample.json``), or None when none was drawn."""
    sample_file = MUTANTS / "mutation-sample.json"
    if not sample_file.is_file():
        return None
    record: dict[str, Any] = json.loads(sample_file.read_text(encoding="utf-8"))
    record.setdefault("equivalent", {})
    return record


def decided_prefix(
    results: dict[str, tuple[str, int | None]], record: dict[str, Any]
) -> set[str] | None:
    """The names of a shuffled draw's order up to its first undecided one (equivalents count
    as decided), or None for a draw without an order."""
    if "order" not in record:
        return None
    prefix: set[str] = set()
    for name in record["order"]:
        if name in record["equivalent"]:
            continue
        if name not in results or results[name][1] is None:
            break
        prefix.add(name)
    return prefix


def sample_table(
    results: dict[str, tuple[str, int | None]], record: dict[str, Any]
) -> tuple[list[str], list[str]]:
    """The per-module table of a sample (lines) and its survivors (lines)."""
    population: Counter[str] = Counter()
    for source, _code in results.values():
        population[scope_of(source) or ""] += 1
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    listed: list[str] = []
    prefix = decided_prefix(results, record)
    for scope, names in record["sample"].items():
        for name in sorted(names):
            code = results[name][1] if name in results else None
            column = outcome(code) if prefix is None or name in prefix else "not run"
            rows[scope][column] += 1
            rows[scope]["drawn"] += 1
            if column in ("survived", "no tests"):
                listed.append(f"{scope}: {column}: {name}")
    for name, entry in record["equivalent"].items():
        rows[entry["scope"]]["equivalent"] += 1
        rows[entry["scope"]]["drawn"] += 1
        if name not in results:  # marked in the code: no longer generated
            rows[entry["scope"]]["marked"] += 1
    head = ["module", "drawn", "killed", "timeout", "survived", "no tests", "not run"]
    head += ["equivalent", "score (estimate)", "95 % CI"]
    lines = [
        f"Sample: seed {record['seed']}, drawn per module: {record['per_module']}."
        + (f" ({record['note']})" if record.get("note") else ""),
        "score = (killed + timeout) / (killed + timeout + survived + no tests): an ESTIMATE",
        "of the full run's score; the 95 % CI (Wilson) is where the full score likely lies.",
        "A module whose every mutant was drawn ('all') has its exact score.",
        *(
            []
            if prefix is None
            else [
                f"Shuffled order: the decided prefix, {len(prefix)} of {len(record['order'])}"
                " drawn, counts (a random subset of the draw); the rest as not run."
            ]
        ),
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    for scope in SCOPES:
        if scope not in record["sample"]:
            continue
        r = rows[scope]
        caught = r["killed"] + r["timeout"]
        decided = caught + r["survived"] + r["no tests"]
        total = population[scope] + r["marked"]
        drawn = f"{r['drawn']} of {total}" + (" (all)" if r["drawn"] >= total else "")
        low, high = wilson(caught, decided)
        score = f"{100 * caught / decided:.1f} %" if decided else "-"
        if decided and r["drawn"] >= total and not r["not run"]:
            score += " (exact)"
        interval = f"{100 * low:.0f}-{100 * high:.0f} %" if decided else "-"
        counts = [str(r[k]) for k in ("killed", "timeout", "survived", "no tests", "not run")]
        cells = [scope, drawn, *counts, str(r["equivalent"]), score, interval]
        lines.append("| " + " | ".join(cells) + " |")
    return lines, listed


def main(argv: list[str] | None = None) -> int:
    """Print the table; exit 1 when no results exist yet."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", action="store_true", help="only the sampled mutants")
    args = parser.parse_args(argv)
    results = mutant_results()
    if not results:
        print("no mutation results yet: run `make mutation` first", file=sys.stderr)
        return 1
    if args.sample:
        record = load_sample()
        if record is None:
            print("no sample drawn yet: run `make mutation-sample` first", file=sys.stderr)
            return 1
        lines, listed = sample_table(results, record)
        print("\n".join(lines + listed))
        for name, entry in sorted(record["equivalent"].items()):
            print(f"{entry['scope']}: equivalent: {name}: {entry['reason']}")
        return 0
    population: Counter[str] = Counter()
    for source, _code in results.values():
        population[scope_of(source) or ""] += 1

    rows: dict[str, Counter[str]] = defaultdict(Counter)
    listed: dict[str, list[str]] = defaultdict(list)
    for name, (source, code) in sorted(results.items()):
        scope = scope_of(source)
        if scope is None:
            continue
        column = outcome(code)
        rows[scope][column] += 1
        if column in ("survived", "no tests"):
            listed[scope].append(f"{column}: {name}")

    head = ["module", "mutants", "run", "killed", "timeout", "survived", "no tests"]
    head += ["not run", "other", "equivalent (marked places)", "score", "95 % CI"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for scope in SCOPES:
        r = rows[scope]
        caught = r["killed"] + r["timeout"]
        decided = caught + r["survived"] + r["no tests"]
        low, high = wilson(caught, decided)
        score = f"{100 * caught / decided:.1f} %" if decided else "-"
        interval = f"{100 * low:.0f}-{100 * high:.0f} %" if decided else "-"
        counts = [str(r[k]) for k in ("killed", "timeout", "survived", "no tests", "not run")]
        cells = [scope, str(population[scope]), str(decided + r["other"]), *counts, str(r["other"])]
        cells += [str(equivalent_marks(scope)), score, interval]
        print("| " + " | ".join(cells) + " |")
    for scope in SCOPES:
        for line in listed[scope]:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
