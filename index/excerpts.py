"""Answer types: excerpts (cited runs of sentences) and answers."""

from __future__ import annotations

from dataclasses import dataclass

from index.model import Passage, Reveal, Section, Sentence, SourceInfo


@dataclass(frozen=True, slots=True)
class Excerpt:
    """Consecutive sentences of one passage, quoted verbatim, with the score that ranked them."""

    passage: Passage
    sentences: tuple[Sentence, ...]
    score: float
    coverage: float
    # How closely the question matches one of the questions these sentences are known to answer.
    asked: float = 0.0

    @property
    def source(self) -> SourceInfo:
        return self.passage.source

    @property
    def section(self) -> Section:
        return self.passage.section

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    @property
    def reveal(self) -> Reveal:
        return max(s.reveal for s in self.sentences)

    @property
    def key(self) -> tuple[int, ...]:
        return tuple(s.index for s in self.sentences)


@dataclass(frozen=True, slots=True)
class Answer:
    """The engine's answer: excerpts best first, or an honest 'not covered'."""

    question: str
    answered: bool
    excerpts: tuple[Excerpt, ...]
    more: tuple[Excerpt, ...]
    note: str | None
    not_covered: str | None
    coverage: float
