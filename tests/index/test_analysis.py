"""Analysis: typography, case, stems, stopwords, synonyms."""

from __future__ import annotations

import re

from index.analysis import _trie_pattern, normalise, term, terms, words
from index.lexicon import PHRASES


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
    assert terms("similar") == terms("compared") and terms("regular") == terms("normal")
    assert terms("britain") == terms("UK")


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


def test_sorry_is_chatter_unless_said() -> None:
    """'sorry' wrapping a message is not the topic; 'did she say sorry' asks about an apology."""
    assert terms("WHY DONT THEY JUST RUN AWAY. sorry. but seriously") == ["escap"]
    assert terms("does ruth ever say sorry") == ["ruth", term("apologize")]


def test_phrasal_verbs_fold_to_what_they_mean() -> None:
    """'looks after', 'make up for', 'jump around' mean caring, redemption and a nonlinear telling."""
    assert term("carer") in terms("who looks after tommy")
    assert term("redemption") in terms("does ruth make up for it")
    assert term("nonlinear") in terms("does the story jump around")
    assert term("memory") in terms("how important is remembering the past")
    assert term("meltdown") in terms("tommy flipping out as a kid")
    assert terms("is it gory") == terms("bloody scenes")[:1]
    assert term("unreliable") in terms("can we trust kathy")
    assert terms("whats teh point of the gallery") == terms("the point of the gallery")
    assert terms("is it bleak af") == terms("is it bleak")
    assert terms("tommy flying into rages") == terms("tommy tantrums")


def test_chat_padding_phrases_are_dropped() -> None:
    """'lost track', 'keeps coming up' and 'without too much detail' say how the member asks."""
    assert terms("kinda lost track of the timeline") == [term("timeline")]
    assert terms("why does norfolk keep coming up") == ["norfolk"]
    assert terms("explain the gallery without too much detail") == ["galleri"]
    assert terms("half my club found the gallery weird") == terms("found the gallery weird")
    assert terms("some ppl in our group said it drags.. is it just us") == [term("slow")]
    assert terms("so ruth dies right?? or did i misread") == terms("ruth dies")
    assert terms("how does tommy die, is it on the page or offscreen") == terms("how does tommy die")


def test_members_words_meet_the_reviews_words() -> None:
    """Teased/mocked, kinder/softened, extra years/deferral, complain/complaint, 90s/1990s."""
    assert terms("everyone teases tommy") == terms("everyone mocks tommy") == terms("everyone picks on tommy")
    assert terms("ruth gets kinder") == terms("ruth gets softer")
    assert terms("a few extra years") == terms("deferral")
    assert terms("complain") == terms("complaint") == terms("panned")
    assert terms("90s england") == terms("1990s england")
    assert terms("where do donors go for the ops") == terms("where do donors go for the operations")


def test_how_the_member_feels_is_chatter() -> None:
    """'im a wreck', 'hang on', 'it felt really' and 'relentlessly' say how the member asks, not what."""
    assert terms("how does it end?? just finished and im a wreck") == terms("how does it end")
    assert terms("hang on how does tommy die") == terms("how does tommy die")
    assert terms("ngl it felt really slow") == terms("slow")
    assert terms("is it just relentlessly sad") == terms("is it just sad")


def test_reading_progress_is_not_part_of_the_question() -> None:
    """'I'm 60 pages in' says where the member is, not what they ask about."""
    tokens = words("honestly im 60 pages in and its sooo slow")
    assert "60" not in tokens
    assert "pages" not in tokens
    assert "slow" in tokens


def test_rumour_fake_and_myth_are_one_term() -> None:
    """'Is it all fake' meets a review calling the deferral a myth or a rumour."""
    assert term("fake") == term("myth") == term("rumour")


def test_the_phrase_tree_matches_every_phrase_and_prefers_the_longest() -> None:
    """The prefix-tree alternation matches each listed phrase whole, nothing shorter, longest first."""
    pattern = re.compile(_trie_pattern(a for a, _ in PHRASES))
    assert all(pattern.fullmatch(phrase) for phrase, _ in PHRASES)
    assert pattern.fullmatch("sci") is None and pattern.fullmatch("end u") is None
    match = pattern.match("end up together")
    assert match is not None and match.group(0) == "end up together"
