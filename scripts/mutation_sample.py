"""Run a random sample of each module's mutants (`make mutation-sample`), not all of them.

A full `make mutation` of etl/load and etl/validate (about 1,900 mutants whose tests are
integration tests) takes longer than a working day on two shared cores. This script lists the
mutants mutmut generated (``mutants/**/*.py.meta``), draws up to ``--per-module`` of each scope
with a fixed seed (the same names every time for the same mutants), records the draw in
``mutants/mutation-sample.json`` and runs the ones not yet decided through ``mutmut run`` in one
invocation (one clean-test pass for all of them). ``scripts/mutation_report.py --sample`` then
prints the score of the sample per module with a 95 % Wilson interval: an estimate of the full
score, not the full score.

When no mutants exist yet, mutmut first generates them (and its per-test stats) with a run of
etl/errors.py, the smallest scope.

Caution, seen with mutmut 3.8.1 here: in an invocation that collected stats in its own process
(the first run, or "Found N new tests, rerunning stats collection"), some mutants were reported
as survivors although their tests fail against them in a fresh process (e.g. a mutant raising
TypeError in ``_verify_light``). Re-run survivors with ``--rerun-survivors`` in an invocation
that finds no new tests, or check one with ``MUTANT_UNDER_TEST=NAME pytest TESTS`` in mutants/.

``--shuffled-chunks K``: mutmut runs the mutants of one invocation fastest first, so a run stopped
early has decided a biased subset (the cheap mutants, often the easy kills). In this mode the
undecided drawn mutants of all scopes run in one seeded random order (scopes interleaved, the
order recorded under ``order``), K names per ``mutmut run`` invocation, and ``--until HH:MM``
(UTC) starts no invocation after that time. Stopped between invocations, the decided mutants are
a prefix of a random permutation of the draw: a uniformly random subset of it.
``scripts/mutation_report.py --sample`` counts only that decided prefix (a mutant decided after
the first undecided one of the order, e.g. in an invocation killed mid-way, counts as not run).
Each invocation pays mutmut's set-up (mutant copy, test listing, a clean run of the chunk's tests,
the forced-fail run) once; the script prints it per invocation, so K can be chosen to keep it
small against the mutants' own time.

``--equivalent NAME --reason TEXT``: a drawn mutant judged equivalent (no input tells it apart)
leaves the sample and is recorded with its reason under ``equivalent`` (the report counts it
there, outside the score); record it BEFORE marking its line ``# pragma: no mutate``. Marking a
line renumbers the later mutants of that function (mutmut numbers them per function) and resets
their results: the drawn names there then stand for other mutants of the same function, which
the next run decides afresh.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
SAMPLE_FILE = MUTANTS / "mutation-sample.json"
MUTMUT = str(Path(sys.executable).with_name("mutmut"))
sys.path.insert(0, str(ROOT / "scripts"))

from mutation_report import SCOPES, mutant_results, outcome, scope_of  # noqa: E402


def draw(names_by_scope: dict[str, list[str]], per_module: int, seed: int) -> dict[str, list[str]]:
    """Up to ``per_module`` names of each scope, drawn without replacement from the scope's
    sorted names with ``random.Random(seed)`` (each scope its own generator, so adding a scope
    does not change another scope's draw)."""
    sample: dict[str, list[str]] = {}
    for scope, names in sorted(names_by_scope.items()):
        ordered = sorted(names)
        rng = random.Random(f"{seed}:{scope}")
        sample[scope] = sorted(rng.sample(ordered, min(per_module, len(ordered))))
    return sample


def shuffled_order(sample: dict[str, list[str]], seed: int) -> list[str]:
    """Every drawn name of every scope in one random order, seeded (``{seed}:order``)."""
    names = sorted(name for names in sample.values() for name in names)
    random.Random(f"{seed}:order").shuffle(names)
    return names


def _deadline(until: str | None, now: datetime | None = None) -> datetime | None:
    """The next ``HH:MM`` (UTC) as an aware datetime: today's, or tomorrow's once today's has
    passed (``--until 00:15`` at 23:18 is in 57 minutes, not over); None without one."""
    if not until:
        return None
    now = now or datetime.now(UTC)
    hour, minute = (int(part) for part in until.split(":"))
    deadline = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return deadline if deadline > now else deadline + timedelta(days=1)


def _run_chunk(command: list[str]) -> tuple[int, float, float]:
    """Run one ``mutmut run``, passing its output through; return its status, the seconds before
    it started the mutants (its set-up) and the seconds it took in all."""
    start = time.monotonic()
    setup = -1.0
    seen = b""
    marker = b"Running mutation testing"
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE) as process:
        assert process.stdout is not None
        while block := os.read(process.stdout.fileno(), 65536):
            sys.stdout.buffer.write(block)
            sys.stdout.buffer.flush()
            if setup < 0:
                seen = (seen + block)[-4096:]
                if marker in seen:
                    setup = time.monotonic() - start
    return process.returncode, setup, time.monotonic() - start


def run_shuffled(todo: list[str], chunk: int, jobs: int, until: str | None) -> int:
    """Run ``todo`` (already in the recorded random order) ``chunk`` names per invocation; start
    no invocation after ``until``. Print each invocation's set-up and total seconds."""
    deadline = _deadline(until)
    chunks = [todo[i : i + chunk] for i in range(0, len(todo), chunk)]
    setups: list[float] = []
    for number, names in enumerate(chunks, 1):
        if deadline is not None and datetime.now(UTC) >= deadline:
            print(f"--until {until} reached: {number - 1} of {len(chunks)} invocations run")
            break
        command = [MUTMUT, "run", "--max-children", str(jobs), *names]
        status, setup, total = _run_chunk(command)
        setups.append(setup)
        print(
            f"\n[shuffled] invocation {number}/{len(chunks)}: {len(names)} mutants, "
            f"set-up {setup:.1f} s, total {total:.1f} s, status {status}",
            flush=True,
        )
        if status != 0:
            return status
    if setups:
        print(f"[shuffled] mean set-up per invocation: {sum(setups) / len(setups):.1f} s")
    return 0


def record_equivalent(name: str, reason: str) -> int:
    """Move a drawn mutant from the recorded sample to its ``equivalent`` list, with the reason."""
    if not reason.strip():
        print("--equivalent needs a --reason", file=sys.stderr)
        return 2
    record = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
    for scope, names in record["sample"].items():
        if name in names:
            names.remove(name)
            record.setdefault("equivalent", {})[name] = {"scope": scope, "reason": reason}
            SAMPLE_FILE.write_text(json.dumps(record, indent=1), encoding="utf-8")
            print(f"{name} ({scope}) recorded as equivalent")
            return 0
    print(f"{name} is not in the recorded sample", file=sys.stderr)
    return 2


def main(argv: list[str] | None = None) -> int:
    """Draw the sample, record it, run its undecided mutants; exit with mutmut's status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-module", type=int, default=120, help="mutants drawn per scope")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--modules", nargs="*", default=["etl/load", "etl/validate"], choices=SCOPES, metavar="M"
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutmut --max-children")
    parser.add_argument("--list", action="store_true", help="print the draw, run nothing")
    parser.add_argument(
        "--shuffled-chunks",
        type=int,
        default=0,
        metavar="K",
        help="run the undecided drawn mutants in a seeded random order, K per mutmut invocation",
    )
    parser.add_argument(
        "--until",
        metavar="HH:MM",
        help="with --shuffled-chunks: UTC time after which no invocation starts",
    )
    parser.add_argument("--equivalent", metavar="NAME", help="record a drawn mutant as equivalent")
    parser.add_argument("--reason", default="", help="why the --equivalent mutant is equivalent")
    parser.add_argument("--redraw", action="store_true", help="draw again, forget the last draw")
    parser.add_argument("--rerun", action="store_true", help="run decided mutants again too")
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="run the sampled survivors and no-tests mutants again (after adding tests)",
    )
    args = parser.parse_args(argv)
    if args.equivalent:
        return record_equivalent(args.equivalent, args.reason)

    if not any(MUTANTS.rglob("*.py.meta")):
        print("no mutants yet: generating them with a run of etl/errors.py", file=sys.stderr)
        bootstrap = [MUTMUT, "run", "--max-children", str(args.jobs), "etl.errors*"]
        subprocess.run(bootstrap, cwd=ROOT, check=True)

    results = mutant_results()
    names_by_scope: dict[str, list[str]] = {scope: [] for scope in args.modules}
    for name, (source, _code) in results.items():
        scope = scope_of(source)
        if scope in names_by_scope:
            names_by_scope[scope].append(name)
    sample = draw(names_by_scope, args.per_module, args.seed)
    record: dict[str, Any] = {
        "seed": args.seed,
        "per_module": args.per_module,
        "population": {scope: len(names) for scope, names in names_by_scope.items()},
        "sample": sample,
        "equivalent": {},
    }
    earlier_record: dict[str, Any] = {}
    if SAMPLE_FILE.is_file() and not args.redraw:
        # Keep earlier draws with the same seed and size: marking an equivalent mutant shrinks
        # the population, and a new draw would then pick other names. A drawn mutant that is
        # gone (marked equivalent) leaves the sample.
        earlier = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))
        # A draw cut per module by hand ("per_module" a dict, with a "note") is kept as well.
        sizes = earlier["per_module"]
        if earlier["seed"] == args.seed and (sizes == args.per_module or isinstance(sizes, dict)):
            for scope, names in earlier["sample"].items():
                kept = [name for name in names if name in results]
                if scope in sample:
                    sample[scope] = kept
                record["sample"][scope] = kept
            record["population"] = {**earlier["population"], **record["population"]}
            record["equivalent"] = earlier.get("equivalent", {})
            if isinstance(sizes, dict):
                record["per_module"], record["note"] = sizes, earlier.get("note", "")
            earlier_record = earlier
    if "order" in earlier_record:
        # The same order again: the names decided so far stay a prefix of it.
        record["order"] = earlier_record["order"]
    elif args.shuffled_chunks > 0:
        record["order"] = shuffled_order(record["sample"], args.seed)
    SAMPLE_FILE.write_text(json.dumps(record, indent=1), encoding="utf-8")

    todo = [
        name
        for names in sample.values()
        for name in names
        if args.rerun
        or results[name][1] is None
        or (args.rerun_survivors and outcome(results[name][1]) in ("survived", "no tests"))
    ]
    for scope, names in sample.items():
        print(f"{scope}: {len(names)} of {len(names_by_scope[scope])} mutants drawn")
    if args.list:
        print("\n".join(name for names in sample.values() for name in names))
        return 0
    if not todo:
        print("every sampled mutant is decided: scripts/mutation_report.py --sample")
        return 0
    if args.shuffled_chunks > 0:
        position = {name: index for index, name in enumerate(record["order"])}
        todo.sort(key=lambda name: position.get(name, len(position)))
        print(f"running {len(todo)} undecided sampled mutants in a random order", flush=True)
        return run_shuffled(todo, args.shuffled_chunks, args.jobs, args.until)
    print(f"running {len(todo)} undecided sampled mutants", flush=True)
    return subprocess.run(
        [MUTMUT, "run", "--max-children", str(args.jobs), *todo], cwd=ROOT
    ).returncode


if __name__ == "__main__":
    sys.exit(main())
