"""Harness glue: point discord.py at a :class:`FakeDiscord`, capture its errors, run bots."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from tests.e2e.fake_discord import FakeDiscord

BotT = TypeVar("BotT", bound=commands.Bot)
CAPTURED_LOGGERS = ("discord", "asyncio", "aiohttp.server", "aiohttp.web")


class DiscordLogCapture(logging.Handler):
    """Turns ERROR+ records (discord, asyncio, aiohttp server) into ``log`` errors on the fake."""

    def __init__(self, fake: FakeDiscord) -> None:
        super().__init__(level=logging.ERROR)
        self.fake = fake

    def emit(self, record: logging.LogRecord) -> None:
        """Record the log line (with exception summary) on the fake."""
        message = f"{record.name}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            message += f" -> {record.exc_info[1]!r}"
        self.fake.record_error("log", message)


@contextlib.contextmanager
def captured_logs(fake: FakeDiscord, names: Iterable[str]) -> Iterator[None]:
    """Record ERROR logs of the named loggers as ``log`` errors on the fake while the block runs."""
    handler = DiscordLogCapture(fake)
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@contextlib.contextmanager
def pointed_at(fake: FakeDiscord) -> Iterator[None]:
    """Patch ``Route.BASE`` / ``DEFAULT_GATEWAY`` to the fake and capture ERROR logs."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        with captured_logs(fake, CAPTURED_LOGGERS):
            yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


def assert_no_pings(fake: FakeDiscord, expected: dict[str, object] | None = None) -> None:
    """Every content-bearing payload the bot sent must carry ``allowed_mentions == expected``
    (default ``{"parse": []}``, i.e. ``AllowedMentions.none()``)."""
    expected = {"parse": []} if expected is None else expected
    bad = [s for s in fake.sent if s.payload.get("content") and s.allowed_mentions != expected]
    if bad:
        listing = "\n  ".join(f"{s.kind} {s.payload.get('content')!r}: {s.allowed_mentions}"
                              for s in bad)
        raise AssertionError(f"{len(bad)} payload(s) may ping:\n  {listing}")


def default_intents() -> discord.Intents:
    """Intents a typical bot here uses: defaults + message content."""
    intents = discord.Intents.default()
    intents.message_content = True
    return intents


async def _wait_ready(bot: commands.Bot, task: asyncio.Task[None], timeout: float) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not bot.is_ready():
        if task.done():
            task.result()
            raise RuntimeError("bot.start() returned before the bot became ready")
        if loop.time() > deadline:
            raise TimeoutError(f"bot not ready after {timeout:.1f}s")
        await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord, bot_factory: Callable[[], BotT], token: str | None = None,
                      *, wait_for_syncs: int = 1, timeout: float = 10.0) -> AsyncIterator[BotT]:
    """Run ``bot_factory()`` via ``bot.start(token)`` against ``fake`` until the block exits.

    Waits until the bot is ready and (unless ``wait_for_syncs=0``) until it has done that many
    bulk command syncs. On exit closes the bot and re-raises anything ``bot.start`` raised.
    """
    syncs_before = fake.sync_count
    bot = bot_factory()
    task = asyncio.create_task(bot.start(token or fake.token), name="bot.start")
    try:
        await _wait_ready(bot, task, timeout)
        if wait_for_syncs:
            await fake.wait_until(lambda: fake.sync_count >= syncs_before + wait_for_syncs
                                  or task.done(), timeout, f"{wait_for_syncs} command sync(s)")
            if task.done():
                task.result()
        yield bot
    finally:
        in_flight = sys.exc_info()[1]
        await bot.close()
        try:
            await asyncio.wait_for(task, timeout)
        except Exception as exc:
            if in_flight is None:
                raise
            if exc is not in_flight:
                in_flight.add_note(f"bot.start() also failed: {exc!r}")
        await fake.wait_until(lambda: not fake.gateway.connected, timeout, "gateway disconnect")
        fake.gateway.end_session()
