"""The real engine on the real sources: answers, citations, abstention, bad input."""

from __future__ import annotations

import pytest

from index.engine import MAX_QUESTION_CHARS, Engine
from index.errors import QuestionError


def test_answers_with_cited_evidence(engine: Engine) -> None:
    """'does ruth die??' quotes a review saying she does."""
    answer = engine.ask("does ruth die??")
    assert answer.answered
    assert 1 <= len(answer.excerpts) <= 4
    assert any("Ruth" in e.text and ("dies" in e.text or "completes" in e.text) for e in answer.excerpts)


def test_excerpts_are_verbatim(engine: Engine) -> None:
    """Every excerpt is a run of sentences of its passage, as published."""
    answer = engine.ask("what is the gallery for")
    for excerpt in answer.excerpts:
        assert excerpt.text in excerpt.passage.text


def test_off_topic_abstains_with_suggestions(engine: Engine) -> None:
    """A question the reviews don't cover gets an honest 'not covered'."""
    answer = engine.ask("what's the capital of france")
    assert not answer.answered and not answer.excerpts
    assert answer.not_covered is not None and "don't cover" in answer.not_covered and "Try:" in answer.not_covered


def test_unknown_terms_only_is_not_covered_not_a_crash(engine: Engine) -> None:
    """rank-bm25 scores an all-unknown query as zeros: that is 'not covered', never a random passage."""
    answer = engine.ask("zxqv blorptastic")
    assert not answer.answered


def test_stopwords_only_is_not_covered(engine: Engine) -> None:
    """A question of function words has nothing to look up."""
    assert not engine.ask("what is it?").answered


def test_suggestions_are_answerable(engine: Engine) -> None:
    """Every question we suggest when abstaining is one we can answer."""
    for suggestion in engine.book.suggestions:
        assert engine.ask(suggestion).answered, suggestion


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x01", "?!?!"])
def test_empty_or_junk_question_is_refused_clearly(engine: Engine, bad: str) -> None:
    """No words, no question: a clear message."""
    with pytest.raises(QuestionError):
        engine.ask(bad)


def test_huge_question_is_refused_clearly(engine: Engine) -> None:
    """A 10 000-character paste gets a length message."""
    with pytest.raises(QuestionError, match=str(MAX_QUESTION_CHARS)):
        engine.ask("why " * 2500)


def test_unicode_and_markdown_questions_work(engine: Engine) -> None:
    """Emoji, markdown and mentions in a question don't break retrieval."""
    answer = engine.ask("**is there a film??** 🎬 @everyone ||spoiler||")
    assert answer.answered
    assert any("film" in e.text for e in answer.excerpts)


def test_reviews_disagreeing_on_the_ending_are_both_quoted(engine: Engine) -> None:
    """How the novel ends is told differently in two reviews; both are cited."""
    answer = engine.ask("how does the book end")
    assert answer.answered
    assert len({e.source.id for e in answer.excerpts}) >= 2
    assert answer.note is not None


def test_follow_up_keeps_the_topic(engine: Engine) -> None:
    """'and tommy?' after a question about Ruth's death asks about Tommy's."""
    answer = engine.ask("and what about tommy?", previous="does ruth die?")
    assert answer.answered
    assert any("Tommy" in e.text for e in answer.excerpts)
    assert answer.question == "and what about tommy?"


def test_a_short_question_asked_in_full_stands_alone(engine: Engine) -> None:
    """'where is the novel set' after a question about Tommy is about the setting, not Tommy."""
    previous = "how does tommy take the news that there are no deferrals"
    alone, after = engine.ask("where is the novel set"), engine.ask("where is the novel set", previous=previous)
    assert [e.text for e in after.excerpts] == [e.text for e in alone.excerpts]
    pointing = engine.ask("does he die?", previous="what happens to tommy")
    assert pointing.answered and "Tommy" in pointing.excerpts[0].text


def test_who_is_uses_the_character_card(engine: Engine) -> None:
    """'whos madame' answers with who she is, not a random mention."""
    answer = engine.ask("whos madame")
    assert answer.answered
    assert "Madame" in answer.excerpts[0].text
