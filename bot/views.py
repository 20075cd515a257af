"""The "More excerpts" and "Reveal to me" buttons, which keep working after a restart.

They are :class:`discord.ui.DynamicItem` buttons: the custom_id names the saved question
(``bookclub:more:a42`` → row 42 of the store's ``answers`` table). If the store could not save it,
the question text itself goes in the custom_id when it fits (``bookclub:more:q<question>``). The
bot re-asks the engine on click (answers are deterministic), so no answer state is kept in memory.
"""

from __future__ import annotations

import re
from typing import Any, Self

import discord

from bot.client import NO_MENTIONS, bookclub, report
from bot.embeds import DESCRIPTION_LIMIT, answer_embed
from bot.render import render_answer
from index.excerpts import Answer
from index.spoilers import SpoilerMode, SpoilerView

CUSTOM_ID_LIMIT = 100
_KEY = r"(?P<key>a[0-9]{1,19}|q.+)"
GONE = "I no longer have that question. Please ask it again with `/ask`."


def answer_key(answer_id: int | None, question: str) -> str | None:
    """The custom_id key for a question: its saved id, else the text if it fits, else ``None``."""
    if answer_id is not None:
        return f"a{answer_id}"
    key = f"q{question}"
    return key if len(f"bookclub:reveal:{key}") <= CUSTOM_ID_LIMIT else None


async def _answer(interaction: discord.Interaction[Any], key: str) -> Answer | None:
    """Defer privately, then re-ask the saved question; ``None`` (user told) if it is gone."""
    bot = bookclub(interaction.client)
    await interaction.response.defer(ephemeral=True, thinking=True)
    if key.startswith("q"):
        return await bot.ask(key[1:])
    saved = await bot.store.answer(int(key[1:]))
    if saved is None:
        await interaction.followup.send(GONE, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return None
    return await bot.ask(saved.question, saved.previous)


class _AnswerButton:
    """What both buttons share: the key in their custom_id, re-asking, and the error boundary."""

    prefix: str
    label: str
    emoji: str

    def __init__(self, key: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=self.label, emoji=self.emoji, style=discord.ButtonStyle.secondary,
            custom_id=f"bookclub:{self.prefix}:{key}")
        super().__init__(button)  # type: ignore[call-arg]  # DynamicItem.__init__, next in the MRO
        self.key = key

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any],
                             item: discord.ui.Item[Any], match: re.Match[str], /) -> Self:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        try:
            answer = await _answer(interaction, self.key)
            if answer is not None:
                await self.respond(interaction, answer)
        except Exception as error:  # the boundary: every failure gets a reply and a log line
            await report(interaction, error)

    async def respond(self, interaction: discord.Interaction[Any], answer: Answer) -> None:
        raise NotImplementedError


class MoreExcerpts(_AnswerButton, discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=re.compile(r"bookclub:more:" + _KEY, re.DOTALL)):
    """Further excerpts for the same question, privately, under the clicker's own view."""

    prefix, label, emoji = "more", "More excerpts", "📚"

    async def respond(self, interaction: discord.Interaction[Any], answer: Answer) -> None:
        if not answer.more:
            await interaction.followup.send("No more excerpts for that question.", ephemeral=True,
                                            allowed_mentions=NO_MENTIONS)
            return
        resolved = await bookclub(interaction.client).view_for(interaction, private=True)
        rendered = render_answer(answer, resolved.view, DESCRIPTION_LIMIT, excerpts=answer.more)
        embed = answer_embed(rendered, resolved.view, degraded=resolved.degraded,
                             extra="more excerpts, for you only")
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


class RevealToMe(_AnswerButton, discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=re.compile(r"bookclub:reveal:" + _KEY, re.DOTALL)):
    """The same answer with every spoiler in clear, for the clicker only (ephemeral)."""

    prefix, label, emoji = "reveal", "Reveal to me", "👁️"

    async def respond(self, interaction: discord.Interaction[Any], answer: Answer) -> None:
        resolved = await bookclub(interaction.client).view_for(interaction, private=True)
        view = SpoilerView(SpoilerMode.OFF, resolved.view.progress)
        rendered = render_answer(answer, view, DESCRIPTION_LIMIT)
        embed = answer_embed(rendered, view, extra="revealed to you only")
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


def answer_buttons(key: str | None, *, more: bool, reveal: bool) -> discord.ui.View | None:
    """The buttons under an answer (only those that would do something), or ``None``."""
    if key is None or not (more or reveal):
        return None
    view = discord.ui.View(timeout=None)
    if more:
        view.add_item(MoreExcerpts(key))
    if reveal:
        view.add_item(RevealToMe(key))
    return view
