"""Question frames: what kind of answer a question is after, judged on the real engine and sources."""

from __future__ import annotations

import re

import pytest

from index.engine import Engine
from index.query import build_query


def _query(engine: Engine, text: str):  # type: ignore[no-untyped-def]
    return build_query(text, engine.vocabulary, engine._aliases)


def test_where_from_asks_for_origin(engine: Engine) -> None:
    """'Where is Ishiguro from?' is answered by where he was born and raised."""
    answer = engine.ask("Where is Ishiguro from?")
    assert answer.answered
    assert "Nagasaki" in answer.excerpts[0].text


def test_common_unknown_words_do_not_force_abstention(engine: Engine) -> None:
    """'did it win the booker or smth' is about the Booker, whatever 'win' and 'smth' are."""
    answer = engine.ask("did it win the booker or smth")
    assert answer.answered
    assert "Booker" in answer.excerpts[0].text


@pytest.mark.parametrize(
    "question",
    ["has it made any best-of lists", "what's hailsham like? the movie made it look peaceful", "who is in the film"],
)
def test_questions_near_the_outside_frame_are_still_answered(engine: Engine, question: str) -> None:
    """Lists, the film's look and its cast are in the reviews; only the frame's own phrasings are outside."""
    assert engine.ask(question).answered


def test_a_year_answers_only_the_event_asked_about(engine: Engine) -> None:
    """'Published in 2005' dates the book, not Ishiguro's Nobel; 'what year' drops 'year' from the terms."""
    assert not engine.ask("what year did ishiguro win the nobel").answered
    answer = engine.ask("what year was it published")
    assert answer.answered
    assert "2005" in answer.excerpts[0].text


def test_a_decade_or_century_answers_what_year_it_is_set(engine: Engine) -> None:
    """'Late 1990s' and '20th-century England' date the setting, though neither is a year."""
    query = _query(engine, "when is this set? like what year")
    assert query.answers_quantity("Set in England in the late 1990s.")
    assert query.answers_quantity("An alternate version of late 20th-century England.")
    assert not query.answers_quantity("Set in an English boarding school.")
    assert engine.ask("when is this set? like what year").answered


def test_how_long_until_is_answered_by_when_it_happens(engine: Engine) -> None:
    """'How long until they get together' is answered by 'finally begins', not only by a count of years."""
    query = _query(engine, "how long does it take for kathy and tommy to be a couple")
    assert query.answers_quantity("Their relationship finally begins in the twilight of their lives.")
    assert not query.answers_quantity("Their relationship is gentle and awkward.")
    answer = engine.ask("how long does it take for kathy and tommy to actually be a couple")
    assert answer.answered and "finally begins" in answer.excerpts[0].text


def test_who_won_the_nobel_is_about_the_author(engine: Engine) -> None:
    """Who won that year's Booker is outside the reviews; whether Ishiguro is the Nobel winner is not."""
    assert _query(engine, "who ended up winning the booker that year").outside
    answer = engine.ask("is ishiguro the one who won the nobel")
    assert answer.answered and "Nobel" in answer.excerpts[0].text


def test_the_football_scene_is_not_sport_chat(engine: Engine) -> None:
    """Last night's match is outside the reviews; Tommy left out of the football game is not."""
    assert not _query(engine, "Does Kathy step in when Tommy gets left out of the football game?").outside
    assert _query(engine, "anyone watching the game tonight").outside


def test_rare_unknown_words_still_abstain(engine: Engine) -> None:
    """A question about something the reviews never mention is not covered."""
    assert not engine.ask("can someone give me a good banana bread recipe").answered


@pytest.mark.parametrize(
    "question",
    [
        "what else has andrew garfield been in",
        "is there a sequel",
        "when is our next book club meeting",
        "where can i buy a copy",
        "how long is the movie",
        "is ishiguro married",
        "how much did the movie make at the box office",
        "where was the film shot",
        "who plays ruth in the movie",
        "who designed the cover art",
        "what did ishiguro publish after never let me go",
        "has ishiguro published anything since klara and the sun",
        "how many chapters are in part two",
        "which edition has the nicest cover",
        "who composed the score for the film",
        "is the movie streaming anywhere",
        "when r we meeting next, im on part 2",
        "what time is this week's meeting, voice channel?",
        "Is there an audiobook edition, and who reads it?",
        "What book is the club reading after this one?",
        "What is Ishiguro's most recent novel?",
        "How old was Ishiguro when he wrote the novel?",
        "anyone know where i can stream the movie",
        "anyone know where they filmed the movie",
        "What was Ishiguro's first novel?",
        "Which novel actually won the Booker Prize in 2005?",
        "can someone pin the reading schedule for part 2",
        "Are we meeting on Thursday or Friday this week?",
        "What time does Thursday's discussion start?",
        "whens the next meeting again, still thursday?",
        "Does anyone know a good pizza place near the library for before the meeting?",
        "lol does anyone elses cat sit on the book every time they open it",
        "lol anyone know a decent coffee place near the library",
        "Is the paperback or the Kindle edition cheaper?",
    ],
)
def test_questions_beyond_the_reviews_are_not_covered(engine: Engine, question: str) -> None:
    """The cast's other roles, a sequel, our club, buying, a film's running time: the reviews don't say."""
    assert not engine.ask(question).answered


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("half my club found it slow and kinda vague, is that a common complaint??", ("slow", "ambiguous")),
        ("my book club wants to know if there is a film", ("film",)),
        ("If our club liked this one, what should we read next?", ("fans of", "compared")),
    ],
)
def test_a_members_club_is_who_asks_not_what_is_asked(
    engine: Engine, question: str, expected: tuple[str, ...]
) -> None:
    """Naming one's club ("half my club found it slow") is chatter; only club logistics are outside."""
    answer = engine.ask(question)
    assert answer.answered
    assert any(word in excerpt.text.lower() for excerpt in answer.excerpts for word in expected)
    assert not engine.ask("can we move our book club meeting to friday").answered


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("What is Tommy like as a person?", "Tommy"),
        ("How would you describe Tommy's personality?", "Tommy"),
        ("whats ruths personality like", "Ruth"),
        ("Can you give me a quick rundown of Kathy as a character?", "Kathy H."),
    ],
)
def test_personality_questions_use_the_character_card(engine: Engine, question: str, name: str) -> None:
    """Asking what someone is like, in any of the usual shapes, answers with who they are."""
    answer = engine.ask(question)
    assert answer.answered
    assert answer.excerpts[0].text == engine.character(name).who[0].text


def test_what_is_a_place_like_is_not_a_character_question(engine: Engine) -> None:
    """The character frame falls through to retrieval when the name is no character."""
    answer = engine.ask("what is hailsham like")
    assert answer.answered
    assert "Hailsham" in answer.excerpts[0].text


def test_who_even_is_uses_the_character_card(engine: Engine) -> None:
    """Chatty who-questions about a character answer with who they are."""
    card = engine.character("Madame")
    answer = engine.ask("who even is madame? she just shows up and takes peoples stuff")
    assert answer.answered
    assert answer.excerpts[0].text == card.who[0].text


def test_what_kind_of_place_prefers_a_definition(engine: Engine) -> None:
    """'What kind of place is Hailsham?' quotes a sentence that says what Hailsham is."""
    query = _query(engine, "What kind of place is Hailsham?")
    assert query.wants_definition
    shown = engine.ask("What kind of place is Hailsham?").excerpts
    assert any("boarding school" in excerpt.text for excerpt in shown[:2])


def test_real_or_not_prefers_a_sentence_that_settles_it(engine: Engine) -> None:
    """'are the deferrals real or not' is answered by 'There is no deferral', 'this fantasy' or the like."""
    answer = engine.ask("so are the deferrals real or not")
    assert any(word in answer.excerpts[0].text for word in ("no deferral", "myth", "never", "fantasy"))


def test_who_wrote_it_names_the_author(engine: Engine) -> None:
    """'who wrote it' quotes a sentence naming Ishiguro, not one that merely says 'author'."""
    assert "Ishiguro" in engine.ask("who wrote it").excerpts[0].text


def test_quantifiers_do_not_dominate(engine: Engine) -> None:
    """'the three parts' is about the parts; 'three' counts half."""
    query = _query(engine, "What roughly happens in each of the three parts of the book?")
    assert query.weights["three"] < engine.vocabulary.weight("three")
    assert "Part 1:" in " ".join(e.text for e in engine.ask(query.text).excerpts)


def test_role_frame_leaves_the_topic(engine: Engine) -> None:
    """'What role does memory play' is about memory; 'role' and 'play' are the frame."""
    query = _query(engine, "What role does memory play in the book?")
    assert "role" not in query.terms and "play" not in query.terms
    assert len(query.terms) == 1


def test_misspelt_function_words_do_not_weigh(engine: Engine) -> None:
    """'wich' is 'which' (a stopword), not a rare word that sinks the question's coverage."""
    query = _query(engine, "wich guardian tells the kids the truth")
    assert not query.unknown
    assert "wich" not in query.terms


def test_why_prefers_a_stated_reason(engine: Engine) -> None:
    """'Why…' and 'what's the point of…' ask for a cause; 'what is the Gallery' does not."""
    assert _query(engine, "why did they collect the art").wants_reason
    assert _query(engine, "ok so why does nobody run away").wants_reason
    assert _query(engine, "what's the point of the gallery").wants_reason
    assert not _query(engine, "what is the gallery").wants_reason
    query = _query(engine, "why do they collect the art")
    assert query.gives_reason("It was their way of trying to prove that clones have souls.")
    assert not query.gives_reason("The best pieces are shown in the Gallery.")


def test_why_is_it_called_asks_about_the_title(engine: Engine) -> None:
    """With the title phrase dropped, 'why is it called …' still asks about the title."""
    answer = engine.ask("why is it even called never let me go??")
    assert answer.answered
    assert "title" in answer.excerpts[0].text.lower()


def test_reaction_frame_wants_a_feeling(engine: Engine) -> None:
    """'How does Tommy react…' is about Tommy; the answer shows an outburst or a feeling."""
    query = _query(engine, "how does tommy react when they see madame")
    assert query.wants_reaction
    assert "react" not in query.terms
    assert query.shows_reaction("He let out a roar of anger.")
    assert not query.shows_reaction("They drive to the coast.")
    assert not _query(engine, "what does tommy draw").wants_reaction


def test_reaction_frame_wants_the_named_person(engine: Engine) -> None:
    """'How does Tommy take it' is not answered by Madame weeping, but is by Tommy breaking down."""
    query = _query(engine, "how does tommy take it when they see madame")
    assert query.reactor is not None
    assert query.shows_reaction("Tommy breaks down in the field.")
    assert not query.shows_reaction("Madame listens and then begins to weep.")


def test_title_origin_is_not_a_birthplace(engine: Engine) -> None:
    """'Where does the title come from' asks where a phrase originates, not where someone was born."""
    title = _query(engine, "where does the title come from?")
    assert "born" not in title.terms
    assert "origin" in title.terms
    author = _query(engine, "where is ishiguro from originally?")
    assert "born" in author.terms


def test_how_many_is_answered_by_saying_the_count_is_unknown(engine: Engine) -> None:
    """A review saying we never learn how many clones exist answers 'how many clones are there'."""
    query = _query(engine, "how many clones are there?")
    assert query.answers_quantity("We don't know how many clones exist.")
    assert not query.answers_quantity("The clones live at Hailsham.")


def test_comparison_frame_wants_a_comparison(engine: Engine) -> None:
    """'Were the other schools as nice as Hailsham?' is answered by a sentence that compares."""
    query = _query(engine, "were the other schools as nice as hailsham")
    assert query.wants_comparison
    assert query.compares("Other institutions were less kind, less careful.")
    assert not query.compares("Hailsham was shut down.")


def test_list_frame_wants_an_enumeration(engine: Engine) -> None:
    """'What are the main themes?' is answered by the sentence that lists them."""
    answer = engine.ask("What are the main themes of the novel?")
    assert answer.answered
    assert "mortality, memory, conformity" in answer.excerpts[0].text
    assert not _query(engine, "who is ruth").wants_list


def test_when_and_where_prefers_a_dated_sentence(engine: Engine) -> None:
    """'When and where is it set?' is answered by a sentence that names a time, not one about settings."""
    answer = engine.ask("When and where does the story take place?")
    assert answer.answered
    assert re.search(r"\b(19|20)\d\ds\b|century", answer.excerpts[0].text)
    assert _query(engine, "in what time and place is the story set").wants_time


def test_essence_frame_wants_what_the_book_is_at_heart(engine: Engine) -> None:
    """'Is it really about cloning or just a backdrop' prefers a sentence saying what the book is about."""
    query = _query(engine, "is this book even about cloning or is that just the backdrop")
    assert query.wants_essence
    assert "backdrop" not in query.terms
    assert query.sums_up("It's not about science or cloning ethics, but about the fragility of human existence.")
    assert not query.sums_up("The clones are raised at Hailsham.")
    assert not _query(engine, "what happens at the cottages").wants_essence


def test_speech_frame_wants_the_words_said(engine: Engine) -> None:
    """'What does Ruth admit to Kathy' prefers a sentence that quotes or reports what was said."""
    query = _query(engine, "what does ruth admit to kathy before she dies")
    assert query.wants_speech
    assert query.quotes("It is then that she confesses: “I kept you and Tommy apart.”")
    assert not query.quotes("Ruth becomes a donor.")
    assert "tell" not in _query(engine, "what does miss lucy tell the students").terms
    assert not _query(engine, "what happens to ruth").wants_speech


def test_everyday_chat_and_club_logistics_are_outside_the_reviews(engine: Engine) -> None:
    """Today's weather, last night's match and moving a meeting are not covered, whatever words they share."""
    for text in (
        "whats the weather looking like for saturday",
        "Did anyone watch the Champions League final last night?",
        "Can we move next month's meeting to Thursday instead of Wednesday?",
    ):
        assert _query(engine, text).outside, text
        assert not engine.ask(text).answered, text
    assert not _query(engine, "what is the weather like at hailsham").outside
