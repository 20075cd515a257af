"""REST v10 router and the non-interaction routes of the fake (users, channels, commands…)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from tests.e2e.fake_limits import form_errors, validate_commands, validate_message
from tests.e2e.fake_models import JSON, FakeChannel, Perm
from tests.e2e.fake_records import InteractionRecord, RequestRecord, StoredMessage

if TYPE_CHECKING:
    from tests.e2e.fake_discord import FakeDiscord

ID = r"(\d+)"


@dataclass
class Call:
    """A parsed REST request: path parameters, query, JSON body and uploaded files."""

    request: web.Request
    params: tuple[str, ...]
    body: Any
    files: list[JSON] = field(default_factory=list)

    @property
    def json(self) -> JSON:
        """Body as a dict (``{}`` if absent)."""
        return self.body if isinstance(self.body, dict) else {}

    def flag(self, name: str) -> bool:
        """Truthy query flag such as ``wait=1``."""
        return self.request.query.get(name, "").lower() in ("1", "true")


Handler = Callable[[Call], Awaitable[web.Response]]


def json_response(data: Any, status: int = 200) -> web.Response:
    """JSON response with ``Content-Type: application/json`` exactly (discord.py needs that)."""
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})


def no_content() -> web.Response:
    """204 No Content."""
    return web.Response(status=204)


class RestApi:
    """Routes REST calls; every violation is answered like Discord and recorded."""

    def __init__(self, fake: FakeDiscord) -> None:
        from tests.e2e.fake_webhooks import InteractionApi  # imports this module

        self.fake = fake
        hooks = InteractionApi(fake, self)
        ch, msg = rf"/channels/{ID}", rf"/channels/{ID}/messages/{ID}"
        cmds = rf"/applications/{ID}/commands"
        guild_cmds = rf"/applications/{ID}/guilds/{ID}/commands"
        hook = r"/webhooks/(\d+)/([^/]+)"
        table: list[tuple[str, str, Handler, bool]] = [
            ("GET", r"/users/@me", self.get_me, True),
            ("GET", r"/oauth2/applications/@me", self.get_application, True),
            ("GET", r"/gateway", self.get_gateway, False),
            ("GET", r"/gateway/bot", self.get_gateway, True),
            ("GET", cmds, self.get_commands, True),
            ("PUT", cmds, self.put_commands, True),
            ("GET", guild_cmds, self.get_commands, True),
            ("PUT", guild_cmds, self.put_commands, True),
            ("GET", ch, self.get_channel, True),
            ("POST", rf"{ch}/messages", self.create_message, True),
            ("GET", rf"{ch}/messages", self.list_messages, True),
            ("GET", msg, self.get_message, True),
            ("PATCH", msg, self.edit_message, True),
            ("DELETE", msg, self.delete_message, True),
            ("POST", rf"{ch}/typing", self.typing, True),
            ("PUT", rf"{msg}/reactions/([^/]+)/@me", self.add_reaction, True),
            ("DELETE", rf"{msg}/reactions/([^/]+)/@me", self.remove_reaction, True),
            ("POST", r"/users/@me/channels", self.create_dm, True),
            ("GET", rf"/users/{ID}", self.get_user, True),
            ("GET", rf"/guilds/{ID}", self.get_guild, True),
            ("GET", rf"/guilds/{ID}/channels", self.get_guild_channels, True),
            ("GET", rf"/guilds/{ID}/members/{ID}", self.get_member, True),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", hooks.callback, False),
            ("POST", hook, hooks.followup, False),
            ("GET", rf"{hook}/messages/(@original|\d+)", hooks.get_message, False),
            ("PATCH", rf"{hook}/messages/(@original|\d+)", hooks.edit_message, False),
            ("DELETE", rf"{hook}/messages/(@original|\d+)", hooks.delete_message, False),
        ]
        self.routes = [(m, re.compile(p), h, auth) for m, p, h, auth in table]

    # ----------------------------------------------------------------- plumbing
    def fail(self, call: Call | web.Request, kind: str, status: int, code: int, message: str, *,
             detail: str = "", errors: JSON | None = None,
             interaction: InteractionRecord | None = None) -> web.Response:
        """Record a protocol error and answer with Discord's JSON error body."""
        request = call.request if isinstance(call, Call) else call
        error = self.fake.record_error(
            kind, f"{message}{': ' + detail if detail else ''}", status=status, code=code,
            method=request.method, path=request.path,
            interaction_id=interaction.id if interaction else None)
        if interaction is not None:
            interaction.errors.append(error)
            interaction.changed()
        body: JSON = {"message": message, "code": code}
        if errors:
            body["errors"] = errors
        return json_response(body, status)

    def invalid_form(self, call: Call, problems: list[tuple[str, str]],
                     interaction: InteractionRecord | None = None) -> web.Response:
        """400 / 50035 Invalid Form Body (kind ``limits``)."""
        detail = "; ".join(f"{p}: {m}" for p, m in problems)
        empty = all(m == "Cannot send an empty message" for _, m in problems)
        if empty:
            return self.fail(call, "limits", 400, 50006, "Cannot send an empty message",
                             interaction=interaction)
        return self.fail(call, "limits", 400, 50035, "Invalid Form Body", detail=detail,
                         errors=form_errors(problems), interaction=interaction)

    async def _read(self, request: web.Request) -> tuple[Any, list[JSON]]:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            files = [{"filename": v.filename, "content_type": v.content_type,
                      "size": len(v.file.read())} for k, v in form.items()
                     if isinstance(v, web.FileField) and k.startswith("files")]
            raw = form.get("payload_json")
            return (json.loads(raw) if isinstance(raw, str) else {}), files
        text = await request.text()
        return (json.loads(text) if text else None), []

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        """aiohttp entry point for every non-gateway path."""
        prefix = "/api/v10"
        path = request.path[len(prefix):] if request.path.startswith(prefix + "/") else None
        try:
            body, files = await self._read(request)
        except ValueError as exc:
            return self.fail(request, "bad_request", 400, 50109,
                             "The request body contains invalid JSON.", detail=str(exc))
        record = RequestRecord(request.method, path or request.path, dict(request.query), body)
        self.fake.requests.append(record)
        response: web.Response | None = None
        for method, pattern, handler, auth in self.routes if path is not None else []:
            if method == request.method and (match := pattern.fullmatch(path or "")):
                if auth and request.headers.get("Authorization") != f"Bot {self.fake.token}":
                    response = self.fail(request, "unauthorized", 401, 0, "401: Unauthorized")
                else:
                    response = await self._run(handler, Call(request, match.groups(), body, files))
                break
        if response is None:
            response = self.fail(request, "unknown_route", 404, 0, "404: Not Found",
                                 detail=f"{request.method} {request.path}")
        record.status = response.status
        return response

    async def _run(self, handler: Handler, call: Call) -> web.Response:
        try:
            return await handler(call)
        except Exception as exc:  # a fake bug must not become a 5xx (discord.py would retry)
            return self.fail(call, "fake_internal", 400, 0, "fake Discord crashed",
                             detail=f"{exc!r}")

    # ----------------------------------------------------------------- identity
    async def get_me(self, call: Call) -> web.Response:
        """GET /users/@me."""
        me = self.fake.bot_user.payload()
        return json_response(me | {"verified": True, "mfa_enabled": False})

    async def get_application(self, call: Call) -> web.Response:
        """GET /oauth2/applications/@me."""
        fake = self.fake
        return json_response({
            "id": str(fake.application_id), "name": fake.bot_user.username, "icon": None,
            "description": "", "rpc_origins": [], "bot_public": True,
            "bot_require_code_grant": False, "bot": fake.bot_user.payload(),
            "owner": fake.owner.payload(), "team": None, "verify_key": "0" * 64,
            "flags": 1 << 19, "interactions_endpoint_url": None, "redirect_uris": [],
            "approximate_guild_count": len(fake.guilds), "tags": [],
            "integration_types_config": {"0": {}},
        })

    async def get_gateway(self, call: Call) -> web.Response:
        """GET /gateway and /gateway/bot."""
        return json_response({"url": self.fake.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})

    async def get_user(self, call: Call) -> web.Response:
        """GET /users/{id}."""
        user = self.fake.users.get(int(call.params[0]))
        if user is None:
            return self.fail(call, "not_found", 404, 10013, "Unknown User")
        return json_response(user.payload())

    # ----------------------------------------------------------------- commands
    def _app_scope(self, call: Call) -> tuple[int | None, web.Response | None]:
        if int(call.params[0]) != self.fake.application_id:
            return None, self.fail(call, "forbidden", 403, 20012, "You are not authorized to "
                                   "perform this action on this application")
        guild_id = int(call.params[1]) if len(call.params) > 1 else None
        if guild_id is not None and guild_id not in self.fake.guilds:
            return None, self.fail(call, "forbidden", 403, 50001, "Missing Access")
        return guild_id, None

    async def get_commands(self, call: Call) -> web.Response:
        """GET global or guild commands."""
        guild_id, error = self._app_scope(call)
        return error or json_response(self.fake.commands.listing(guild_id))

    async def put_commands(self, call: Call) -> web.Response:
        """PUT (bulk overwrite) global or guild commands."""
        guild_id, error = self._app_scope(call)
        if error is not None:
            return error
        if problems := validate_commands(call.body):
            return self.invalid_form(call, problems)
        stored = self.fake.commands.overwrite(guild_id, call.body)
        self.fake.notifier.notify()
        return json_response(stored)

    # ----------------------------------------------------------------- channels & messages
    def _channel(self, call: Call) -> FakeChannel | web.Response:
        channel = self.fake.channels.get(int(call.params[0]))
        if channel is None:
            return self.fail(call, "not_found", 404, 10003, "Unknown Channel")
        needed = Perm.VIEW_CHANNEL | (Perm.SEND_MESSAGES if call.request.method == "POST" else 0)
        if self.fake.bot_permissions(channel) & needed != needed:
            return self.fail(call, "forbidden", 403, 50013, "Missing Permissions",
                             detail=f"#{channel.name}")
        return channel

    def _message(self, call: Call) -> tuple[FakeChannel, StoredMessage] | web.Response:
        channel = self._channel(call)
        if isinstance(channel, web.Response):
            return channel
        msg = self.fake.messages.get(int(call.params[1]))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            return self.fail(call, "not_found", 404, 10008, "Unknown Message")
        return channel, msg

    async def get_channel(self, call: Call) -> web.Response:
        """GET /channels/{id}."""
        channel = self._channel(call)
        return channel if isinstance(channel, web.Response) else json_response(channel.payload())

    async def create_message(self, call: Call) -> web.Response:
        """POST /channels/{id}/messages (limits, permissions, replies)."""
        channel = self._channel(call)
        if isinstance(channel, web.Response):
            return channel
        payload = call.json
        if problems := validate_message(payload | {"files": call.files}):
            return self.invalid_form(call, problems)
        extra: JSON = {}
        ref = payload.get("message_reference")
        mtype = 0
        if isinstance(ref, dict) and ref.get("message_id"):
            target = self.fake.messages.get(int(ref["message_id"]))
            if target is None or target.deleted or target.channel_id != int(
                    ref.get("channel_id") or channel.id):
                if ref.get("fail_if_not_exists", True):
                    return self.invalid_form(call, [("message_reference", "Unknown message")])
            else:
                mtype = 19
                extra = {"message_reference": {"type": 0, **ref}, "referenced_message": target.data}
        fake = self.fake
        data = fake.message_json(fake.snowflakes.next(), channel, fake.bot_user, payload,
                                 mtype=mtype, extra=extra)
        data["attachments"] = self._attachments(call)
        msg = fake.store_message(channel, fake.bot_user, data, "channel", request=payload)
        fake.record_sent("channel_message", payload, msg)
        return json_response(msg.data)

    def _attachments(self, call: Call) -> list[JSON]:
        cdn = f"{self.fake.url}/cdn"
        return [{"id": str(self.fake.snowflakes.next()), "url": f"{cdn}/{f['filename']}",
                 "proxy_url": "", **f} for f in call.files]

    async def list_messages(self, call: Call) -> web.Response:
        """GET /channels/{id}/messages (newest first; limit/before/after)."""
        channel = self._channel(call)
        if isinstance(channel, web.Response):
            return channel
        query = call.request.query
        msgs = self.fake.channel_messages(channel)
        if "before" in query:
            msgs = [m for m in msgs if m.id < int(query["before"])]
        if "after" in query:
            msgs = [m for m in msgs if m.id > int(query["after"])]
        limit = min(int(query.get("limit", 50)), 100)
        return json_response([m.data for m in reversed(msgs)][:limit])

    async def get_message(self, call: Call) -> web.Response:
        """GET /channels/{id}/messages/{id}."""
        found = self._message(call)
        return found if isinstance(found, web.Response) else json_response(found[1].data)

    async def edit_message(self, call: Call) -> web.Response:
        """PATCH a message the bot authored."""
        found = self._message(call)
        if isinstance(found, web.Response):
            return found
        msg = found[1]
        if msg.author is not self.fake.bot_user:
            return self.fail(call, "forbidden", 403, 50005,
                             "Cannot edit a message authored by another user")
        if problems := validate_message(call.json, partial=True):
            return self.invalid_form(call, problems)
        self.fake.edit_message(msg, call.json)
        self.fake.record_sent("channel_edit", call.json, msg)
        return json_response(msg.data)

    async def delete_message(self, call: Call) -> web.Response:
        """DELETE own message, or others' with Manage Messages."""
        found = self._message(call)
        if isinstance(found, web.Response):
            return found
        channel, msg = found
        if msg.author is not self.fake.bot_user and not (
                self.fake.bot_permissions(channel) & Perm.MANAGE_MESSAGES):
            return self.fail(call, "forbidden", 403, 50013, "Missing Permissions")
        self.fake.delete_message(msg)
        return no_content()

    async def typing(self, call: Call) -> web.Response:
        """POST /channels/{id}/typing."""
        channel = self._channel(call)
        return channel if isinstance(channel, web.Response) else no_content()

    async def add_reaction(self, call: Call) -> web.Response:
        """PUT a reaction as the bot."""
        found = self._message(call)
        if isinstance(found, web.Response):
            return found
        found[1].reactions.append(call.params[2])
        self.fake.notifier.notify()
        return no_content()

    async def remove_reaction(self, call: Call) -> web.Response:
        """DELETE the bot's reaction."""
        found = self._message(call)
        if isinstance(found, web.Response):
            return found
        if call.params[2] in found[1].reactions:
            found[1].reactions.remove(call.params[2])
        return no_content()

    async def create_dm(self, call: Call) -> web.Response:
        """POST /users/@me/channels (open a DM)."""
        user = self.fake.users.get(int(call.json.get("recipient_id") or 0))
        if user is None or user.bot:
            return self.invalid_form(call, [("recipient_id", "Unknown user")])
        return json_response(self.fake.dm_channel(user).payload())

    # ----------------------------------------------------------------- guilds
    async def get_guild(self, call: Call) -> web.Response:
        """GET /guilds/{id}."""
        guild = self.fake.guilds.get(int(call.params[0]))
        if guild is None:
            return self.fail(call, "not_found", 404, 10004, "Unknown Guild")
        return json_response(guild.payload())

    async def get_guild_channels(self, call: Call) -> web.Response:
        """GET /guilds/{id}/channels."""
        guild = self.fake.guilds.get(int(call.params[0]))
        if guild is None:
            return self.fail(call, "not_found", 404, 10004, "Unknown Guild")
        return json_response([c.payload() for c in guild.channels.values()])

    async def get_member(self, call: Call) -> web.Response:
        """GET /guilds/{id}/members/{id}."""
        guild = self.fake.guilds.get(int(call.params[0]))
        member = guild.members.get(int(call.params[1])) if guild else None
        if member is None:
            return self.fail(call, "not_found", 404, 10007, "Unknown Member")
        return json_response(member.payload())
