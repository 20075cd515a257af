"""Fake Discord world model: clock, snowflakes, users, roles, channels, guilds and their JSON."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000


class Perm:
    """Discord permission bits used by the fake."""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    USE_APPLICATION_COMMANDS = 1 << 31
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 51) - 1
    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE | ADD_REACTIONS | VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS
        | ATTACH_FILES | READ_MESSAGE_HISTORY | USE_EXTERNAL_EMOJIS | USE_APPLICATION_COMMANDS
        | SEND_MESSAGES_IN_THREADS
    )


class Intent:
    """Gateway intent bits the fake honours."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class ChannelType:
    """Channel type numbers."""

    TEXT = 0
    DM = 1
    CATEGORY = 4


class FakeClock:
    """Real time plus an adjustable offset; tests may ``advance`` it."""

    def __init__(self) -> None:
        self.offset = 0.0

    def monotonic(self) -> float:
        """Monotonic seconds (used for interaction deadlines)."""
        return time.monotonic() + self.offset

    def time(self) -> float:
        """Unix seconds (used for timestamps and snowflakes)."""
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward (e.g. past the 15 min interaction token lifetime)."""
        self.offset += seconds

    def iso(self) -> str:
        """Current time as a Discord ISO-8601 timestamp."""
        return dt.datetime.fromtimestamp(self.time(), dt.UTC).isoformat()


class Snowflakes:
    """Strictly increasing snowflake ids derived from the fake clock."""

    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._last = 0

    def next(self) -> int:
        """Return a fresh snowflake."""
        ms = int(self._clock.time() * 1000) - DISCORD_EPOCH_MS
        self._last = max(self._last + 1, ms << 22)
        return self._last


@dataclass(eq=False)
class FakeUser:
    """A Discord user (humans and the bot)."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        """``<@id>`` mention string."""
        return f"<@{self.id}>"

    def payload(self) -> JSON:
        """User object JSON."""
        return {
            "id": str(self.id), "username": self.username, "discriminator": "0",
            "global_name": self.global_name or self.username, "avatar": None, "bot": self.bot,
            "system": False, "public_flags": 0, "flags": 0, "banner": None, "accent_color": None,
        }


@dataclass(eq=False)
class FakeRole:
    """A guild role; the @everyone role's id equals the guild id."""

    id: int
    name: str
    permissions: int
    position: int = 0
    managed: bool = False

    @property
    def mention(self) -> str:
        """``<@&id>`` mention string."""
        return f"<@&{self.id}>"

    def payload(self) -> JSON:
        """Role object JSON."""
        return {
            "id": str(self.id), "name": self.name, "permissions": str(self.permissions),
            "position": self.position, "color": 0, "colors": {"primary_color": 0}, "hoist": False,
            "managed": self.managed, "mentionable": False, "icon": None, "unicode_emoji": None,
            "flags": 0,
        }


@dataclass
class Overwrite:
    """A channel permission overwrite (type 0 = role, 1 = member)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        """Overwrite JSON."""
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow),
                "deny": str(self.deny)}


@dataclass(eq=False)
class FakeChannel:
    """A guild text channel or a DM channel (``recipient`` set, ``guild_id`` None)."""

    id: int
    name: str
    type: int = ChannelType.TEXT
    guild_id: int | None = None
    position: int = 0
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient: FakeUser | None = None

    @property
    def is_dm(self) -> bool:
        """True for DM channels."""
        return self.type == ChannelType.DM

    @property
    def mention(self) -> str:
        """``<#id>`` mention string."""
        return f"<#{self.id}>"

    def payload(self, permissions: int | None = None) -> JSON:
        """Channel object JSON (``permissions`` is added for interaction payloads)."""
        if self.is_dm:
            recipients = [self.recipient.payload()] if self.recipient else []
            data: JSON = {"id": str(self.id), "type": self.type, "last_message_id": None,
                          "recipients": recipients, "flags": 0}
        else:
            data = {
                "id": str(self.id), "type": self.type, "guild_id": str(self.guild_id),
                "name": self.name, "position": self.position, "topic": self.topic,
                "nsfw": self.nsfw, "parent_id": None, "rate_limit_per_user": 0,
                "last_message_id": None, "flags": 0,
                "permission_overwrites": [o.payload() for o in self.overwrites],
            }
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class FakeMember:
    """Guild membership of a user."""

    user: FakeUser
    role_ids: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = "2024-01-01T00:00:00+00:00"

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> JSON:
        """Guild member JSON."""
        data: JSON = {
            "roles": [str(r) for r in self.role_ids], "nick": self.nick, "avatar": None,
            "banner": None, "joined_at": self.joined_at, "premium_since": None, "deaf": False,
            "mute": False, "pending": False, "flags": 0, "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass(eq=False)
class FakeGuild:
    """A guild with roles, channels and members."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    locale: str = "en-US"

    def channel(self, name: str) -> FakeChannel:
        """Look a channel up by name (without ``#``)."""
        for channel in self.channels.values():
            if channel.name == name.lstrip("#"):
                return channel
        raise KeyError(f"no channel named {name!r} in guild {self.name!r}")

    def permissions_for(self, user_id: int, channel: FakeChannel | None = None) -> int:
        """Compute a member's permissions the way Discord does (roles, admin, overwrites)."""
        member = self.members.get(user_id)
        if member is None:
            return 0
        if user_id == self.owner_id:
            return Perm.ALL
        perms = self.roles[self.id].permissions
        for role_id in member.role_ids:
            perms |= self.roles[role_id].permissions
        if perms & Perm.ADMINISTRATOR:
            return Perm.ALL
        if channel is None:
            return perms
        by_id = {o.id: o for o in channel.overwrites}
        if everyone := by_id.get(self.id):
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for role_id in member.role_ids:
            if overwrite := by_id.get(role_id):
                allow |= overwrite.allow
                deny |= overwrite.deny
        perms = (perms & ~deny) | allow
        if (own := by_id.get(user_id)) and own.type == 1:
            perms = (perms & ~own.deny) | own.allow
        return perms

    def payload(self) -> JSON:
        """Guild JSON without channels/members (REST GET /guilds/{id})."""
        return {
            "id": str(self.id), "name": self.name, "icon": None, "splash": None,
            "discovery_splash": None, "owner_id": str(self.owner_id), "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "roles": [r.payload() for r in self.roles.values()],
            "emojis": [], "features": [], "mfa_level": 0, "application_id": None,
            "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
            "vanity_url_code": None, "description": None, "banner": None, "premium_tier": 0,
            "preferred_locale": self.locale, "public_updates_channel_id": None,
            "nsfw_level": 0, "stickers": [], "premium_progress_bar_enabled": False,
        }

    def create_payload(self, member_ids: list[int], joined_at: str) -> JSON:
        """GUILD_CREATE JSON including the given members."""
        data = self.payload()
        data.update(
            joined_at=joined_at, large=False, unavailable=False, member_count=len(self.members),
            voice_states=[], presences=[], threads=[], stage_instances=[],
            guild_scheduled_events=[], soundboard_sounds=[],
            channels=[{k: v for k, v in c.payload().items() if k != "guild_id"}
                      for c in self.channels.values()],
            members=[self.members[m].payload() for m in member_ids if m in self.members],
        )
        return data


def timestamp_of(snowflake: int) -> str:
    """ISO timestamp encoded in a snowflake."""
    ms = (snowflake >> 22) + DISCORD_EPOCH_MS
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).isoformat()
