"""A saved-then-opened engine answers exactly as the engine that was saved, and a stale or damaged
save is rebuilt, never trusted and never a crash."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from index import engine as engine_module
from index.corpus import ArrayCorpus
from index.engine import Engine
from index.errors import BookclubError
from index.evaluation import load_questions
from index.excerpts import Answer, Excerpt

QUESTIONS = [q.question for q in load_questions(Path(__file__).resolve().parents[2] / "eval" / "questions.jsonl")]


def excerpt_key(excerpt: Excerpt) -> tuple[Any, ...]:
    return (excerpt.passage, excerpt.sentences, excerpt.score, excerpt.coverage, excerpt.asked)


def answer_key(answer: Answer) -> tuple[Any, ...]:
    return (
        answer.question,
        answer.answered,
        tuple(excerpt_key(e) for e in answer.excerpts),
        tuple(excerpt_key(e) for e in answer.more),
        answer.note,
        answer.not_covered,
        answer.coverage,
    )


@pytest.fixture(scope="module")
def saved(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("engine")
    engine.save(directory)
    return directory


@pytest.fixture()
def opened(engine: Engine, saved: Path) -> Engine:
    loaded = Engine.open(saved, engine.fingerprint)
    assert loaded is not None
    return loaded


def test_opened_engine_answers_every_eval_question_identically(engine: Engine, opened: Engine) -> None:
    """Same excerpts, scores, coverage and answered flags on all of eval/questions.jsonl."""
    assert isinstance(opened.passages, ArrayCorpus)
    for question in QUESTIONS:
        assert answer_key(opened.ask(question)) == answer_key(engine.ask(question)), question
    first, follow = "what happens to ruth", "and tommy?"
    assert answer_key(opened.ask(follow, previous=first)) == answer_key(engine.ask(follow, previous=first))


def test_opened_engine_has_the_same_characters_and_stats(engine: Engine, opened: Engine) -> None:
    for name in engine.characters.names:
        assert opened.character(name) == engine.character(name)
    for query in ("kath", "Tomy", "the narrator", "nobody at all"):
        assert opened.character(query) == engine.character(query)
        assert opened.complete_character(query) == engine.complete_character(query)
    assert opened.sources() == engine.sources()
    assert (len(opened.passages), opened.sentence_count) == (len(engine.passages), engine.sentence_count)
    assert opened.book == engine.book and opened.fingerprint == engine.fingerprint
    assert opened.vocabulary.correct("hailshm") == engine.vocabulary.correct("hailshm")


def test_opened_engine_has_no_library_unless_loaded_through_the_cache(opened: Engine, tmp_path: Path) -> None:
    with pytest.raises(BookclubError):
        _ = opened.library
    cached = Engine.load_cached(None, tmp_path)
    assert cached.library.documents


def test_stale_fingerprint_is_none_and_load_cached_rebuilds(engine: Engine, tmp_path: Path) -> None:
    engine.save(tmp_path)
    assert Engine.open(tmp_path, "another corpus") is None
    stale = json.loads((tmp_path / "engine.json").read_text(encoding="utf-8"))
    stale["fingerprint"] = "0" * 64
    (tmp_path / "engine.json").write_text(json.dumps(stale), encoding="utf-8")
    assert Engine.open(tmp_path, engine.fingerprint) is None
    rebuilt = Engine.load_cached(None, tmp_path)
    assert answer_key(rebuilt.ask("does ruth die??")) == answer_key(engine.ask("does ruth die??"))
    assert Engine.open(tmp_path, engine.fingerprint) is not None  # saved again


def test_code_version_is_part_of_the_key(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A saved engine built by other code (another format) is stale too."""
    engine.save(tmp_path)
    monkeypatch.setattr(engine_module, "ENGINE_FORMAT", engine_module.ENGINE_FORMAT + 1)
    assert Engine.open(tmp_path, engine.fingerprint) is None


def _folder(directory: Path, entry: str) -> Path:
    return directory / json.loads((directory / f"{entry}.json").read_text(encoding="utf-8"))["folder"]


@pytest.mark.parametrize(
    ("entry", "file"),
    [("corpus", "text.npy"), ("corpus", "term_ids.npy"), ("bm25", "docs.npy"), ("engine", "cards.json")],
)
def test_corrupt_file_rebuilds_without_crashing(engine: Engine, tmp_path: Path, entry: str, file: str) -> None:
    engine.save(tmp_path)
    path = _folder(tmp_path, entry) / file
    path.write_bytes(b"\x93NUMPY garbage" if file.endswith(".npy") else b'[{"name": "Ruth", "who": [[99999]]}]')
    assert Engine.open(tmp_path, engine.fingerprint) is None
    rebuilt = Engine.load_cached(None, tmp_path)
    assert rebuilt.ask("what is hailsham?").answered
    assert Engine.open(tmp_path, engine.fingerprint) is not None


def test_concurrent_asks_match_sequential_ones(engine: Engine, saved: Path) -> None:
    """Eight threads share one freshly opened engine (cold caches): answers as asked one by one."""
    expected = {q: answer_key(engine.ask(q)) for q in QUESTIONS}
    shared = Engine.open(saved, engine.fingerprint)
    assert shared is not None
    failures: list[str] = []
    start = threading.Barrier(8)

    def work(offset: int) -> None:
        start.wait()
        for question in QUESTIONS[offset:] + QUESTIONS[:offset]:
            if answer_key(shared.ask(question)) != expected[question]:
                failures.append(question)

    threads = [threading.Thread(target=work, args=(n * 13,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
