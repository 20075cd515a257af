"""The questions each review sentence answers (``sources/questions/``), matched to sentences and analysed.

Document expansion: members rarely use a review's words ("how does Tommy take the news" against
"He let out a roar of anger"), so a sentence is also indexed under the questions it answers. The
questions are never shown; they only help the right sentence be found, and a question that
closely matches one of them is evidence the sentence answers it.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from index.analysis import terms
from index.errors import SourceError
from index.model import Passage
from index.passages import split_sentences
from index.query import Query
from index.sources import AskedFile, Document

# How much the known question's unasked words count against a match (0: not at all).
MATCH_BOTH_WAYS = 0.5
# Known questions matching at least this well support their sentence, up to SUPPORT_CAP of them.
SUPPORT_FROM = 0.3
SUPPORT_CAP = 4.0


class Match(NamedTuple):
    best: float
    support: float


@dataclass(frozen=True, slots=True)
class Expansions:
    """Per sentence index: the extra terms it is indexed under, and each of its questions' terms."""

    extra: Mapping[int, tuple[str, ...]] = field(default_factory=dict)
    asked: Mapping[int, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    # Each question term's weight in the index (set once the index is built, see ``weighed``).
    weights: Mapping[str, float] = field(default_factory=dict)
    # Question words no review uses ("already", "version"): a question that uses them is not asking
    # for something the reviews say in those words, so they must not count against coverage as if
    # they were review words (see ``unspoken``).
    foreign: frozenset[str] = frozenset()

    def __len__(self) -> int:
        return len(self.asked)

    def terms(self, sentence: int) -> tuple[str, ...]:
        return self.extra.get(sentence, ())

    def weighed(self, weight: Callable[[str], float]) -> Expansions:
        """The same questions with their terms weighted as the index weighs them."""
        return replace(self, weights={t: weight(t) for ts in self.extra.values() for t in ts})

    def unspoken(self, spoken: Container[str]) -> Expansions:
        """The same questions, knowing which of their terms the reviews' own text never uses."""
        return replace(self, foreign=frozenset(t for ts in self.extra.values() for t in ts if t not in spoken))

    def match(self, sentence: int, query: Query) -> Match:
        """How closely the question matches the questions this sentence answers.

        Each known question scores 0 to 1 both ways: the share of the question's weight the known
        question carries, times the share of the known question's weight that was asked (a bare
        "deferrals?" should not fully match "do Kathy and Tommy try to get a deferral"). ``best`` is
        the closest one; ``support`` adds up the others that come near. Where several sentences
        answer a question about equally well, the one that more askers pointed to is the one a
        member means more often.
        """
        best = 0.0
        near = 0.0
        asked = query.weights.keys()
        for question in self.asked.get(sentence, ()):
            if asked.isdisjoint(question):
                continue  # shares no term: scores 0 (most of a sentence's questions, cheaply)
            covered = query.coverage(question)
            if covered < SUPPORT_FROM and covered <= best:
                continue  # the both-ways score is at most ``covered``: this one cannot count
            total = sum(self.weights.get(t, 1.0) for t in question)
            shared = sum(self.weights.get(t, 1.0) for t in question if t in query.weights)
            score = covered * (shared / total) ** MATCH_BOTH_WAYS if total > 0 else 0.0
            if score >= SUPPORT_FROM:
                near += score
            best = max(best, score)
        return Match(best, max(0.0, min(SUPPORT_CAP, near - best)))  # ``near`` counts ``best`` too

    def to_json(self) -> dict[str, Any]:
        """Analysed terms, so an engine opened from disk matches exactly as the one that was saved."""
        asked = {str(i): [list(q) for q in qs] for i, qs in sorted(self.asked.items())}
        return {"asked": asked, "foreign": sorted(self.foreign)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Expansions:
        stored = data.get("asked", {})
        asked = {int(i): tuple(tuple(sorted({str(t) for t in q})) for q in qs) for i, qs in stored.items()}
        return replace(cls._of(asked), foreign=frozenset(str(t) for t in data.get("foreign", ())))

    @classmethod
    def _of(cls, asked: Mapping[int, tuple[tuple[str, ...], ...]]) -> Expansions:
        extra = {i: tuple(sorted({t for q in qs for t in q})) for i, qs in asked.items() if qs}
        return cls(extra, dict(asked))


NO_EXPANSIONS = Expansions()


def expand(
    documents: Sequence[Document], passages: Iterable[Passage], asked_files: Sequence[AskedFile] = ()
) -> Expansions:
    """Match every listed sentence to the review sentence that contains it and analyse its questions;
    list each asked question under the first sentence holding its evidence phrase.

    A listed sentence or evidence phrase found nowhere (the review was edited, or a typo) is a
    :class:`SourceError` naming the file and entry, like any other bad metadata.
    """
    listed = {d.info.id for d in documents if d.asked}
    by_source: dict[str, list[tuple[int, str]]] = {}
    all_sentences: list[tuple[int, str]] = []
    for passage in passages:
        if passage.source.id in listed:
            by_source.setdefault(passage.source.id, []).extend((s.index, s.text) for s in passage.sentences)
        if asked_files:
            all_sentences.extend((s.index, s.text) for s in passage.sentences)
    everywhere = _Finder(all_sentences)
    asked: dict[int, list[tuple[str, ...]]] = {}

    def add(index: int, question: str) -> None:
        found = asked.setdefault(index, [])
        analysed = tuple(sorted(set(terms(question))))
        if analysed and analysed not in found:
            found.append(analysed)

    for document in documents:
        sentences = _Finder(by_source.get(document.info.id, []))
        for number, spec in enumerate(document.asked):
            index = sentences.find(spec.sentence)
            if index is None:
                label = f"{document.questions_file} (questions of review {document.info.id})"
                problem = f"not found in the review: {spec.sentence[:60]!r}"
                raise SourceError(label, f"sentences.{number}.sentence", problem)
            for question in spec.questions:
                add(index, question)
    for file in asked_files:
        for item in file.questions:
            # The best evidence only: listing a question under every sentence that touches it made
            # the weaker ones compete with the best (hit@1 -0.02 across the development sets).
            index = _best_evidence(item.evidence, everywhere)
            if index is None:
                problem = f"in no review sentence: {item.evidence[0][:60]!r}"
                raise SourceError(f"{file.name} (asked questions)", f"{item.id}.evidence", problem)
            add(index, item.question)
    return Expansions._of({i: tuple(qs) for i, qs in asked.items()})


class _Finder:
    """The first of some sentences that contains a phrase, by one search of their joined text
    (a scan per phrase made matching ~2,000 listed questions a third of building the engine)."""

    def __init__(self, sentences: Sequence[tuple[int, str]]) -> None:
        self._indexes = [i for i, _ in sentences]
        self._starts: list[int] = []
        offset = 0
        for _, text in sentences:
            self._starts.append(offset)
            offset += len(text) + 1
        self._text = "\n".join(text for _, text in sentences)

    def find(self, phrase: str) -> int | None:
        # Sentences hold no line breaks, so a phrase without one matches inside a single sentence.
        at = self._text.find(phrase) if phrase and "\n" not in phrase else -1
        return None if at < 0 else self._indexes[bisect.bisect_right(self._starts, at) - 1]


def _best_evidence(evidence: Sequence[str], sentences: _Finder) -> int | None:
    """The sentence holding the first evidence phrase found; a phrase spanning two sentences counts
    for the sentence its first part lies in."""
    for phrase in evidence:
        index = sentences.find(phrase)
        if index is None:
            # Split only on a miss: splitting every phrase was a sixth of building the engine.
            index = sentences.find(split_sentences(phrase)[0])
        if index is not None:
            return index
    return None
