"""Reveal levels for sentences, driven by the book manifest, and who may see what in clear.

A sentence's level is the highest of: its section's own level (a Part 3 plot section), every
manifest event whose cue groups all match, and the general reveal-language rules.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from index.analysis import normalise
from index.model import Reveal, Section
from index.sources import CueRule, SpoilerSpec


class SpoilerMode(StrEnum):
    """How an answer treats sentences beyond the reader's progress."""

    TAG = "tag"
    HIDE = "hide"
    OFF = "off"


class Progress(StrEnum):
    """How far the reader (or the club) has read."""

    NOT_STARTED = "not-started"
    PART_1 = "part-1"
    PART_2 = "part-2"
    PART_3 = "part-3"
    FINISHED = "finished"

    @property
    def label(self) -> str:
        return {
            "not-started": "not started",
            "part-1": "Part 1",
            "part-2": "Part 2",
            "part-3": "Part 3",
            "finished": "finished",
        }[self.value]


DEFAULT_MODE = SpoilerMode.TAG
DEFAULT_PROGRESS = Progress.PART_1
STRICTEST_MODE = SpoilerMode.HIDE
STRICTEST_PROGRESS = Progress.NOT_STARTED

_PROGRESS_CLEAR = {
    Progress.PART_1: Reveal.PART_1,
    Progress.PART_2: Reveal.PART_2,
    Progress.PART_3: Reveal.PART_3,
    Progress.FINISHED: Reveal.PART_3,
}


@dataclass(frozen=True, slots=True)
class SpoilerView:
    """What one reader may see in clear: a mode and a reading progress."""

    mode: SpoilerMode = DEFAULT_MODE
    progress: Progress = DEFAULT_PROGRESS
    premise_is_spoiler: bool = False

    @property
    def clear_up_to(self) -> Reveal:
        if self.progress is Progress.NOT_STARTED:
            return Reveal.NONE if self.premise_is_spoiler else Reveal.PREMISE
        return _PROGRESS_CLEAR[self.progress]

    def is_spoiler(self, level: Reveal) -> bool:
        return self.mode is not SpoilerMode.OFF and level > self.clear_up_to


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    level: Reveal
    about: str
    groups: tuple[re.Pattern[str], ...]


def _compile(rule: CueRule) -> _CompiledRule:
    groups = []
    for group in rule.cues:
        alternatives = "|".join(re.escape(normalise(cue)) for cue in sorted(group, key=len, reverse=True))
        groups.append(re.compile(rf"(?<![a-z0-9])(?:{alternatives})"))
    return _CompiledRule(rule.level, rule.about, tuple(groups))


@dataclass(frozen=True, slots=True)
class RevealMatch:
    level: Reveal
    reasons: tuple[str, ...]


class RevealClassifier:
    """Classifies sentences with the manifest's events and reveal-language rules."""

    def __init__(self, spec: SpoilerSpec) -> None:
        self._rules: Sequence[_CompiledRule] = tuple(_compile(rule) for rule in (*spec.events, *spec.language))

    def explain(self, text: str, section: Section | None = None) -> RevealMatch:
        """The level and the names of the rules that set it (for moderators' audits)."""
        folded = normalise(text)
        level = section.reveals if section is not None else Reveal.NONE
        reasons: list[str] = [f"section “{section.title}”"] if section is not None and level else []
        for rule in self._rules:
            if all(group.search(folded) for group in rule.groups):
                if rule.level > level:
                    level = rule.level
                    reasons = [rule.about]
                elif rule.level == level:
                    reasons.append(rule.about)
        return RevealMatch(level, tuple(reasons))

    def __call__(self, text: str, section: Section) -> Reveal:
        return self.explain(text, section).level
