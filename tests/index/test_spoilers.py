"""Reveal levels and who sees what in clear."""

from __future__ import annotations

from index.engine import Engine
from index.model import Reveal
from index.spoilers import Progress, SpoilerMode, SpoilerView


def _level(engine: Engine, fragment: str) -> Reveal:
    for passage in engine.passages:
        for sentence in passage.sentences:
            if fragment in sentence.text:
                return sentence.reveal
    raise AssertionError(f"no sentence contains {fragment!r}")


def test_premise_is_not_a_spoiler(engine: Engine) -> None:
    """'They are clones, created to donate their organs' shows to everyone."""
    level = _level(engine, "They are clones, created to donate their organs.")
    assert level <= Reveal.PREMISE
    assert not SpoilerView(progress=Progress.NOT_STARTED).is_spoiler(level)


def test_major_reveals_are_part_3(engine: Engine) -> None:
    """Deaths, the deferral truth and the ending are Part 3."""
    for fragment in (
        "quickly “completes”",
        "There were no deferrals",
        "Hailsham was shut down",
        "barbed-wire fence in Norfolk",
        "I kept you and Tommy apart",
        "watched this dance and cried",
    ):
        assert _level(engine, fragment) == Reveal.PART_3, fragment


def test_reception_and_background_are_plain(engine: Engine) -> None:
    """Reception, background and craft reveal nothing."""
    for fragment in (
        "shortlisted for the 2005 Booker Prize",
        "born in Nagasaki",
        "directed by Mark Romanek",
        "Pacing is slow, but deliberate",
    ):
        assert _level(engine, fragment) <= Reveal.PREMISE, fragment


def test_leaning_sentence_inherits_the_reveal(engine: Engine) -> None:
    """'But this, too, turns out to be a myth.' and what follows it stay hidden."""
    assert _level(engine, "Even true feelings can’t save them from the system.") >= Reveal.PART_2


def test_spoiling_heading_is_marked(engine: Engine) -> None:
    """A section title such as 'Tommy’s Final Donation and Completion' is itself a reveal."""
    sections = {p.section.title: p.section for p in engine.passages}
    heading = sections["Tommy’s Final Donation and Completion"]
    assert heading.reveals == Reveal.PART_3 and heading.neutral == "Plot Summary"


def test_views() -> None:
    """Default: reveals beyond Part 1 are spoilers; finished sees all; off tags nothing."""
    default = SpoilerView()
    assert default.is_spoiler(Reveal.PART_2) and not default.is_spoiler(Reveal.PART_1)
    assert not SpoilerView(progress=Progress.FINISHED).is_spoiler(Reveal.PART_3)
    assert SpoilerView(progress=Progress.PART_2).is_spoiler(Reveal.PART_3)
    assert not SpoilerView(mode=SpoilerMode.OFF).is_spoiler(Reveal.PART_3)
    assert SpoilerView(progress=Progress.NOT_STARTED).is_spoiler(Reveal.PART_1)
    assert SpoilerView(progress=Progress.NOT_STARTED, premise_is_spoiler=True).is_spoiler(Reveal.PREMISE)
