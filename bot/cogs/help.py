"""``/help``: what the bot does and how spoilers work here, privately."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, BookclubBot
from bot.embeds import help_embed
from bot.records import ResolvedView


class Help(commands.Cog):
    """Shows the help embed (ephemeral, so it never clutters a channel)."""

    def __init__(self, bot: BookclubBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What I can do, and how spoilers work here")
    async def help(self, interaction: discord.Interaction[BookclubBot]) -> None:
        book = self.bot.engine.book
        resolved = await self.bot.view_for(interaction, private=False)
        embed = help_embed(book.title, book.author, here_text(resolved))
        await interaction.response.send_message(embed=embed, ephemeral=True,
                                                allowed_mentions=NO_MENTIONS)


def here_text(resolved: ResolvedView) -> str:
    """The rules in force where /help was asked, and where each came from."""
    if resolved.degraded:
        return ("The settings database is unavailable right now, so the strictest rules apply: "
                "reveals are hidden and nothing past the premise is shown.")
    origin = {"channel": "this channel's setting", "server": "the server's setting",
              "default": "the default"}
    mode = resolved.view.mode.value
    progress = resolved.view.progress.label
    where = "Club progress" if resolved.progress_from == "club" else "Reading progress (default)"
    return (f"Spoiler mode: **{mode}** ({origin.get(resolved.mode_from, 'the default')}). "
            f"{where}: **{progress}**.")


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, BookclubBot):
        raise TypeError("the help cog needs the bookclub bot")
    await bot.add_cog(Help(bot))
