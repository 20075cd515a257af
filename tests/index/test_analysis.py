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


def test_idioms_are_not_read_word_by_word() -> None:
    """'end up' is not the ending, 'left out' is not 'left', 'near the end' is only when."""
    assert terms("do they end up together") == terms("are they a couple")
    assert "end" not in terms("what does ruth admit near the end")
    assert terms("tommy gets left out of football") == terms("tommy excluded football")


def test_intensifiers_are_dropped_as_written_not_by_stem() -> None:
    """'completely' is chatter, though it shares a stem with 'completes' (dies)."""
    assert terms("tommy completely loses it") == terms("tommy loses it")
    assert terms("ruth completes") == terms("ruth dies")


def test_chat_abbreviations_are_chatter() -> None:
    """'smth', 'ngl', 'shes' carry no topic."""
    assert terms("did it win the booker or smth ngl") == terms("did it win the booker")
    assert terms("is ruth the bad guy shes mean") == terms("is ruth the antagonist mean")
