"""Helpers for the bookclub bot's end-to-end tests: run the real bot against the fake Discord.

``Club`` bundles the fake, the (session-wide) real engine and one sqlite path per test; its
``run()`` starts ``create_bot(...)`` with ``bot.start()`` and also turns ERROR logs of the bot's
own loggers into recorded errors, so a swallowed traceback still fails the test. The text
helpers read Discord markdown back: spoiler spans, text in clear, escapes.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.client import BookclubBot, create_bot
from bot.settings import Settings
from bot.store import Store
from index.engine import Engine
from index.spoilers import DEFAULT_PROGRESS, Progress, SpoilerMode, SpoilerView
from tests.e2e.fake_discord import FakeDiscord
from tests.e2e.fake_models import JSON, FakeChannel, FakeUser
from tests.e2e.fake_records import InteractionRecord, SentPayload, StoredMessage
from tests.e2e.harness import captured_logs, running_bot

BOT_LOGGERS = ("bot", "index")
NO_PINGS: JSON = {"parse": []}
EPHEMERAL = 1 << 6
MANAGE_GUILD = 1 << 5
ANSWER_TIMEOUT = 10.0
RUTH = "does ruth die?"
OFF_TOPIC = "what is the capital of France?"
UTC_STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


class Club:
    """One test's bot world: the fake, the shared engine and a fresh settings database path."""

    def __init__(self, fake: FakeDiscord, engine: Engine, db: Path) -> None:
        self.fake = fake
        self.engine = engine
        self.db = db

    def settings(self, **overrides: Any) -> Settings:
        """Settings for the fake's guild; a generous cooldown unless the test sets its own."""
        values: dict[str, Any] = {"dev_guild_id": self.fake.guild.id, "bookclub_db": self.db,
                                  "guild_ready_timeout": 0.1, "ask_cooldown_rate": 100,
                                  "ask_cooldown_seconds": 1.0}
        return Settings.load(None, **(values | overrides))

    @contextlib.asynccontextmanager
    async def run(self, **overrides: Any) -> AsyncIterator[BookclubBot]:
        """The real bot, started with ``bot.start()`` on a new ``Store`` over ``self.db``."""
        settings = self.settings(**overrides)

        def factory() -> BookclubBot:
            store = Store(settings.bookclub_db, timeout=settings.bookclub_db_timeout)
            return create_bot(settings, self.engine, store)

        with captured_bot_logs(self.fake):
            async with running_bot(self.fake, factory) as bot:
                yield bot

    async def ask(self, question: str, *, user: FakeUser | None = None,
                  channel: FakeChannel | None = None, private: bool = False,
                  timeout: float = ANSWER_TIMEOUT) -> InteractionRecord:
        """``/ask`` and wait for the final (non-loading) answer."""
        options: dict[str, Any] = {"question": question}
        if private:
            options["private"] = True
        record = await self.fake.slash("ask", options, user=user, channel=channel)
        return await record.wait_done(timeout)

    async def command(self, name: str, options: dict[str, Any] | None = None, *,
                      user: FakeUser | None = None,
                      channel: FakeChannel | None = None) -> InteractionRecord:
        """Any slash command, waited until its final answer."""
        record = await self.fake.slash(name, options or {}, user=user, channel=channel)
        return await record.wait_done(ANSWER_TIMEOUT)

    async def click(self, message: StoredMessage | None, label: str, *,
                    user: FakeUser | None = None) -> InteractionRecord:
        """Click the button labelled ``label`` on ``message`` and wait for the final answer."""
        assert message is not None, "no message to click on"
        record = await self.fake.click(message, button_id(message, label), user=user)
        return await record.wait_done(ANSWER_TIMEOUT)

    async def mention(self, text: str, *, author: FakeUser | None = None,
                      channel: FakeChannel | None = None,
                      reply_to: StoredMessage | None = None) -> StoredMessage:
        """A message that mentions (pings) the bot, as a member would post it."""
        return await self.fake.send_message(text, author=author, channel=channel, reply_to=reply_to,
                                            mentions=[self.fake.bot_user])

    async def reply_to(self, question: StoredMessage) -> StoredMessage:
        """The bot's reply to the message ``question``."""
        return await self.fake.wait_for_message(lambda m: m.reference_id == question.id,
                                                after=question, timeout=ANSWER_TIMEOUT)

    async def moderate(self, name: str, options: dict[str, Any] | None = None) -> str:
        """A ``/spoilers`` subcommand run by the moderator; the text of its (ephemeral) reply."""
        record = await self.command(f"spoilers {name}", options, user=self.fake.moderator)
        assert record.ephemeral, f"/spoilers {name} replied publicly"
        return record.content or ""

    def reveals(self, question: str, progress: Progress = DEFAULT_PROGRESS) -> list[str]:
        """The engine's reveal sentences (past ``progress``) among the answer's first excerpts."""
        view = SpoilerView(SpoilerMode.TAG, progress)
        answer = self.engine.ask(question)
        return [" ".join(s.text.split()) for e in answer.excerpts for s in e.sentences
                if view.is_spoiler(s.reveal)]


@contextlib.contextmanager
def captured_bot_logs(fake: FakeDiscord) -> Iterator[None]:
    """Record ERROR logs of the bot's own loggers (``bot.*``, ``index.*``) as ``log`` errors."""
    with captured_logs(fake, BOT_LOGGERS):
        yield


@contextlib.contextmanager
def regranted(fake: FakeDiscord, command: str) -> Iterator[None]:
    """Simulate a server admin re-granting ``command`` to everyone (Integrations settings):
    Discord then shows it to members without ``default_member_permissions``."""
    stored = fake.commands.guild_commands[fake.guild.id][(1, command)]
    required = stored["default_member_permissions"]
    stored["default_member_permissions"] = None
    try:
        yield
    finally:
        stored["default_member_permissions"] = required


@pytest.fixture(name="club")
def club_fixture(fake_discord: FakeDiscord, engine: Engine, tmp_path: Path) -> Club:
    """A ``Club`` over the started fake, the session engine and ``tmp_path/bookclub.sqlite3``."""
    return Club(fake_discord, engine, tmp_path / "bookclub.sqlite3")


# ---------------------------------------------------------------------- reading Discord markdown
def bar_positions(text: str) -> list[int]:
    """Offsets of unescaped ``||`` (a backslash escapes the next character)."""
    found: list[int] = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text.startswith("||", i):
            found.append(i)
            i += 2
        else:
            i += 1
    return found


def spoiler_spans(text: str) -> list[str]:
    """The spoiler-tagged runs of ``text`` (raw markdown), in order."""
    marks = bar_positions(text)
    assert len(marks) % 2 == 0, f"unbalanced spoiler tags in {text!r}"
    return [text[a + 2:b] for a, b in zip(marks[::2], marks[1::2], strict=True)]


def in_clear(text: str) -> str:
    """``text`` with every spoiler-tagged run removed."""
    marks = bar_positions(text)
    assert len(marks) % 2 == 0, f"unbalanced spoiler tags in {text!r}"
    out, start = [], 0
    for a, b in zip(marks[::2], marks[1::2], strict=True):
        out.append(text[start:a])
        start = b + 2
    out.append(text[start:])
    return " ".join(out)


def tagged(text: str) -> str:
    """What readers see only after tapping: the spoiler-tagged runs, as plain text."""
    return plain(" ".join(spoiler_spans(text)))


def clear(text: str) -> str:
    """What readers see without tapping anything, as plain text."""
    return plain(in_clear(text))


def plain(text: str) -> str:
    """Markdown as a reader sees it: escapes and zero-width spaces removed, spaces collapsed."""
    return " ".join(_ESCAPED.sub(r"\1", text.replace("\u200b", "")).split())


def description(message: StoredMessage | None) -> str:
    """The first embed's description of a message."""
    assert message is not None, "no message"
    assert message.embeds, f"message has no embed: {message.content!r}"
    return str(message.embeds[0].get("description") or "")


def field_value(message: StoredMessage | None, name: str) -> str:
    """The value of the first embed's field called ``name``."""
    assert message is not None and message.embeds, "no embed"
    for field in message.embeds[0].get("fields") or []:
        if field.get("name") == name:
            return str(field.get("value") or "")
    raise AssertionError(f"no field {name!r} in {message.embeds[0]}")


def button_labels(message: StoredMessage | None) -> list[str]:
    """Labels of every button on a message."""
    assert message is not None
    return [str(c.get("label")) for row in message.components for c in row.get("components") or []
            if c.get("type") == 2]


def button_id(message: StoredMessage | None, label: str) -> str:
    """The custom_id of the button labelled ``label``."""
    assert message is not None
    for row in message.components:
        for comp in row.get("components") or []:
            if comp.get("label") == label:
                return str(comp["custom_id"])
    raise AssertionError(f"no button {label!r} on message {message.id}: {button_labels(message)}")


def texts_of(sent: SentPayload) -> list[str]:
    """Every markdown-rendered text in a sent payload: content, embed descriptions, field values."""
    payload = sent.payload
    texts = [str(payload.get("content") or "")]
    for embed in payload.get("embeds") or []:
        texts.append(str(embed.get("description") or ""))
        texts += [str(f.get("value") or "") for f in embed.get("fields") or []]
    return [t for t in texts if t]
