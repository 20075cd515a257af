"""``/character name``: who someone is, as the reviews say it, with name autocomplete."""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot.client import NO_MENTIONS, BookclubBot
from bot.embeds import DESCRIPTION_LIMIT, MESSAGE_LIMIT, card_embed, choices, fit
from bot.render import render_card
from index.spoilers import SpoilerView

log = logging.getLogger(__name__)
NAME_LIMIT = 100


class Character(commands.Cog):
    """Translates ``/character`` into ``engine.character`` and the card into an embed."""

    def __init__(self, bot: BookclubBot) -> None:
        self.bot = bot

    @app_commands.command(name="character", description="Who a character is, quoted from the reviews")
    @app_commands.describe(name="A character's name (nicknames and typos are fine)")
    async def character(self, interaction: discord.Interaction[BookclubBot],
                        name: app_commands.Range[str, 1, NAME_LIMIT]) -> None:
        card = await self.bot.character(name)
        if not card.found:
            text = render_card(card, SpoilerView()).not_found
            await interaction.response.send_message(fit(text, MESSAGE_LIMIT), ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
            return
        await interaction.response.defer(thinking=True)
        resolved = await self.bot.view_for(interaction, private=False)
        rendered = render_card(card, resolved.view, DESCRIPTION_LIMIT)
        embed = card_embed(rendered, resolved.view, degraded=resolved.degraded)
        await interaction.followup.send(embed=embed, allowed_mentions=NO_MENTIONS)

    @character.autocomplete("name")
    async def complete(self, interaction: discord.Interaction[BookclubBot],
                       current: str) -> list[app_commands.Choice[str]]:
        try:
            return choices(await self.bot.complete_character(current[:NAME_LIMIT]))
        except Exception:  # an empty list beats Discord's "loading options failed"
            log.exception("Character autocomplete failed for %r", current[:NAME_LIMIT])
            return []


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, BookclubBot):
        raise TypeError("the character cog needs the bookclub bot")
    await bot.add_cog(Character(bot))
