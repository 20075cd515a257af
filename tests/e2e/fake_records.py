"""Records the fake keeps about what the bot did: messages, payloads, interactions, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Self

from tests.e2e.fake_models import JSON, FakeChannel, FakeUser

EPHEMERAL = 1 << 6
LOADING = 1 << 7


class HarnessError(Exception):
    """The harness refused a test action that real Discord would not allow."""


class CommandNotAvailable(HarnessError):
    """The command (or option) is not synced / not usable by this user or in this place."""


class Notifier:
    """Lets coroutines wait for a predicate over state that changes synchronously."""

    def __init__(self) -> None:
        self._futures: list[asyncio.Future[None]] = []

    def notify(self) -> None:
        """Wake all waiters so they re-check their predicates."""
        futures, self._futures = self._futures, []
        for future in futures:
            if not future.done():
                future.set_result(None)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float, what: str, *,
                         poll: float | None = None) -> None:
        """Wait until ``predicate()`` is true; raise ``TimeoutError`` naming ``what``.

        Re-checks on every ``notify()`` and, if ``poll`` is set, at least that often (needed
        when the predicate also looks at state the fake does not own, e.g. bot attributes).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}")
            future: asyncio.Future[None] = loop.create_future()
            self._futures.append(future)
            await asyncio.wait([future], timeout=min(remaining, poll or remaining))


@dataclass
class ProtocolError:
    """Something the bot did that real Discord would reject (or a discord.py ERROR log)."""

    kind: str
    message: str
    status: int | None = None
    code: int | None = None
    method: str | None = None
    path: str | None = None
    interaction_id: int | None = None

    def __str__(self) -> str:
        where = f" [{self.method} {self.path} -> {self.status}/{self.code}]" if self.method else ""
        return f"{self.kind}: {self.message}{where}"


@dataclass
class RequestRecord:
    """One REST request the bot made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class SentPayload:
    """A message-bearing payload the bot sent (create, edit, callback, followup)."""

    kind: str
    payload: JSON
    channel_id: int | None
    message_id: int | None
    interaction_id: int | None = None

    @property
    def allowed_mentions(self) -> JSON | None:
        """The ``allowed_mentions`` object sent, or None if absent."""
        value = self.payload.get("allowed_mentions")
        return value if isinstance(value, dict) else None


@dataclass(eq=False)
class StoredMessage:
    """A message in the fake (sent by the bot or injected by a test); ``data`` is its JSON."""

    id: int
    channel_id: int
    guild_id: int | None
    author: FakeUser
    data: JSON
    kind: str
    interaction_id: int | None = None
    deleted: bool = False
    history: list[JSON] = field(default_factory=list)
    requests: list[JSON] = field(default_factory=list)
    reactions: list[str] = field(default_factory=list)

    @property
    def content(self) -> str:
        """Current content."""
        return str(self.data.get("content") or "")

    @property
    def embeds(self) -> list[JSON]:
        """Current embeds."""
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        """Current top-level components."""
        return list(self.data.get("components") or [])

    @property
    def flags(self) -> int:
        """Current message flags."""
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        """True if only the invoking user can see it."""
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        """True while this is a deferred "thinking…" placeholder."""
        return bool(self.flags & LOADING)

    @property
    def allowed_mentions(self) -> JSON | None:
        """``allowed_mentions`` of the latest create/edit request for this message."""
        for request in reversed(self.requests):
            if "allowed_mentions" in request:
                value = request["allowed_mentions"]
                return value if isinstance(value, dict) else None
        return None

    @property
    def reference_id(self) -> int | None:
        """Id of the message this one replies to."""
        ref = self.data.get("message_reference") or {}
        return int(ref["message_id"]) if ref.get("message_id") else None

    def text(self) -> str:
        """Content plus all embed text, for loose assertions."""
        parts = [self.content]
        for embed in self.embeds:
            parts += [embed.get("title", ""), embed.get("description", "")]
            parts += [f"{f.get('name', '')} {f.get('value', '')}" for f in embed.get("fields", [])]
            parts.append((embed.get("footer") or {}).get("text", ""))
            parts.append((embed.get("author") or {}).get("name", ""))
        return "\n".join(p for p in parts if p)

    def custom_ids(self) -> list[str]:
        """All component custom_ids (nested rows/containers included)."""
        found: list[str] = []

        def walk(items: list[JSON]) -> None:
            for item in items:
                if "custom_id" in item:
                    found.append(str(item["custom_id"]))
                walk(list(item.get("components") or []))
                if isinstance(item.get("accessory"), dict):
                    walk([item["accessory"]])

        walk(self.components)
        return found


@dataclass(eq=False)
class InteractionRecord:
    """One interaction the harness dispatched and everything the bot answered to it."""

    id: int
    token: str
    type: int
    name: str
    user: FakeUser
    channel: FakeChannel
    payload: JSON
    dispatched_at: float
    source_message: StoredMessage | None = None
    callback_type: int | None = None
    callback_data: JSON | None = None
    responded_at: float | None = None
    original: StoredMessage | None = None
    followups: list[StoredMessage] = field(default_factory=list)
    edits: list[JSON] = field(default_factory=list)
    errors: list[ProtocolError] = field(default_factory=list)
    _notifier: Notifier = field(default_factory=Notifier, repr=False)

    @property
    def elapsed(self) -> float | None:
        """Seconds from dispatch to the accepted initial callback."""
        return None if self.responded_at is None else self.responded_at - self.dispatched_at

    @property
    def responded(self) -> bool:
        """True once an initial callback was accepted."""
        return self.callback_type is not None

    @property
    def message(self) -> StoredMessage | None:
        """The latest visible answer: last followup, else the original response."""
        return self.followups[-1] if self.followups else self.original

    @property
    def content(self) -> str | None:
        """Content of :attr:`message`."""
        return None if self.message is None else self.message.content

    @property
    def embeds(self) -> list[JSON]:
        """Embeds of :attr:`message`."""
        return [] if self.message is None else self.message.embeds

    @property
    def ephemeral(self) -> bool:
        """Whether the original response (or deferral) is ephemeral."""
        if self.original is not None:
            return self.original.ephemeral
        return bool(int((self.callback_data or {}).get("flags") or 0) & EPHEMERAL)

    @property
    def choices(self) -> list[JSON] | None:
        """Autocomplete choices (callback type 8)."""
        if self.callback_type != 8 or self.callback_data is None:
            return None
        return list(self.callback_data.get("choices") or [])

    @property
    def modal(self) -> JSON | None:
        """Modal data (callback type 9)."""
        return self.callback_data if self.callback_type == 9 else None

    def changed(self) -> None:
        """Wake waiters (called by the fake)."""
        self._notifier.notify()

    async def wait_until(self, predicate: Callable[[Self], bool], timeout: float = 5.0,
                         what: str = "condition") -> Self:
        """Wait until ``predicate(record)`` holds."""
        await self._notifier.wait_until(lambda: predicate(self), timeout,
                                        f"{what} on interaction {self.name!r}")
        return self

    async def wait_response(self, timeout: float = 5.0) -> Self:
        """Wait for the initial callback (any type)."""
        return await self.wait_until(lambda r: r.responded, timeout, "initial response")

    async def wait_followups(self, count: int = 1, timeout: float = 5.0) -> Self:
        """Wait until at least ``count`` followup messages arrived."""
        return await self.wait_until(lambda r: len(r.followups) >= count, timeout,
                                     f"{count} followup(s)")

    async def wait_done(self, timeout: float = 5.0) -> Self:
        """Wait until responded and not left as a deferred "thinking…" placeholder."""
        return await self.wait_until(
            lambda r: r.responded and not (r.original is not None and r.original.loading),
            timeout, "a final (non-loading) response")
