"""``bookclub run`` and ``bookclub sync``: settings from the environment, then the bot, with one-line
errors instead of tracebacks for the mistakes people actually make (no token, a wrong token)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import signal
import sys
from pathlib import Path
from typing import TextIO

import aiohttp
import discord

from bot.client import create_bot
from bot.settings import NO_TOKEN_MESSAGE, Settings, SettingsError
from bot.store import Store
from index.engine import Engine
from index.errors import BookclubError

log = logging.getLogger("bookclub")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
BAD_TOKEN = ("bookclub: Discord rejected DISCORD_TOKEN (401 Unauthorized). Copy the bot token again "
             "from the Developer Portal (Bot → Reset Token) into .env or the environment.")
INTENTS = ("bookclub: Discord refused the gateway intents. This bot needs no privileged intents; "
           "check that SHARD_COUNT/SHARD_IDS and the application settings are right.")


def run_command(args: argparse.Namespace, err: TextIO | None = None) -> int:
    """Entry point for ``bookclub run`` / ``bookclub sync``; returns the exit status."""
    err = err or sys.stderr
    env_file: Path | None = getattr(args, "env_file", None)
    try:
        settings = Settings.load(env_file)
    except SettingsError as error:
        print(f"bookclub: {error.message}", file=err)
        return EXIT_USAGE
    token = settings.token()
    if token is None:
        print(NO_TOKEN_MESSAGE, file=err)
        return EXIT_USAGE
    discord.utils.setup_logging(level=settings.level)
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # no voice here
    try:
        if args.command == "sync":
            return asyncio.run(sync(settings, token, getattr(args, "guild", None)))
        return asyncio.run(run(settings, token))
    except KeyboardInterrupt:
        log.info("Stopped.")
        return EXIT_OK
    except discord.LoginFailure:
        print(BAD_TOKEN, file=err)
        return EXIT_ERROR
    except discord.PrivilegedIntentsRequired:
        print(INTENTS, file=err)
        return EXIT_ERROR
    except BookclubError as error:
        print(f"bookclub: {error.message}", file=err)
        return EXIT_ERROR
    except (aiohttp.ClientError, OSError, discord.GatewayNotFound) as error:
        print(f"bookclub: cannot reach Discord ({type(error).__name__}); check the network "
              "and DISCORD_API_BASE / DISCORD_GATEWAY_URL if set.", file=err)
        return EXIT_ERROR
    except discord.HTTPException as error:
        print(f"bookclub: Discord answered {error.status}: {error.text or 'no details'}", file=err)
        return EXIT_ERROR


async def _parts(settings: Settings) -> tuple[Engine, Store]:
    engine = await asyncio.to_thread(Engine.load, settings.bookclub_sources)
    await asyncio.to_thread(engine.warm)
    # The engine's objects live for the whole run: move them out of the collector's way so a full
    # collection never stalls the event loop while interactions wait (measured in bench/loop.py).
    gc.freeze()
    store = Store(settings.bookclub_db, timeout=settings.bookclub_db_timeout)
    return engine, store


async def run(settings: Settings, token: str) -> int:
    """Connect and serve until Ctrl-C or SIGTERM; both close the connection and the store."""
    engine, store = await _parts(settings)
    bot = create_bot(settings, engine, store)
    loop = asyncio.get_running_loop()
    closing: set[asyncio.Task[None]] = set()  # keeps the close task referenced until done
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        loop.add_signal_handler(signal.SIGTERM, lambda: closing.add(loop.create_task(bot.close())))
    try:
        async with bot:
            await bot.start(token)
    finally:
        # start() returns as soon as the gateway closes, possibly before the SIGTERM task has
        # closed the store; an open aiosqlite thread would keep the process alive.
        await asyncio.gather(*closing, return_exceptions=True)
        await store.close()
    return EXIT_OK


async def sync(settings: Settings, token: str, guild_id: int | None) -> int:
    """Log in over HTTP only, publish the slash commands (globally or to one server), exit."""
    engine, store = await _parts(settings)
    bot = create_bot(settings, engine, store, serving=False)
    async with bot:
        await bot.login(token)
        try:
            if guild_id is not None:
                guild = discord.Object(id=guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                where = f"to server {guild_id}"
            else:
                synced = await bot.tree.sync()
                where = "globally"
        except discord.Forbidden:
            print("bookclub: Discord refused the sync: is the bot in that server, invited with the "
                  "applications.commands scope?", file=sys.stderr)
            return EXIT_ERROR
    names = ", ".join(f"/{command.name}" for command in synced)
    print(f"Synced {len(synced)} commands {where}: {names}")
    return EXIT_OK
