"""Whole-answer latency: question → analysis → retrieval → sentence selection → ``render_answer``,
on the shipped reviews and on synthetic review corpora of 10k–1M passages.

The synthetic corpus imitates the shipped reviews' shape (sentences per passage, words per
sentence, sections per review, reveal levels) with words drawn Zipf-style from the shipped
reviews' own words (stopwords first, then every third rank a real word between made-up ones), so
real questions retrieve something. Each size is built once into ``.bookclub-cache/bench/`` (a
progress line; minutes at 1M) and opened memory-mapped after that, as a bot would.

Worker protocol: ``python -m bench.answer {build,measure} --size N`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.corpus import size_label
from bench.gcwatch import full_gc_pauses
from bench.report import ExtraRow

if TYPE_CHECKING:
    from bench.pipeline import PipelineContext

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".bookclub-cache" / "bench"
GENERATOR_VERSION = 1
SEED = 20_251_121
PSEUDO_WORDS = 60_000
REAL_EVERY = 3
ZIPF_EXPONENT = 1.0
SENTENCES_PER_PASSAGE = {1: 17, 2: 21, 3: 38, 4: 29, 5: 11, 6: 4, 7: 3}  # as in the shipped reviews
REVEAL_SHARES = (199, 26, 36, 23, 105)  # sentences per reveal level in the shipped reviews
QUESTIONS = 500
WARMUP = 20
TARGET_P99_MS = 5.0
TARGET_MAX_PASSAGES = 100_000  # the latency target is for up to 100k passages; 1M is measured for scale
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")


# ---------------------------------------------------------------------- synthetic corpus


def engine_dir(n_passages: int) -> Path:
    return CACHE / f"engine-{size_label(n_passages)}"


def synthetic_fingerprint(n_passages: int) -> str:
    """Identifies the generated content: generator, size, seed, and the shipped reviews it samples."""
    from index.sources import default_sources_dir, load_library

    library = load_library(default_sources_dir())
    key = f"synthetic/{GENERATOR_VERSION}/{n_passages}/{SEED}/{PSEUDO_WORDS}/{library.fingerprint}"
    return hashlib.sha256(key.encode()).hexdigest()


def _vocabulary(rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """Words by rank (real stopwords, then real content words every third rank) and the Zipf CDF."""
    from index.engine import Engine
    from index.lexicon import STOPWORDS

    shipped = Engine.load()
    forms: dict[str, Counter[str]] = {}
    for passage in shipped.passages:
        for word in _WORD.findall(passage.text):
            forms.setdefault(word.lower(), Counter())[word] += 1
    ranked = sorted(forms, key=lambda w: (-forms[w].total(), w))
    surface = {w: forms[w].most_common(1)[0][0] for w in ranked}
    stop = [surface[w] for w in ranked if w in STOPWORDS]
    content = [surface[w] for w in ranked if w not in STOPWORDS]
    known = set(forms)
    consonants, vowels = "bcdfghjklmnprstvz", "aeiou"
    pseudo: list[str] = []
    seen: set[str] = set()
    while len(pseudo) < PSEUDO_WORDS:
        syllables = int(rng.integers(2, 5))
        word = "".join(
            consonants[int(rng.integers(len(consonants)))]
            + vowels[int(rng.integers(len(vowels)))]
            + (consonants[int(rng.integers(len(consonants)))] if rng.random() < 0.3 else "")
            for _ in range(syllables)
        )
        if word not in seen and word not in known and word not in STOPWORDS:
            seen.add(word)
            pseudo.append(word)
    words = list(stop)
    real, fake = iter(content), iter(pseudo)
    for rank in range(len(content) + len(pseudo)):
        pick = next(real, None) if rank % REAL_EVERY == 0 else None
        words.append(pick if pick is not None else next(fake, None) or next(real))
    weights = 1.0 / np.arange(1, len(words) + 1, dtype=np.float64) ** ZIPF_EXPONENT
    return words, np.cumsum(weights / weights.sum())


def _reviews(n_passages: int) -> Iterator[tuple[Any, list[tuple[Any, list[tuple[str, Any]]]]]]:
    """(source, [(section, [(sentence, reveal), ...]), ...]) per review until ``n_passages``."""
    from index.engine import Engine
    from index.model import Reveal, SourceInfo

    rng = np.random.default_rng(SEED)
    words, cdf = _vocabulary(rng)
    sections = list(dict.fromkeys(p.section for p in Engine.load().passages))
    counts = list(SENTENCES_PER_PASSAGE)
    count_cdf = np.cumsum(list(SENTENCES_PER_PASSAGE.values())) / sum(SENTENCES_PER_PASSAGE.values())
    reveal_cdf = np.cumsum(REVEAL_SHARES) / sum(REVEAL_SHARES)
    levels = tuple(Reveal)
    made = 0
    number = 0
    while made < n_passages:
        number += 1
        source = SourceInfo(f"synthetic-{number:06d}", f"Synthetic review {number}", None, "review", f"{number}.txt")
        chosen = sorted(rng.choice(len(sections), size=int(rng.integers(3, 8)), replace=False).tolist())
        review = []
        for section_number in chosen:
            section = sections[section_number]
            passages = []
            for _ in range(min(int(rng.integers(1, 7)), n_passages - made)):
                n_sentences = counts[min(int(np.searchsorted(count_cdf, rng.random())), len(counts) - 1)]
                lengths = rng.integers(6, 29, size=n_sentences)
                ids = np.searchsorted(cdf, rng.random(int(lengths.sum())), side="right").clip(0, len(words) - 1)
                reveals = np.searchsorted(reveal_cdf, rng.random(n_sentences)).clip(0, len(levels) - 1).tolist()
                flat = [words[i] for i in ids.tolist()]
                sentences = []
                start = 0
                for length, level in zip(lengths.tolist(), reveals, strict=True):
                    text = " ".join(flat[start : start + length])
                    start += length
                    sentences.append((text[0].upper() + text[1:] + ".", max(levels[level], section.reveals)))
                passages.append(sentences)
                made += 1
            if passages:
                review.append((section, passages))
        yield source, [(section, sentences) for section, group in review for sentences in group]


def build(n_passages: int) -> dict[str, Any]:
    """Generate, index and save the synthetic engine of ``n_passages`` passages; timings in seconds."""
    from index.corpus import CorpusWriter
    from index.engine import Engine
    from index.sources import default_sources_dir, load_library

    started = time.perf_counter()
    writer = CorpusWriter()
    reviews = 0
    for source, passages in _reviews(n_passages):
        writer.add_source(source)
        reviews += 1
        for section, sentences in passages:
            writer.add(source.id, section, sentences)
    corpus = writer.finish()
    generated = time.perf_counter()
    print(f"[answer] generated {len(corpus):,} passages in {generated - started:.1f}s", file=sys.stderr, flush=True)
    book = load_library(default_sources_dir()).book
    engine = Engine.from_corpus(corpus, book, synthetic_fingerprint(n_passages))
    indexed = time.perf_counter()
    engine.save(engine_dir(n_passages))
    saved = time.perf_counter()
    disk = sum(f.stat().st_size for f in engine_dir(n_passages).rglob("*") if f.is_file())
    stats = {
        "passages": len(corpus),
        "sentences": corpus.sentence_count,
        "reviews": reviews,
        "generate_s": generated - started,
        "index_s": indexed - generated,
        "save_s": saved - indexed,
        "total_s": saved - started,
        "disk_mb": disk / 2**20,
        "built": time.strftime("%Y-%m-%d %H:%M"),
    }
    (engine_dir(n_passages) / "build.json").write_text(json.dumps(stats), encoding="utf-8")
    return stats


def open_engine(n_passages: int) -> Any:
    """The synthetic engine, opened from the cache (built first when missing or stale)."""
    from index.engine import Engine

    engine = Engine.open(engine_dir(n_passages), synthetic_fingerprint(n_passages))
    if engine is None:
        build(n_passages)
        engine = Engine.open(engine_dir(n_passages), synthetic_fingerprint(n_passages))
    if engine is None:
        raise RuntimeError(f"the synthetic {size_label(n_passages)} engine could not be opened after a build")
    return engine


def ensure_built(n_passages: int) -> dict[str, Any]:
    """Build in a subprocess when needed (its memory goes back to the OS); the build's stats."""
    from index.engine import Engine

    if Engine.open(engine_dir(n_passages), synthetic_fingerprint(n_passages)) is None:
        _worker(["build", "--size", str(n_passages)])
    stats: dict[str, Any] = json.loads((engine_dir(n_passages) / "build.json").read_text(encoding="utf-8"))
    return stats


# ---------------------------------------------------------------------- questions


def questions(count: int = QUESTIONS, *, seed: int = SEED + 1) -> list[str]:
    """The eval questions, then seeded template questions over the reviews' words (a few with typos)."""
    from index.lexicon import STOPWORDS

    rows = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    out = [json.loads(row)["question"] for row in rows if row.strip()]
    text = " ".join(p.text for p in _shipped().passages)
    counts = Counter(w.lower() for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 2)
    vocab = [w for w, _ in counts.most_common(800)]
    rng = np.random.default_rng(seed)
    templates = (
        "what do the reviews say about {0}?",
        "why is {0} so {1}",
        "{0} and {1}?",
        "is the {0} related to {1} {2}?",
        "tell me about {0}",
        "how does {0} change {1}",
        "what happens with {0} after the {1}?",
    )
    while len(out) < count:
        picked = [vocab[int(i)] for i in rng.integers(0, len(vocab), size=3)]
        if rng.random() < 0.05 and len(picked[0]) > 5:
            i = int(rng.integers(1, len(picked[0]) - 1))
            picked[0] = picked[0][:i] + picked[0][i + 1] + picked[0][i] + picked[0][i + 2 :]
        out.append(templates[int(rng.integers(len(templates)))].format(*picked))
    return out[:count]


def _shipped() -> Any:
    from index.engine import Engine

    return Engine.load()


# ---------------------------------------------------------------------- measuring


def measure(n_passages: int) -> dict[str, Any]:
    """Per-question latency of ask + render_answer, each question once, after ``Engine.warm()`` (lazy
    one-off builds are measured by ``bench.startup``) and a few warm-up questions."""
    from bot.render import render_answer
    from index.spoilers import SpoilerView

    started = time.perf_counter()
    engine = _shipped() if n_passages == 0 else open_engine(n_passages)
    ready = time.perf_counter() - started
    engine.warm()
    view = SpoilerView()
    asked = questions(QUESTIONS + WARMUP)
    warmup, timed = asked[QUESTIONS:], asked[:QUESTIONS]
    for question in warmup:
        render_answer(engine.ask(question), view)
    latencies: list[int] = []
    cpu: list[int] = []
    answered = 0
    with full_gc_pauses() as pauses:
        for question in timed:
            begin_cpu = time.thread_time_ns()
            begin = time.perf_counter_ns()
            answer = engine.ask(question)
            render_answer(answer, view)
            latencies.append(time.perf_counter_ns() - begin)
            cpu.append(time.thread_time_ns() - begin_cpu)
            answered += answer.answered
    return {
        "full_gc_s": pauses,
        "tracked": len(gc.get_objects()),
        "n": n_passages,
        "ready_s": ready,
        "latencies_ns": latencies,
        "cpu_ns": cpu,
        "answered": answered,
        "rss_mb": _rss_mb(),
    }


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _worker(argv: list[str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.answer", *argv], cwd=REPO, check=True, stdout=subprocess.PIPE, text=True
    )
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def synthetic_sizes(context: PipelineContext) -> list[int]:
    return sorted({n for n in context.sizes if n >= 10_000})


def benchmark(context: PipelineContext) -> list[ExtraRow]:
    """Rows: whole-answer latency on the shipped reviews and each synthetic size; one-off builds."""
    rows: list[ExtraRow] = []
    for n_passages in [0, *synthetic_sizes(context)]:
        if n_passages:
            stats = ensure_built(n_passages)
            rows.append(
                ExtraRow(
                    "synthetic corpus",
                    f"one-off build: generate, analyse, BM25, character cards, save ({stats['built']})",
                    n_passages,
                    None,
                    None,
                    stats["total_s"],
                    f"{stats['sentences']:,} sentences in {stats['reviews']:,} reviews; generate "
                    f"{stats['generate_s']:.0f} s, index {stats['index_s']:.0f} s, save {stats['save_s']:.0f} s; "
                    f"{stats['disk_mb']:,.0f} MB on disk",
                )
            )
        run = _worker(["measure", "--size", str(n_passages)])
        latencies = np.array(run["latencies_ns"], dtype=np.float64) / 1000
        cpu = np.array(run["cpu_ns"], dtype=np.float64) / 1000
        p99 = float(np.percentile(latencies, 99))
        met = "met" if p99 <= TARGET_P99_MS * 1000 else "NOT met"
        verdict = f"p99 ≤ {TARGET_P99_MS:g} ms: **{met}**" if n_passages <= TARGET_MAX_PASSAGES else "no target here"
        where = "shipped reviews (123 passages)" if n_passages == 0 else "synthetic reviews, opened from disk"
        rows.append(
            ExtraRow(
                "whole answer",
                f"ask + `render_answer`: {where}",
                n_passages or None,
                float(np.percentile(latencies, 50)),
                p99,
                None,
                f"{len(latencies)} questions once each, {run['answered']} answered; "
                f"max {latencies.max() / 1000:.1f} ms; "
                f"CPU time p50 {np.percentile(cpu, 50) / 1000:.2f} ms, p99 {np.percentile(cpu, 99) / 1000:.2f} ms, "
                f"max {cpu.max() / 1000:.2f} ms; {_collections(run)}; RSS {run['rss_mb']:,.0f} MB; {verdict}",
            )
        )
    return rows


def _collections(run: dict[str, Any]) -> str:
    pauses = run["full_gc_s"]
    if not pauses:
        return f"no full GC ({run['tracked']:,} tracked objects)"
    return f"{len(pauses)} full GC, longest {max(pauses) * 1000:.0f} ms ({run['tracked']:,} tracked objects)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.answer")
    parser.add_argument("action", choices=["build", "measure"])
    parser.add_argument("--size", type=int, required=True, help="passages; 0 means the shipped reviews")
    args = parser.parse_args(argv)
    result = build(args.size) if args.action == "build" else measure(args.size)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
