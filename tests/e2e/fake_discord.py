"""FakeDiscord: an in-process Discord (REST v10 + gateway) on 127.0.0.1 for end-to-end tests.

The unmodified discord.py client talks to it over real sockets; tests drive users through
:meth:`FakeDiscord.slash`, :meth:`~FakeDiscord.click`, :meth:`~FakeDiscord.send_message`, …
and assert on exactly what "Discord" received. Protocol violations land in ``errors``.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiohttp import web

from tests.e2e import fake_actions
from tests.e2e.fake_commands import CommandRegistry
from tests.e2e.fake_gateway import FakeGateway, GatewaySession
from tests.e2e.fake_models import JSON, FakeChannel, FakeUser, Intent, timestamp_of
from tests.e2e.fake_records import (
    HarnessError,
    InteractionRecord,
    Notifier,
    ProtocolError,
    RequestRecord,
    SentPayload,
    StoredMessage,
)
from tests.e2e.fake_rest import RestApi
from tests.e2e.fake_world import FakeWorld

DEFAULT_TOKEN = "fake-bot-token.e2e"
MENTION_RE = re.compile(r"<@!?(\d+)>")
ROLE_MENTION_RE = re.compile(r"<@&(\d+)>")
APP_FLAGS = (1 << 13) | (1 << 15) | (1 << 19) | (1 << 23)


class FakeDiscord(FakeWorld):
    """Fake Discord server on top of :class:`FakeWorld`. Use ``await start()``/``close()``."""

    def __init__(self, *, token: str = DEFAULT_TOKEN, privileged_intents: int = Intent.PRIVILEGED,
                 response_deadline: float = 3.0, token_lifetime: float = 15 * 60) -> None:
        super().__init__()
        self.token = token
        self.privileged_intents = privileged_intents
        self.response_deadline = response_deadline
        self.token_lifetime = token_lifetime
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.interactions_by_token: dict[str, InteractionRecord] = {}
        self.sent: list[SentPayload] = []
        self.requests: list[RequestRecord] = []
        self.errors: list[ProtocolError] = []
        self.notifier = Notifier()
        self.gateway = FakeGateway(self)
        self.commands = CommandRegistry(self.application_id, self.snowflakes)
        self.port = 0
        self._runner: web.AppRunner | None = None
        self.rest = RestApi(self)

    # ----------------------------------------------------------------- server lifecycle
    @property
    def url(self) -> str:
        """HTTP base URL of the fake."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """``resume_gateway_url`` announced in READY."""
        return f"ws://127.0.0.1:{self.port}{self.gateway.resume_path}"

    async def start(self) -> None:
        """Bind a random free port on 127.0.0.1 and serve."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get(self.gateway.resume_path, self.gateway.handle)
        app.router.add_route("*", "/api/v10/{tail:.*}", self.rest.dispatch)
        app.router.add_route("*", "/{tail:.*}", self.rest.dispatch)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock, backlog=1024).start()

    async def close(self) -> None:
        """Close sockets and stop serving."""
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----------------------------------------------------------------- errors
    def record_error(self, kind: str, message: str, **details: Any) -> ProtocolError:
        """Record a protocol violation (fails the test at teardown unless popped)."""
        error = ProtocolError(kind, message, **details)
        self.errors.append(error)
        self.notifier.notify()
        return error

    def pop_errors(self, kind: str | None = None) -> list[ProtocolError]:
        """Remove and return recorded errors (of one ``kind``) — for *expected* failures."""
        taken = [e for e in self.errors if kind is None or e.kind == kind]
        self.errors = [e for e in self.errors if e not in taken]
        return taken

    def assert_no_errors(self) -> None:
        """Raise ``AssertionError`` listing every unexpected recorded error."""
        if self.errors:
            listing = "\n  ".join(str(e) for e in self.errors)
            raise AssertionError(f"fake Discord recorded {len(self.errors)} error(s):\n  {listing}")

    # ----------------------------------------------------------------- waiting
    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0,
                         what: str = "condition") -> None:
        """Wait until ``predicate()`` holds (re-checked on every change and every 20 ms)."""
        await self.notifier.wait_until(predicate, timeout, what, poll=0.02)

    async def wait_for_message(self, predicate: Callable[[StoredMessage], bool] | None = None, *,
                               channel: FakeChannel | None = None, author: FakeUser | None = None,
                               after: StoredMessage | int | None = None,
                               timeout: float = 5.0) -> StoredMessage:
        """First message (default author: the bot) newer than ``after`` matching the filters."""
        author = author or self.bot_user
        floor = after.id if isinstance(after, StoredMessage) else (after or 0)
        found: list[StoredMessage] = []

        def check() -> bool:
            for msg in self.messages.values():
                if (msg.id > floor and msg.author is author and not msg.deleted
                        and (channel is None or msg.channel_id == channel.id)
                        and (predicate is None or predicate(msg))):
                    found.append(msg)
                    return True
            return False

        await self.wait_until(check, timeout, f"a message from {author.username}")
        return found[0]

    def channel_messages(self, channel: FakeChannel, *,
                         include_ephemeral: bool = False) -> list[StoredMessage]:
        """Non-deleted messages in ``channel``, oldest first."""
        return [m for m in self.messages.values() if m.channel_id == channel.id and not m.deleted
                and (include_ephemeral or not m.ephemeral)]

    def bot_messages(self, channel: FakeChannel | None = None) -> list[StoredMessage]:
        """Non-deleted messages authored by the bot (optionally in one channel)."""
        return [m for m in self.messages.values() if m.author is self.bot_user and not m.deleted
                and (channel is None or m.channel_id == channel.id)]

    @property
    def sync_count(self) -> int:
        """Number of accepted bulk command overwrites so far."""
        return self.commands.syncs

    # ----------------------------------------------------------------- gateway host
    def ready_payload(self, session: GatewaySession) -> JSON:
        """READY event data."""
        user = self.bot_user.payload() | {"verified": True, "mfa_enabled": False, "email": None}
        return {
            "v": 10, "user": user, "session_id": session.session_id, "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url, "private_channels": [],
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds.values()
                       if self.bot_user.id in g.members],
            "application": {"id": str(self.application_id), "flags": APP_FLAGS},
            "presences": [], "relationships": [], "guild_join_requests": [], "auth": {},
            "geo_ordered_rtc_regions": [], "user_settings": {},
        }

    def guild_create_payloads(self, session: GatewaySession) -> list[JSON]:
        """GUILD_CREATE data for every guild the bot is in (members need GUILD_PRESENCES)."""
        payloads = []
        for guild in self.guilds.values():
            if self.bot_user.id not in guild.members:
                continue
            full = session.has(Intent.GUILD_PRESENCES)
            member_ids = list(guild.members) if full else [self.bot_user.id]
            joined_at = guild.members[self.bot_user.id].joined_at
            payloads.append(guild.create_payload(member_ids, joined_at))
        return payloads

    def member_chunk_payload(self, guild_id: int, nonce: str | None) -> JSON:
        """GUILD_MEMBERS_CHUNK data with every member."""
        guild = self.guilds[guild_id]
        return {"guild_id": str(guild_id), "members": [m.payload() for m in guild.members.values()],
                "chunk_index": 0, "chunk_count": 1, "not_found": [], "nonce": nonce}

    # ----------------------------------------------------------------- messages
    def message_json(self, msg_id: int, channel: FakeChannel, author: FakeUser, payload: JSON, *,
                     mtype: int = 0, extra: JSON | None = None) -> JSON:
        """Full message object for a create payload (mentions honour allowed_mentions)."""
        content = str(payload.get("content") or "")
        allowed = payload.get("allowed_mentions")
        parse = ["users", "roles", "everyone"] if not isinstance(allowed, dict) else list(
            allowed.get("parse") or [])
        explicit = {str(u) for u in (allowed or {}).get("users") or []}
        guild = self.guild_of(channel)
        mentions = []
        for uid in dict.fromkeys(MENTION_RE.findall(content)):
            user = self.users.get(int(uid))
            if user is not None and ("users" in parse or uid in explicit):
                data = user.payload()
                if guild is not None and user.id in guild.members:
                    data["member"] = guild.members[user.id].payload(with_user=False)
                mentions.append(data)
        roles = [r for r in ROLE_MENTION_RE.findall(content) if "roles" in parse]
        return {
            "id": str(msg_id), "channel_id": str(channel.id), "type": mtype,
            "author": author.payload(), "content": content, "timestamp": timestamp_of(msg_id),
            "edited_timestamp": None, "tts": bool(payload.get("tts")),
            "mention_everyone": "everyone" in parse and "@everyone" in content,
            "mentions": mentions, "mention_roles": roles, "attachments": [],
            "embeds": [{"type": "rich", **e} for e in payload.get("embeds") or []],
            "components": list(payload.get("components") or []), "pinned": False,
            "flags": int(payload.get("flags") or 0), "reactions": [], "sticker_items": [],
            **(extra or {}),
        }

    def store_message(self, channel: FakeChannel, author: FakeUser, data: JSON, kind: str, *,
                      request: JSON | None = None,
                      interaction_id: int | None = None) -> StoredMessage:
        """Store a new message and dispatch MESSAGE_CREATE if the bot would see it."""
        msg = StoredMessage(int(data["id"]), channel.id, channel.guild_id, author, data, kind,
                            interaction_id=interaction_id)
        if request is not None:
            msg.requests.append(request)
        self.messages[msg.id] = msg
        self.emit_message("MESSAGE_CREATE", msg)
        return msg

    def edit_message(self, msg: StoredMessage, payload: JSON) -> None:
        """Apply an edit payload (content/embeds/components/flags/attachments)."""
        msg.history.append(dict(msg.data))
        msg.requests.append(payload)
        data = dict(msg.data)
        for key, empty in (("content", ""), ("components", []), ("attachments", [])):
            if key in payload:
                data[key] = empty if payload[key] is None else payload[key]
        if "embeds" in payload:
            data["embeds"] = [{"type": "rich", **e} for e in payload["embeds"] or []]
        if "flags" in payload and payload["flags"] is not None:
            data["flags"] = (data.get("flags", 0) & ~4) | (int(payload["flags"]) & 4)
        data["flags"] = int(data.get("flags") or 0) & ~(1 << 7)
        data["edited_timestamp"] = self.clock.iso()
        msg.data = data
        self.emit_message("MESSAGE_UPDATE", msg)

    def delete_message(self, msg: StoredMessage) -> None:
        """Mark deleted and dispatch MESSAGE_DELETE."""
        msg.deleted = True
        self.emit_message("MESSAGE_DELETE", msg)

    def record_sent(self, kind: str, payload: JSON, msg: StoredMessage | None,
                    interaction: InteractionRecord | None = None) -> None:
        """Log a message-bearing payload the bot sent."""
        self.sent.append(SentPayload(
            kind, payload, msg.channel_id if msg else None, msg.id if msg else None,
            interaction.id if interaction else None))

    def emit_message(self, event: str, msg: StoredMessage) -> None:
        """Dispatch a message event, honouring intents and the MESSAGE_CONTENT rules."""
        self.notifier.notify()
        session = self.gateway.current
        dm = msg.guild_id is None
        if session is None or msg.ephemeral or (msg.loading and event == "MESSAGE_CREATE"):
            return
        if not session.has(Intent.DIRECT_MESSAGES if dm else Intent.GUILD_MESSAGES):
            return
        if event == "MESSAGE_DELETE":
            data: JSON = {"id": str(msg.id), "channel_id": str(msg.channel_id)}
        else:
            data = dict(msg.data)
            mentioned = any(m["id"] == str(self.bot_user.id) for m in data.get("mentions", []))
            if not (dm or mentioned or msg.author is self.bot_user
                    or session.has(Intent.MESSAGE_CONTENT)):
                data.update(content="", embeds=[], attachments=[], components=[])
        if not dm:
            data["guild_id"] = str(msg.guild_id)
            member = self.guilds[msg.guild_id or 0].members.get(msg.author.id)
            if member is not None and event != "MESSAGE_DELETE":
                data["member"] = member.payload(with_user=False)
        session.dispatch(event, data)

    # ----------------------------------------------------------------- test-side actions
    async def send_message(self, content: str, *, author: FakeUser | None = None,
                           channel: FakeChannel | None = None,
                           mentions: Iterable[FakeUser] = (),
                           reply_to: StoredMessage | None = None,
                           embeds: list[JSON] | None = None) -> StoredMessage:
        """A user posts a message (MESSAGE_CREATE). ``mentions`` are added as ``<@id>`` if
        missing from ``content``; ``reply_to`` makes it a reply (type 19)."""
        author = author or self.member
        channel = channel or self.general
        if channel.is_dm and channel.recipient is not author:
            raise HarnessError(f"{author.username} cannot post in another user's DM")
        guild = self.guild_of(channel)
        if guild is not None and author.id not in guild.members:
            raise HarnessError(f"{author.username} is not a member of {guild.name}")
        for user in mentions:
            if user.mention not in content:
                content = f"{user.mention} {content}"
        extra: JSON = {}
        mtype = 0
        if reply_to is not None:
            mtype = 19
            extra["message_reference"] = {"type": 0, "message_id": str(reply_to.id),
                                          "channel_id": str(reply_to.channel_id)}
            if reply_to.guild_id:
                extra["message_reference"]["guild_id"] = str(reply_to.guild_id)
            extra["referenced_message"] = reply_to.data
        payload = {"content": content, "embeds": embeds or []}
        data = self.message_json(self.snowflakes.next(), channel, author, payload,
                                 mtype=mtype, extra=extra)
        return self.store_message(channel, author, data, "user")

    async def slash(self, name: str, options: Mapping[str, Any] | None = None, *,
                    user: FakeUser | None = None, channel: FakeChannel | None = None,
                    locale: str = "en-US") -> InteractionRecord:
        """Invoke a synced slash command; ``name`` may be ``"group sub"``. Returns at once."""
        return fake_actions.slash(self, name, options or {}, user or self.member,
                                  channel or self.general, locale)

    async def autocomplete(self, name: str, options: Mapping[str, Any], focused: str, *,
                           user: FakeUser | None = None, channel: FakeChannel | None = None,
                           timeout: float = 5.0) -> list[JSON]:
        """Send an autocomplete interaction and return the bot's choices."""
        record = fake_actions.autocomplete(self, name, options, focused, user or self.member,
                              channel or self.general)
        await record.wait_until(lambda r: r.responded or bool(r.errors), timeout,
                                "autocomplete result")
        if record.choices is None:
            problems = "; ".join(str(e) for e in record.errors) or f"type {record.callback_type}"
            raise HarnessError(f"autocomplete was not answered with choices: {problems}")
        return record.choices

    async def click(self, message: StoredMessage | int, custom_id: str, *,
                    user: FakeUser | None = None) -> InteractionRecord:
        """Click a button (component interaction type 3) on a stored message."""
        return fake_actions.component(self, message, custom_id, None, user or self.member)

    async def select(self, message: StoredMessage | int, custom_id: str, values: list[str], *,
                     user: FakeUser | None = None) -> InteractionRecord:
        """Pick ``values`` in a select menu on a stored message."""
        return fake_actions.component(self, message, custom_id, values, user or self.member)

    async def submit_modal(self, record: InteractionRecord,
                           values: Mapping[str, str]) -> InteractionRecord:
        """Submit the modal the bot opened in ``record`` with text input ``values``."""
        return fake_actions.submit_modal(self, record, values)

    async def reconnect(self, timeout: float = 10.0) -> None:
        """Send op 7 RECONNECT and wait until the client RESUMEd its session."""
        await self.gateway.reconnect(timeout)
