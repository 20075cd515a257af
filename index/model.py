"""Small immutable types shared by the engine's modules."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Topic(StrEnum):
    """What a section of a review talks about."""

    PLOT = "plot"
    CHARACTERS = "characters"
    SETTING = "setting"
    THEMES = "themes"
    RECEPTION = "reception"
    BACKGROUND = "background"


class Reveal(IntEnum):
    """How far into the book's story a sentence (or a heading) reveals; ordered."""

    NONE = 0
    PREMISE = 1
    PART_1 = 2
    PART_2 = 3
    PART_3 = 4

    @property
    def label(self) -> str:
        return _REVEAL_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Reveal:
        key = text.strip().lower().replace("_", "-").replace(" ", "-")
        for level, label in _REVEAL_KEYS.items():
            if key == label:
                return level
        raise ValueError(f"unknown reveal level {text!r}; use one of {', '.join(_REVEAL_KEYS.values())}")

    @property
    def key(self) -> str:
        return _REVEAL_KEYS[self]


_REVEAL_KEYS = {
    Reveal.NONE: "none",
    Reveal.PREMISE: "premise",
    Reveal.PART_1: "part-1",
    Reveal.PART_2: "part-2",
    Reveal.PART_3: "part-3",
}
_REVEAL_LABELS = {
    Reveal.NONE: "nothing",
    Reveal.PREMISE: "the premise",
    Reveal.PART_1: "Part 1",
    Reveal.PART_2: "Part 2",
    Reveal.PART_3: "Part 3",
}


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of a review: its display title, its parents, topic, and what the heading reveals."""

    title: str
    parents: tuple[str, ...]
    topic: Topic
    reveals: Reveal

    @property
    def path(self) -> str:
        return " › ".join((*self.parents, self.title))

    @property
    def neutral(self) -> str:
        """A label that spoils nothing: the top-level parent, or the topic's name."""
        if self.parents:
            return self.parents[0]
        return _TOPIC_LABELS[self.topic]


_TOPIC_LABELS = {
    Topic.PLOT: "Plot summary",
    Topic.CHARACTERS: "Characters",
    Topic.SETTING: "Setting",
    Topic.THEMES: "Themes",
    Topic.RECEPTION: "Reception",
    Topic.BACKGROUND: "Background",
}


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A review's metadata."""

    id: str
    title: str
    author: str | None
    kind: str
    file: str


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence, verbatim from its review, with the reveal level of what it says."""

    index: int
    passage: int
    text: str
    reveal: Reveal


@dataclass(frozen=True, slots=True)
class Passage:
    """A paragraph of a review under its section heading."""

    index: int
    source: SourceInfo
    section: Section
    sentences: tuple[Sentence, ...]

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)
