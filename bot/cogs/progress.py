"""``/progress [part]``: a member's own reading progress, which their private answers follow."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, BookclubBot
from bot.store import StoreError
from index.spoilers import DEFAULT_PROGRESS, Progress

CLUB = "club"
PARTS = [app_commands.Choice(name=p.label[:1].upper() + p.label[1:], value=p.value) for p in Progress]
CHOICES = [*PARTS, app_commands.Choice(name="Same as the club (clear mine)", value=CLUB)]
PRIVATE = ("Public answers always follow the club's progress; your private answers "
           "(`/ask private: True`, the buttons, DMs) follow yours.")


class ReadingProgress(commands.Cog):
    """Translates ``/progress`` into the store's per-member progress."""

    def __init__(self, bot: BookclubBot) -> None:
        self.bot = bot

    @app_commands.command(name="progress",
                          description="Your own reading progress (your private answers follow it)")
    @app_commands.describe(part="How far you've read; leave empty to see your current setting")
    @app_commands.choices(part=CHOICES)
    async def progress(self, interaction: discord.Interaction[BookclubBot],
                       part: str | None = None) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        where = "here" if interaction.guild_id is not None else "in direct messages"
        try:
            text = await (self._show(interaction, where) if part is None
                          else self._set(interaction, part, where))
        except StoreError as error:
            text = error.message
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def _show(self, interaction: discord.Interaction[BookclubBot], where: str) -> str:
        own = await self.bot.store.member_progress(interaction.guild_id, interaction.user.id)
        if interaction.guild_id is None:
            club = f"Without it, DM answers assume **{DEFAULT_PROGRESS.label}**."
        else:
            resolved = await self.bot.view_for(interaction, private=False)
            club = f"The club is at **{resolved.view.progress.label}**."
        if own is None:
            return (f"You haven't set your own reading progress {where}. {club} "
                    "Set yours with `/progress part:`.")
        progress, stamp = own
        since = f" (since {stamp.at:%Y-%m-%d %H:%M} UTC)" if stamp.at else ""
        return f"Your reading progress {where}: **{progress.label}**{since}. {club} {PRIVATE}"

    async def _set(self, interaction: discord.Interaction[BookclubBot], part: str, where: str) -> str:
        if part == CLUB:
            change = await self.bot.store.set_member_progress(interaction.guild_id,
                                                              interaction.user.id, None)
            was = f" (was {Progress(change.old).label})" if change.old else ""
            return f"✅ Saved: you follow the club's reading progress again{was}."
        try:
            progress = Progress(part)
        except ValueError:
            return "Pick your progress from the list: " + ", ".join(p.value for p in Progress) + "."
        change = await self.bot.store.set_member_progress(interaction.guild_id, interaction.user.id,
                                                          progress)
        was = Progress(change.old).label if change.old else "not set"
        return (f"✅ Saved: your reading progress {where} is **{progress.label}** (was {was}). "
                f"{PRIVATE}")


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, BookclubBot):
        raise TypeError("the progress cog needs the bookclub bot")
    await bot.add_cog(ReadingProgress(bot))
