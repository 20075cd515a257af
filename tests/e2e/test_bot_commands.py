"""Every slash command and both answer buttons, through the real bot against the fake Discord."""

from __future__ import annotations

import asyncio
import re

import pytest

from bot.settings import Settings
from tests.e2e.bot_fixtures import (
    ANSWER_TIMEOUT,
    EPHEMERAL,
    NO_PINGS,
    OFF_TOPIC,
    RUTH,
    Club,
    bar_positions,
    button_labels,
    club_fixture,  # noqa: F401 - the ``club`` fixture
    description,
    field_value,
    in_clear,
    plain,
    texts_of,
)
from tests.e2e.fake_records import CommandNotAvailable
from tests.e2e.harness import assert_no_pings

CITATION = re.compile(r"\[\d+\]")
DEADLINE = 3.0
MAX_QUESTION = 300
DEFAULT_RATE = Settings.model_fields["ask_cooldown_rate"].default
DEFAULT_PER = Settings.model_fields["ask_cooldown_seconds"].default


def excerpts(text: str) -> set[str]:
    """The cited excerpt lines of an answer, without their citation numbers."""
    return {CITATION.sub("", line).strip() for line in text.splitlines() if CITATION.search(line)}


async def test_ask_answers_with_cited_embed_and_buttons(club: Club) -> None:
    """/ask posts a public embed with [n] citations, a Sources field and both buttons in time."""
    async with club.run():
        rec = await club.ask(RUTH)
        assert rec.elapsed is not None and rec.elapsed < DEADLINE
        assert not rec.ephemeral
        text = description(rec.message)
        assert text.startswith("**Q:** does ruth die?") and CITATION.search(text)
        assert CITATION.search(field_value(rec.message, "Sources"))
        assert button_labels(rec.message) == ["More excerpts", "Reveal to me"]


async def test_ask_private_is_ephemeral(club: Club) -> None:
    """/ask private:True answers only the asker (ephemeral)."""
    async with club.run():
        rec = await club.ask("what is Hailsham?", private=True)
        assert rec.ephemeral and rec.message is not None and rec.message.flags & EPHEMERAL
        assert "Hailsham" in description(rec.message)
        assert not club.fake.channel_messages(club.fake.general), "nothing public was posted"


async def test_ask_not_covered(club: Club) -> None:
    """An off-topic question gets the honest "not covered" answer, without citations."""
    async with club.run():
        rec = await club.ask(OFF_TOPIC)
        text = description(rec.message)
        assert "The reviews don't cover that." in text and not CITATION.search(text)
        assert rec.message is not None and "Reveal to me" not in button_labels(rec.message)


async def test_ask_blank_question_is_a_friendly_ephemeral_error(club: Club) -> None:
    """A whitespace-only question is refused kindly, privately, at once."""
    async with club.run():
        rec = await club.ask("   \t ")
        assert rec.callback_type == 4 and rec.ephemeral
        assert rec.elapsed is not None and rec.elapsed < DEADLINE
        assert "Ask a question about the book" in (rec.content or "")


async def test_character_card(club: Club) -> None:
    """/character Ruth is an embed titled Ruth with cited excerpts and their sources."""
    async with club.run():
        rec = await club.command("character", {"name": "Ruth"})
        assert rec.message is not None and rec.message.embeds[0]["title"] == "Ruth"
        assert CITATION.search(description(rec.message))
        assert CITATION.search(field_value(rec.message, "Sources"))


async def test_character_typo_finds_tommy(club: Club) -> None:
    """/character Tomy finds Tommy."""
    async with club.run():
        rec = await club.command("character", {"name": "Tomy"})
        assert rec.message is not None and rec.message.embeds[0]["title"] == "Tommy"


async def test_character_unknown_suggests_names(club: Club) -> None:
    """An unknown character gets a private, friendly reply with suggestions."""
    async with club.run():
        rec = await club.command("character", {"name": "Harry Potter"})
        assert rec.ephemeral and not rec.embeds
        text = rec.content or ""
        assert "Harry Potter" in text and "Did you mean:" in text and "Tommy" in text


async def test_character_autocomplete_matches_aliases_fuzzily(club: Club) -> None:
    """Autocomplete for /character turns "kath" into "Kathy H."."""
    async with club.run():
        choices = await club.fake.autocomplete("character", {"name": "kath"}, focused="name")
        assert 1 <= len(choices) <= 25 and choices[0]["name"] == "Kathy H."


async def test_character_autocomplete_stays_within_25(club: Club) -> None:
    """Autocomplete with nothing typed offers at most 25 distinct characters."""
    async with club.run():
        choices = await club.fake.autocomplete("character", {"name": ""}, focused="name")
        names = [c["name"] for c in choices]
        assert 1 <= len(names) <= 25 and len(set(names)) == len(names)
        assert {"Kathy H.", "Tommy", "Ruth"} <= set(names)


async def test_sources_lists_the_three_reviews(club: Club) -> None:
    """/sources lists the three reviews the answers quote."""
    async with club.run():
        rec = await club.command("sources")
        lines = description(rec.message).splitlines()
        assert [line[:6] for line in lines] == ["**1.**", "**2.**", "**3.**"]
        assert "Davit Grigoryan" in description(rec.message)


async def test_help_is_a_private_embed(club: Club) -> None:
    """/help explains the commands and the spoiler rules here, to the asker only."""
    async with club.run():
        rec = await club.command("help")
        assert rec.ephemeral and rec.message is not None
        names = [f["name"] for f in rec.message.embeds[0]["fields"]]
        assert "How spoilers work here" in names and "Right here" in names
        assert "**tag**" in field_value(rec.message, "Right here")


async def test_progress_set_then_show(club: Club) -> None:
    """/progress part:finished is saved, and /progress then shows it (both private)."""
    async with club.run():
        saved = await club.command("progress", {"part": "finished"})
        assert saved.ephemeral and "✅ Saved" in (saved.content or "")
        shown = await club.command("progress")
        assert shown.ephemeral
        assert "Your reading progress here: **finished**" in (shown.content or "")
        assert "The club is at **Part 1**" in (shown.content or "")


async def test_more_excerpts_button(club: Club) -> None:
    """"More excerpts" sends the clicker further, different excerpts as an ephemeral followup."""
    async with club.run():
        rec = await club.ask(RUTH)
        click = await club.click(rec.message, "More excerpts", user=club.fake.other_member)
        assert click.ephemeral and click.message is not None and click.message.flags & EPHEMERAL
        more = description(click.message)
        assert CITATION.search(more) and "more excerpts, for you only" in click.message.text()
        assert excerpts(more) and not excerpts(more) & excerpts(description(rec.message))


async def test_reveal_to_me_shows_spoilers_in_clear_to_the_clicker(club: Club) -> None:
    """"Reveal to me" sends the clicker an ephemeral copy with every reveal in clear."""
    reveals = club.reveals(RUTH)
    assert reveals, "the test question must have reveals"
    async with club.run():
        rec = await club.ask(RUTH)
        assert bar_positions(description(rec.message))
        click = await club.click(rec.message, "Reveal to me", user=club.fake.other_member)
        assert click.message is not None and click.message.flags & EPHEMERAL
        assert click.message.interaction_id == click.id and click.user is club.fake.other_member
        text = description(click.message)
        assert "||" not in text
        assert reveals[0] in plain(in_clear(text))


async def test_buttons_leave_the_original_answer_unchanged(club: Club) -> None:
    """Clicking both buttons neither edits nor replaces the public answer."""
    async with club.run():
        rec = await club.ask(RUTH)
        assert rec.message is not None
        before, edits = dict(rec.message.data), len(rec.message.history)
        for label in ("Reveal to me", "More excerpts"):
            click = await club.click(rec.message, label)
            assert click.callback_type == 5 and click.message is not rec.message
        assert rec.message.data == before and len(rec.message.history) == edits


# ---------------------------------------------------------------------- safety and limits
async def test_nothing_the_bot_sends_can_ping(club: Club) -> None:
    """Mentions, @everyone and markdown in questions never ping: every payload allows no mentions."""
    fake = club.fake
    nasty = "@everyone does `ruth` **die**? || _yes_"
    pings = f"@here <@{fake.other_member.id}> <@&{fake.moderator_role.id}> [x](https://example.com)"
    async with club.run():
        rec = await club.ask(nasty)
        assert "@everyone" not in description(rec.message)
        await club.click(rec.message, "Reveal to me")
        other = await club.ask(pings)
        assert f"<@{fake.other_member.id}>" not in description(other.message)
        await club.command("character", {"name": "@everyone <@1>"})
        await club.reply_to(await club.mention(f"{nasty} {pings}"))
    assert fake.sent and all(s.allowed_mentions == NO_PINGS for s in fake.sent)
    assert_no_pings(fake)
    for message in fake.bot_messages():
        assert not message.data["mention_everyone"] and message.data["mentions"] == []


async def test_spoiler_tags_are_balanced_everywhere(club: Club) -> None:
    """Every content, description and field the bot sends has an even number of unescaped ||."""
    fake = club.fake
    questions = [RUTH, "how does it all end", "what is || the Gallery || for?", "who is Tommy ||",
                 "what are the donations?", "does ruth || die"]
    async with club.run():
        for question in questions:
            await club.ask(question)
        await club.reply_to(await club.mention("what are the || donations?"))
    texts = [t for sent in fake.sent for t in texts_of(sent)]
    assert any(bar_positions(t) for t in texts), "expected some spoiler tags"
    unbalanced = [t for t in texts if len(bar_positions(t)) % 2]
    assert not unbalanced, unbalanced


async def test_question_of_maximum_length_is_answered(club: Club) -> None:
    """A 300-character question (the option's maximum) is answered within Discord's limits."""
    words = ("does ruth die, and what happens to Tommy and Kathy after Hailsham and the Cottages "
             "when they become carers and donors? ") * 3
    question = words[:MAX_QUESTION - 1] + "?"
    assert len(question) == MAX_QUESTION
    async with club.run():
        rec = await club.ask(question)
        assert rec.message is not None and CITATION.search(description(rec.message))
        assert not club.fake.errors


async def test_question_over_the_limit_is_refused_by_the_client(club: Club) -> None:
    """The synced /ask option caps questions at 300 characters, as Discord's client enforces."""
    async with club.run():
        with pytest.raises(CommandNotAvailable, match="length"):
            await club.fake.slash("ask", {"question": "w" * (MAX_QUESTION + 1)})


async def test_cooldown_refuses_politely(club: Club) -> None:
    """The configured per-user rate of questions, plus one, gets one friendly ephemeral refusal."""
    async with club.run(ask_cooldown_rate=DEFAULT_RATE, ask_cooldown_seconds=DEFAULT_PER) as bot:
        rate = bot.settings.ask_cooldown_rate
        assert rate >= 1
        recs = [await club.fake.slash("ask", {"question": "what is Hailsham?"}) for _ in range(rate + 1)]
        await asyncio.gather(*(r.wait_done(ANSWER_TIMEOUT) for r in recs))
    refused = [r for r in recs if r.callback_type == 4]
    answered = [r for r in recs if r.callback_type == 5]
    assert len(refused) == 1 and len(answered) == rate
    assert refused[0].ephemeral and (refused[0].content or "").startswith("Slow down a little")
