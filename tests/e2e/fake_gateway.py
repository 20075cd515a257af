"""Fake Discord gateway: HELLO/IDENTIFY/READY/RESUME/heartbeats, sequencing, zlib-stream."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Protocol

from aiohttp import WSMsgType, web

from tests.e2e.fake_models import JSON, Intent
from tests.e2e.fake_records import HarnessError, Notifier

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11


class GatewayHost(Protocol):
    """What the gateway needs from :class:`FakeDiscord`."""

    token: str
    privileged_intents: int

    def ready_payload(self, session: GatewaySession) -> JSON: ...

    def guild_create_payloads(self, session: GatewaySession) -> list[JSON]: ...

    def member_chunk_payload(self, guild_id: int, nonce: str | None) -> JSON: ...

    def record_error(self, kind: str, message: str) -> object: ...


class GatewayConnection:
    """One websocket; a single writer task keeps frame order (and the zlib stream) intact."""

    def __init__(self, ws: web.WebSocketResponse, compress: str | None, path: str) -> None:
        self.ws = ws
        self.path = path
        self.out: asyncio.Queue[JSON | None] = asyncio.Queue()
        self._zlib = zlib.compressobj() if compress == "zlib-stream" else None
        self.writer = asyncio.create_task(self._write_loop(), name="fake-gateway-writer")

    def send(self, frame: JSON) -> None:
        """Queue a frame for sending."""
        self.out.put_nowait(frame)

    async def _write_loop(self) -> None:
        while (frame := await self.out.get()) is not None:
            raw = json.dumps(frame, separators=(",", ":"))
            try:
                if self._zlib is not None:
                    data = self._zlib.compress(raw.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                    await self.ws.send_bytes(data)
                else:
                    await self.ws.send_str(raw)
            except (ConnectionError, RuntimeError):
                return

    async def close(self, code: int = 1000, message: str = "") -> None:
        """Stop the writer and close the socket."""
        self.out.put_nowait(None)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(self.writer), 2.0)
        await self.ws.close(code=code, message=message.encode())


@dataclass(eq=False)
class GatewaySession:
    """A gateway session: survives reconnects, buffers dispatches for RESUME replay."""

    session_id: str
    intents: int
    seq: int = 0
    events: list[JSON] = field(default_factory=list)
    conn: GatewayConnection | None = None
    resumes: int = 0
    ended: bool = False

    def has(self, intent: int) -> bool:
        """True if the client identified with ``intent``."""
        return bool(self.intents & intent)

    def dispatch(self, event: str, data: JSON) -> int:
        """Sequence, buffer and (if connected) send a dispatch; return its sequence number."""
        self.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": self.seq, "d": data}
        self.events.append(frame)
        if self.conn is not None:
            self.conn.send(frame)
        return self.seq


class FakeGateway:
    """Websocket endpoint state machine; ``current`` is the session of the running bot."""

    def __init__(self, host: GatewayHost, heartbeat_interval_ms: int = 41_250) -> None:
        self.host = host
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, GatewaySession] = {}
        self.current: GatewaySession | None = None
        self.connections: set[GatewayConnection] = set()
        self.identifies = 0
        self.heartbeats = 0
        self.notifier = Notifier()
        self.resume_path = "/resume"

    @property
    def connected(self) -> bool:
        """True if a bot session is currently attached to a socket."""
        return self.current is not None and self.current.conn is not None

    def dispatch(self, event: str, data: JSON) -> int:
        """Dispatch to the running bot's session (buffered while it is reconnecting)."""
        if self.current is None or self.current.ended:
            raise HarnessError("no running bot session: use running_bot() first")
        return self.current.dispatch(event, data)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """aiohttp handler for the gateway (and resume) URL."""
        query = request.query
        problems = []
        if query.get("v") != "10":
            problems.append(f"gateway version v={query.get('v')!r}, expected 10")
        if query.get("encoding", "json") != "json":
            problems.append(f"unsupported encoding {query.get('encoding')!r}")
        compress = query.get("compress")
        if compress not in (None, "zlib-stream", "zstd-stream"):
            problems.append(f"unsupported compress {compress!r}")
        ws = web.WebSocketResponse(max_msg_size=16 * 1024 * 1024)
        await ws.prepare(request)
        conn = GatewayConnection(ws, compress, request.path)
        self.connections.add(conn)
        if problems:
            for problem in problems:
                self.host.record_error("gateway", problem)
            await conn.close(4012 if "version" in problems[0] else 4002, problems[0])
            self.connections.discard(conn)
            return ws
        conn.send({"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                   "s": None, "t": None})
        session: GatewaySession | None = None
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    self.host.record_error("gateway", f"unexpected frame type {msg.type!r}")
                    continue
                try:
                    session = await self._on_frame(conn, session, json.loads(msg.data))
                except Exception as exc:  # keep the socket alive; make the test fail
                    self.host.record_error("fake_internal", f"gateway frame failed: {exc!r}")
        finally:
            self.connections.discard(conn)
            if session is not None and session.conn is conn:
                session.conn = None
                # discord.py (aiohttp 3.14) closes with 4000 even on bot.close(): the harness
                # calls end_session() instead of trusting close codes.
                session.ended = session.ended or ws.close_code in (1000, 1001)
            conn.out.put_nowait(None)
            self.notifier.notify()
        return ws

    async def _on_frame(self, conn: GatewayConnection, session: GatewaySession | None,
                        frame: JSON) -> GatewaySession | None:
        op, data = frame.get("op"), frame.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            conn.send({"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY and isinstance(data, dict):
            return await self._identify(conn, session, data)
        elif op == OP_RESUME and isinstance(data, dict):
            return self._resume(conn, session, data)
        elif op == OP_REQUEST_MEMBERS and isinstance(data, dict) and session is not None:
            if not session.has(Intent.GUILD_MEMBERS):
                self.host.record_error("gateway", "REQUEST_GUILD_MEMBERS without GUILD_MEMBERS")
            guild_ids = data.get("guild_id")
            for guild_id in guild_ids if isinstance(guild_ids, list) else [guild_ids]:
                chunk = self.host.member_chunk_payload(int(str(guild_id)), data.get("nonce"))
                session.dispatch("GUILD_MEMBERS_CHUNK", chunk)
        elif op not in (OP_PRESENCE, OP_VOICE):
            self.host.record_error("gateway", f"unexpected op {op!r} (session={session})")
        return session

    async def _identify(self, conn: GatewayConnection, session: GatewaySession | None,
                        data: JSON) -> GatewaySession | None:
        if session is not None:
            self.host.record_error("gateway", "IDENTIFY sent twice on one connection")
            await conn.close(4005, "Already authenticated.")
            return session
        if data.get("token") != self.host.token:
            self.host.record_error("gateway", "IDENTIFY with a wrong token")
            await conn.close(4004, "Authentication failed.")
            return None
        intents = int(data.get("intents") or 0)
        if intents & Intent.PRIVILEGED & ~self.host.privileged_intents:
            self.host.record_error("gateway", f"privileged intents not enabled: {intents:#x}")
            await conn.close(4014, "Disallowed intent(s).")
            return None
        session = GatewaySession(session_id=secrets.token_hex(16), intents=intents, conn=conn)
        self.sessions[session.session_id] = session
        self.current = session
        self.identifies += 1
        session.dispatch("READY", self.host.ready_payload(session))
        for guild in self.host.guild_create_payloads(session):
            session.dispatch("GUILD_CREATE", guild)
        self.notifier.notify()
        return session

    def _resume(self, conn: GatewayConnection, session: GatewaySession | None,
                data: JSON) -> GatewaySession | None:
        found = self.sessions.get(str(data.get("session_id")))
        if (session is not None or found is None or found.ended
                or data.get("token") != self.host.token):
            self.host.record_error("gateway", f"invalid RESUME {data.get('session_id')!r}")
            conn.send({"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return session
        if conn.path != self.resume_path:
            self.host.record_error("gateway", f"RESUME on {conn.path}, not resume_gateway_url")
        if found.conn is not None and found.conn is not conn:
            found.conn.out.put_nowait(None)
        found.conn = conn
        seq = int(data.get("seq") or 0)
        for frame in found.events:
            if frame["s"] > seq:
                conn.send(frame)
        found.resumes += 1
        found.dispatch("RESUMED", {})
        self.notifier.notify()
        return found

    def end_session(self) -> None:
        """Forget the current session (the bot shut down); later RESUMEs are refused."""
        if self.current is not None:
            self.current.ended = True
            self.notifier.notify()

    async def reconnect(self, timeout: float = 10.0) -> None:
        """Send op 7 RECONNECT and wait until the client has RESUMEd."""
        session = self.current
        if session is None or session.conn is None:
            raise RuntimeError("no connected bot session to reconnect")
        before = session.resumes
        session.conn.send({"op": OP_RECONNECT, "d": None, "s": None, "t": None})
        await self.notifier.wait_until(
            lambda: session.resumes > before and session.conn is not None, timeout, "RESUME")

    async def close(self) -> None:
        """Close every open socket (going away)."""
        for conn in list(self.connections):
            await conn.close(1001, "fake shutting down")
