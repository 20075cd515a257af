"""Chat: answer when mentioned or DMed, and treat a reply to one of the bot's answers as a follow-up.

Needs no message-content intent: Discord still sends the text of DMs and of messages that mention
the bot (a reply that pings the bot counts). Replies without the ping arrive empty and are ignored.
"""

from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord.ext import commands

from bot.checks import slow_down
from bot.client import NO_MENTIONS, UNEXPECTED, BookclubBot
from bot.embeds import MESSAGE_LIMIT, fit
from bot.markdown import strip_markup, unescape
from bot.records import SavedAnswer
from bot.render import render_answer
from bot.store import StoreError
from bot.views import answer_buttons, answer_key
from index.engine import MAX_QUESTION_CHARS, clean_question
from index.errors import QuestionError
from index.followup import merge_followup

log = logging.getLogger(__name__)
HEADER = re.compile(r"^\*\*Q:\*\* (?P<q>.+)$", re.MULTILINE)
HINT = ("Ask me something after the mention, for example “what is Hailsham?”, "
        "or use `/ask` (`/help` explains spoilers).")
DEGRADED = ("-# ⚠️ Spoiler settings are unavailable right now, so the strictest rules apply "
            "(reveals hidden).")


def question_in(message: discord.Message) -> str | None:
    """The question an earlier bot message answered, from its ``**Q:** …`` header."""
    texts = [message.content, *(e.description or "" for e in message.embeds)]
    for text in texts:
        match = HEADER.search(text or "")
        if match:
            return unescape(match["q"]).removesuffix("…").strip() or None
    return None


def topic_of(saved: SavedAnswer) -> str | None:
    """What a reply to ``saved`` follows up: the question as it was answered, so a follow-up of a
    follow-up keeps the first topic ("does Ruth die?" → "and Kathy?" → "and Tommy?")."""
    if not saved.answered:
        return saved.previous
    return merge_followup(saved.previous, saved.question)[:MAX_QUESTION_CHARS]


class Chat(commands.Cog):
    """Translates mentions, DMs and replies into ``engine.ask`` and the answer into a reply."""

    def __init__(self, bot: BookclubBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.bot.user is None:
            return
        try:
            await self._handle(message, self.bot.user)
        except Exception:  # the boundary: log it and tell the member, never stay silent
            log.exception("Chat reply failed: guild=%s channel=%s user=%s",
                          message.guild.id if message.guild else None, message.channel.id,
                          message.author.id)
            await self._reply(message, UNEXPECTED)

    async def _handle(self, message: discord.Message, me: discord.ClientUser) -> None:
        dm = message.guild is None
        role = message.guild.self_role if message.guild is not None else None
        mentioned = any(user.id == me.id for user in message.mentions) or (
            role is not None and any(r.id == role.id for r in message.role_mentions))
        follows, previous = await self._replied_to(message, me)
        if not (dm or mentioned or follows):
            return
        ids = "|".join(str(i) for i in (me.id, role.id if role else None) if i)
        text = strip_markup(re.sub(rf"<@[!&]?(?:{ids})>", " ", message.content))
        if not text:
            if dm or f"{me.id}>" in message.content:
                await self._reply(message, HINT)
            return
        retry = self.bot.cooldowns.hit(message.author.id)
        if retry is not None:
            await self._reply(message, slow_down(retry))
            return
        try:
            clean_question(text)
        except QuestionError as error:
            await self._reply(message, error.message)
            return
        answer = await self.bot.ask(text, previous)
        resolved = await self.bot.view_for_message(message)
        rendered = await asyncio.to_thread(render_answer, answer, resolved.view, MESSAGE_LIMIT)
        content = rendered.message + (f"\n{DEGRADED}" if resolved.degraded else "")
        answer_id = await self._remember(message, answer.question, previous, answer.answered)
        buttons = answer_buttons(answer_key(answer_id, answer.question),
                                 more=answer.answered and bool(answer.more),
                                 reveal=bool(rendered.spoilers or rendered.hidden))
        sent = await self._reply(message, fit(content, MESSAGE_LIMIT), buttons)
        if sent is not None and answer_id is not None:
            try:
                await self.bot.store.attach_message(answer_id, sent.id)
            except StoreError:
                log.warning("Chat answer %d sent, but its message id was not saved", answer_id)

    async def _replied_to(self, message: discord.Message,
                          me: discord.ClientUser) -> tuple[bool, str | None]:
        """Whether ``message`` replies to one of our answers, and that answer's question."""
        reference = message.reference
        if reference is None or reference.message_id is None:
            return False, None
        resolved = reference.resolved
        if isinstance(resolved, discord.Message) and resolved.author.id != me.id:
            return False, None
        try:
            saved = await self.bot.store.answer_by_message(reference.message_id)
        except StoreError:
            saved = None
        if saved is not None:
            return True, topic_of(saved)
        if isinstance(resolved, discord.Message):
            return True, question_in(resolved)
        return False, None

    async def _remember(self, message: discord.Message, question: str, previous: str | None,
                        answered: bool) -> int | None:
        try:
            return await self.bot.store.save_answer(
                question, previous, answered, channel_id=message.channel.id,
                guild_id=message.guild.id if message.guild else None, user_id=message.author.id)
        except StoreError:
            return None

    async def _reply(self, message: discord.Message, content: str,
                     view: discord.ui.View | None = None) -> discord.Message | None:
        """A reply that pings nobody (``AllowedMentions.none()`` has ``replied_user=False``, so the
        author is not pinged either) and still works if the question was deleted meanwhile."""
        reference = message.to_reference(fail_if_not_exists=False)
        try:
            if view is None:
                return await message.channel.send(content[:MESSAGE_LIMIT], reference=reference,
                                                  allowed_mentions=NO_MENTIONS)
            return await message.channel.send(content[:MESSAGE_LIMIT], reference=reference,
                                              view=view, allowed_mentions=NO_MENTIONS)
        except discord.HTTPException as error:
            log.warning("Could not reply in channel %s: %s", message.channel.id, error)
            return None


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, BookclubBot):
        raise TypeError("the chat cog needs the bookclub bot")
    await bot.add_cog(Chat(bot))
