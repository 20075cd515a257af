"""``/spoilers mode|progress|channel|status``: the server's spoiler rules, for moderators only.

Discord hides the group from members without Manage Server (``default_permissions``), but server
admins can re-grant commands per role or channel, so :func:`bot.checks.is_mod` checks again.
Every change is committed (and audited) before the moderator sees "Saved".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import discord
from discord import app_commands
from discord.ext import commands

from bot.checks import is_mod
from bot.client import NO_MENTIONS, BookclubBot
from bot.embeds import MESSAGE_LIMIT, fit, fit_lines
from bot.records import AuditEntry, Change, GuildStatus, Stamp
from bot.store import StoreError
from index.spoilers import DEFAULT_MODE, DEFAULT_PROGRESS, Progress, SpoilerMode

DEFAULT = "default"
RECENT = 3
MODES = {
    SpoilerMode.TAG: "reveals past the club's progress are wrapped in spoiler tags",
    SpoilerMode.HIDE: "reveals past the club's progress are held back",
    SpoilerMode.OFF: "no spoiler protection: everything is shown in clear",
}
MODE_CHOICES = [app_commands.Choice(name=f"{m.value}: {text}"[:100], value=m.value)
                for m, text in MODES.items()]
CHANNEL_CHOICES = [*MODE_CHOICES,
                   app_commands.Choice(name="default: follow the server's mode", value=DEFAULT)]
PROGRESS_CHOICES = [app_commands.Choice(name=p.label[:1].upper() + p.label[1:], value=p.value)
                    for p in Progress]
DEGRADED = ("⚠️ The settings database is unavailable right now, so answers use the strictest "
            "rules (mode **hide**, progress **not started**) until it is back. "
            "Settings cannot be changed meanwhile.")


def stamp_text(stamp: Stamp) -> str:
    """``set by @mod on 2026-11-20 14:02 UTC`` (a mention that pings nobody)."""
    who = f" by <@{stamp.user_id}>" if stamp.user_id else ""
    at = f" on {_utc(stamp.at)}" if stamp.at else ""
    return f"set{who}{at}" if who or at else ""


def _utc(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"


def _was(change: Change, default: str) -> str:
    return f"was **{change.old}**" if change.old else f"was the default, **{default}**"


def change_text(entry: AuditEntry) -> str:
    """``server mode tag → hide by @mod, 2026-11-20 14:02 UTC`` for the status reply."""
    where = f" in <#{entry.target}>" if entry.setting == "channel mode" and entry.target else ""
    setting = "channel mode" if where else entry.setting
    return (f"{setting}{where}: {entry.old or 'default'} → {entry.new or 'default'} "
            f"by <@{entry.actor_id}>, {_utc(entry.at)}")


def status_text(status: GuildStatus, channel_id: int | None,
                recent: Sequence[AuditEntry] = ()) -> str:
    """The whole ``/spoilers status`` reply, within one message."""
    mode = status.mode or DEFAULT_MODE
    source = f"server setting, {stamp_text(status.mode_stamp)}" if status.mode else "server default"
    lines = [f"Spoilers here: **{mode.value}** ({source})"]
    here = next((c for c in status.channels if c.channel_id == channel_id), None)
    if here is not None:
        lines[0] = f"Spoilers in this channel: **{here.mode.value}** (channel setting) · server: " \
                   f"**{mode.value}** ({source})"
    progress = status.progress or DEFAULT_PROGRESS
    by = f" — {stamp_text(status.progress_stamp)}" if status.progress else " (default)"
    lines.append(f"Club progress: **{progress.label}**{by}")
    count = status.members_with_progress
    lines.append(f"Members' own progress: {count} {'member has' if count == 1 else 'members have'} "
                 "set theirs (`/progress`).")
    overrides = [f"<#{c.channel_id}>: **{c.mode.value}** ({stamp_text(c.stamp)})"
                 for c in status.channels]
    if overrides:
        lines.append("Channel settings:\n" + fit_lines(overrides, 900))
    if recent:
        lines.append("Recent changes:\n" + fit_lines([change_text(e) for e in recent], 600))
    return fit("\n".join(lines), MESSAGE_LIMIT)


class Spoilers(commands.Cog):
    """Translates ``/spoilers`` subcommands into store writes and readable confirmations."""

    spoilers = app_commands.Group(
        name="spoilers", description="Spoiler settings for this server (moderators)",
        guild_only=True, default_permissions=discord.Permissions(manage_guild=True))

    def __init__(self, bot: BookclubBot) -> None:
        self.bot = bot

    async def _reply(self, interaction: discord.Interaction[BookclubBot], text: str) -> None:
        await interaction.followup.send(fit(text, MESSAGE_LIMIT), ephemeral=True,
                                        allowed_mentions=NO_MENTIONS)

    @spoilers.command(name="mode", description="How answers treat reveals past the club's progress")
    @app_commands.describe(mode="tag (spoiler tags), hide (held back) or off (shown)")
    @app_commands.choices(mode=MODE_CHOICES)
    @is_mod()
    async def mode(self, interaction: discord.Interaction[BookclubBot], mode: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = SpoilerMode(mode)
        try:
            change = await self.bot.store.set_server_mode(_guild(interaction), chosen,
                                                          interaction.user.id)
        except StoreError as error:
            await self._reply(interaction, error.message)
            return
        await self._reply(interaction, f"✅ Saved. Server spoiler mode: **{chosen.value}** "
                                       f"({_was(change, DEFAULT_MODE.value)}): {MODES[chosen]}. "
                                       "Channels with their own setting keep it.")

    @spoilers.command(name="progress", description="How far the club has read")
    @app_commands.describe(part="Reveals up to here are shown in clear in public answers")
    @app_commands.choices(part=PROGRESS_CHOICES)
    @is_mod()
    async def progress(self, interaction: discord.Interaction[BookclubBot], part: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = Progress(part)
        try:
            change = await self.bot.store.set_club_progress(_guild(interaction), chosen,
                                                            interaction.user.id)
        except StoreError as error:
            await self._reply(interaction, error.message)
            return
        old = Progress(change.old).label if change.old else None
        was = f"was **{old}**" if old else f"was the default, **{DEFAULT_PROGRESS.label}**"
        await self._reply(interaction, f"✅ Saved. Club progress: **{chosen.label}** ({was}). "
                                       "Public answers show reveals up to it in clear.")

    @spoilers.command(name="channel", description="Give one channel its own spoiler mode")
    @app_commands.describe(channel="The channel (threads follow their parent)",
                           mode="Its mode, or default to follow the server")
    @app_commands.choices(mode=CHANNEL_CHOICES)
    @is_mod()
    async def channel(self, interaction: discord.Interaction[BookclubBot],
                      channel: app_commands.AppCommandChannel | app_commands.AppCommandThread,
                      mode: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        chosen = None if mode == DEFAULT else SpoilerMode(mode)
        try:
            change = await self.bot.store.set_channel_mode(_guild(interaction), channel.id, chosen,
                                                           interaction.user.id)
        except StoreError as error:
            await self._reply(interaction, error.message)
            return
        was = f"was **{change.old}**" if change.old else "was following the server"
        now = f"uses **{chosen.value}** ({MODES[chosen]})" if chosen else "follows the server's mode"
        await self._reply(interaction, f"✅ Saved. <#{channel.id}> now {now}; it {was}.")

    @spoilers.command(name="status", description="This server's spoiler settings and who set them")
    @is_mod()
    async def status(self, interaction: discord.Interaction[BookclubBot]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            status = await self.bot.store.status(_guild(interaction))
            changes = await self.bot.store.audit(_guild(interaction), limit=20)
        except StoreError:
            await self._reply(interaction, DEGRADED)
            return
        recent = [e for e in changes if e.setting != "member progress"][:RECENT]
        await self._reply(interaction, status_text(status, interaction.channel_id, recent))


def _guild(interaction: discord.Interaction[BookclubBot]) -> int:
    """The server id (the group is guild-only and :func:`is_mod` refuses DMs first)."""
    if interaction.guild_id is None:
        raise app_commands.NoPrivateMessage("That only works in a server.")
    return interaction.guild_id


async def setup(bot: commands.Bot) -> None:
    if not isinstance(bot, BookclubBot):
        raise TypeError("the spoilers cog needs the bookclub bot")
    await bot.add_cog(Spoilers(bot))
