"""Retrieval benchmark: one engine and corpus size per fresh subprocess, for honest build time
and peak memory; the parent collects per-query latencies so ratios are per query, same run.

Worker protocol: ``python -m bench.retrieval worker ...`` prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench import corpus as corpus_mod
from bench.engines import ENGINES, RankBm25

REPO = Path(__file__).resolve().parent.parent
WARMUP_QUERIES = 10


@dataclass
class EngineRun:
    """What one worker measured."""

    engine: str
    n_docs: int
    build_s: float
    rss_before_mb: float
    peak_mb: float
    rss_after_mb: float
    latencies_ns: list[int]
    query_ids: list[int]
    tops: list[list[int]]
    ordered_tops: list[list[int]] = field(default_factory=list)
    save_s: float | None = None
    disk_mb: float | None = None
    note: str = ""

    @property
    def build_peak_mb(self) -> float:
        """Peak resident memory added while building (high-water mark minus RSS before)."""
        return self.peak_mb - self.rss_before_mb

    @property
    def resident_mb(self) -> float:
        """Resident memory the built engine keeps."""
        return self.rss_after_mb - self.rss_before_mb


@dataclass
class LoadRun:
    """Cold start of a persisted index: a fresh process loading it and answering one query."""

    n_docs: int
    import_s: float
    load_s: float
    first_query_s: float
    prefetch_s: float
    rss_mb: float
    matches: bool
    latencies_ns: list[int] = field(default_factory=list)


# ---------------------------------------------------------------------- memory


def _status_mb(field_name: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux >= 4.0) so VmHWM measures only what follows."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


# ---------------------------------------------------------------------- worker side


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    tokens = corpus_mod.corpus_tokens(args.docs)
    queries = corpus_mod.queries(args.queries)
    engine = ENGINES[args.engine]()
    gc.collect()
    rss_before = _status_mb("VmRSS")
    reset = _reset_peak()
    started = time.perf_counter()
    engine.build(tokens)
    build_s = time.perf_counter() - started
    gc.collect()
    peak = _status_mb("VmHWM")  # since the reset, if it worked (else: whole-process peak)
    rss_after = _status_mb("VmRSS")
    chosen = list(range(min(len(queries), args.max_queries)))
    for number in chosen[:WARMUP_QUERIES]:
        engine.query(queries[number], args.k)
    latencies: list[int] = []
    tops: list[list[int]] = []
    ordered: list[list[int]] = []
    for number in chosen:
        query = queries[number]
        begin = time.perf_counter_ns()
        top = engine.query(query, args.k)
        latencies.append(time.perf_counter_ns() - begin)
        tops.append(top)
        if isinstance(engine, RankBm25):
            ordered.append(engine.ordered(args.k))
    result: dict[str, Any] = {
        "engine": args.engine,
        "n_docs": args.docs,
        "build_s": build_s,
        "rss_before_mb": rss_before,
        "peak_mb": peak,
        "rss_after_mb": rss_after,
        "latencies_ns": latencies,
        "query_ids": chosen,
        "tops": tops,
        "ordered_tops": ordered,
        "note": "" if reset else "peak from ru_maxrss (clear_refs unavailable)",
    }
    if args.save_dir and args.engine == "ours":
        from bench.engines import Ours
        from index.persist import save_index

        assert isinstance(engine, Ours) and engine.index is not None
        begin_save = time.perf_counter()
        folder = save_index(engine.index, args.save_dir, _fingerprint(args.docs))
        result["save_s"] = time.perf_counter() - begin_save
        result["disk_mb"] = sum(path.stat().st_size for path in folder.iterdir()) / 2**20
    return result


def _load_worker(args: argparse.Namespace) -> dict[str, Any]:
    """Time a cold start: import, load (memory-mapped), first query, in a fresh process."""
    query = corpus_mod.queries(1)[0]
    begin = time.perf_counter()
    from index.persist import load_index

    imported = time.perf_counter()
    index = load_index(args.dir, _fingerprint(args.docs))
    loaded = time.perf_counter()
    if index is None:
        raise SystemExit("no saved index to load")
    top = [hit.doc for hit in index.top_k(query, args.k)]
    answered = time.perf_counter()
    index.prefetch()
    prefetched = time.perf_counter()
    latencies = []
    for other in corpus_mod.queries(args.queries):
        start = time.perf_counter_ns()
        index.top_k(other, args.k)
        latencies.append(time.perf_counter_ns() - start)
    return {
        "n_docs": args.docs,
        "import_s": imported - begin,
        "load_s": loaded - imported,
        "first_query_s": answered - loaded,
        "prefetch_s": prefetched - answered,
        "rss_mb": _status_mb("VmRSS"),
        "top": top,
        "latencies_ns": latencies,
    }


def _fingerprint(n_docs: int) -> str:
    return f"bench-zipf-{n_docs}-{corpus_mod.CORPUS_SEED}"


# ---------------------------------------------------------------------- parent side


def _run_json(argv: list[str], timeout: float) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.setdefault("DISABLE_TQDM", "1")
    done = subprocess.run(
        [sys.executable, "-m", "bench.retrieval", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark worker {argv} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_engine(
    engine: str, n_docs: int, *, queries: int, k: int, max_queries: int, save_dir: str | None = None
) -> EngineRun:
    """Build and query one engine in a fresh interpreter."""
    argv = ["worker", "--engine", engine, "--docs", str(n_docs), "--queries", str(queries)]
    argv += ["--k", str(k), "--max-queries", str(max_queries)]
    if save_dir:
        argv += ["--save-dir", save_dir]
    data = _run_json(argv, timeout=4 * 3600)
    return EngineRun(**data)


def run_load(n_docs: int, directory: str, *, k: int, queries: int) -> dict[str, Any]:
    """Cold-start a saved index in a fresh interpreter, then time queries on the mapped index."""
    argv = ["load", "--dir", directory, "--docs", str(n_docs), "--k", str(k), "--queries", str(queries)]
    return _run_json(argv, timeout=3600)


def run_size(
    n_docs: int,
    engines: list[str],
    *,
    queries: int,
    k: int,
    slow_cap: int,
    slow_from: int,
    measure_load: bool,
    log: Any = sys.stderr,
) -> tuple[list[EngineRun], LoadRun | None]:
    """All engines at one corpus size, then (optionally) the cold load of our saved index."""
    runs: list[EngineRun] = []
    load: LoadRun | None = None
    with tempfile.TemporaryDirectory(prefix="bench-index-") as save_dir:
        for engine in engines:
            cap = slow_cap if engine == "rank_bm25" and n_docs >= slow_from else queries
            print(f"[bench] {corpus_mod.size_label(n_docs)} {engine} ...", file=log, flush=True)
            run = run_engine(
                engine,
                n_docs,
                queries=queries,
                k=k,
                max_queries=cap,
                save_dir=save_dir if engine == "ours" and measure_load else None,
            )
            if cap < queries:
                run.note = f"only the first {cap} queries (rank-bm25 takes ~1 s per query here)"
            runs.append(run)
        ours = next((run for run in runs if run.engine == "ours"), None)
        if measure_load and ours is not None:
            print(f"[bench] {corpus_mod.size_label(n_docs)} cold load ...", file=log, flush=True)
            data = run_load(n_docs, save_dir, k=k, queries=queries)
            load = LoadRun(
                n_docs=n_docs,
                import_s=data["import_s"],
                load_s=data["load_s"],
                first_query_s=data["first_query_s"],
                prefetch_s=data["prefetch_s"],
                rss_mb=data["rss_mb"],
                matches=bool(ours.tops) and data["top"] == ours.tops[0],
                latencies_ns=data["latencies_ns"],
            )
    return runs, load


def percentile_us(latencies_ns: list[int], q: float) -> float:
    return float(np.percentile(np.asarray(latencies_ns, dtype=np.float64), q)) / 1e3


def per_query_ratio(slow: EngineRun, fast: EngineRun) -> float:
    """Median over shared queries of slow_time / fast_time."""
    fast_by_id = dict(zip(fast.query_ids, fast.latencies_ns, strict=True))
    ratios = [t / fast_by_id[q] for q, t in zip(slow.query_ids, slow.latencies_ns, strict=True) if q in fast_by_id]
    return float(np.median(ratios)) if ratios else float("nan")


def identical_results(ours: EngineRun, reference: EngineRun) -> tuple[int, int]:
    """(queries whose ranked top k equals rank-bm25's, queries compared)."""
    ours_by_id = dict(zip(ours.query_ids, ours.tops, strict=True))
    same = total = 0
    for query_id, top in zip(reference.query_ids, reference.ordered_tops, strict=True):
        if query_id in ours_by_id:
            total += 1
            same += ours_by_id[query_id] == top
    return same, total


def _main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.retrieval")
    sub = parser.add_subparsers(dest="command", required=True)
    worker = sub.add_parser("worker")
    worker.add_argument("--engine", choices=sorted(ENGINES), required=True)
    worker.add_argument("--docs", type=int, required=True)
    worker.add_argument("--queries", type=int, default=200)
    worker.add_argument("--max-queries", type=int, default=200)
    worker.add_argument("--k", type=int, default=10)
    worker.add_argument("--save-dir")
    load = sub.add_parser("load")
    load.add_argument("--dir", required=True)
    load.add_argument("--docs", type=int, required=True)
    load.add_argument("--k", type=int, default=10)
    load.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    result = _worker(args) if args.command == "worker" else _load_worker(args)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    _main()
