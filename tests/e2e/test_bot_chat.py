"""Chat-style questions: mentions, DMs and replies to the bot's answers, through the real bot."""

from __future__ import annotations

import asyncio
import re

from bot.client import BookclubBot
from tests.e2e.bot_fixtures import (
    NO_PINGS,
    RUTH,
    Club,
    club_fixture,  # noqa: F401 - the ``club`` fixture
    plain,
)
from tests.e2e.fake_records import StoredMessage

MESSAGE_LIMIT = 2000
CITED = re.compile(r"^.*\[1\]$", re.MULTILINE)


async def linked(bot: BookclubBot, reply: StoredMessage) -> StoredMessage:
    """Wait until the bot has noted which question ``reply`` answers (people reply slower)."""
    async with asyncio.timeout(5):
        while await bot.store.answer_by_message(reply.id) is None:
            await asyncio.sleep(0.01)
    return reply


async def test_mention_in_a_channel_gets_a_reply(club: Club) -> None:
    """Mentioning the bot with a question in #general gets a reply quoting the answer."""
    async with club.run():
        question = await club.mention(RUTH)
        reply = await club.reply_to(question)
        assert reply.channel_id == club.fake.general.id and reply.kind == "channel"
        assert reply.content.startswith("**Q:** does ruth die?") and "**Sources**" in reply.content
        assert len(reply.content) <= MESSAGE_LIMIT and reply.allowed_mentions == NO_PINGS
        assert any(r in plain(reply.content) for r in club.reveals(RUTH))


async def test_dm_question_is_answered_in_the_dm(club: Club) -> None:
    """A question sent in a DM is answered in that DM."""
    fake = club.fake
    dm = fake.dm_channel(fake.member)
    async with club.run():
        question = await fake.send_message("what is Hailsham?", channel=dm)
        reply = await club.reply_to(question)
        assert reply.channel_id == dm.id and reply.guild_id is None
        assert "Hailsham" in reply.content and "[1]" in reply.content


async def test_reply_to_an_answer_is_a_follow_up(club: Club) -> None:
    """Replying "and what about tommy?" to the Ruth answer asks about Tommy's death."""
    async with club.run() as bot:
        first = await linked(bot, await club.reply_to(await club.mention(RUTH)))
        follow = await club.mention("and what about tommy?", reply_to=first)
        reply = await club.reply_to(follow)
        assert reply.content.startswith("**Q:** and what about tommy?")
        top = plain(CITED.findall(reply.content)[0])
        assert "Tommy" in top and re.search(r"complet|death|dies", top), f"not Tommy's death: {top!r}"


async def test_follow_up_of_a_follow_up_keeps_the_first_topic(club: Club) -> None:
    """"does ruth die?" → "what about kathy?" → "and tommy?" still asks about dying."""
    async with club.run() as bot:
        first = await linked(bot, await club.reply_to(await club.mention(RUTH)))
        second = await linked(bot, await club.reply_to(await club.mention("what about kathy?",
                                                                        reply_to=first)))
        third = await club.reply_to(await club.mention("and tommy?", reply_to=second))
        top = plain(CITED.findall(third.content)[0])
        assert "Tommy" in top and re.search(r"complet|death|dies", top), f"not Tommy's death: {top!r}"


async def test_unmentioned_guild_message_is_ignored(club: Club) -> None:
    """A guild message that does not mention the bot gets no reply."""
    async with club.run():
        ignored = await club.fake.send_message(RUTH)
        barrier = await club.mention("what is Hailsham?")
        await club.reply_to(barrier)
        replies = [m.reference_id for m in club.fake.bot_messages()]
        assert replies == [barrier.id] and ignored.id not in replies


async def test_own_and_other_bots_messages_are_ignored(club: Club) -> None:
    """Messages by the bot itself or by another bot never get an answer, even when they ping."""
    fake = club.fake
    other_bot = fake.add_user("OtherBot", bot=True, guild=fake.guild)
    async with club.run():
        own = await club.mention(RUTH, author=fake.bot_user)
        other = await club.mention(RUTH, author=other_bot)
        barrier = await club.mention("what is Hailsham?")
        await club.reply_to(barrier)
        replies = [m.reference_id for m in fake.bot_messages() if m.reference_id is not None]
        assert replies == [barrier.id] and own.id not in replies and other.id not in replies
