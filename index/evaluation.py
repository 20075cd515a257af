"""Measure retrieval quality and spoiler accuracy against the labelled sets in ``eval/``, and what the
asked-questions files (``sources/questions/asked/``) are worth on questions they were not written for."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from index.engine import Engine
from index.errors import BookclubError
from index.model import Reveal
from index.passages import split_sentences
from index.sources import load_library


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    question: str
    category: str
    casual: bool
    evidence: tuple[str, ...]

    @property
    def off_topic(self) -> bool:
        return not self.evidence


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question: Question
    answered: bool
    rank: int | None  # 1-based rank of the first excerpt holding the evidence


@dataclass(slots=True)
class RetrievalReport:
    results: list[QuestionResult] = field(default_factory=list)

    def _answerable(self, casual: bool | None = None) -> list[QuestionResult]:
        return [r for r in self.results if not r.question.off_topic and (casual is None or r.question.casual == casual)]

    def hit_at(self, k: int, casual: bool | None = None) -> float:
        rows = self._answerable(casual)
        return sum(1 for r in rows if r.rank is not None and r.rank <= k) / len(rows) if rows else 0.0

    def mrr(self) -> float:
        rows = self._answerable()
        return sum(1.0 / r.rank for r in rows if r.rank) / len(rows) if rows else 0.0

    @property
    def off_topic_abstained(self) -> tuple[int, int]:
        rows = [r for r in self.results if r.question.off_topic]
        return sum(1 for r in rows if not r.answered), len(rows)

    @property
    def real_abstained(self) -> tuple[int, int]:
        rows = self._answerable()
        return sum(1 for r in rows if not r.answered), len(rows)

    def summary(self) -> dict[str, float | int]:
        off_ok, off_n = self.off_topic_abstained
        real_bad, real_n = self.real_abstained
        return {
            "questions": len(self.results),
            "answerable": real_n,
            "hit@1": round(self.hit_at(1), 3),
            "hit@3": round(self.hit_at(3), 3),
            "mrr": round(self.mrr(), 3),
            "casual_hit@3": round(self.hit_at(3, casual=True), 3),
            "off_topic_abstained": off_ok,
            "off_topic": off_n,
            "real_abstained": real_bad,
        }


def load_questions(path: Path) -> list[Question]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(
                Question(
                    row["id"],
                    row["question"],
                    row["category"],
                    bool(row.get("casual")),
                    tuple(row.get("evidence") or ()),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            raise BookclubError(f"{path.name}: line {number}: not a question record ({error})") from None
    return out


def evaluate_retrieval(engine: Engine, questions: Iterable[Question]) -> RetrievalReport:
    report = RetrievalReport()
    for question in questions:
        answer = engine.ask(question.question)
        rank = None
        # Ranked among the excerpts shown (the JSON citations), not the ones behind "More excerpts".
        for position, excerpt in enumerate(answer.excerpts, 1):
            if any(phrase in excerpt.text for phrase in question.evidence):
                rank = position
                break
        report.results.append(QuestionResult(question, answer.answered, rank if answer.answered else None))
    return report


@dataclass(frozen=True, slots=True)
class HeldOut:
    """One asked-questions file, answered by an engine built without it."""

    name: str
    report: RetrievalReport


def cross_validate(root: Path) -> list[HeldOut]:
    """Leave each asked-questions file out in turn and answer its questions without it.

    Those files list their questions under the sentences that answer them, so measuring the shipped
    engine on them would only measure recall of its own data; this is the honest number.
    """
    library = load_library(root)
    held: list[HeldOut] = []
    for file in library.asked:
        engine = Engine.from_library(replace(library, asked=tuple(f for f in library.asked if f is not file)))
        held.append(HeldOut(file.name, evaluate_retrieval(engine, load_questions(root / file.name))))
    return held


def pooled(held: Sequence[HeldOut]) -> dict[str, float | int]:
    """Every left-out file's questions together, as one set."""
    report = RetrievalReport([result for h in held for result in h.report.results])
    return report.summary()


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    id: str
    text: str
    level: Reveal
    spoiler: bool


@dataclass(frozen=True, slots=True)
class SpoilerRow:
    sentence: LabelledSentence
    predicted: Reveal
    flagged: bool  # tagged as a spoiler at the default progress (Part 1)


@dataclass(slots=True)
class SpoilerReport:
    rows: list[SpoilerRow] = field(default_factory=list)

    def counts(self) -> tuple[int, int, int, int]:
        tp = sum(1 for r in self.rows if r.flagged and r.sentence.spoiler)
        fp = sum(1 for r in self.rows if r.flagged and not r.sentence.spoiler)
        fn = sum(1 for r in self.rows if not r.flagged and r.sentence.spoiler)
        tn = sum(1 for r in self.rows if not r.flagged and not r.sentence.spoiler)
        return tp, fp, fn, tn

    def summary(self) -> dict[str, float | int]:
        tp, fp, fn, _tn = self.counts()
        exact = sum(1 for r in self.rows if r.predicted == r.sentence.level)
        return {
            "sentences": len(self.rows),
            "precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0,
            "reveals_in_clear": fn,
            "plain_wrapped": fp,
            "level_exact": round(exact / len(self.rows), 3) if self.rows else 0.0,
        }


def load_spoiler_labels(path: Path) -> list[LabelledSentence]:
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(LabelledSentence(row["id"], row["text"], Reveal.parse(row["level"]), bool(row["spoiler"])))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise BookclubError(f"{path.name}: line {number}: not a labelled sentence ({error})") from None
    return out


def evaluate_spoilers(engine: Engine, labelled: Sequence[LabelledSentence]) -> SpoilerReport:
    """Classify each labelled sentence as it sits in the corpus (its section counts too)."""
    located = {}
    for passage in engine.passages:
        for sentence in passage.sentences:
            located[sentence.text] = sentence.reveal
    report = SpoilerReport()
    for item in labelled:
        level = located.get(item.text)
        if level is None:
            # Our splitter may cut differently: take the highest level of the corpus sentences it spans.
            parts = [located.get(s) for s in split_sentences(item.text)]
            overlapping = [
                s.reveal for p in engine.passages for s in p.sentences if item.text in s.text or s.text in item.text
            ]
            candidates = [lv for lv in parts if lv is not None] + overlapping
            level = max(candidates) if candidates else engine.classifier.explain(item.text).level
        report.rows.append(SpoilerRow(item, level, level > Reveal.PART_1))
    return report
