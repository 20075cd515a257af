"""``python -m bench``: retrieval benchmarks at several corpus sizes, written as markdown.

Examples::

    python -m bench --quick                       # 1k and 10k, a CI smoke test
    python -m bench --sizes 1k,10k,100k --out bench/RESULTS.md
    python -m bench --sizes 1m --engines ours,rank_bm25 --queries 200
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import asdict
from pathlib import Path

from bench.corpus import parse_size, size_label
from bench.engines import ENGINES
from bench.pipeline import PipelineContext, run_extras
from bench.report import render
from bench.retrieval import EngineRun, LoadRun, run_size

DEFAULT_ENGINES = ("ours", "rank_bm25", "bm25s", "bm25s_retrieve", "tantivy")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k,100k", help="comma-separated corpus sizes (1k, 100k, 1m)")
    parser.add_argument("--queries", type=int, default=200, help="queries per engine (default 200)")
    parser.add_argument("--k", type=int, default=10, help="results per query (default 10)")
    parser.add_argument("--quick", action="store_true", help="1k and 10k only (CI smoke test)")
    parser.add_argument(
        "--engines", default=",".join(DEFAULT_ENGINES), help=f"comma-separated, from {', '.join(ENGINES)}"
    )
    parser.add_argument(
        "--slow-queries",
        type=int,
        default=20,
        help="rank-bm25 answers only this many queries at sizes >= --slow-from (default 20)",
    )
    parser.add_argument("--slow-from", default="1m", help="size from which rank-bm25 is capped (default 1m)")
    parser.add_argument("--no-load", action="store_true", help="skip the persisted-index cold start")
    parser.add_argument("--out", help="write the markdown report here (default: print it)")
    parser.add_argument("--json", help="also write the raw measurements here")
    parser.add_argument("--from-json", help="only re-render a report from raw measurements saved by --json")
    parser.add_argument(
        "--pipeline-sizes", help="corpus sizes for the other benchmarks (default: --sizes; none with --from-json)"
    )
    args = parser.parse_args(argv)
    args.size_list = [1_000, 10_000] if args.quick else [parse_size(size) for size in args.sizes.split(",")]
    args.engine_list = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = [name for name in args.engine_list if name not in ENGINES]
    if unknown:
        parser.error(f"unknown engines: {', '.join(unknown)}")
    if args.queries < 1 or args.k < 1:
        parser.error("--queries and --k must be positive")
    return args


def _from_json(path: str) -> tuple[str, dict[int, list[EngineRun]], dict[int, LoadRun]]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    runs = {int(n): [EngineRun(**run) for run in size_runs] for n, size_runs in raw["runs"].items()}
    loads = {int(n): LoadRun(**load) for n, load in raw["loads"].items()}
    return str(raw.get("command", "")), runs, loads


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    command = "python -m bench " + " ".join(shlex.quote(arg) for arg in (sys.argv[1:] if argv is None else argv))
    runs: dict[int, list[EngineRun]] = {}
    loads: dict[int, LoadRun] = {}
    invoked = command
    if args.from_json:
        saved_command, runs, loads = _from_json(args.from_json)
        command = saved_command or command
        args.size_list = []
    for n_docs in args.size_list:
        size_runs, load = run_size(
            n_docs,
            args.engine_list,
            queries=args.queries,
            k=args.k,
            slow_cap=args.slow_queries,
            slow_from=parse_size(args.slow_from),
            measure_load=not args.no_load,
        )
        runs[n_docs] = size_runs
        if load is not None:
            loads[n_docs] = load
        print(f"[bench] {size_label(n_docs)} done", file=sys.stderr, flush=True)
    pipeline_sizes = [parse_size(size) for size in args.pipeline_sizes.split(",")] if args.pipeline_sizes else []
    extras = run_extras(
        PipelineContext(
            sizes=tuple(pipeline_sizes or args.size_list), queries=args.queries, k=args.k, quick=args.quick
        )
    )
    n_queries = max((len(run.latencies_ns) for size_runs in runs.values() for run in size_runs), default=args.queries)
    notes = (
        f"Retrieval tables re-rendered from the saved runs of the command above (which also runs the other "
        f"benchmarks); the other benchmarks here were run by `{invoked.strip()}`.",
    )
    text = render(
        runs, loads, command=command.strip(), k=args.k, n_queries=n_queries, extras=extras,
        notes=notes if args.from_json else (),
    )
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
        print(f"[bench] wrote {args.out}", file=sys.stderr)
    else:
        print(text)
    if args.json and not args.from_json:
        raw = {
            "command": command.strip(),
            "runs": {str(n): [asdict(run) for run in size_runs] for n, size_runs in runs.items()},
            "loads": {str(n): asdict(load) for n, load in loads.items()},
        }
        Path(args.json).write_text(json.dumps(raw), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
