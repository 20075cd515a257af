"""Event-loop lag while the bot answers many questions at once.

The bot answers with ``await asyncio.to_thread(engine.ask, ...)`` (``bot/client.py``) and the ask
cog renders the answer on the loop (``bot/cogs/ask.py``). Worker threads share the GIL with the
loop, so retrieval can delay the loop's other work (gateway heartbeats, other interactions). A
1 ms ticker measures that delay: each tick's lag is how late it woke compared with when it asked
to. All questions are in flight together; variants:

- ask, spread: only ``to_thread(engine.ask)``, one submission per loop iteration, as interactions
  arrive (one gateway event each): the lag that retrieval itself causes;
- ask + render, spread: then ``render_answer`` on the loop, as the cog does;
- ask + render, burst: one ``gather`` over everything, so one loop iteration creates every task
  and submits every job (~20 ms of loop time here even for a no-op job), and finished answers
  queue up for rendering on the loop;
- ask + render, spread after ``gc.freeze()``: the long-lived objects of start-up (the engine's)
  are moved out of the GC's reach, so no full collection scans them while serving.

Each variant runs in a fresh process on a freshly opened engine, after ``Engine.warm()`` and 40
warm-up questions. Worker protocol: ``python -m bench.loop --size N --variant I`` prints one JSON
object (size 0: the shipped reviews).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.gcwatch import full_gc_pauses
from bench.report import ExtraRow

if TYPE_CHECKING:
    from bench.pipeline import PipelineContext

REPO = Path(__file__).resolve().parent.parent
CONCURRENT = 500
TICK_S = 0.001
IDLE_S = 1.0
# What "never waits long enough to delay other interactions" means here: Discord wants an
# interaction acknowledged within 3 s and heartbeats every ~41 s, so tens of ms are harmless;
# 50 ms is where a person could start to notice a delayed reply.
LAG_TARGET_MS = 50.0
# (label, render on the loop, shape, gc.freeze() after warm-up)
VARIANTS: tuple[tuple[str, bool, str, bool], ...] = (
    ("ask, spread", False, "spread", False),
    ("ask + render, spread", True, "spread", False),
    ("ask + render, burst", True, "burst", False),
    ("ask + render, spread, after gc.freeze()", True, "spread", True),
)


async def _measure(engine: Any, questions: list[str], render: bool, shape: str) -> dict[str, Any]:
    from bot.render import render_answer
    from index.spoilers import SpoilerView

    view = SpoilerView()
    lags: list[float] = []
    running = True

    async def ticker() -> None:
        while running:
            expected = time.perf_counter() + TICK_S
            await asyncio.sleep(TICK_S)
            lags.append(time.perf_counter() - expected)

    async def one(question: str) -> float:
        begin = time.perf_counter()
        answer = await asyncio.to_thread(engine.ask, question)
        if render:
            render_answer(answer, view)
        return time.perf_counter() - begin

    tick = asyncio.create_task(ticker())
    await asyncio.sleep(IDLE_S)
    idle = list(lags)
    lags.clear()
    started = time.perf_counter()
    if shape == "burst":
        latencies = await asyncio.gather(*(one(q) for q in questions))
    else:
        tasks = []
        for question in questions:
            tasks.append(asyncio.create_task(one(question)))
            await asyncio.sleep(0)
        latencies = await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    loaded = list(lags)
    running = False
    await tick
    return {"idle_lag_s": idle, "lag_s": loaded, "latencies_s": list(latencies), "elapsed_s": elapsed}


def worker(n_passages: int, variant: int, concurrent: int) -> dict[str, Any]:
    from bench.answer import _shipped, open_engine, questions

    _, render, shape, freeze = VARIANTS[variant]
    engine = _shipped() if n_passages == 0 else open_engine(n_passages)
    engine.warm()
    for question in questions(40, seed=99):
        engine.ask(question)
    if freeze:
        gc.freeze()
    with full_gc_pauses() as pauses:
        result = asyncio.run(_measure(engine, questions(concurrent), render, shape))
    return {**result, "n": n_passages, "questions": concurrent, "full_gc_s": pauses, "tracked": _tracked()}


def _tracked() -> int:
    return len(gc.get_objects()) + (gc.get_freeze_count() if hasattr(gc, "get_freeze_count") else 0)


def _ms(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(np.array(values) * 1000, q)) if values else float("nan")


def benchmark(context: PipelineContext) -> list[ExtraRow]:
    """Rows: loop lag under concurrent asks, each variant, on the shipped reviews and up to 100k passages."""
    from bench import answer

    sizes = answer.synthetic_sizes(context)
    rows: list[ExtraRow] = []
    for n_passages in [0, *[n for n in sizes if n <= 100_000][-1:]]:
        if n_passages:
            answer.ensure_built(n_passages)
        for variant in range(len(VARIANTS)):
            command = [sys.executable, "-m", "bench.loop", "--size", str(n_passages), "--variant", str(variant)]
            output = subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.PIPE, text=True).stdout
            rows.append(_row(json.loads(output.strip().splitlines()[-1]), VARIANTS[variant][0]))
    return rows


def _row(run: dict[str, Any], label: str) -> ExtraRow:
    lag, full = run["lag_s"], run["full_gc_s"]
    worst = max(lag) * 1000 if lag else float("nan")
    met = "met" if worst <= LAG_TARGET_MS else "NOT met"
    collections = (
        f"{len(full)} full GC of {max(full) * 1000:.0f} ms ({run['tracked']:,} objects)" if full else "no full GC"
    )
    where = "shipped reviews" if run["n"] == 0 else "synthetic reviews"
    return ExtraRow(
        "event loop",
        f"1 ms ticker's lag, {run['questions']} concurrent `to_thread(engine.ask)`: {label} ({where})",
        run["n"] or None,
        _ms(lag, 50) * 1000,
        _ms(lag, 99) * 1000,
        run["elapsed_s"],
        f"max lag {worst:.1f} ms; {collections}; idle p99 {_ms(run['idle_lag_s'], 99):.2f} ms, max "
        f"{max(run['idle_lag_s']) * 1000:.2f} ms; {len(lag)} ticks; {run['questions'] / run['elapsed_s']:,.0f} "
        f"answers/s; each answer p50 {_ms(run['latencies_s'], 50):,.0f} ms, p99 {_ms(run['latencies_s'], 99):,.0f} "
        f"ms from submit (queueing included); max lag ≤ {LAG_TARGET_MS:g} ms: **{met}**",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.loop")
    parser.add_argument("--size", type=int, required=True, help="passages; 0 means the shipped reviews")
    parser.add_argument("--variant", type=int, default=0, choices=range(len(VARIANTS)))
    parser.add_argument("--concurrent", type=int, default=CONCURRENT)
    args = parser.parse_args(argv)
    print(json.dumps(worker(args.size, args.variant, args.concurrent)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
