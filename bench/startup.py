"""Cold starts, each in a fresh process timed from spawn by the parent:

- ``bookclub ask --json`` on the shipped reviews (builds the engine from the sources each time);
- a bot over a persisted synthetic corpus: import, ``Engine.open`` (memory-mapped), first answer
  rendered. Then, in the same process, the first typo question (builds the typo-correction index
  lazily) and the first "who is" question (character cards saved with the engine), for information.

The OS page cache may hold the files (the bench has just built or read them), so these are
process cold starts, not disk cold starts.

Worker protocol: ``python -m bench.startup open --size N --fingerprint F`` prints one JSON line as
soon as the first answer is rendered, then one more with the follow-up timings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.pipeline import PipelineContext
    from bench.report import ExtraRow

REPO = Path(__file__).resolve().parent.parent
ASK_RUNS = 7
OPEN_RUNS = 5
ASK_TARGET_S = 0.6
OPEN_TARGET_S = 2.0
FIRST_QUESTION = "what happens to ruth at the end?"
TYPO_QUESTION = "what is hailshm like?"
WHO_QUESTION = "who is tommy?"


def _bookclub() -> list[str]:
    script = Path(sys.executable).parent / "bookclub"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def cold_ask(runs: int = ASK_RUNS) -> list[float]:
    """Wall seconds of ``bookclub ask --json`` per run, after one untimed run (warms the page cache)."""
    command = [*_bookclub(), "ask", "--json", "does ruth die??"]
    times: list[float] = []
    for run in range(runs + 1):
        started = time.perf_counter()
        result = subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True)
        elapsed = time.perf_counter() - started
        if not json.loads(result.stdout)["answered"]:
            raise RuntimeError("bookclub ask did not answer the benchmark question")
        if run:
            times.append(elapsed)
    return times


def open_once(n_passages: int, fingerprint: str) -> dict[str, Any]:
    """Spawn a worker; seconds from spawn until its first answer is rendered, plus its breakdown."""
    command = [sys.executable, "-m", "bench.startup", "open", "--size", str(n_passages), "--fingerprint", fingerprint]
    started = time.perf_counter()
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) as process:
        if process.stdout is None:
            raise RuntimeError("no pipe to the startup worker")
        first = process.stdout.readline()
        ready = time.perf_counter() - started
        rest = process.stdout.read()
        if process.wait() != 0 or not first:
            raise RuntimeError(f"the startup worker for {n_passages} passages failed")
    result: dict[str, Any] = {**json.loads(first), **json.loads(rest.strip().splitlines()[-1])}
    result["ready_s"] = ready
    return result


def worker(n_passages: int, fingerprint: str) -> None:
    """Runs in the fresh process: import, open, first answer, as a bot over the saved corpus would."""
    started = time.perf_counter()
    from bot.render import render_answer
    from index.engine import Engine
    from index.spoilers import SpoilerView

    imported = time.perf_counter()
    directory = REPO / ".bookclub-cache" / "bench" / f"engine-{_label(n_passages)}"
    engine = Engine.open(directory, fingerprint)
    if engine is None:
        raise SystemExit(f"no saved engine in {directory}")
    opened = time.perf_counter()
    answer = engine.ask(FIRST_QUESTION)
    render_answer(answer, SpoilerView())
    answered = time.perf_counter()
    print(
        json.dumps(
            {
                "import_s": imported - started,
                "open_s": opened - imported,
                "first_s": answered - opened,
                "answered": answer.answered,
            }
        ),
        flush=True,
    )
    follow: dict[str, float] = {}
    for key, question in (("typo_s", TYPO_QUESTION), ("who_s", WHO_QUESTION)):
        begin = time.perf_counter()
        render_answer(engine.ask(question), SpoilerView())
        follow[key] = time.perf_counter() - begin
    print(json.dumps(follow), flush=True)


def _label(n_passages: int) -> str:
    from bench.corpus import size_label

    return size_label(n_passages)


def benchmark(context: PipelineContext) -> list[ExtraRow]:
    """Rows: cold ``bookclub ask``; persisted-engine start for each synthetic size."""
    from bench import answer
    from bench.report import ExtraRow

    asks = cold_ask()
    ask_met = "met" if max(asks) <= ASK_TARGET_S else "NOT met"
    rows = [
        ExtraRow(
            "cold start",
            "`bookclub ask --json` on the shipped reviews (fresh process)",
            None,
            None,
            None,
            statistics.median(asks),
            f"median of {len(asks)} runs; max {max(asks):.2f} s; ≤ {ASK_TARGET_S} s: **{ask_met}**",
        )
    ]
    for n_passages in answer.synthetic_sizes(context):
        answer.ensure_built(n_passages)
        fingerprint = answer.synthetic_fingerprint(n_passages)
        runs = [open_once(n_passages, fingerprint) for _ in range(OPEN_RUNS)]
        ready = [run["ready_s"] for run in runs]
        middle = sorted(runs, key=lambda run: run["ready_s"])[len(runs) // 2]
        met = "met" if max(ready) < OPEN_TARGET_S else "NOT met"
        rows.append(
            ExtraRow(
                "cold start",
                "bot over a persisted corpus: spawn → import → `Engine.open` → first answer rendered",
                n_passages,
                None,
                None,
                statistics.median(ready),
                f"median of {len(runs)} fresh processes; max {max(ready):.2f} s; median run: import "
                f"{middle['import_s']:.2f} s, open {middle['open_s'] * 1000:.0f} ms, first answer "
                f"{middle['first_s'] * 1000:.0f} ms; then first typo question {middle['typo_s'] * 1000:.0f} ms, "
                f"first who-is {middle['who_s'] * 1000:.1f} ms; < {OPEN_TARGET_S:g} s: **{met}**",
            )
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup")
    parser.add_argument("action", choices=["open"])
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--fingerprint", required=True)
    args = parser.parse_args(argv)
    worker(args.size, args.fingerprint)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
