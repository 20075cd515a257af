"""Test-side user actions that become INTERACTION_CREATE dispatches."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tests.e2e.fake_commands import OptionBuilder
from tests.e2e.fake_models import JSON, FakeChannel, FakeUser, Perm
from tests.e2e.fake_records import (
    CommandNotAvailable,
    HarnessError,
    InteractionRecord,
    StoredMessage,
)

if TYPE_CHECKING:
    from tests.e2e.fake_discord import FakeDiscord

APP_COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
ATTACHMENT_LIMIT = 10 * 1024 * 1024


def _check_access(fake: FakeDiscord, user: FakeUser, channel: FakeChannel) -> None:
    guild = fake.guild_of(channel)
    if guild is None:
        if channel.recipient is not user:
            raise HarnessError(f"{user.username} cannot act in another user's DM")
        return
    if user.id not in guild.members:
        raise HarnessError(f"{user.username} is not a member of {guild.name}")
    needed = Perm.VIEW_CHANNEL | Perm.USE_APPLICATION_COMMANDS
    if guild.permissions_for(user.id, channel) & needed != needed:
        raise CommandNotAvailable(f"{user.username} cannot use commands in #{channel.name}")


def dispatch_interaction(fake: FakeDiscord, itype: int, data: JSON, user: FakeUser,
                         channel: FakeChannel, name: str, *, locale: str = "en-US",
                         message: StoredMessage | None = None) -> InteractionRecord:
    """Register an interaction record and send INTERACTION_CREATE to the bot."""
    guild = fake.guild_of(channel)
    interaction_id = fake.snowflakes.next()
    token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
    user_perms = guild.permissions_for(user.id, channel) if guild else None
    payload: JSON = {
        "id": str(interaction_id), "application_id": str(fake.application_id), "type": itype,
        "data": data, "token": token, "version": 1, "locale": locale,
        "channel": channel.payload(user_perms), "channel_id": str(channel.id),
        "app_permissions": str(fake.bot_permissions(channel)), "entitlements": [],
        "entitlement_sku_ids": [], "attachment_size_limit": ATTACHMENT_LIMIT,
        "authorizing_integration_owners": {"0": str(guild.id) if guild else "0"},
        "context": 0 if guild else 1,
    }
    if guild is not None:
        payload.update(guild_id=str(guild.id), guild_locale=guild.locale,
                       guild={"id": str(guild.id), "locale": guild.locale, "features": []},
                       member=guild.members[user.id].payload(permissions=user_perms))
    else:
        payload["user"] = user.payload()
    if message is not None:
        payload["message"] = message.data | ({"guild_id": str(guild.id)} if guild else {})
    record = InteractionRecord(interaction_id, token, itype, name, user, channel, payload,
                               fake.clock.monotonic(), source_message=message)
    fake.interactions[interaction_id] = record
    fake.interactions_by_token[token] = record
    fake.gateway.dispatch("INTERACTION_CREATE", payload)
    return record


def _command_data(fake: FakeDiscord, name: str, options: Mapping[str, Any], user: FakeUser,
                  channel: FakeChannel, focused: str | None) -> JSON:
    _check_access(fake, user, channel)
    parts = name.split()
    if not parts:
        raise HarnessError("empty command name")
    guild = fake.guild_of(channel)
    cmd = fake.commands.find(parts[0], guild=guild, user_id=user.id, channel=channel)
    builder = OptionBuilder(guild, channel, fake.snowflakes, invoker=user.id, focused=focused)
    data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 1,
                  "options": builder.build(cmd, parts[1:], options)}
    if builder.resolved:
        data["resolved"] = builder.resolved
    if "guild_id" in cmd:
        data["guild_id"] = cmd["guild_id"]
    return data


def slash(fake: FakeDiscord, name: str, options: Mapping[str, Any], user: FakeUser,
          channel: FakeChannel, locale: str) -> InteractionRecord:
    """Dispatch a chat-input command interaction."""
    data = _command_data(fake, name, options, user, channel, None)
    return dispatch_interaction(fake, APP_COMMAND, data, user, channel, name, locale=locale)


def autocomplete(fake: FakeDiscord, name: str, options: Mapping[str, Any], focused: str,
                 user: FakeUser, channel: FakeChannel) -> InteractionRecord:
    """Dispatch an autocomplete interaction with ``focused`` being typed."""
    if focused not in options:
        options = {**options, focused: ""}
    data = _command_data(fake, name, options, user, channel, focused)
    return dispatch_interaction(fake, AUTOCOMPLETE, data, user, channel, name)


def _find_component(items: list[JSON], custom_id: str) -> JSON | None:
    for item in items:
        if item.get("custom_id") == custom_id:
            return item
        children = list(item.get("components") or [])
        if isinstance(item.get("accessory"), dict):
            children.append(item["accessory"])
        if (found := _find_component(children, custom_id)) is not None:
            return found
    return None


def component(fake: FakeDiscord, message: StoredMessage | int, custom_id: str,
              values: list[str] | None, user: FakeUser) -> InteractionRecord:
    """Dispatch a button click (``values`` None) or a select-menu choice."""
    msg = message if isinstance(message, StoredMessage) else fake.messages.get(message)
    if msg is None or msg.deleted:
        raise HarnessError(f"message {message!r} does not exist")
    if msg.author is not fake.bot_user:
        raise HarnessError("only components on the bot's messages can be used")
    comp = _find_component(msg.components, custom_id)
    if comp is None:
        raise HarnessError(f"no component {custom_id!r} on message {msg.id}: {msg.custom_ids()}")
    if comp.get("disabled"):
        raise HarnessError(f"component {custom_id!r} is disabled")
    channel = fake.channels[msg.channel_id]
    _check_access(fake, user, channel)
    data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
    if values is None:
        if comp["type"] != 2 or comp.get("style") == 5:
            raise HarnessError(f"component {custom_id!r} is not a clickable button")
    else:
        low, high = comp.get("min_values", 1), comp.get("max_values", 1)
        options = {o["value"] for o in comp.get("options") or []}
        if comp["type"] == 2 or not low <= len(values) <= high or (
                comp["type"] == 3 and not set(values) <= options):
            raise HarnessError(f"invalid selection {values!r} for {custom_id!r}")
        data["values"] = values
    return dispatch_interaction(fake, COMPONENT, data, user, channel, custom_id, message=msg)


def _modal_answer(comp: JSON, values: Mapping[str, str]) -> JSON:
    inner = comp.get("component") if comp.get("type") == 18 else None
    if inner is not None:
        return {"type": 18, "component": _modal_answer(inner, values)}
    if comp.get("type") == 1:
        return {"type": 1, "components": [_modal_answer(c, values) for c in comp["components"]]}
    custom_id = comp.get("custom_id", "")
    if comp.get("required", True) and comp.get("type") == 4 and not values.get(custom_id):
        raise HarnessError(f"modal text input {custom_id!r} is required")
    return {"type": comp.get("type"), "custom_id": custom_id, "value": values.get(custom_id, "")}


def submit_modal(fake: FakeDiscord, record: InteractionRecord,
                 values: Mapping[str, str]) -> InteractionRecord:
    """Dispatch the MODAL_SUBMIT for a modal the bot opened in ``record``."""
    modal = record.modal
    if modal is None:
        raise HarnessError(f"interaction {record.name!r} did not open a modal")
    data = {"custom_id": modal["custom_id"],
            "components": [_modal_answer(c, values) for c in modal.get("components") or []]}
    return dispatch_interaction(fake, MODAL_SUBMIT, data, record.user, record.channel,
                                str(modal["custom_id"]), message=record.source_message)
