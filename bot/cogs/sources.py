"""``/sources``: which reviews the bot quotes, by whom, and how much of each is indexed."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, BookclubBot
from bot.embeds import sources_embed


class Sources(commands.Cog):
    """Translates ``/sources`` into ``engine.sources()`` as an embed."""

    def __init__(self, bot: BookclubBot) -> None:
        self.bot = bot

    @app_commands.command(name="sources", description="The reviews my answers quote")
    async def sources(self, interaction: discord.Interaction[BookclubBot]) -> None:
        stats = await self.bot.sources()
        book = self.bot.engine.book
        await interaction.response.send_message(embed=sources_embed(stats, book.title, book.author),
                                                allowed_mentions=NO_MENTIONS)


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, BookclubBot):
        raise TypeError("the sources cog needs the bookclub bot")
    await bot.add_cog(Sources(bot))
