"""Analysis: typography, case, stems, stopwords, synonyms."""

from __future__ import annotations

from index.analysis import normalise, terms


def test_typography_is_normalised() -> None:
    """Curly quotes, dashes and non-breaking spaces fold to plain forms."""
    assert normalise("Tommy’s “drawings”—a\u00a0lot") == 'tommy\'s "drawings" a lot'


def test_question_words_and_stopwords_are_dropped() -> None:
    """'what happens to' carries no content."""
    assert terms("what happens to Ruth??") == ["ruth"]


def test_synonyms_fold_to_one_term() -> None:
    """movie/film/adaptation and die/completes are the same term on both sides."""
    assert terms("movie") == terms("film") == terms("adaptation")
    assert terms("does ruth die") == terms("Ruth completes")
    assert terms("booker") == terms("award")


def test_phrases_fold_before_tokenising() -> None:
    """'sci fi' and 'science fiction' are one thing; 'run away' means escape."""
    assert terms("sci fi") == terms("science fiction")
    assert terms("run away") == terms("escape")


def test_possessives_and_british_spelling() -> None:
    """ "Ruth's" is Ruth; rumour is rumor."""
    assert terms("Ruth's rumour") == terms("ruth rumor")
