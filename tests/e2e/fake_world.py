"""The fake's world: clock, snowflakes, users, guilds, roles, channels and permissions."""

from __future__ import annotations

from collections.abc import Iterable

from tests.e2e.fake_models import (
    ChannelType,
    FakeChannel,
    FakeClock,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Overwrite,
    Perm,
    Snowflakes,
)


class FakeWorld:
    """Users, guilds and channels, pre-populated with a default book-club world.

    Default world: guild ``guild`` ("Book Club") with text channels ``general`` and
    ``spoilers``; users ``bot_user``, ``owner`` (guild owner), ``moderator`` (role
    ``moderator_role``: Manage Server + Manage Messages), ``member`` and ``other_member``
    (plain members). DM channels come from :meth:`dm_channel`.
    """

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.snowflakes = Snowflakes(self.clock)
        self.users: dict[int, FakeUser] = {}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.bot_user = self.add_user("BookClub", bot=True)
        self.application_id = self.bot_user.id
        self.owner = self.add_user("owner")
        self.guild = self.add_guild("Book Club", owner=self.owner)
        self.moderator_role = self.add_role(self.guild, "Moderator",
                                            Perm.MANAGE_GUILD | Perm.MANAGE_MESSAGES)
        self.bot_role = self.add_role(self.guild, "BookClub", Perm.EVERYONE_DEFAULT, managed=True)
        self.join(self.guild, self.bot_user, roles=[self.bot_role])
        self.moderator = self.add_user("moderator", guild=self.guild, roles=[self.moderator_role])
        self.member = self.add_user("member", guild=self.guild)
        self.other_member = self.add_user("other_member", guild=self.guild)
        self.general = self.add_channel("general", topic="General chat")
        self.spoilers = self.add_channel("spoilers", topic="Spoilers allowed")

    def add_user(self, name: str, *, bot: bool = False, guild: FakeGuild | None = None,
                 roles: Iterable[FakeRole] = ()) -> FakeUser:
        """Create a user, optionally joining ``guild`` with ``roles``."""
        user = FakeUser(self.snowflakes.next(), name, bot=bot)
        self.users[user.id] = user
        if guild is not None:
            self.join(guild, user, roles=roles)
        return user

    def add_guild(self, name: str, *, owner: FakeUser) -> FakeGuild:
        """Create a guild (with @everyone) owned by ``owner``."""
        guild = FakeGuild(self.snowflakes.next(), name, owner.id)
        guild.roles[guild.id] = FakeRole(guild.id, "@everyone", Perm.EVERYONE_DEFAULT)
        self.guilds[guild.id] = guild
        self.join(guild, owner)
        return guild

    def add_role(self, guild: FakeGuild, name: str, permissions: int, *,
                 managed: bool = False) -> FakeRole:
        """Create a role in ``guild``."""
        role = FakeRole(self.snowflakes.next(), name, permissions, len(guild.roles), managed)
        guild.roles[role.id] = role
        return role

    def join(self, guild: FakeGuild, user: FakeUser, *, roles: Iterable[FakeRole] = ()) -> None:
        """Make ``user`` a member of ``guild``."""
        guild.members[user.id] = FakeMember(user, [r.id for r in roles])

    def add_channel(self, name: str, *, guild: FakeGuild | None = None, topic: str | None = None,
                    overwrites: Iterable[Overwrite] = ()) -> FakeChannel:
        """Create a text channel in ``guild`` (default: the default guild)."""
        guild = guild or self.guild
        channel = FakeChannel(self.snowflakes.next(), name, guild_id=guild.id, topic=topic,
                              position=len(guild.channels), overwrites=list(overwrites))
        guild.channels[channel.id] = self.channels[channel.id] = channel
        return channel

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        """The (created on demand) DM channel between ``user`` and the bot."""
        for channel in self.channels.values():
            if channel.is_dm and channel.recipient is user:
                return channel
        channel = FakeChannel(self.snowflakes.next(), "", ChannelType.DM, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def guild_of(self, channel: FakeChannel) -> FakeGuild | None:
        """Guild a channel belongs to (None for DMs)."""
        return None if channel.guild_id is None else self.guilds[channel.guild_id]

    def bot_permissions(self, channel: FakeChannel) -> int:
        """The bot's effective permissions in ``channel`` (DMs: a sensible default)."""
        guild = self.guild_of(channel)
        if guild is None:
            return Perm.EVERYONE_DEFAULT & ~Perm.USE_APPLICATION_COMMANDS
        return guild.permissions_for(self.bot_user.id, channel)
