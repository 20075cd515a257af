"""Rendering properties: for any text, tags balance, nothing is lost, nobody is pinged, limits hold."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.markdown import escape, strip_markup, unescape
from bot.render import MESSAGE_LIMIT, answer_json, render_answer
from index.engine import Engine
from index.excerpts import Answer, Excerpt
from index.model import Passage, Reveal, Section, Sentence, SourceInfo, Topic
from index.spoilers import Progress, SpoilerMode, SpoilerView

SOURCE = SourceInfo("src", "A *title* with ||pipes||", "@everyone", "review", "x.txt")
SECTION = Section("Tommy’s Final Donation", ("Plot Summary",), Topic.PLOT, Reveal.PART_3)
TAG = re.compile(r"(?<!\\)\|\|")
MASS_PING = re.compile(r"@(everyone|here)", re.IGNORECASE)
USER_PING = re.compile(r"<@!?&?\d+>")

nasty = st.sampled_from(
    [
        "||",
        "|",
        "`",
        "```",
        "*",
        "_",
        "~~",
        "\\",
        "@everyone",
        "@here",
        "<@123>",
        "<@&9>",
        "# ",
        "- ",
        "> ",
        "1. ",
        "[x](http://e.com)",
        "\n",
        "🎬",
        "é",
        "\u200b",
        "||spoil||",
    ]
)
text_strategy = st.lists(st.one_of(st.text(min_size=1, max_size=40), nasty), min_size=1, max_size=12).map("".join)


def _excerpt(texts: list[str], reveals: list[Reveal], index: int) -> Excerpt:
    sentences = tuple(
        Sentence(index * 10 + i, index, t, r) for i, (t, r) in enumerate(zip(texts, reveals, strict=True))
    )
    return Excerpt(Passage(index, SOURCE, SECTION, sentences), sentences, 1.0, 1.0)


def _answer(question: str, excerpts: list[Excerpt]) -> Answer:
    return Answer(question, True, tuple(excerpts), (), None, None, 1.0)


def _strip(message: str) -> str:
    return unescape(TAG.sub("", message))


reveal_strategy = st.sampled_from(list(Reveal))


@settings(max_examples=300, deadline=None)
@given(
    question=text_strategy,
    runs=st.lists(st.lists(st.tuples(text_strategy, reveal_strategy), min_size=1, max_size=3), min_size=1, max_size=4),
    mode=st.sampled_from(list(SpoilerMode)),
    progress=st.sampled_from(list(Progress)),
)
def test_any_text_renders_safely(
    question: str, runs: list[list[tuple[str, Reveal]]], mode: SpoilerMode, progress: Progress
) -> None:
    """Balanced tags, no live mentions, within Discord's limit, every shown excerpt intact."""
    excerpts = [_excerpt([t for t, _ in run], [r for _, r in run], i) for i, run in enumerate(runs)]
    view = SpoilerView(mode=mode, progress=progress)
    rendered = render_answer(_answer(question, excerpts), view)
    message = rendered.message
    assert len(message) <= MESSAGE_LIMIT
    assert len(TAG.findall(message)) % 2 == 0
    for line in message.split("\n"):
        assert len(TAG.findall(line)) % 2 == 0, line
    assert not MASS_PING.search(message.replace("@\u200b", ""))
    assert not USER_PING.search(message)
    plain = _strip(message)
    for citation in rendered.citations:
        if len(citation.excerpt.text) < 150:
            for sentence in citation.excerpt.sentences:
                assert sentence.text.strip() in plain or " ".join(sentence.text.split()) in " ".join(plain.split())


@settings(max_examples=300, deadline=None)
@given(text=text_strategy)
def test_escape_round_trips(text: str) -> None:
    """Escaping loses no character of the excerpt."""
    assert unescape(escape(text)) == text


@settings(max_examples=200, deadline=None)
@given(text=text_strategy)
def test_escaped_text_cannot_close_a_tag(text: str) -> None:
    """Inside ||…|| an excerpt's own pipes are escaped."""
    assert not TAG.search(escape(text))


def test_spoilers_tagged_sentence_by_sentence() -> None:
    """A clear sentence stays clear beside a tagged one, and the count is stated."""
    excerpt = _excerpt(["Plain fact.", "Ruth completes."], [Reveal.NONE, Reveal.PART_3], 0)
    rendered = render_answer(_answer("q", [excerpt]), SpoilerView())
    assert "Plain fact. ||Ruth completes.|| [1]" in rendered.message
    assert "1 excerpt reveals Part 3" in rendered.message


def test_spoiling_section_heading_is_neutral_in_labels() -> None:
    """The citation label says 'Plot Summary', not the spoiling heading, unless spoilers are off."""
    excerpt = _excerpt(["Plain."], [Reveal.NONE], 0)
    tagged = render_answer(_answer("q", [excerpt]), SpoilerView())
    assert "Final Donation" not in tagged.message and "Plot Summary" in tagged.message
    plain = render_answer(_answer("q", [excerpt]), SpoilerView(mode=SpoilerMode.OFF))
    assert "Final Donation" in plain.message


def test_hide_mode_withholds_and_counts() -> None:
    """hide drops spoiler excerpts and says how many were held back."""
    spoiling = _excerpt(["Ruth completes."], [Reveal.PART_3], 0)
    plain = _excerpt(["Plain."], [Reveal.NONE], 1)
    rendered = render_answer(_answer("q", [spoiling, plain]), SpoilerView(mode=SpoilerMode.HIDE))
    assert "Ruth completes" not in rendered.message
    assert "1 excerpt was held back" in rendered.message
    assert [c.n for c in rendered.citations] == [1]


def test_json_schema(engine: Engine) -> None:
    """The CLI JSON has exactly the documented keys and types."""
    answer = engine.ask("is there a film")
    payload = answer_json(answer, render_answer(answer, SpoilerView()))
    assert set(payload) == {"question", "answered", "message", "citations"}
    citation = payload["citations"][0]
    assert set(citation) == {"n", "source_id", "source_title", "author", "section", "excerpt", "spoiler", "score"}
    assert citation["n"] == 1 and isinstance(citation["score"], float)


def test_discord_markup_is_stripped_from_questions(engine: Engine) -> None:
    """A mention, channel link or custom emoji in a question is not a search word."""
    assert strip_markup("does ruth die <@123> <#456> <@&7> <:sad:89> <t:1700000000:R>?") == "does ruth die sad ?"
    assert engine.ask(strip_markup("does ruth die <@123>")).answered
