"""The Discord bot: intents, cogs, endpoint overrides, and one friendly error path for every command.

The bot owns the engine (read-only, thread-safe) and the settings store; cogs reach both through
the helpers here, so retrieval runs in a worker thread and never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any, cast

import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket

from bot.checks import Cooldowns, NotModerator, slow_down
from bot.records import ResolvedView
from bot.store import Store
from index.errors import BookclubError

if TYPE_CHECKING:
    from discord.types.gateway import SessionStartLimit

    from bot.settings import Settings
    from index.characters import CharacterCard
    from index.engine import Engine, SourceStats
    from index.excerpts import Answer

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
COGS = ("bot.cogs.ask", "bot.cogs.chat", "bot.cogs.character", "bot.cogs.sources",
        "bot.cogs.spoilers", "bot.cogs.progress", "bot.cogs.help")
UNEXPECTED = "Sorry — something went wrong on my side. It has been logged; please try again."
FORBIDDEN = "I don't have permission to do that here (ask a moderator to check my role)."


def intents() -> discord.Intents:
    """No privileged intents: mentions, replies to the bot and DMs still carry their text."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at a REST/gateway proxy or a local fake Discord.

    These are class attributes of discord.py (process-wide); they are only touched when an
    override is configured, right before logging in."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


def describe(interaction: discord.Interaction[Any]) -> str:
    """Log context for an interaction: what was used, where, by whom (ids only, never secrets)."""
    if interaction.command is not None:
        what = f"/{interaction.command.qualified_name}"
    else:
        data = cast("dict[str, Any]", interaction.data or {})
        what = str(data.get("custom_id", interaction.type.name))[:40]
    return (f"{what} guild={interaction.guild_id} channel={interaction.channel_id} "
            f"user={interaction.user.id}")


def explain(error: BaseException) -> str | None:
    """The user-facing text for an expected error, or ``None`` for a bug."""
    if isinstance(error, app_commands.CommandInvokeError):
        return explain(error.original)
    if isinstance(error, app_commands.TransformerError):
        return "I couldn't understand one of the options; please pick it from the list."
    if isinstance(error, app_commands.CommandOnCooldown):
        return slow_down(error.retry_after)
    if isinstance(error, NotModerator | app_commands.NoPrivateMessage):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
        return "You can't use that command here."
    if isinstance(error, BookclubError):
        return error.message
    if isinstance(error, discord.Forbidden):
        return FORBIDDEN
    return None


async def tell(interaction: discord.Interaction[Any], text: str) -> None:
    """An ephemeral note to the user, whether or not the interaction was answered already."""
    try:
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
        elif interaction.response.is_done():
            await interaction.followup.send(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text[:2000], ephemeral=True,
                                                    allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as failure:
        log.warning("Could not send an error reply for %s: %s", describe(interaction), failure)


async def report(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Log and answer any failure of a command or button: never a silent "did not respond"."""
    text = explain(error)
    if text is None:
        log.error("Unexpected error in %s", describe(interaction), exc_info=error)
        text = UNEXPECTED
    else:
        log.info("Refused %s: %s", describe(interaction), type(error).__name__)
    await tell(interaction, text)


class BookclubTree(app_commands.CommandTree["BookclubBot"]):
    async def on_error(self, interaction: discord.Interaction[BookclubBot],
                       error: app_commands.AppCommandError, /) -> None:
        await report(interaction, error)


class BookclubBot(commands.Bot):
    """Slash commands, buttons and chat replies over one engine and one settings store."""

    def __init__(self, settings: Settings, engine: Engine, store: Store, *,
                 serving: bool = True) -> None:
        options: dict[str, Any] = {}
        if settings.shard_count is not None:
            options["shard_count"] = settings.shard_count
        if settings.shard_ids is not None:
            options["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned, help_command=None, tree_cls=BookclubTree,
            intents=intents(), allowed_mentions=NO_MENTIONS, chunk_guilds_at_startup=False,
            guild_ready_timeout=settings.guild_ready_timeout, **options,
        )
        self.settings = settings
        self.engine = engine
        self.store = store
        self.serving = serving
        self.cooldowns = Cooldowns(settings.ask_cooldown_rate, settings.ask_cooldown_seconds)
        if settings.discord_gateway_url:
            self._route_gateway_lookup(settings.discord_gateway_url)

    def _route_gateway_lookup(self, url: str) -> None:
        """``GET /gateway/bot`` names the gateway for sharded bots; keep the configured one."""
        lookup = self.http.get_bot_gateway

        async def configured_gateway() -> tuple[int, str, SessionStartLimit]:
            try:
                shards, _, limits = await lookup()
            except discord.GatewayNotFound:
                limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
                shards = 1
            return shards, url, limits

        self.http.get_bot_gateway = configured_gateway  # type: ignore[method-assign]

    # ------------------------------------------------------------------ lifecycle
    async def login(self, token: str) -> None:
        configure_endpoints(self.settings)
        await super().login(token)

    async def setup_hook(self) -> None:
        """Load the cogs; when serving, open the store (a failure only degrades it) and sync the
        commands to DEV_GUILD_ID. (``bookclub sync`` logs in without serving.)"""
        for name in COGS:
            await self.load_extension(name)
        if not self.serving:
            return
        if not await self.store.open():
            log.warning("Starting with the settings database unavailable: strictest spoilers apply")
        guild_id = self.settings.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.HTTPException as error:
                log.warning("Could not sync commands to DEV_GUILD_ID %s: %s", guild_id, error)
            else:
                log.info("Synced %d commands to DEV_GUILD_ID %s", len(synced), guild_id)

    async def on_ready(self) -> None:
        user = self.user
        log.info("Logged in as %s (id %s) in %d servers", user, user.id if user else "?",
                 len(self.guilds))

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions and DMs are questions, handled by the chat cog."""

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            await self.store.close()

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Drop events raised after ``close()``: discord.py unsets the loop there, so a READY that
        finishes waiting for guilds during shutdown would fail to schedule ``on_ready`` and leave
        a traceback in the log (seen under load when SIGTERM lands right after connecting)."""
        if self.is_closed():
            log.debug("Dropped %s: the bot is closed", event_name)
            return
        super().dispatch(event_name, *args, **kwargs)

    # ------------------------------------------------------------------ engine and store
    async def ask(self, question: str, previous: str | None = None) -> Answer:
        return await asyncio.to_thread(self.engine.ask, question, previous=previous)

    async def character(self, name: str) -> CharacterCard:
        return await asyncio.to_thread(self.engine.character, name)

    async def complete_character(self, text: str) -> list[str]:
        return await asyncio.to_thread(self.engine.complete_character, text, 25)

    async def sources(self) -> list[SourceStats]:
        return await asyncio.to_thread(self.engine.sources)

    async def view_for(self, interaction: discord.Interaction[Any], *, private: bool) -> ResolvedView:
        """The spoiler view for a reply to ``interaction`` (DMs count as private)."""
        channel = interaction.channel
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        return await self.store.view_for(interaction.guild_id, interaction.channel_id,
                                         interaction.user.id, private or interaction.guild_id is None,
                                         parent_id=parent)

    async def view_for_message(self, message: discord.Message) -> ResolvedView:
        """The view for a chat reply: public in servers, private in DMs."""
        channel = message.channel
        parent = channel.parent_id if isinstance(channel, discord.Thread) else None
        guild_id = message.guild.id if message.guild is not None else None
        return await self.store.view_for(guild_id, channel.id, message.author.id, guild_id is None,
                                         parent_id=parent)


class ShardedBookclubBot(BookclubBot, commands.AutoShardedBot):
    """The same bot over several gateway shards (``SHARD_COUNT`` / ``SHARD_IDS``)."""


def create_bot(settings: Settings, engine: Engine, store: Store, *,
               serving: bool = True) -> BookclubBot:
    """A ready-to-start bot; tests call this again with a fresh or reused store to "restart".
    ``serving=False`` is for ``bookclub sync``: commands only, no store, no dev-guild sync."""
    cls = ShardedBookclubBot if settings.sharded else BookclubBot
    return cls(settings, engine, store, serving=serving)


def bookclub(client: discord.Client) -> BookclubBot:
    """The bot behind an interaction (typed), for buttons that only see ``interaction.client``."""
    if not isinstance(client, BookclubBot):
        raise TypeError("this item belongs to the bookclub bot")
    return client
