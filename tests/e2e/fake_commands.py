"""Synced application commands and building interaction ``data`` from them (strictly)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.fake_models import JSON, FakeChannel, FakeGuild, FakeRole, FakeUser, Perm, Snowflakes
from tests.e2e.fake_records import CommandNotAvailable

SUB_COMMAND, SUB_GROUP, STRING, INTEGER, BOOLEAN = 1, 2, 3, 4, 5
USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 6, 7, 8, 9, 10, 11


@dataclass
class CommandRegistry:
    """Commands as Discord stores them after bulk overwrites (ids stable per name)."""

    application_id: int
    snowflakes: Snowflakes
    global_commands: dict[tuple[int, str], JSON] = field(default_factory=dict)
    guild_commands: dict[int, dict[tuple[int, str], JSON]] = field(default_factory=dict)
    syncs: int = 0
    _ids: dict[tuple[int | None, int, str], int] = field(default_factory=dict)

    def overwrite(self, guild_id: int | None, commands: list[JSON]) -> list[JSON]:
        """Replace the global (``guild_id`` None) or guild command set; return stored JSON."""
        stored: dict[tuple[int, str], JSON] = {}
        for cmd in commands:
            ctype = int(cmd.get("type", 1))
            key = (guild_id, ctype, str(cmd["name"]))
            cmd_id = self._ids.setdefault(key, self.snowflakes.next())
            data = {"default_member_permissions": None, "nsfw": False, "options": [], **cmd}
            data.update(id=str(cmd_id), application_id=str(self.application_id), type=ctype,
                        version=str(self.snowflakes.next()))
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            stored[(ctype, str(cmd["name"]))] = data
        if guild_id is None:
            self.global_commands = stored
        else:
            self.guild_commands[guild_id] = stored
        self.syncs += 1
        return list(stored.values())

    def listing(self, guild_id: int | None) -> list[JSON]:
        """Stored commands of one scope."""
        if guild_id is None:
            return list(self.global_commands.values())
        return list(self.guild_commands.get(guild_id, {}).values())

    def find(self, name: str, *, guild: FakeGuild | None, user_id: int,
             channel: FakeChannel, ctype: int = 1) -> JSON:
        """The command a user would see in the client, or raise :class:`CommandNotAvailable`."""
        key = (ctype, name)
        if guild is not None:
            cmd = self.guild_commands.get(guild.id, {}).get(key) or self.global_commands.get(key)
        else:
            cmd = self.global_commands.get(key)
        if cmd is None:
            scope = f"guild {guild.id} or globally" if guild else "globally (DM)"
            raise CommandNotAvailable(f"command {name!r} (type {ctype}) is not synced {scope}")
        contexts = cmd.get("contexts")
        context = 0 if guild is not None else 1
        if (contexts is not None and context not in contexts) or (
                guild is None and cmd.get("dm_permission") is False):
            raise CommandNotAvailable(f"command {name!r} is not available in context {context}")
        required = cmd.get("default_member_permissions")
        if guild is not None and required is not None:
            perms = guild.permissions_for(user_id, channel)
            if perms & int(required) != int(required) or (required == "0" and perms != Perm.ALL):
                raise CommandNotAvailable(
                    f"user {user_id} lacks permissions {required} for {name!r}")
        return cmd


@dataclass
class OptionBuilder:
    """Turns ``{"option": python_value}`` into interaction options + ``resolved`` data."""

    guild: FakeGuild | None
    channel: FakeChannel
    snowflakes: Snowflakes
    invoker: int = 0
    focused: str | None = None
    resolved: dict[str, dict[str, JSON]] = field(default_factory=dict)

    def build(self, cmd: JSON, path: list[str], values: Mapping[str, Any]) -> list[JSON]:
        """Walk the subcommand ``path`` and build the nested options list."""
        schema: list[JSON] = list(cmd.get("options") or [])
        if path:
            head, rest = path[0], path[1:]
            sub = next((o for o in schema if o["name"] == head and o["type"] in (1, 2)), None)
            if sub is None:
                raise CommandNotAvailable(f"{cmd['name']!r} has no subcommand/group {head!r}")
            return [{"name": head, "type": sub["type"], "options": self.build(sub, rest, values)}]
        if any(o["type"] in (SUB_COMMAND, SUB_GROUP) for o in schema):
            names = [o["name"] for o in schema]
            raise CommandNotAvailable(f"{cmd['name']!r} needs a subcommand, one of {names}")
        by_name = {o["name"]: o for o in schema}
        unknown = set(values) - set(by_name)
        if unknown:
            raise CommandNotAvailable(f"unknown option(s) {sorted(unknown)} for {cmd['name']!r}")
        if self.focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in values]
            if missing:
                raise CommandNotAvailable(f"missing required option(s) {missing}")
        elif self.focused not in by_name or not by_name[self.focused].get("autocomplete"):
            raise CommandNotAvailable(f"option {self.focused!r} does not have autocomplete")
        return [self._option(by_name[name], value) for name, value in values.items()]

    def _option(self, spec: JSON, value: Any) -> JSON:
        otype, name = spec["type"], spec["name"]
        if name == self.focused:
            return {"name": name, "type": otype, "value": str(value), "focused": True}
        return {"name": name, "type": otype, "value": self._value(spec, value)}

    def _value(self, spec: JSON, value: Any) -> Any:
        otype, name = spec["type"], spec["name"]
        checks: dict[int, tuple[type, ...]] = {STRING: (str,), INTEGER: (int,), BOOLEAN: (bool,),
                                               NUMBER: (int, float)}
        if otype in checks:
            is_bool = isinstance(value, bool)
            if not isinstance(value, checks[otype]) or (otype != BOOLEAN and is_bool):
                raise CommandNotAvailable(f"option {name!r} expects type {otype}, got {value!r}")
            self._check_range(spec, value)
            return value
        if otype in (USER, MENTIONABLE) and isinstance(value, FakeUser):
            self._resolve_user(value)
            return str(value.id)
        if otype in (ROLE, MENTIONABLE) and isinstance(value, FakeRole):
            self.resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            return str(value.id)
        if otype == CHANNEL and isinstance(value, FakeChannel):
            types = spec.get("channel_types")
            if types and value.type not in types:
                raise CommandNotAvailable(f"channel type {value.type} not allowed for {name!r}")
            perms = self.guild.permissions_for(self.invoker, value) if self.guild else 0
            self.resolved.setdefault("channels", {})[str(value.id)] = value.payload(perms)
            return str(value.id)
        if otype == ATTACHMENT and isinstance(value, dict):
            att_id = str(self.snowflakes.next())
            self.resolved.setdefault("attachments", {})[att_id] = {
                "id": att_id, "filename": "file.txt", "size": 0, "url": "", "proxy_url": "",
                **value}
            return att_id
        raise CommandNotAvailable(f"option {name!r} (type {otype}) cannot take {value!r}")

    def _check_range(self, spec: JSON, value: Any) -> None:
        name = spec["name"]
        choices = spec.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise CommandNotAvailable(f"{value!r} is not a choice of option {name!r}")
        if isinstance(value, str):
            if not spec.get("min_length", 0) <= len(value) <= spec.get("max_length", 6000):
                raise CommandNotAvailable(f"length of {name!r} out of bounds")
        elif isinstance(value, int | float):
            low, high = spec.get("min_value"), spec.get("max_value")
            if (low is not None and value < low) or (high is not None and value > high):
                raise CommandNotAvailable(f"value of {name!r} out of bounds")

    def _resolve_user(self, user: FakeUser) -> None:
        self.resolved.setdefault("users", {})[str(user.id)] = user.payload()
        member = self.guild.members.get(user.id) if self.guild else None
        if self.guild is not None and member is not None:
            perms = self.guild.permissions_for(user.id, self.channel)
            self.resolved.setdefault("members", {})[str(user.id)] = member.payload(
                with_user=False, permissions=perms)
