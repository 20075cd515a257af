"""Embeds and messages stay within Discord's limits for any text, with balanced spoiler tags."""

from __future__ import annotations

import re

import discord
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.embeds import (
    CHOICE_LIMIT,
    CHOICES_LIMIT,
    DESCRIPTION_LIMIT,
    EMBED_LIMIT,
    MESSAGE_LIMIT,
    answer_embed,
    card_embed,
    choices,
    fit,
    fit_lines,
    help_embed,
    source_lines,
    sources_embed,
)
from bot.markdown import escape
from bot.render import render_answer, render_card
from index.characters import CharacterCard
from index.engine import SourceStats
from index.excerpts import Answer, Excerpt
from index.model import Passage, Reveal, Section, Sentence, SourceInfo, Topic
from index.spoilers import Progress, SpoilerMode, SpoilerView

MASS_PING = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
LIVE_MENTION = re.compile(r"(?<!\\)<@[!&]?\d+>")
NASTY = ["||", "|", "\\", "\\|", "`", "```", "*", "**", "_", "~~", "@everyone", "@here", "<@123>",
         "<@&9>", "# ", "> ", "- ", "1. ", "[x](https://e.com)", "\n", "\n\n", "🎬", "é", "\u200b",
         "||spoil||", ". ", "! ", "… "]
nasty_text = st.lists(st.one_of(st.text(max_size=60), st.sampled_from(NASTY)),
                      min_size=1, max_size=20).map("".join)
huge_text = st.builds(lambda part, n: part * n, nasty_text, st.integers(1, 400))
any_text = st.one_of(nasty_text, huge_text)
views = st.builds(SpoilerView, st.sampled_from(list(SpoilerMode)), st.sampled_from(list(Progress)))
reveals = st.sampled_from(list(Reveal))


def unescaped_tags(text: str) -> int:
    count, i = 0, 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith("||", i):
            count, i = count + 1, i + 2
        else:
            i += 1
    return count


def assert_safe_markdown(text: str, limit: int) -> None:
    assert len(text) <= limit
    assert unescaped_tags(text) % 2 == 0, text
    assert not MASS_PING.search(text) and not LIVE_MENTION.search(text)


def assert_embed_ok(embed: discord.Embed) -> None:
    data = embed.to_dict()
    assert len(data.get("title", "")) <= 256
    assert_safe_markdown(data.get("description", ""), DESCRIPTION_LIMIT)
    fields = data.get("fields", [])
    assert len(fields) <= 25
    for field in fields:
        assert 0 < len(field["name"]) <= 256 and 0 < len(field["value"]) <= 1024
        assert_safe_markdown(field["value"], 1024)
        assert "||" not in field["name"]
    footer = data.get("footer", {}).get("text", "")
    assert len(footer) <= 2048 and "||" not in footer
    assert len(embed) <= EMBED_LIMIT
    for plain in (data.get("title", ""), footer, *(f["name"] for f in fields)):
        assert not MASS_PING.search(plain)


@st.composite
def excerpts(draw: st.DrawFn, base: int = 0) -> Excerpt:
    source = SourceInfo(f"s{base}", draw(any_text), draw(st.none() | any_text), "review", "x.txt")
    section = Section(draw(nasty_text), tuple(draw(st.lists(nasty_text, max_size=2))),
                      draw(st.sampled_from(list(Topic))), draw(reveals))
    texts = draw(st.lists(any_text, min_size=1, max_size=4))
    sentences = tuple(Sentence(base * 10 + i, base, text, draw(reveals)) for i, text in enumerate(texts))
    return Excerpt(Passage(base, source, section, sentences), sentences, 1.0, 1.0)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    count = draw(st.integers(0, 8))
    chosen = tuple(draw(excerpts(i)) for i in range(count))
    more = tuple(draw(excerpts(100 + i)) for i in range(draw(st.integers(0, 3))))
    answered = bool(chosen) and draw(st.booleans())
    note = draw(st.none() | nasty_text)
    return Answer(draw(any_text), answered, chosen, more, note, None if answered else draw(any_text), 1.0)


FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])


@FAST
@given(answers(), views, st.booleans())
def test_answer_embeds_fit_any_text(answer: Answer, view: SpoilerView, degraded: bool) -> None:
    rendered = render_answer(answer, view, DESCRIPTION_LIMIT)
    assert_embed_ok(answer_embed(rendered, view, degraded=degraded))
    if answer.more:
        more = render_answer(answer, view, DESCRIPTION_LIMIT, excerpts=answer.more)
        assert_embed_ok(answer_embed(more, view, extra="more excerpts, for you only"))


@FAST
@given(answers(), views)
def test_chat_messages_fit_any_text(answer: Answer, view: SpoilerView) -> None:
    rendered = render_answer(answer, view, MESSAGE_LIMIT)
    assert_safe_markdown(fit(rendered.message, MESSAGE_LIMIT), MESSAGE_LIMIT)


@FAST
@given(st.lists(st.one_of(any_text, st.sampled_from(["||a b. c||", "||x||", "\\||"])), min_size=1,
                max_size=6).map(" ".join), st.integers(1, 5000))
def test_fit_never_exceeds_and_never_unbalances(text: str, limit: int) -> None:
    out = fit(text, limit)
    assert len(out) <= limit and unescaped_tags(out) % 2 == 0


def test_fit_prefers_whole_lines_and_closes_cut_tags() -> None:
    text = "**Q:** why?\n||First sentence. Second sentence is longer.|| [1]\nplain [2]"
    assert fit(text, 200) == text
    assert fit(text, 66) == "**Q:** why?\n||First sentence. Second sentence is longer.|| [1]\n…"
    cut = fit("||" + "word " * 500 + "||", 50)
    assert cut.startswith("||word") and cut.endswith("||") and len(cut) <= 50


def test_fit_lines_counts_what_it_leaves_out() -> None:
    lines = [f"[{i}] a source" for i in range(1, 200)]
    out = fit_lines(lines, 100)
    assert len(out) <= 100 and out.splitlines()[-1].startswith("… and ")
    kept = len(out.splitlines()) - 1
    assert out.endswith(f"{len(lines) - kept} more")


@FAST
@given(st.lists(any_text, max_size=60))
def test_autocomplete_choices_within_limits(names: list[str]) -> None:
    out = choices(names)
    assert len(out) <= CHOICES_LIMIT
    assert len({c.value for c in out}) == len(out)
    for choice in out:
        assert 1 <= len(choice.name) <= CHOICE_LIMIT and 1 <= len(choice.value) <= CHOICE_LIMIT
        assert not MASS_PING.search(choice.name)


@FAST
@given(any_text, st.lists(any_text, max_size=3), st.lists(excerpts(), max_size=4),
       st.lists(nasty_text, max_size=4), views)
def test_character_cards_fit(name: str, aliases: list[str], who: list[Excerpt],
                             appears: list[str], view: SpoilerView) -> None:
    card = CharacterCard(name, True, name, tuple(aliases), tuple(who[:2]), tuple(who[2:]),
                         tuple(appears), ())
    rendered = render_card(card, view, DESCRIPTION_LIMIT)
    embed = card_embed(rendered, view)
    assert_embed_ok(embed)
    assert embed.title and "\n" not in embed.title


@FAST
@given(st.lists(st.tuples(any_text, st.none() | any_text, st.integers(0, 10_000)), max_size=40),
       any_text)
def test_sources_and_help_fit(reviews: list[tuple[str, str | None, int]], here: str) -> None:
    stats = [SourceStats(SourceInfo(f"s{i}", title, author, "review", "x.txt"), (), n, n * 3)
             for i, (title, author, n) in enumerate(reviews)]
    assert_embed_ok(sources_embed(stats, "Never Let Me Go", "Kazuo Ishiguro"))
    assert_embed_ok(help_embed("Never Let Me Go", "Kazuo Ishiguro", fit(escape(here), 1000)))


def test_source_lines_group_citations_of_one_section() -> None:
    source = SourceInfo("s", "Review essay", None, "review", "x.txt")
    section = Section("Plot Summary", (), Topic.PLOT, Reveal.NONE)
    sentences = (Sentence(0, 0, "Ruth dies.", Reveal.PART_3),)
    excerpt = Excerpt(Passage(0, source, section, sentences), sentences, 1.0, 1.0)
    answer = Answer("q", True, (excerpt, excerpt), (), None, None, 1.0)
    rendered = render_answer(answer, SpoilerView(SpoilerMode.OFF, Progress.FINISHED))
    assert source_lines(rendered.citations) == ["[1] [2] *Review essay* · Plot Summary"]


def test_answer_embed_footer_names_the_rules_without_spoilers() -> None:
    view = SpoilerView(SpoilerMode.HIDE, Progress.PART_2)
    answer = Answer("what happens?", False, (), (), None, "The reviews don't cover that.", 0.0)
    embed = answer_embed(render_answer(answer, view), view)
    assert embed.footer.text == "Reading progress: Part 2 · reveals hidden"
    degraded = answer_embed(render_answer(answer, view), view, degraded=True)
    assert degraded.footer.text is not None and "strictest" in degraded.footer.text
