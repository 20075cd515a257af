"""Sentence splitting and sectioning on the real reviews."""

from __future__ import annotations

from index.engine import Engine
from index.model import Topic
from index.passages import leans_back, split_sentences


def test_initials_do_not_end_sentences() -> None:
    """'Kathy H.' stays inside its sentence."""
    assert split_sentences(
        "Kathy H. is the narrator and the emotional lens of the novel. Her calmness is deceiving."
    ) == [
        "Kathy H. is the narrator and the emotional lens of the novel.",
        "Her calmness is deceiving.",
    ]


def test_quotation_stays_with_its_sentence() -> None:
    """A quoted sentence with its own full stops is one sentence of the review."""
    text = "She says, “My name is Kathy H. I’m thirty-one years old”. Her tone is detached."
    assert split_sentences(text) == [
        "She says, “My name is Kathy H. I’m thirty-one years old”.",
        "Her tone is detached.",
    ]


def test_ellipsis_after_closing_quote_splits() -> None:
    """An ellipsis that ends a quotation ends the sentence when a new one starts."""
    assert split_sentences("Madame only whispers, “Poor creatures…” This episode reveals irony.") == [
        "Madame only whispers, “Poor creatures…”",
        "This episode reveals irony.",
    ]


def test_stray_period_after_quote_belongs_to_sentence() -> None:
    """'rumor” .' keeps its period."""
    assert split_sentences("“It was all just a rumor” . Next one.") == ["“It was all just a rumor” .", "Next one."]


def test_dashes_do_not_split() -> None:
    """Em dashes join clauses."""
    assert len(split_sentences("It is not a dystopia — it’s a moving story. Second.")) == 2


def test_passages_keep_their_sections(engine: Engine) -> None:
    """Headings become sections with topics; lettered sub-headings sit under their parent."""
    paths = {p.section.path: p.section.topic for p in engine.passages}
    assert paths["Analysis › Characters"] is Topic.CHARACTERS
    assert paths["Reception and Criticism"] is Topic.RECEPTION
    assert paths["Adaptation"] is Topic.RECEPTION
    assert paths["Setting"] is Topic.SETTING
    assert paths["Background"] is Topic.BACKGROUND
    assert "Plot Summary › Tommy’s Final Donation and Completion" in paths


def test_colon_line_joins_the_quote_after_it(engine: Engine) -> None:
    """'she confesses…:' and the quoted confession form one passage."""
    joined = [p for p in engine.passages if "cruelest transgression" in p.text]
    assert joined and "I kept you and Tommy apart" in joined[0].text


def test_no_heading_or_debris_is_a_sentence(engine: Engine) -> None:
    """Headings are consumed, debris dropped."""
    texts = {s.text for p in engine.passages for s in p.sentences}
    assert "Reception and Criticism" not in texts and "Comments" not in texts


def test_leans_back() -> None:
    """Pronoun and connective openings need the previous sentence."""
    assert leans_back("This hope becomes a lifeline for them.")
    assert not leans_back("Ruth, by contrast, is charismatic and controlling.")
