"""Hooks for benchmarks beyond raw retrieval, shown under "Other benchmarks" in the report.

The engine's author can add e.g. "whole answer pipeline" (retrieve + analyse + format) and
"cold start of `bookclub ask`" here: write a function taking ``PipelineContext`` and returning
``ExtraRow`` objects, and list it in ``extra_benchmarks``. Keep each one self-contained (run
subprocesses for cold starts) and deterministic (seeded inputs), like bench.retrieval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bench.report import ExtraRow


@dataclass(frozen=True)
class PipelineContext:
    """What the CLI was asked for."""

    sizes: tuple[int, ...]
    queries: int
    k: int
    quick: bool


ExtraBenchmark = Callable[[PipelineContext], list[ExtraRow]]


def extra_benchmarks() -> list[ExtraBenchmark]:
    """Benchmarks to run after retrieval: whole-answer latency (``bench.answer``), cold starts
    (``bench.startup``) and event-loop lag under load (``bench.loop``); imported here, not at the
    top, because they import this module's ``PipelineContext``."""
    from bench import answer, loop, startup

    return [answer.benchmark, startup.benchmark, loop.benchmark]


def run_extras(context: PipelineContext) -> list[ExtraRow]:
    rows: list[ExtraRow] = []
    for benchmark in extra_benchmarks():
        rows.extend(benchmark(context))
    return rows
