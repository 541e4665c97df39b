"""Throughput benchmark of the news-etl pipeline over a real corpus, against a naive baseline.

Usage::

    .venv/bin/python benchmarks/bench_pipeline.py [--corpus PATH | --articles N] [--repeat N]
                                                  [--naive-files K] [--json OUT]

Every figure is measured in the same process and the same invocation: the machines this runs on
are shared and noisy, so the ratios (pipeline vs. naive, text core vs. a bare regex) are more
trustworthy than the absolute numbers. What is measured:

1. A whole pipeline run over the corpus into a fresh temporary warehouse, timed step by step
   (plan, then ingest/text per batch, then validate over the run, then load), cross-checked
   against the per-stage seconds the run itself records in ``etl_run_stage``. The validate share
   of the run is printed with its two parts (the one-off Great Expectations import, the checks);
   inside the load, the post-load warehouse checks and the GX Data Docs build are timed too.
2. A second run over the same landing zone (``pipeline.run``): every file is in the ledger.
3. The text stage alone, in-process and without I/O, in batches of 500 bodies: its core (clean
   + tokenize with offsets + count + term keys: the issue's speed target), a bare
   ``re.findall(r"\\w+|[^\\w\\s]", text)`` and spaCy's blank English tokenizer, alternated
   batch by batch; then the whole stage (``process_batch``) and each of its extra steps.
4. A naive per-file script (read, ``lower``, ``split``, ``Counter``, one ``INSERT`` per distinct
   term) over the first K files only: it runs at roughly 0.01 MB/s.
5. Peak RSS after the pipeline runs, the tracemalloc peak of a separate, untimed text pass, and
   the peak RSS of fresh processes running the text core over one batch and over many.

``--repeat N`` repeats the micro-measurements (3 and 4) and keeps the best of each; the two
pipeline runs happen once. MB means 10**6 bytes. The corpus defaults to ``reuters`` in the shared
corpora folder (``<repo>/../shared/corpora``, or ``$NEWS_ETL_CORPORA_DIR``); ``--articles N``
benchmarks a generated one-day landing zone of N articles instead (``news-etl sample``'s bulk
generator; ``make bench-day`` uses 10,000). Temporary files go to ``$TMPDIR`` and are removed at
exit.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from etl.ingest.landing import LandingFile

# One core: the text stage's compiled tokenizer runs in Polars, whose thread pool is sized when it
# is first imported (etl.text.compiled_scan defaults it to one thread; here it is forced).
os.environ["POLARS_MAX_THREADS"] = "1"

SCRIPT = Path(__file__).resolve()
REPO = SCRIPT.parents[1]
DEFAULT_CORPUS_NAME = "reuters"
MB = 1_000_000
#: The bare tokenisation the text stage is compared with (see the stack notes).
BARE_TOKENS = re.compile(r"\w+|[^\w\s]")


class BenchError(Exception):
    """A problem that ends the benchmark with a message instead of a traceback."""


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass
class BatchTiming:
    """Seconds spent by each per-batch step of one batch."""

    batch: int
    files: int
    ingest_s: float
    text_s: float


@dataclass
class PipelineResult:
    """The first, full run into a fresh warehouse."""

    run_id: str
    status: str
    files: int
    raw_bytes: int
    articles_loaded: int
    duplicates: int
    quarantined: int
    batches: int
    batch_size: int
    wall_s: float
    plan_s: float
    load_s: float
    stage_s: dict[str, float]
    recorded_stage_s: dict[str, float]
    per_batch: list[BatchTiming]
    #: the validate step's two parts: importing GX (once per process) and the checks themselves
    gx_import_s: float
    validate_checks_s: float
    #: inside the load step: the post-load warehouse suites and building the GX Data Docs
    post_load_checks_s: float
    data_docs_s: float
    mb_per_s: float
    articles_per_s: float
    files_per_s: float
    import_etl_s: float


@dataclass
class RerunResult:
    """The second run over the same landing zone: nothing new to do."""

    status: str
    files_seen: int
    files_unchanged: int
    files_new: int
    wall_s: float
    ms_per_1000_files: float


@dataclass
class TextResult:
    """The text stage's core against a bare regex pass, in-process, over the same bodies.

    The core is what the issue's speed target names: clean + tokenize (with offsets) + count +
    term keys, i.e. :func:`etl.text.clean.paragraphs`, :func:`etl.text.terms.count_batch` and
    the loader's stable-key SQL over the batch's terms. Core, bare regex and spaCy are timed
    batch by batch, one right after the other, and each batch keeps its best time over the
    passes, so a burst of load on this shared machine hits all of them alike.
    """

    bodies: int
    skipped: int
    body_bytes: int
    largest_body_bytes: int
    batch_size: int
    core_s: float
    bare_s: float
    core_mb_per_s: float
    bare_mb_per_s: float
    #: core speed as a share of the bare regex's (bare seconds / core seconds); target >= 0.4
    core_speed_vs_bare: float
    #: the whole text stage (process_batch: + sentences, language, MinHash, stems)
    stage_s: float = 0.0
    #: seconds of each extra step of the stage, timed on its own over the same batches
    stage_steps_s: dict[str, float] = field(default_factory=dict)
    #: spaCy's blank English tokenizer over the same bodies (0 when spaCy is not installed)
    spacy_s: float = 0.0


@dataclass
class NaiveResult:
    """The naive per-file script over the first K files."""

    files: int
    raw_bytes: int
    rows_inserted: int
    seconds: float
    mb_per_s: float
    articles_per_s: float
    runs_s: list[float] = field(default_factory=list)


@dataclass
class MemoryResult:
    """Memory figures: OS-level peak RSS and Python-level tracemalloc peak."""

    peak_rss_after_import_kib: int
    peak_rss_after_pipeline_kib: int
    peak_rss_at_end_kib: int
    text_tracemalloc_peak_kib: float
    text_tracemalloc_s: float
    #: peak RSS of a fresh process running the text core over 1 batch, and over many batches
    text_rss_one_batch_kib: int = 0
    text_rss_many_batches_kib: int = 0
    text_rss_many_batches: int = 0


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def log(message: str) -> None:
    """Progress line on stderr, so stdout holds only the report."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def peak_rss_kib() -> int:
    """Peak resident set size of this process so far, in KiB (``ru_maxrss``)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def rate(amount: float, seconds: float) -> float:
    """``amount / seconds``, or 0 when no time was measured."""
    return amount / seconds if seconds > 0 else 0.0


def resolve_corpus(corpus: Path | None) -> Path:
    """The landing zone to benchmark: ``--corpus``, else reuters in the corpora folder."""
    if corpus is not None:
        return corpus.expanduser().resolve()
    env = os.environ.get("NEWS_ETL_CORPORA_DIR")
    corpora = Path(env).expanduser() if env else REPO.parent / "shared" / "corpora"
    return (corpora / DEFAULT_CORPUS_NAME).resolve()


@contextmanager
def stopwatch(module: Any, name: str, spent: list[float]) -> Iterator[None]:
    """Time every call of ``module.name`` while the block runs, appending seconds to ``spent``.

    The pipeline imports what it needs inside its functions, at call time, so the wrapper is
    what it calls; a missing attribute fails loudly instead of measuring nothing.
    """
    original = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def timed_pass(func: Callable[[str], object], texts: Sequence[str]) -> float:
    """Seconds to call ``func`` on every text (results discarded), after a garbage collection."""
    gc.collect()
    started = time.perf_counter()
    for text in texts:
        func(text)
    return time.perf_counter() - started


# --------------------------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------------------------


def bench_pipeline(
    landing: Path, tmp: Path, import_etl_s: float
) -> tuple[PipelineResult, RerunResult, int]:
    """Run the pipeline twice over ``landing`` into a fresh warehouse below ``tmp``.

    The first run calls the step functions one by one (exactly what ``pipeline.run`` does) so
    each step is timed; the validate step is timed in two parts, importing Great Expectations
    (what its first use in a process costs) and then the checks. The second run calls
    ``pipeline.run`` itself. Also returns the peak RSS (KiB) right after the runs.
    """
    from etl import pipeline
    from etl.settings import load_settings
    from etl.warehouse import reader

    settings = load_settings(
        landing=landing, warehouse=tmp / "w.duckdb", staging_dir=tmp / "staging"
    )
    log(f"pipeline run 1 (fresh warehouse, batch size {settings.batch_size}) ...")
    started = time.perf_counter()
    plan = pipeline.plan_run(settings, trigger="bench")
    plan_s = time.perf_counter() - started
    per_batch: list[BatchTiming] = []
    for batch in range(plan.n_batches):
        t0 = time.perf_counter()
        pipeline.ingest_batch(plan.staging_dir, batch)
        t1 = time.perf_counter()
        pipeline.text_batch(plan.staging_dir, batch)
        t2 = time.perf_counter()
        per_batch.append(BatchTiming(batch, len(plan.batches[batch]), t1 - t0, t2 - t1))
        log(f"  batch {batch + 1}/{plan.n_batches} done ({t2 - t0:.2f} s)")
    log("  validate (the run's batches together) ...")
    t_validate = time.perf_counter()
    import etl.validate.stage  # what validate_run imports first: pandas, pyarrow.compute
    from etl.validate.runner import warm_up

    warm_up()  # the GX import validate_run would otherwise pay on its first check
    t_checks = time.perf_counter()
    pipeline.validate_run(plan.staging_dir)
    t_load = time.perf_counter()
    import etl.validate.docs
    import etl.validate.warehouse

    post_load: list[float] = []
    docs: list[float] = []
    with (
        stopwatch(etl.validate.warehouse, "check_warehouse", post_load),
        stopwatch(etl.validate.docs, "build_data_docs", docs),
    ):
        summary = pipeline.load_run(plan.staging_dir)
    finished = time.perf_counter()
    wall_s = finished - started
    load_s = finished - t_load

    con = reader(settings.warehouse)
    try:
        rows = con.execute(
            "SELECT stage, seconds FROM etl_run_stage WHERE run_id = ? ORDER BY stage",
            [plan.run_id],
        ).fetchall()
    finally:
        con.close()
    recorded = {str(stage): float(seconds) for stage, seconds in rows}

    files = sum(len(b) for b in plan.batches) + len(plan.unchanged)
    raw_bytes = sum(int(d["size"]) for b in plan.batches for d in b)
    first = PipelineResult(
        run_id=plan.run_id,
        status=summary.status,
        files=files,
        raw_bytes=raw_bytes,
        articles_loaded=summary.articles_loaded,
        duplicates=summary.duplicates,
        quarantined=summary.quarantined,
        batches=plan.n_batches,
        batch_size=settings.batch_size,
        wall_s=wall_s,
        plan_s=plan_s,
        load_s=load_s,
        stage_s={
            "ingest": sum(b.ingest_s for b in per_batch),
            "text": sum(b.text_s for b in per_batch),
            "validate": t_load - t_validate,
        },
        recorded_stage_s=recorded,
        per_batch=per_batch,
        gx_import_s=t_checks - t_validate,
        validate_checks_s=t_load - t_checks,
        post_load_checks_s=sum(post_load),
        data_docs_s=sum(docs),
        mb_per_s=rate(raw_bytes / MB, wall_s),
        articles_per_s=rate(summary.articles_loaded, wall_s),
        files_per_s=rate(files, wall_s),
        import_etl_s=import_etl_s,
    )

    log("pipeline run 2 (same landing zone, nothing new) ...")
    started = time.perf_counter()
    again = pipeline.run(settings, trigger="bench")
    rerun_s = time.perf_counter() - started
    seen = again.files_unchanged + again.files_new + again.files_deferred
    second = RerunResult(
        status=again.status,
        files_seen=seen,
        files_unchanged=again.files_unchanged,
        files_new=again.files_new,
        wall_s=rerun_s,
        ms_per_1000_files=rate(rerun_s * 1000, seen / 1000),
    )
    return first, second, peak_rss_kib()


def read_bodies(landing: Path, files: Sequence[LandingFile]) -> tuple[list[str], int]:
    """Decode every file as the ingest stage does and strip the date header; also the skip count.

    Files that cannot be decoded or carry a malformed header (the pipeline quarantines those) are
    skipped and counted.
    """
    from etl.ingest.canonical import BadDateError, parse_txt
    from etl.ingest.decode import UndecodableError, decode

    bodies: list[str] = []
    skipped = 0
    for f in files:
        try:
            text = decode((landing / f.path).read_bytes()).text
            bodies.append(parse_txt(text).body)
        except (OSError, UndecodableError, BadDateError):
            skipped += 1
    return bodies, skipped


def text_core(bodies: Sequence[str]) -> int:
    """Clean + tokenize (offsets) + count + term keys for one batch, with the functions
    ``process_batch`` runs; returns the number of term rows."""
    from etl.text.clean import PARAGRAPH_SEPARATOR, paragraphs
    from etl.text.terms import count_batch

    counted = count_batch([PARAGRAPH_SEPARATOR.join(paragraphs(b)) for b in bodies])
    counted.term_keys()
    return counted.terms.num_rows


def bench_text(bodies: Sequence[str], skipped: int, repeat: int, batch: int = 500) -> TextResult:
    """Best-of-``repeat`` seconds per batch of the core, the bare regex and spaCy, alternated."""
    batches = [bodies[i : i + batch] for i in range(0, len(bodies), batch)]
    spacy_tokenizer = load_spacy()
    best: dict[str, list[float]] = {
        name: [float("inf")] * len(batches) for name in ("core", "bare", "spacy")
    }
    for i in range(repeat):
        log(f"text core / bare regex / spaCy, batch by batch, pass {i + 1}/{repeat} ...")
        for b, texts in enumerate(batches):
            runs: list[tuple[str, Callable[[], object]]] = [
                ("bare", lambda texts=texts: [BARE_TOKENS.findall(t) for t in texts]),
                ("core", lambda texts=texts: text_core(texts)),
            ]
            if spacy_tokenizer is not None and i == 0:  # ~1 MB/s: one pass is plenty
                runs.append(("spacy", lambda texts=texts: [spacy_tokenizer(t) for t in texts]))
            for name, run in runs:
                gc.collect()
                started = time.perf_counter()
                run()
                best[name][b] = min(best[name][b], time.perf_counter() - started)
    body_bytes = sum(len(b.encode("utf-8")) for b in bodies)
    core_s, bare_s = sum(best["core"]), sum(best["bare"])
    spacy_s = sum(best["spacy"]) if spacy_tokenizer is not None else 0.0
    log("whole text stage (process_batch) and its extra steps ...")
    stage_s, steps = bench_stage(batches)
    return TextResult(
        bodies=len(bodies),
        skipped=skipped,
        body_bytes=body_bytes,
        largest_body_bytes=max((len(b.encode("utf-8")) for b in bodies), default=0),
        batch_size=batch,
        core_s=core_s,
        bare_s=bare_s,
        core_mb_per_s=rate(body_bytes / MB, core_s),
        bare_mb_per_s=rate(body_bytes / MB, bare_s),
        core_speed_vs_bare=rate(bare_s, core_s),
        stage_s=stage_s,
        stage_steps_s=steps,
        spacy_s=spacy_s,
    )


def bench_stage(batches: Sequence[Sequence[str]]) -> tuple[float, dict[str, float]]:
    """Seconds of :func:`etl.text.batch.process_batch` over ``batches``, and of its extra steps
    (sentences, language, MinHash, stems) each timed on its own over the same cleaned texts."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from etl.load.staging import SCHEMAS
    from etl.text.batch import normal_form_columns, process_batch
    from etl.text.clean import PARAGRAPH_SEPARATOR, paragraphs
    from etl.text.language import detect_languages
    from etl.text.minhash import signatures, word_hashes
    from etl.text.sentences import sentence_count
    from etl.text.terms import count_batch

    def minhash_of(counted: Any) -> object:
        vocabulary_hash = word_hashes(counted.vocabulary)
        return signatures(
            [vocabulary_hash[counted.word_ids(i)] for i in range(len(counted.n_tokens))]
        )

    schema = SCHEMAS["ingested"]
    stage_s = 0.0
    steps = dict.fromkeys(("sentences", "language", "minhash", "stems"), 0.0)
    for n, texts in enumerate(batches):
        rows = [
            {
                **dict.fromkeys(schema.names),
                "article_id": f"{n:08x}{i:056x}",
                "path": "p",
                "body": b,
            }
            for i, b in enumerate(texts)
        ]
        table = pa.Table.from_pylist(rows, schema=schema)
        started = time.perf_counter()
        process_batch(table)
        stage_s += time.perf_counter() - started
        cleaned = [PARAGRAPH_SEPARATOR.join(paragraphs(b)) for b in texts]
        counted = count_batch(cleaned)
        for name, run in (
            ("sentences", lambda cleaned=cleaned: [sentence_count(t) for t in cleaned]),
            ("language", lambda cleaned=cleaned: detect_languages(cleaned)),
            ("minhash", lambda c=counted: minhash_of(c)),
        ):
            started = time.perf_counter()
            result = run()
            steps[name] += time.perf_counter() - started
            if name == "language":
                codes = pa.array([lang.code for lang in result], pa.string())  # type: ignore[attr-defined]
        started = time.perf_counter()
        terms = counted.terms
        normal_form_columns(terms["term"], terms["kind"], pc.take(codes, terms["text"]))
        steps["stems"] += time.perf_counter() - started
    return stage_s, steps


def load_spacy() -> Callable[[str], object] | None:
    """spaCy's blank English tokenizer, or ``None`` when spaCy is not installed."""
    try:
        import spacy
    except ImportError:
        log("spaCy not installed (uv sync --group bench): skipping its comparison")
        return None
    tokenizer: Callable[[str], object] = spacy.blank("en").tokenizer
    return tokenizer


def text_memory(bodies: Sequence[str], batch: int = 500) -> tuple[float, float]:
    """Untimed pass of the text core under tracemalloc: (peak KiB allocated, seconds it took).

    Results are discarded batch by batch, as in the pipeline, so the peak is the working set of
    one batch of ``batch`` articles, whatever the number of batches.
    """
    log("text core under tracemalloc (memory only, not timed) ...")
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        tracemalloc.reset_peak()
        for i in range(0, len(bodies), batch):
            text_core(bodies[i : i + batch])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1024, time.perf_counter() - started


def text_rss(corpus: Path, batches: int) -> int:
    """Peak RSS (KiB) of a fresh process that runs the text core over ``batches`` batches of 500
    bodies of ``corpus`` (cycling through it), one batch after the other as the pipeline does.

    tracemalloc sees only Python's allocations; Arrow and Polars allocate outside it. Comparing
    the peak RSS over one batch with that over many shows whether memory follows the batch size
    or the volume.
    """
    import subprocess

    log(f"text core over {batches} batch(es) in a fresh process (peak RSS) ...")
    command = [sys.executable, str(SCRIPT), "--corpus", str(corpus), "--rss-probe", str(batches)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return int(json.loads(done.stdout)["peak_rss_kib"])


def rss_probe(corpus: Path, batches: int, batch: int = 500) -> int:
    """The body of :func:`text_rss`, in the child process: prints its peak RSS as JSON."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from etl.ingest.landing import list_landing

    bodies, _ = read_bodies(corpus, list_landing(corpus))
    groups = [bodies[i : i + batch] for i in range(0, len(bodies), batch)]
    for n in range(batches):
        text_core(groups[n % len(groups)])
    print(json.dumps({"batches": batches, "peak_rss_kib": _own_peak_rss_kib()}))
    return 0


def _own_peak_rss_kib() -> int:
    """This process's own peak RSS: ``VmHWM``, which starts afresh at ``exec`` (on Linux a child's
    ``ru_maxrss`` starts from its parent's peak at ``fork``); ``ru_maxrss`` elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return peak_rss_kib()


def naive_once(landing: Path, files: Sequence[LandingFile], db_path: Path) -> tuple[float, int]:
    """One naive pass into a fresh DuckDB file: (seconds for the file loop, rows inserted)."""
    import duckdb

    con = duckdb.connect(str(db_path))
    try:
        con.execute("CREATE TABLE naive_terms (article_id VARCHAR, term VARCHAR, count INTEGER)")
        gc.collect()
        started = time.perf_counter()
        for f in files:
            text = (landing / f.path).read_text(encoding="utf-8", errors="replace")
            counts = Counter(text.lower().split())
            for term, count in counts.items():
                con.execute("INSERT INTO naive_terms VALUES (?, ?, ?)", [f.path, term, count])
        seconds = time.perf_counter() - started
        row = con.execute("SELECT count(*) FROM naive_terms").fetchone()
    finally:
        con.close()
    return seconds, int(row[0]) if row else 0


def bench_naive(landing: Path, files: Sequence[LandingFile], tmp: Path, repeat: int) -> NaiveResult:
    """Best-of-``repeat`` naive baseline over ``files`` (each pass into a fresh database)."""
    runs: list[float] = []
    rows = 0
    for i in range(repeat):
        log(f"naive baseline over {len(files)} files, pass {i + 1}/{repeat} (slow) ...")
        seconds, rows = naive_once(landing, files, tmp / f"naive-{i}.duckdb")
        runs.append(seconds)
    raw_bytes = sum(f.size for f in files)
    best = min(runs)
    return NaiveResult(
        files=len(files),
        raw_bytes=raw_bytes,
        rows_inserted=rows,
        seconds=best,
        mb_per_s=rate(raw_bytes / MB, best),
        articles_per_s=rate(len(files), best),
        runs_s=runs,
    )


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def render(
    meta: dict[str, Any],
    pipe: PipelineResult,
    rerun: RerunResult,
    text: TextResult,
    naive: NaiveResult,
    mem: MemoryResult,
) -> str:
    """The human-readable report."""
    out: list[str] = []
    add = out.append
    add("news-etl pipeline benchmark  (every figure from this one invocation; MB = 10^6 bytes)")
    add(f"  corpus    {meta['corpus']}: {pipe.files:,} files, {pipe.raw_bytes / MB:.2f} MB raw")
    add(
        f"  machine   {meta['platform']}, {meta['cpus']} CPUs, Python {meta['python']}, "
        f"duckdb {meta['duckdb']}; load avg {meta['loadavg_start']} at start, "
        f"{meta['loadavg_end']} at end"
    )
    add(
        f"  settings  batch_size {pipe.batch_size} ({pipe.batches} batch"
        f"{'es' if pipe.batches != 1 else ''}), "
        f"--repeat {meta['repeat']}, --naive-files {meta['naive_files']}"
    )
    add(f"  temp dir  {meta['tmp_dir']} (removed at exit)")
    add("")

    add("1. End-to-end pipeline run into a fresh warehouse (steps called as pipeline.run does)")
    add(f"   {'step':<14}{'seconds':>9}{'share':>8}{'etl_run_stage':>15}")
    steps = [("plan", pipe.plan_s), *pipe.stage_s.items(), ("load", pipe.load_s)]
    for name, seconds in steps:
        rec = pipe.recorded_stage_s.get(name)
        rec_txt = f"{rec:.2f}" if rec is not None else "-"
        add(f"   {name:<14}{seconds:>9.2f}{rate(100 * seconds, pipe.wall_s):>7.1f}%{rec_txt:>15}")
    accounted = pipe.plan_s + sum(pipe.stage_s.values()) + pipe.load_s
    add(f"   {'(other)':<14}{pipe.wall_s - accounted:>9.2f}")
    add(f"   {'total (wall)':<14}{pipe.wall_s:>9.2f}{100.0:>7.1f}%")
    add(
        f"   throughput    {pipe.mb_per_s:.3f} MB/s raw · {pipe.articles_per_s:.0f} articles/s · "
        f"{pipe.files_per_s:.0f} files/s"
    )
    add(
        f"   outcome       {pipe.status}: {pipe.articles_loaded:,} articles loaded, "
        f"{pipe.duplicates} duplicates, {pipe.quarantined} quarantined"
    )
    add(f"   not in total  import etl.pipeline {pipe.import_etl_s:.2f} s (before the run)")
    add(f"   {'batch':>7}{'files':>7}{'ingest':>9}{'text':>9}")
    for b in pipe.per_batch:
        add(f"   {b.batch:>7}{b.files:>7}{b.ingest_s:>9.2f}{b.text_s:>9.2f}")
    validate_s = pipe.stage_s["validate"]
    share = rate(100 * validate_s, pipe.wall_s)
    add(
        f"   VALIDATE SHARE OF THE RUN: {share:.1f}% ({validate_s:.2f} s of {pipe.wall_s:.2f} s;"
        f" target < 10%: {'met' if share < 10 else 'NOT met'})"
    )
    add(
        f"     = Great Expectations import {pipe.gx_import_s:.2f} s (once per process;"
        f" {rate(100 * pipe.gx_import_s, pipe.wall_s):.1f}% of the run)"
        f" + checks {pipe.validate_checks_s:.2f} s"
        f" ({rate(100 * pipe.validate_checks_s, pipe.wall_s):.1f}%; etl_run_stage records"
        " only this part, the import having happened first)"
    )
    add(
        f"   inside load: post-load warehouse checks {pipe.post_load_checks_s:.2f} s"
        f" ({rate(100 * pipe.post_load_checks_s, pipe.wall_s):.1f}%), GX Data Docs build "
        f"{pipe.data_docs_s:.2f} s ({rate(100 * pipe.data_docs_s, pipe.wall_s):.1f}%)"
    )
    add(
        f"   text stage inside the pipeline: {rate(pipe.raw_bytes / MB, pipe.stage_s['text']):.2f}"
        f" MB/s raw (includes Parquet read/write and Arrow conversion)"
    )
    add("")

    add("2. Second run over the same landing zone (everything already in the ledger)")
    add(
        f"   {rerun.status}: {rerun.files_seen:,} files seen, {rerun.files_unchanged:,} "
        f"unchanged, {rerun.files_new} new"
    )
    add(
        f"   {rerun.wall_s:.2f} s wall · {rerun.ms_per_1000_files:.0f} ms per 1,000 files · "
        f"{rate(rerun.wall_s, pipe.wall_s) * 100:.1f}% of the first run"
    )
    add(
        "   (nothing new to check: the validate step does not need Great Expectations, so a"
        " fresh CLI process does not import it either)"
    )
    add("")

    add(
        f"3. Text stage in-process, no I/O (batches of {text.batch_size}, each batch's best of "
        f"{meta['repeat']}, core / bare / spaCy alternated batch by batch; one thread)"
    )
    add(
        f"   {text.bodies:,} bodies ({text.skipped} skipped: undecodable or bad header), "
        f"{text.body_bytes / MB:.2f} MB of UTF-8 body text"
    )
    add(f"   {'':<44}{'seconds':>9}{'MB/s':>9}")
    core_label = "core: clean+tokenize+count+term keys"
    add(f"   {core_label:<44}{text.core_s:>9.2f}{text.core_mb_per_s:>9.2f}")
    bare_label = f'bare re.findall(r"{BARE_TOKENS.pattern}")'
    add(f"   {bare_label:<44}{text.bare_s:>9.2f}{text.bare_mb_per_s:>9.2f}")
    if text.spacy_s:
        spacy_mb_s = rate(text.body_bytes / MB, text.spacy_s)
        add(f"   {'spaCy blank English tokenizer':<44}{text.spacy_s:>9.2f}{spacy_mb_s:>9.2f}")
    add(
        f"   core speed = {text.core_speed_vs_bare:.2f}x the bare regex (target >= 0.4), "
        f"{rate(text.bodies, text.core_s):,.0f} articles/s"
    )
    if text.spacy_s:
        add(f"   core is {text.spacy_s / text.core_s:.1f}x faster than spaCy's blank tokenizer")
    stage_mb_s = rate(text.body_bytes / MB, text.stage_s)
    add(
        f"   whole text stage (process_batch): {text.stage_s:.2f} s, {stage_mb_s:.2f} MB/s, "
        f"{rate(text.bodies, text.stage_s):,.0f} articles/s, "
        f"{rate(text.bare_s, text.stage_s):.2f}x the bare regex"
    )
    steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in text.stage_steps_s.items())
    add(f"   its extra steps, each timed alone: {steps}")
    add("")

    add(f"4. Naive baseline over the first {naive.files} files (best of {meta['repeat']})")
    add(
        "   read · lower() · split() · Counter · one INSERT per distinct term (autocommit), "
        "fresh DuckDB file"
    )
    add(
        f"   {naive.raw_bytes / 1000:.1f} kB raw, {naive.rows_inserted:,} rows in "
        f"{naive.seconds:.2f} s: {naive.mb_per_s:.4f} MB/s · {naive.articles_per_s:.2f} "
        f"articles/s · {rate(naive.rows_inserted, naive.seconds):.0f} rows/s"
    )
    add(
        f"   pipeline / naive speed-up (MB/s over MB/s): "
        f"{rate(pipe.mb_per_s, naive.mb_per_s):.0f}x"
        f"   (articles/s over articles/s: {rate(pipe.articles_per_s, naive.articles_per_s):.0f}x)"
    )
    add("")

    add("5. Memory")
    add(f"   peak RSS after import etl.pipeline {mem.peak_rss_after_import_kib / 1024:>8.1f} MiB")
    add(
        f"   peak RSS after the pipeline runs   {mem.peak_rss_after_pipeline_kib / 1024:>8.1f} MiB"
        f"   (at the end: {mem.peak_rss_at_end_kib / 1024:.1f} MiB)"
    )
    add(
        f"   tracemalloc peak, text stage       {mem.text_tracemalloc_peak_kib / 1024:>8.2f} MiB"
        f"   (separate untimed pass, {mem.text_tracemalloc_s:.1f} s; largest body "
        f"{text.largest_body_bytes / 1000:.1f} kB)"
    )
    add(
        f"   peak RSS, text core, fresh process: {mem.text_rss_one_batch_kib / 1024:.1f} MiB after"
        f" 1 batch, {mem.text_rss_many_batches_kib / 1024:.1f} MiB after"
        f" {mem.text_rss_many_batches} batches ({mem.text_rss_many_batches * 500:,} articles)"
    )
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Throughput benchmark of the news-etl pipeline against a naive baseline.",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="landing zone to benchmark (default: $NEWS_ETL_CORPORA_DIR/reuters, else "
        "<repo>/../shared/corpora/reuters)",
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=None,
        help="instead of a corpus, benchmark a generated one-day landing zone of this many "
        "articles (e.g. 10000: the validate-share target is stated for such a day)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="repeat the micro-measurements (text stage, bare regex, naive) and keep the best",
    )
    parser.add_argument(
        "--naive-files",
        type=int,
        default=40,
        help="files the naive baseline processes (it runs at ~0.01 MB/s; default 40)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--rss-probe", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.naive_files < 1:
        parser.error("--naive-files must be at least 1")
    if args.articles is not None and (args.articles < 1 or args.corpus is not None):
        parser.error("--articles takes a positive count and excludes --corpus")
    return args


def generated_day(target: Path, articles: int) -> Path:
    """A one-day landing zone of ``articles`` generated articles (``news-etl sample``'s bulk
    generator, deterministic) in ``target``."""
    from etl.sample import generate_bulk

    log(f"generating a one-day landing zone of {articles:,} articles ...")
    generate_bulk(target, articles, start=date(2024, 3, 4), days=1)
    return target


def loadavg() -> str:
    """The 1/5/15-minute load averages, formatted; ``n/a`` where unsupported."""
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: Sequence[str] | None = None) -> int:
    """Run every measurement, print the report, optionally write JSON; return the exit code."""
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="news-etl-bench-") as tmp_name:
        tmp = Path(tmp_name)
        if args.articles is not None:
            if str(REPO) not in sys.path:
                sys.path.insert(0, str(REPO))
            corpus = generated_day(tmp / "landing", args.articles)
        else:
            corpus = resolve_corpus(args.corpus)
        if args.rss_probe is not None:
            return rss_probe(corpus, args.rss_probe)
        return measure(args, corpus, tmp)


def measure(args: argparse.Namespace, corpus: Path, tmp: Path) -> int:
    """Every measurement over ``corpus`` (temporary files in ``tmp``); the exit code."""
    if not corpus.is_dir():
        raise BenchError(
            f"corpus not found: {corpus} is not a folder. Pass --corpus PATH, or set "
            "NEWS_ETL_CORPORA_DIR to the folder holding reuters/ (default: "
            f"{REPO.parent / 'shared' / 'corpora'})."
        )
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if str(REPO) not in sys.path:  # benchmark the checkout this script belongs to
        sys.path.insert(0, str(REPO))

    loadavg_start = loadavg()
    started = time.perf_counter()
    import etl.pipeline  # noqa: F401  (timed: duckdb, pyarrow, pydantic come with it)

    import_etl_s = time.perf_counter() - started
    rss_import = peak_rss_kib()

    import duckdb

    from etl import __version__
    from etl.ingest.landing import list_landing

    files = list_landing(corpus)
    if not files:
        raise BenchError(f"corpus {corpus} holds no files")
    naive_files = files[: args.naive_files]

    pipe, rerun, rss_after = bench_pipeline(corpus, tmp, import_etl_s)
    bodies, skipped = read_bodies(corpus, files)
    text = bench_text(bodies, skipped, args.repeat)
    peak_kib, mem_s = text_memory(bodies)
    many = max(20, 4 * -(-len(bodies) // 500))  # at least 10,000 articles' worth of batches
    rss_one, rss_many = text_rss(corpus, 1), text_rss(corpus, many)
    naive = bench_naive(corpus, naive_files, tmp, args.repeat)
    mem = MemoryResult(
        rss_import, rss_after, peak_rss_kib(), peak_kib, mem_s, rss_one, rss_many, many
    )
    meta: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus": str(corpus)
        if args.articles is None
        else f"generated one-day landing zone ({args.articles:,} articles)",
        "tmp_dir": str(tmp),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "news_etl": __version__,
        "repeat": args.repeat,
        "naive_files": len(naive_files),
        "loadavg_start": loadavg_start,
        "loadavg_end": loadavg(),
        "total_benchmark_s": time.perf_counter() - started,
    }

    print(render(meta, pipe, rerun, text, naive, mem))
    if args.json is not None:
        report = {
            "meta": meta,
            "pipeline": asdict(pipe),
            "rerun": asdict(rerun),
            "text": asdict(text),
            "naive": asdict(naive),
            "memory": asdict(mem),
            "ratios": {
                "validate_share_of_run": rate(pipe.stage_s["validate"], pipe.wall_s),
                "data_docs_share_of_run": rate(pipe.data_docs_s, pipe.wall_s),
                "pipeline_over_naive_mb_per_s": rate(pipe.mb_per_s, naive.mb_per_s),
                "text_core_speed_vs_bare": text.core_speed_vs_bare,
                "rerun_over_first_run_seconds": rate(rerun.wall_s, pipe.wall_s),
            },
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        log(f"JSON written to {args.json}")
    from etl.contracts import RunStatus

    if pipe.status != RunStatus.SUCCESS or rerun.status != RunStatus.SUCCESS:
        expected = RunStatus.SUCCESS
        log(f"warning: run status {pipe.status!r} / {rerun.status!r}, expected '{expected}'")
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench_pipeline: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
