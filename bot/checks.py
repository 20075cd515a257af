"""Who may run what, and how often: the moderator check and the per-user question cooldown."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

T = TypeVar("T")

NOT_MODERATOR = ("Only moderators (people with the Manage Server permission) can change the "
                 "server's spoiler settings. You can set your own reading progress with "
                 "`/progress`.")
GUILD_ONLY = "That only works in a server, not in direct messages."
MAX_BUCKETS = 10_000


class NotModerator(app_commands.CheckFailure):
    """The member lacks Manage Server / Administrator; ``message`` is shown to them."""

    def __init__(self) -> None:
        super().__init__(NOT_MODERATOR)
        self.message = NOT_MODERATOR


def is_moderator(interaction: discord.Interaction[discord.Client]) -> bool:
    """Manage Server or Administrator, as Discord resolved them for this interaction's channel."""
    permissions = interaction.permissions
    allowed = permissions.manage_guild or permissions.administrator
    return interaction.guild_id is not None and allowed


def is_mod() -> Callable[[T], T]:
    """Runtime twin of ``default_permissions(manage_guild=True)``: server admins can override
    command permissions per role or channel, so the bot checks again itself."""

    async def predicate(interaction: discord.Interaction[discord.Client]) -> bool:
        if interaction.guild_id is None:
            raise app_commands.NoPrivateMessage(GUILD_ONLY)
        if not is_moderator(interaction):
            raise NotModerator()
        return True

    return app_commands.check(predicate)


class Cooldowns:
    """At most ``rate`` questions per ``per`` seconds per member (a sliding window), owned by the
    bot rather than module state, so every bot instance has its own."""

    def __init__(self, rate: int, per: float, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.per = per
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0 and self.per > 0

    def hit(self, user_id: int) -> float | None:
        """Count one question; the seconds to wait if over the limit (not counted), else ``None``."""
        if not self.enabled:
            return None
        now = self._clock()
        if len(self._hits) > MAX_BUCKETS:
            self._hits = {k: h for k, h in self._hits.items() if h and h[-1] > now - self.per}
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.per:
            hits.popleft()
        if len(hits) >= self.rate:
            return hits[0] + self.per - now
        hits.append(now)
        return None

    def check(self, user_id: int) -> None:
        """Raise :class:`app_commands.CommandOnCooldown` (worded politely by the error handler)."""
        retry = self.hit(user_id)
        if retry is not None:
            raise app_commands.CommandOnCooldown(app_commands.Cooldown(self.rate, self.per), retry)


def slow_down(retry_after: float) -> str:
    seconds = max(1, round(retry_after + 0.49))
    return f"Slow down a little — you can ask again in {seconds} s."
