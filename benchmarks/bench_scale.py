r"""How a whole ``news-etl run`` scales: warehouse size, workers, near-copies, one file.

``make bench-scale`` (not a timed test; it takes a while and needs a few GB of disk in
``--work``). Every figure is one ``news-etl run`` in its own process, measured from process
start to exit, with its per-stage seconds as the run recorded them in ``etl_run_stage``:

(a) the same generated 2,500-article day loaded into warehouses of 0, 30,000 and 150,000
    articles (``--history`` changes the sizes), stage by stage; each history is built by bulk
    runs and then settled by a 100-article day, whose time is shown apart (the first small
    load after a bulk load pays once for DuckDB's compaction of its row groups);
(b) ``--big`` (100,000) generated articles with 1 and with 2 workers: wall, articles/s, peak
    RSS of the process tree, summed as RSS (a page shared by forked processes counted in each)
    and as PSS (counted once), and the run's stage seconds;
(c) 5,000 near-copies of one story (one generated article, each copy with a few words changed
    and its own closing sentence) against 5,000 distinct generated articles;
(d) a one-file run into an empty warehouse;
(e) marginal end-to-end throughput on real news, on one core: every other file of the real
    corpora (``reuters``, ``bbc``, ``fundus`` under ``$NEWS_ETL_CORPORA_DIR``) and then all of
    them, each a ``--workers 1`` run pinned to one CPU into an empty warehouse (three times,
    alternated; the fastest of each counts); the extra bytes
    over the extra seconds (start-up and fixed costs cancel out), against a bare
    ``re.findall(r"\w+|[^\w\s]", text)`` pass over the same extra files in this process, on
    the same CPU, timed before and after the runs (best of three each time).

The machine's load average is printed with each figure: on a shared machine, compare the rows
of one table (taken back to back) and prefer ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import psutil

from etl.timing import STAGES, SUMMARY

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).with_name("news-etl")
DAY = date(2024, 6, 3)
SETTLE_DAY = date(2024, 1, 2)  # the settling days of (a): after the history, before DAY


@dataclass
class RunResult:
    """One measured ``news-etl run``."""

    wall: float
    peak_rss_mb: float  # the sum of the tree's RSS (a page shared after a fork counted in each)
    articles: int
    stages: dict[str, float] = field(default_factory=dict)
    load_avg: float = 0.0
    peak_pss_mb: float = 0.0  # the sum of the tree's PSS (each page counted once in all)


def _memory_tree(proc: psutil.Process) -> tuple[float, float]:
    """MB of the process tree: the sum of RSS, and the sum of PSS (proportional set size: a
    page shared by forked processes counted once in all, where the RSS sum counts it in each)."""
    rss = pss = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            info = p.memory_full_info()
            rss += info.rss
            pss += info.pss
    return rss / 2**20, pss / 2**20


def measure_run(
    landing: Path, warehouse: Path, *extra: str, cpus: set[int] | None = None
) -> RunResult:
    """Run ``news-etl run`` once; wall time, peak RSS of its process tree, its stage rows
    (``cpus``: pin the run to those CPUs)."""
    env = {**os.environ, "NEWS_ETL_WRITE_REPORTS": os.environ.get("NEWS_ETL_WRITE_REPORTS", "true")}
    pin = None if cpus is None else (lambda: os.sched_setaffinity(0, cpus))
    cmd = [str(CLI), "run", "--landing", str(landing), "--warehouse", str(warehouse), *extra]
    # What the benchmark itself wrote (a generated zone, a copied 1 GB warehouse) goes to disk
    # first: otherwise the run paid for it (DuckDB fsyncs the file at its commit: 0.3 s for a
    # freshly copied GB here), and the (a) day into the copied history looked slower.
    os.sync()
    load = os.getloadavg()[0]
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=pin
    )
    ps = psutil.Process(proc.pid)
    peak = peak_pss = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                rss, pss = _memory_tree(ps)
                peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _out, err = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.decode()[-3000:]}")
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        run_id, articles = con.execute(
            "SELECT run_id, articles_loaded FROM etl_run ORDER BY started_at DESC LIMIT 1"
        ).fetchone() or ("", 0)
        stages = dict(
            con.execute(
                "SELECT stage, seconds FROM etl_run_stage WHERE run_id = ?", [run_id]
            ).fetchall()
        )
    finally:
        con.close()
    return RunResult(wall, peak, int(articles), stages, load, peak_pss)


def sample(out: Path, articles: int, days: int, start: date) -> Path:
    """A generated landing zone (``news-etl sample``), reused when it exists."""
    if not out.exists():
        subprocess.run(
            [
                str(CLI),
                "sample",
                "--out",
                str(out),
                "--articles",
                str(articles),
                "--days",
                str(days),
                "--start",
                start.isoformat(),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def near_copies(out: Path, source: Path, n: int, seed: int = 7) -> Path:
    """``n`` near-copies of the first article of ``source``: each with a few words replaced
    and a closing sentence of its own."""
    if out.exists():
        return out
    first = sorted(source.rglob("*.txt"))[0]
    text = first.read_text(encoding="utf-8")
    rng = random.Random(seed)
    folder = out / f"dt={DAY.isoformat()}" / "wire"
    folder.mkdir(parents=True)
    words = text.split(" ")
    for i in range(n):
        copy = list(words)
        for _ in range(3):
            j = rng.randrange(4, len(copy))
            copy[j] = rng.choice(["reported", "said", "noted", "added", "stated"])
        body = (
            " ".join(copy).rstrip("\n")
            + f" Reporting by desk {i} in city {rng.randrange(10**6)}.\n"
        )
        (folder / f"copy_{i:05d}.txt").write_text(body, encoding="utf-8")
    return out


def one_file(out: Path, source: Path) -> Path:
    """A landing zone of one generated article."""
    if not out.exists():
        out.mkdir(parents=True)
        shutil.copy(sorted(source.rglob("*.txt"))[0], out / "one.txt")
    return out


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


#: The stages ``etl_run_stage`` holds, in run order (the CLI's summary is not stored).
STAGE_ORDER = tuple(stage for stage in STAGES if stage != SUMMARY)


def scale_by_history(work: Path, sizes: list[int], workers: int) -> str:
    """(a): the same day into warehouses of each size."""
    day = sample(work / "day", 5000, 2, DAY)  # 2,500 articles a day; the first day is loaded
    results: dict[int, RunResult] = {}
    settled: dict[int, RunResult] = {}
    built = 0
    history = work / "history.duckdb"
    for n, size in enumerate(sorted(sizes)):
        if size > built:  # grow the history warehouse to ``size`` articles
            zone = sample(
                work / f"history-{built}-{size}",
                size - built,
                max(1, (size - built) // 2500),
                date(2023, 1, 1) + timedelta(days=built // 2500),
            )
            measure_run(zone, history, "--workers", str(workers))
            built = size
            # The first small load after bulk loads pays, once, for DuckDB's compaction of
            # their row groups (its checkpoint merges a small row group left before a big
            # one: 7 s at 150,000 articles, docs/performance.md); every later day does not.
            # A day of 100 articles settles the history, and its time is shown apart.
            settle = sample(work / f"settle-{size}", 100, 1, SETTLE_DAY + timedelta(days=n))
            settled[size] = measure_run(settle, history, "--workers", str(workers))
        target = work / f"day-into-{size}.duckdb"
        if size:
            shutil.copy(history, target)
        else:
            target.unlink(missing_ok=True)
        results[size] = measure_run(
            day, target, "--date", DAY.isoformat(), "--workers", str(workers)
        )
        target.unlink(missing_ok=True)
    stages = [s for s in STAGE_ORDER if any(s in r.stages for r in results.values())]
    rows = [[s, *(f"{results[n].stages.get(s, 0):.2f}" for n in sorted(results))] for s in stages]
    rows.append(["**wall**", *(f"**{results[n].wall:.2f}**" for n in sorted(results))])
    rows.append(
        [
            "first small load after the bulk history (wall, once; load)",
            *(
                f"{settled[n].wall:.2f}; {settled[n].stages.get('load', 0):.2f}"
                if n in settled
                else "-"
                for n in sorted(results)
            ),
        ]
    )
    rows.append(["load average", *(f"{results[n].load_avg:.1f}" for n in sorted(results))])
    base = results[min(results)].wall
    rows.append(["wall / empty", *(f"{results[n].wall / base:.2f}" for n in sorted(results))])
    return _table(["stage (s)", *(f"{n:,} articles" for n in sorted(results))], rows)


def workers_table(work: Path, articles: int) -> str:
    """(b): one big run with 1 and with 2 workers."""
    zone = sample(work / f"big-{articles}", articles, max(1, articles // 10000), date(2022, 1, 1))
    rows = []
    walls = {}
    for workers in (1, 2):
        target = work / f"big-{workers}.duckdb"
        target.unlink(missing_ok=True)
        r = measure_run(zone, target, "--workers", str(workers))
        walls[workers] = r.wall
        rows.append(
            [
                str(workers),
                f"{r.wall:.1f}",
                f"{r.articles / r.wall:.0f}",
                f"{r.peak_rss_mb:.0f}",
                f"{r.peak_pss_mb:.0f}",
                f"{r.load_avg:.1f}",
                f"{walls[1] / r.wall:.2f}",
                ", ".join(f"{s} {r.stages[s]:.1f}" for s in STAGE_ORDER if s in r.stages),
            ]
        )
        target.unlink(missing_ok=True)
    return _table(
        [
            "workers",
            "wall s",
            "articles/s",
            "peak RSS MB (sum)",
            "peak PSS MB (sum)",
            "load avg",
            "speed-up",
            "stages s",
        ],
        rows,
    )


def copies_table(work: Path, n: int, workers: int) -> str:
    """(c): near-copies of one story against distinct articles."""
    distinct = sample(work / f"distinct-{n}", n, 1, DAY)
    copies = near_copies(work / f"copies-{n}", distinct, n)
    rows = []
    base = 0.0
    for name, zone in (("distinct", distinct), ("near-copies", copies)):
        target = work / f"{name}.duckdb"
        target.unlink(missing_ok=True)
        r = measure_run(zone, target, "--workers", str(workers))
        base = base or r.wall
        con = duckdb.connect(str(target), read_only=True)
        stories = con.execute("SELECT count(*) FROM dim_story").fetchone()
        con.close()
        rows.append(
            [
                name,
                str(r.articles),
                str(stories[0] if stories else 0),
                f"{r.wall:.1f}",
                f"{r.stages.get('load.stories', 0):.2f}",
                f"{r.load_avg:.1f}",
                f"{r.wall / base:.2f}",
            ]
        )
        target.unlink(missing_ok=True)
    return _table(
        ["day", "articles", "stories", "wall s", "load.stories s", "load avg", "wall / distinct"],
        rows,
    )


def one_file_table(work: Path) -> str:
    """(d): a run with one new file into an empty warehouse."""
    zone = one_file(work / "one", sample(work / "day", 5000, 2, DAY))
    target = work / "one.duckdb"
    target.unlink(missing_ok=True)
    r = measure_run(zone, target)
    target.unlink(missing_ok=True)
    stages = ", ".join(f"{s} {r.stages[s]:.2f}" for s in STAGE_ORDER if s in r.stages)
    return f"one file: **{r.wall:.2f} s** wall (load average {r.load_avg:.1f}); stages: {stages}"


CORPORA = ("reuters", "bbc", "fundus")
_BARE = re.compile(r"\w+|[^\w\s]")


def _bare_regex_mb_s(texts: list[str], n_bytes: int) -> float:
    """MB/s of the bare regex pass over ``texts`` (best of three)."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for text in texts:
            _BARE.findall(text)
        best = min(best, time.perf_counter() - started)
    return n_bytes / 1e6 / best


def marginal_table(work: Path, repeat: int = 3) -> str:
    """(e): marginal end-to-end throughput on real news, one core, against the bare regex
    (each zone run ``repeat`` times, alternated, its fastest run counted: the difference of two
    walls of ~20 s is otherwise at the mercy of one slow start)."""
    corpora = Path(
        os.environ.get("NEWS_ETL_CORPORA_DIR", ROOT.parent / "shared" / "corpora")
    ).resolve()
    files = sorted(f for name in CORPORA for f in (corpora / name).rglob("*") if f.is_file())
    if not files:
        raise SystemExit(f"(e) needs the real corpora: none under {corpora}")
    half, rest = files[::2], files[1::2]
    zones = {"half": work / "real-half", "all": work / "real-all"}
    for name, chosen in (("half", half), ("all", files)):
        shutil.rmtree(zones[name], ignore_errors=True)
        for f in chosen:
            target = zones[name] / f.relative_to(corpora)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
    extra_bytes = sum(f.stat().st_size for f in rest)
    texts = [f.read_bytes().decode("utf-8", errors="replace") for f in rest]
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})  # the regex pass on the runs' CPU
    regex_before = _bare_regex_mb_s(texts, extra_bytes)
    runs: dict[str, RunResult] = {}
    for _ in range(repeat):  # alternated; the fastest run of each zone counts
        for name, zone in zones.items():
            target = work / f"real-{name}.duckdb"
            target.unlink(missing_ok=True)
            result = measure_run(zone, target, "--workers", "1", cpus={cpu})
            target.unlink(missing_ok=True)
            if name not in runs or result.wall < runs[name].wall:
                runs[name] = result
    regex_after = _bare_regex_mb_s(texts, extra_bytes)
    regex = (regex_before + regex_after) / 2
    extra_s = runs["all"].wall - runs["half"].wall
    marginal = extra_bytes / 1e6 / extra_s
    rows = [
        [
            name,
            f"{len(half if name == 'half' else files):,}",
            f"{runs[name].articles:,}",
            f"{runs[name].wall:.2f}",
            f"{runs[name].load_avg:.1f}",
        ]
        for name in zones
    ]
    table = _table(["zone", "files", "articles", "wall s", "load avg"], rows)
    return (
        f"{table}\n\nmarginal: {extra_bytes / 1e6:.2f} MB in {extra_s:.2f} s = "
        f"**{marginal:.2f} MB/s**; bare regex {regex:.2f} MB/s (before {regex_before:.2f}, "
        f"after {regex_after:.2f}); **ratio {marginal / regex:.3f}×** (CPU {cpu})"
    )


def main() -> None:
    """Run the parts asked for and print their tables (Markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", type=Path, default=ROOT / "warehouse" / "bench-scale")
    parser.add_argument("--history", default="0,30000,150000", help="warehouse sizes for (a)")
    parser.add_argument("--big", type=int, default=100_000, help="articles for (b)")
    parser.add_argument("--copies", type=int, default=5_000, help="articles for (c)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--parts", default="abcde", help="which parts to run")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    try:
        if "d" in args.parts:
            print("## (d) one file\n\n" + one_file_table(args.work) + "\n", flush=True)
        if "a" in args.parts:
            sizes = [int(s) for s in args.history.split(",")]
            print(
                "## (a) one 2,500-article day by warehouse size\n\n"
                + scale_by_history(args.work, sizes, args.workers)
                + "\n",
                flush=True,
            )
        if "c" in args.parts:
            print(
                "## (c) near-copies\n\n"
                + copies_table(args.work, args.copies, args.workers)
                + "\n",
                flush=True,
            )
        if "b" in args.parts:
            print("## (b) workers\n\n" + workers_table(args.work, args.big) + "\n", flush=True)
        if "e" in args.parts:
            print("## (e) real news, one core\n\n" + marginal_table(args.work) + "\n", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
