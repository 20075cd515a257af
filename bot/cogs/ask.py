"""``/ask``: a question in, an embed of cited excerpts out, with "More excerpts" and "Reveal to me"."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, BookclubBot
from bot.embeds import DESCRIPTION_LIMIT, answer_embed
from bot.markdown import strip_markup
from bot.render import render_answer
from bot.store import StoreError
from bot.views import MoreExcerpts, RevealToMe, answer_buttons, answer_key
from index.engine import clean_question
from index.errors import QuestionError

log = logging.getLogger(__name__)
QUESTION_LIMIT = 300


class Ask(commands.Cog):
    """Translates ``/ask`` into ``engine.ask`` and the rendered answer into an embed."""

    def __init__(self, bot: BookclubBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(MoreExcerpts, RevealToMe)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(MoreExcerpts, RevealToMe)

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """The per-user cooldown; the tree's error handler words the refusal."""
        self.bot.cooldowns.check(interaction.user.id)
        return True

    @app_commands.command(name="ask", description="Ask about the book; answers quote the reviews")
    @app_commands.describe(question="Your question, in your own words",
                           private="Only you see the answer (and your own reading progress applies)")
    async def ask(self, interaction: discord.Interaction[BookclubBot],
                  question: app_commands.Range[str, 1, QUESTION_LIMIT], private: bool = False) -> None:
        question = strip_markup(question)
        try:
            clean_question(question)
        except QuestionError as error:
            await interaction.response.send_message(error.message, ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        answer = await self.bot.ask(question)
        resolved = await self.bot.view_for(interaction, private=private)
        rendered = await asyncio.to_thread(render_answer, answer, resolved.view, DESCRIPTION_LIMIT)
        embed = answer_embed(rendered, resolved.view, degraded=resolved.degraded,
                             extra="for you only" if private else "")
        answer_id = await self._remember(interaction, answer.question, answer.answered)
        buttons = answer_buttons(answer_key(answer_id, answer.question),
                                 more=answer.answered and bool(answer.more),
                                 reveal=bool(rendered.spoilers or rendered.hidden))
        if buttons is None:
            message = await interaction.followup.send(embed=embed, ephemeral=private, wait=True,
                                                      allowed_mentions=NO_MENTIONS)
        else:
            message = await interaction.followup.send(embed=embed, view=buttons, ephemeral=private,
                                                      wait=True, allowed_mentions=NO_MENTIONS)
        if answer_id is not None:
            try:
                await self.bot.store.attach_message(answer_id, message.id)
            except StoreError:
                log.warning("Answer %d sent, but its message id was not saved", answer_id)

    async def _remember(self, interaction: discord.Interaction[BookclubBot], question: str,
                        answered: bool) -> int | None:
        """Save the question for the buttons; ``None`` if the store is down (buttons degrade)."""
        try:
            return await self.bot.store.save_answer(
                question, None, answered, guild_id=interaction.guild_id,
                channel_id=interaction.channel_id, user_id=interaction.user.id)
        except StoreError:
            return None


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, BookclubBot):
        raise TypeError("the ask cog needs the bookclub bot")
    await bot.add_cog(Ask(bot))
