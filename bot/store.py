"""Per-server spoiler settings, members' own progress, an audit log and asked questions, in SQLite.

Reads fail closed: if the database is unreadable, corrupt or locked, :meth:`Store.view_for` logs a
warning and returns the strictest view (``degraded=True``) so the bot keeps answering without
spoiling. Writes commit (WAL, ``synchronous=FULL``) before returning, and raise :class:`StoreError`
when they fail, so a moderator is never told a setting was saved when it was not.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import aiosqlite

from index.errors import BookclubError
from index.spoilers import (
    DEFAULT_MODE,
    DEFAULT_PROGRESS,
    STRICTEST_MODE,
    STRICTEST_PROGRESS,
    Progress,
    SpoilerMode,
    SpoilerView,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

DM_GUILD = 0
KEEP_ANSWERS = 50_000

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: spoiler settings and the audit log
        """CREATE TABLE guild_settings (
            guild_id INTEGER PRIMARY KEY,
            mode TEXT, mode_set_by INTEGER, mode_set_at TEXT,
            progress TEXT, progress_set_by INTEGER, progress_set_at TEXT)""",
        """CREATE TABLE channel_modes (
            channel_id INTEGER PRIMARY KEY, guild_id INTEGER NOT NULL, mode TEXT NOT NULL,
            set_by INTEGER, set_at TEXT)""",
        "CREATE INDEX channel_modes_guild ON channel_modes (guild_id)",
        """CREATE TABLE member_progress (
            guild_id INTEGER NOT NULL, user_id INTEGER NOT NULL, progress TEXT NOT NULL,
            set_at TEXT, PRIMARY KEY (guild_id, user_id))""",
        """CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, guild_id INTEGER NOT NULL, actor_id INTEGER,
            setting TEXT NOT NULL, target INTEGER, old TEXT, new TEXT, at TEXT NOT NULL)""",
        "CREATE INDEX audit_log_guild ON audit_log (guild_id, id)",
    ),
    (  # 2: questions behind buttons and chat replies, so they survive a restart
        """CREATE TABLE answers (
            id INTEGER PRIMARY KEY AUTOINCREMENT, question TEXT NOT NULL, previous TEXT,
            answered INTEGER NOT NULL DEFAULT 1, guild_id INTEGER, channel_id INTEGER,
            user_id INTEGER, message_id INTEGER, created_at TEXT NOT NULL)""",
        "CREATE INDEX answers_message ON answers (message_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(BookclubError):
    """The settings database could not be used; ``message`` is safe to show (says nothing was saved)."""


NOT_SAVED = StoreError(
    "⚠️ The setting was NOT saved: the settings database is unavailable right now. "
    "Please try again in a moment."
)
NOT_READ = StoreError("⚠️ The settings database is unavailable right now; please try again in a moment.")


@dataclass(frozen=True, slots=True)
class ResolvedView:
    """The spoiler view for one reply, where it came from, and whether the store failed."""

    view: SpoilerView
    mode_from: str
    progress_from: str
    degraded: bool = False


STRICTEST = ResolvedView(SpoilerView(STRICTEST_MODE, STRICTEST_PROGRESS), "strictest", "strictest", True)


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
    """What ``/spoilers status`` shows."""

    mode: SpoilerMode | None
    mode_stamp: Stamp
    progress: Progress | None
    progress_stamp: Stamp
    channels: tuple[ChannelOverride, ...]
    members_with_progress: int


@dataclass(frozen=True, slots=True)
class Change:
    """A saved setting: what it was and what it is now (``None`` = the default)."""

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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Store:
    """One aiosqlite connection, opened lazily and reopened after failures."""

    def __init__(self, path: Path | str, *, timeout: float = 1.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self.degraded = False

    async def open(self) -> bool:
        """Connect and migrate; on failure log a warning and stay degraded (the bot still starts)."""
        try:
            await self._connection()
        except (sqlite3.Error, OSError, StoreError) as error:
            self._degrade("open", error)
            return False
        return True

    async def close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            try:
                await db.close()
            except (sqlite3.Error, OSError, ValueError) as error:
                log.warning("Closing the settings database failed: %s", error)

    async def _connection(self) -> aiosqlite.Connection:
        if self._db is not None:
            return self._db
        db = await aiosqlite.connect(self.path, timeout=self.timeout, isolation_level=None)
        try:
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=FULL")
            await db.execute("PRAGMA foreign_keys=ON")
            await self._migrate(db)
        except BaseException:
            await db.close()
            raise
        self._db = db
        return db

    async def _migrate(self, db: aiosqlite.Connection) -> None:
        """Apply migrations after ``PRAGMA user_version`` in order, each in its own transaction."""
        version = await self._scalar(db, "PRAGMA user_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise StoreError(f"settings database schema version {version} is newer than this bot's "
                             f"({SCHEMA_VERSION}); refusing to touch it")
        for number in range(version + 1, SCHEMA_VERSION + 1):
            await db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[number - 1]:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
                await db.execute("COMMIT")
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            log.info("Settings database migrated to schema version %d", number)
        if version >= 2:
            await db.execute("DELETE FROM answers WHERE id <= (SELECT MAX(id) FROM answers) - ?",
                             (KEEP_ANSWERS,))

    @staticmethod
    async def _scalar(db: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> object:
        async with db.execute(sql, params) as cursor:
            row = await cursor.fetchone()
        return None if row is None else row[0]

    def _degrade(self, what: str, error: BaseException) -> None:
        self.degraded = True
        log.warning("Settings database unavailable (%s: %s: %s); using the strictest spoiler view",
                    what, type(error).__name__, error)

    async def _reset(self) -> None:
        """Drop a connection that failed, so the next call reconnects (the file may be back)."""
        await self.close()

    # ------------------------------------------------------------------ reads
    async def view_for(self, guild_id: int | None, channel_id: int | None, user_id: int | None,
                       private: bool, *, parent_id: int | None = None) -> ResolvedView:
        """The view for a reply: channel override, else server mode, else default; club progress, else
        default; in private replies a member's own progress wins. Never raises: fails closed."""
        try:
            db = await self._connection()
            resolved = await self._resolve(db, guild_id or DM_GUILD, channel_id, user_id, private, parent_id)
        except (sqlite3.Error, OSError, StoreError, ValueError) as error:
            self._degrade("read", error)
            await self._reset()
            return STRICTEST
        self.degraded = False
        return resolved

    async def _resolve(self, db: aiosqlite.Connection, guild_id: int, channel_id: int | None,
                       user_id: int | None, private: bool, parent_id: int | None) -> ResolvedView:
        mode, mode_from = DEFAULT_MODE, "default"
        progress, progress_from = DEFAULT_PROGRESS, "default"
        async with db.execute("SELECT mode, progress FROM guild_settings WHERE guild_id = ?",
                              (guild_id,)) as cursor:
            row = await cursor.fetchone()
        if row is not None:
            if row[0] is not None:
                mode, mode_from = SpoilerMode(row[0]), "server"
            if row[1] is not None:
                progress, progress_from = Progress(row[1]), "club"
        for channel in (channel_id, parent_id):
            if channel is None:
                continue
            override = await self._scalar(db, "SELECT mode FROM channel_modes WHERE channel_id = ?",
                                          (channel,))
            if override is not None:
                mode, mode_from = SpoilerMode(str(override)), "channel"
                break
        if private and user_id is not None:
            own = await self._scalar(db, "SELECT progress FROM member_progress WHERE guild_id = ? "
                                         "AND user_id = ?", (guild_id, user_id))
            if own is not None:
                progress, progress_from = Progress(str(own)), "member"
        return ResolvedView(SpoilerView(mode, progress), mode_from, progress_from)

    async def _read(self, what: str, reader: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        try:
            db = await self._connection()
            result = await reader(db)
        except (sqlite3.Error, OSError, StoreError, ValueError) as error:
            self._degrade(what, error)
            await self._reset()
            raise NOT_READ from error
        return result

    async def member_progress(self, guild_id: int | None, user_id: int) -> tuple[Progress, Stamp] | None:
        async def reader(db: aiosqlite.Connection) -> tuple[Progress, Stamp] | None:
            async with db.execute("SELECT progress, set_at FROM member_progress WHERE guild_id = ? "
                                  "AND user_id = ?", (guild_id or DM_GUILD, user_id)) as cursor:
                row = await cursor.fetchone()
            return None if row is None else (Progress(row[0]), Stamp(user_id, _time(row[1])))

        return await self._read("member progress", reader)

    async def status(self, guild_id: int) -> GuildStatus:
        """Everything ``/spoilers status`` shows; raises :class:`StoreError` if unreadable."""
        async def reader(db: aiosqlite.Connection) -> GuildStatus:
            async with db.execute("SELECT mode, mode_set_by, mode_set_at, progress, progress_set_by, "
                                  "progress_set_at FROM guild_settings WHERE guild_id = ?",
                                  (guild_id,)) as cursor:
                row = await cursor.fetchone()
            async with db.execute("SELECT channel_id, mode, set_by, set_at FROM channel_modes "
                                  "WHERE guild_id = ? ORDER BY channel_id", (guild_id,)) as cursor:
                channels = tuple(ChannelOverride(r[0], SpoilerMode(r[1]), Stamp(r[2], _time(r[3])))
                                 for r in await cursor.fetchall())
            members = await self._scalar(db, "SELECT COUNT(*) FROM member_progress WHERE guild_id = ?",
                                         (guild_id,))
            values = row if row is not None else (None,) * 6
            return GuildStatus(
                SpoilerMode(values[0]) if values[0] else None, Stamp(values[1], _time(values[2])),
                Progress(values[3]) if values[3] else None, Stamp(values[4], _time(values[5])),
                channels, int(members) if isinstance(members, int) else 0,
            )

        return await self._read("status", reader)

    async def audit(self, guild_id: int, limit: int = 20) -> list[AuditEntry]:
        async def reader(db: aiosqlite.Connection) -> list[AuditEntry]:
            async with db.execute("SELECT actor_id, setting, target, old, new, at FROM audit_log "
                                  "WHERE guild_id = ? ORDER BY id DESC LIMIT ?",
                                  (guild_id, limit)) as cursor:
                rows = await cursor.fetchall()
            return [AuditEntry(r[0], r[1], r[2], r[3], r[4], datetime.fromisoformat(r[5])) for r in rows]

        return await self._read("audit", reader)

    async def answer(self, answer_id: int) -> SavedAnswer | None:
        return await self._answer_where("id", answer_id)

    async def answer_by_message(self, message_id: int) -> SavedAnswer | None:
        return await self._answer_where("message_id", message_id)

    async def _answer_where(self, column: str, value: int) -> SavedAnswer | None:
        async def reader(db: aiosqlite.Connection) -> SavedAnswer | None:
            async with db.execute("SELECT id, question, previous, answered, guild_id, channel_id, user_id, "
                                  f"message_id FROM answers WHERE {column} = ? ORDER BY id DESC LIMIT 1",
                                  (value,)) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            return SavedAnswer(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6], row[7])

        return await self._read("answer", reader)

    # ------------------------------------------------------------------ writes
    async def _write(self, what: str, writer: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
        """Run ``writer`` in one IMMEDIATE transaction and commit before returning."""
        async with self._lock:
            try:
                db = await self._connection()
                await db.execute("BEGIN IMMEDIATE")
                try:
                    result = await writer(db)
                    await db.execute("COMMIT")
                except BaseException:
                    if db.in_transaction:
                        await db.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError, StoreError, ValueError) as error:
                self._degrade(f"write {what}", error)
                await self._reset()
                raise NOT_SAVED from error
        self.degraded = False
        return result

    @staticmethod
    async def _audit(db: aiosqlite.Connection, guild_id: int, actor_id: int | None, setting: str,
                     target: int | None, old: str | None, new: str | None) -> None:
        await db.execute("INSERT INTO audit_log (guild_id, actor_id, setting, target, old, new, at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", (guild_id, actor_id, setting, target, old, new, _now()))

    async def set_server_mode(self, guild_id: int, mode: SpoilerMode | None, actor_id: int) -> Change:
        return await self._set_guild_column(guild_id, "mode", None if mode is None else mode.value, actor_id)

    async def set_club_progress(self, guild_id: int, progress: Progress | None, actor_id: int) -> Change:
        value = None if progress is None else progress.value
        return await self._set_guild_column(guild_id, "progress", value, actor_id)

    async def _set_guild_column(self, guild_id: int, column: str, value: str | None, actor_id: int) -> Change:
        async def writer(db: aiosqlite.Connection) -> Change:
            old = await self._scalar(db, f"SELECT {column} FROM guild_settings WHERE guild_id = ?", (guild_id,))
            await db.execute("INSERT INTO guild_settings (guild_id) VALUES (?) ON CONFLICT DO NOTHING",
                             (guild_id,))
            await db.execute(f"UPDATE guild_settings SET {column} = ?, {column}_set_by = ?, "
                             f"{column}_set_at = ? WHERE guild_id = ?", (value, actor_id, _now(), guild_id))
            await self._audit(db, guild_id, actor_id, f"server {column}", None, _text(old), value)
            return Change(_text(old), value)

        return await self._write(f"server {column}", writer)

    async def set_channel_mode(self, guild_id: int, channel_id: int, mode: SpoilerMode | None,
                               actor_id: int) -> Change:
        """Set (or with ``None`` remove) a channel's own spoiler mode."""
        async def writer(db: aiosqlite.Connection) -> Change:
            old = _text(await self._scalar(db, "SELECT mode FROM channel_modes WHERE channel_id = ?",
                                           (channel_id,)))
            if mode is None:
                await db.execute("DELETE FROM channel_modes WHERE channel_id = ?", (channel_id,))
            else:
                await db.execute(
                    "INSERT INTO channel_modes (channel_id, guild_id, mode, set_by, set_at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (channel_id) DO UPDATE SET guild_id = excluded.guild_id, mode = excluded.mode, "
                    "set_by = excluded.set_by, set_at = excluded.set_at",
                    (channel_id, guild_id, mode.value, actor_id, _now()))
            new = None if mode is None else mode.value
            await self._audit(db, guild_id, actor_id, "channel mode", channel_id, old, new)
            return Change(old, new)

        return await self._write("channel mode", writer)

    async def set_member_progress(self, guild_id: int | None, user_id: int,
                                  progress: Progress | None) -> Change:
        """A member's own progress in one server (``None``: DMs); ``progress=None`` clears it."""
        guild = guild_id or DM_GUILD

        async def writer(db: aiosqlite.Connection) -> Change:
            old = _text(await self._scalar(db, "SELECT progress FROM member_progress WHERE guild_id = ? "
                                               "AND user_id = ?", (guild, user_id)))
            if progress is None:
                await db.execute("DELETE FROM member_progress WHERE guild_id = ? AND user_id = ?",
                                 (guild, user_id))
            else:
                await db.execute(
                    "INSERT INTO member_progress (guild_id, user_id, progress, set_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (guild_id, user_id) DO UPDATE SET progress = excluded.progress, "
                    "set_at = excluded.set_at", (guild, user_id, progress.value, _now()))
            new = None if progress is None else progress.value
            await self._audit(db, guild, user_id, "member progress", user_id, old, new)
            return Change(old, new)

        return await self._write("member progress", writer)

    async def save_answer(self, question: str, previous: str | None, answered: bool, *,
                          guild_id: int | None, channel_id: int | None, user_id: int | None,
                          message_id: int | None = None) -> int:
        async def writer(db: aiosqlite.Connection) -> int:
            cursor = await db.execute(
                "INSERT INTO answers (question, previous, answered, guild_id, channel_id, user_id, message_id, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (question, previous, int(answered), guild_id, channel_id, user_id, message_id, _now()))
            row_id = cursor.lastrowid
            await cursor.close()
            if row_id is None:
                raise StoreError("no row id")
            return row_id

        return await self._write("answer", writer)

    async def attach_message(self, answer_id: int, message_id: int) -> None:
        async def writer(db: aiosqlite.Connection) -> None:
            await db.execute("UPDATE answers SET message_id = ? WHERE id = ?", (message_id, answer_id))

        await self._write("answer message", writer)


def _text(value: object) -> str | None:
    return None if value is None else str(value)

