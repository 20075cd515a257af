"""The plain records the settings store returns (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from index.spoilers import STRICTEST_MODE, STRICTEST_PROGRESS, Progress, SpoilerMode, SpoilerView


@dataclass(frozen=True, slots=True)
class ResolvedView:
    """The spoiler view for one reply, where each half came from, and whether the store failed."""

    view: SpoilerView
    mode_from: str
    progress_from: str
    degraded: bool = False


STRICTEST = ResolvedView(SpoilerView(STRICTEST_MODE, STRICTEST_PROGRESS), "strictest", "strictest",
                         degraded=True)


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who set a setting and when (UTC)."""

    user_id: int | None
    at: datetime | None


@dataclass(frozen=True, slots=True)
class ChannelOverride:
    channel_id: int
    mode: SpoilerMode
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class GuildStatus:
    """What ``/spoilers status`` shows; ``None`` means the default applies."""

    mode: SpoilerMode | None
    mode_stamp: Stamp
    progress: Progress | None
    progress_stamp: Stamp
    channels: tuple[ChannelOverride, ...]
    members_with_progress: int


@dataclass(frozen=True, slots=True)
class Change:
    """A saved setting, before and after (``None`` = the default)."""

    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor_id: int | None
    setting: str
    target: int | None
    old: str | None
    new: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class SavedAnswer:
    """A question the bot answered, so buttons and follow-ups work after a restart."""

    id: int
    question: str
    previous: str | None
    answered: bool
    guild_id: int | None
    channel_id: int | None
    user_id: int | None
    message_id: int | None
