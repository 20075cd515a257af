"""Floors on measured quality (the numbers themselves are in the README, from `bookclub eval`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.engine import Engine
from index.evaluation import (
    HeldOut,
    cross_validate,
    evaluate_retrieval,
    evaluate_spoilers,
    load_questions,
    load_spoiler_labels,
    pooled,
)
from index.sources import default_sources_dir

EVAL = Path(__file__).resolve().parents[2] / "eval"


@pytest.fixture(scope="module")
def retrieval(engine: Engine) -> dict[str, float | int]:
    return evaluate_retrieval(engine, load_questions(EVAL / "questions.jsonl")).summary()


def test_eval_set_is_big_enough() -> None:
    """≥ 40 questions, ≥ 10 casual, ≥ 8 off-topic, every category."""
    questions = load_questions(EVAL / "questions.jsonl")
    assert len(questions) >= 40
    assert sum(q.casual for q in questions) >= 10
    assert sum(q.off_topic for q in questions) >= 8
    assert {"plot", "setting", "characters", "themes", "reception"} <= {q.category for q in questions}


def test_retrieval_floor(retrieval: dict[str, float | int]) -> None:
    """Held above what was measured when this floor was set, minus a small margin."""
    assert retrieval["hit@1"] >= 0.89
    assert retrieval["hit@3"] >= 0.96
    assert retrieval["casual_hit@3"] >= 0.97


@pytest.fixture(scope="module")
def held_out() -> list[HeldOut]:
    return cross_validate(default_sources_dir())


def test_cross_validated_floor(held_out: list[HeldOut]) -> None:
    """Each asked-questions file, answered without its own questions listed, stays near what it measured."""
    development = [h for h in held_out if "holdout" in h.name]
    assert len(development) >= 73
    pooled_summary = pooled(development)
    assert pooled_summary["hit@1"] >= 0.87
    assert pooled_summary["hit@3"] >= 0.96
    assert pooled_summary["casual_hit@3"] >= 0.95
    assert pooled_summary["off_topic_abstained"] >= 0.96 * pooled_summary["off_topic"]
    assert pooled_summary["real_abstained"] <= 0.011 * pooled_summary["answerable"]
    assert all(h.report.summary()["hit@1"] >= 0.6 for h in held_out)


@pytest.mark.parametrize(
    ("name", "hit1", "hit3", "real_abstained", "off_abstained"),
    [
        ("holdout-ba.jsonl", 0.91, 0.96, 1, 7),
        ("holdout-bb.jsonl", 0.83, 0.96, 1, 7),
        ("holdout-bc.jsonl", 0.87, 0.98, 1, 7),
    ],
)
def test_blind_set_floor(
    engine: Engine, name: str, hit1: float, hit3: float, real_abstained: int, off_abstained: int
) -> None:
    """The sets written blind from the reviews alone, and never listed, stay near what they measured."""
    summary = evaluate_retrieval(engine, load_questions(EVAL / name)).summary()
    assert summary["hit@1"] >= hit1
    assert summary["hit@3"] >= hit3
    assert summary["real_abstained"] <= real_abstained
    assert summary["off_topic_abstained"] >= off_abstained


def test_abstention_floor(retrieval: dict[str, float | int]) -> None:
    """Most off-topic questions abstain; almost no real one does."""
    assert retrieval["off_topic_abstained"] >= 17
    assert retrieval["real_abstained"] <= 1


def test_spoiler_floor(engine: Engine) -> None:
    """No labelled reveal is left in clear at the default progress; few plain sentences are wrapped."""
    labels = load_spoiler_labels(EVAL / "spoilers.jsonl")
    assert sum(s.spoiler for s in labels) >= 30 and sum(not s.spoiler for s in labels) >= 30
    summary = evaluate_spoilers(engine, labels).summary()
    assert summary["reveals_in_clear"] == 0
    assert summary["plain_wrapped"] <= 3
